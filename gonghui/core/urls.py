from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("reveal/<str:label>/<int:pk>/<str:field>/", views.reveal, name="reveal"),
]
