from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/new/", views.organization_create_child, name="create_child"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/close/", views.organization_close, name="close"),
    path("<int:pk>/reopen/", views.organization_reopen, name="reopen"),
]

employer_patterns = (
    [
        path("", views.employer_list, name="list"),
        path("<int:pk>/", views.employer_detail, name="detail"),
    ],
    "employers",
)
