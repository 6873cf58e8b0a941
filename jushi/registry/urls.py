from django.urls import path

from .views import enterprises, importing, industries, overview

app_name = "registry"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("zones/<slug:code>/", overview.zone_detail, name="zone_detail"),
    path("enterprises/", enterprises.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", enterprises.enterprise_create, name="enterprise_create"),
    path("enterprises/export/", enterprises.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", importing.enterprise_import, name="enterprise_import"),
    path("enterprises/<int:pk>/", enterprises.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/delete/", enterprises.enterprise_delete, name="enterprise_delete"),
    path("industries/search/", industries.industry_search, name="industry_search"),
]
