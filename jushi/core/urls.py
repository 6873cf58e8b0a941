from django.urls import path

from . import jobviews, tables, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("tables/columns/", tables.table_config, name="table_config"),
    path("jobs/", jobviews.job_list, name="jobs"),
    path("jobs/<int:pk>/", jobviews.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", jobviews.job_progress, name="job_progress"),
    path("jobs/<int:pk>/retry/", jobviews.job_retry, name="job_retry"),
    path("jobs/<int:pk>/download/", jobviews.job_download, name="job_download"),
]
