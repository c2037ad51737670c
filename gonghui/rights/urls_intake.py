"""/rights/hotline/…, /rights/cases/new/, /rights/knowledge/… (URL names under ``rights:``)."""

from django.urls import path

from . import views_intake as views

urlpatterns = [
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/suggest/", views.hotline_suggest, name="hotline_suggest"),
    path("hotline/caller/", views.hotline_caller, name="hotline_caller"),
    path("hotline/calls/", views.hotline_calls, name="hotline_calls"),
    path("hotline/calls/<int:pk>/", views.hotline_call, name="hotline_call"),
    path("cases/new/", views.case_new, name="case_new"),
    path("knowledge/", views.knowledge_list, name="knowledge_list"),
    path("knowledge/new/", views.knowledge_create, name="knowledge_create"),
    path("knowledge/stale/", views.knowledge_stale, name="knowledge_stale"),
    path("knowledge/<int:pk>/", views.knowledge_detail, name="knowledge_detail"),
    path("knowledge/<int:pk>/edit/", views.knowledge_edit, name="knowledge_edit"),
    path("knowledge/<int:pk>/review/", views.knowledge_review, name="knowledge_review"),
]
