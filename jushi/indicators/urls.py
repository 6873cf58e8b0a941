from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("figures/", views.figures, name="figures"),
    path("targets/", views.targets, name="targets"),
    path("catalog/", views.catalog, name="catalog"),
    path("ranking/", views.ranking, name="ranking"),
    path("publish/", views.publish_period, name="publish"),
    path("publications/", views.publications, name="publications"),
    path("i/<str:code>/", views.indicator_detail, name="indicator"),
]
