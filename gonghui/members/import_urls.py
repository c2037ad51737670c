"""Roster imports, mounted at /workers/imports/ (namespace ``imports``)."""

from django.urls import path

from . import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.job_list, name="list"),
    path("new/", import_views.upload, name="upload"),
    path("preview/", import_views.preview, name="preview"),
    path("<int:pk>/", import_views.job_detail, name="detail"),
    path("<int:pk>/progress/", import_views.job_progress, name="progress"),
    path("<int:pk>/report/", import_views.job_report, name="report"),
]
