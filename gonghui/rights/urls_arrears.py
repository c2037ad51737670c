"""/rights/arrears/…, /rights/inspections/…, /rights/alerts/…, /rights/meetings/… (under
``rights:``): wage arrears on a case, special inspections, early warnings, joint meetings."""

from django.urls import path

from . import views_arrears as views

urlpatterns = [
    # wage arrears on a case (the case page shows a summary section linking here)
    path("arrears/cases/<int:pk>/", views.case_arrears, name="case_arrears"),
    path("arrears/cases/<int:pk>/reveal/", views.case_arrears_reveal, name="case_arrears_reveal"),
    path("arrears/cases/<int:pk>/parties/add/", views.party_add, name="arrears_party_add"),
    path("arrears/cases/<int:pk>/parties/edit/", views.party_edit, name="arrears_party_edit"),
    path("arrears/cases/<int:pk>/parties/remove/", views.party_remove, name="arrears_party_remove"),
    path("arrears/cases/<int:pk>/recovery/", views.recovery_add, name="arrears_recovery_add"),
    path(
        "arrears/cases/<int:pk>/construction/",
        views.construction_edit,
        name="arrears_construction_edit",
    ),
    # special inspections
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/targets/add/",
        views.inspection_target_add,
        name="inspection_target_add",
    ),
    path(
        "inspections/<int:pk>/targets/add-filtered/",
        views.inspection_targets_add_filtered,
        name="inspection_targets_add_filtered",
    ),
    path(
        "inspections/targets/<int:pk>/",
        views.inspection_target_detail,
        name="inspection_target_detail",
    ),
    path(
        "inspections/targets/<int:pk>/follow-up/",
        views.inspection_target_follow_up,
        name="inspection_target_follow_up",
    ),
    path(
        "inspections/targets/<int:pk>/open-case/",
        views.inspection_target_open_case,
        name="inspection_target_open_case",
    ),
    # early warnings
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert_close"),
    # joint meetings
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/actions/add/", views.meeting_action_add, name="meeting_action_add"),
    path("meetings/<int:pk>/actions/done/", views.meeting_action_done, name="meeting_action_done"),
]
