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
    path("<int:pk>/move/", views.organization_move, name="move"),
    path("<int:pk>/founding/", views.founding_edit, name="founding"),
    path("<int:pk>/elections/new/", views.election_new, name="election_new"),
    path("<int:pk>/cadres/new/", views.cadre_new, name="cadre_new"),
    path("<int:pk>/coverage/", views.coverage_of, name="coverage_of"),
    path("coverage/", views.coverage_home, name="coverage"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/end/", views.cadre_end, name="cadre_end"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("terms-due/", views.terms_due, name="terms_due"),
]

employer_patterns = (
    [
        path("", views.employer_list, name="list"),
        path("new/", views.employer_create, name="create"),
        path("<int:pk>/", views.employer_detail, name="detail"),
        path("<int:pk>/edit/", views.employer_edit, name="edit"),
    ],
    "employers",
)
