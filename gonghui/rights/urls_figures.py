"""/rights/figures/: the figures of rights protection (part E)."""

from django.urls import path

from . import views_figures

urlpatterns = [
    path("figures/", views_figures.figures_page, name="figures"),
]
