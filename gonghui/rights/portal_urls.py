"""/portal/cases/: complaints and help requests from a phone, followed by tracking code and PIN,
and the public answers of the knowledge base (names in the ``portal`` namespace)."""

from django.urls import path

from . import portal_views as views

urlpatterns = [
    path("new/", views.case_new, name="case_new"),
    path("new/employers/", views.case_employers, name="case_employers"),
    path("new/done/", views.case_created, name="case_created"),
    path("track/", views.case_track, name="case_track"),
    path("<int:pk>/", views.case_status, name="case_status"),
    path("<int:pk>/follow-up/", views.case_follow_up, name="case_follow_up"),
    path("answers/", views.answers, name="case_answers"),
    path("answers/<int:pk>/", views.answer, name="case_answer"),
]
