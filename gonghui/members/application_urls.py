from django.urls import path

from . import application_views as views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/accept/", views.application_accept, name="accept"),
    path("<int:pk>/decline/", views.application_decline, name="decline"),
]
