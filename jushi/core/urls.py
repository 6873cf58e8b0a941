from django.urls import path

from . import tables, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("tables/columns/", tables.table_config, name="table_config"),
]
