"""/rights/cases/…, /rights/settings/ (URL names under ``rights:``)."""

from django.urls import path

from . import views_cases as views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/deadlines/", views.case_deadlines, name="case_deadlines"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/merge/", views.case_merge, name="case_merge"),
    path("cases/<int:pk>/parties/reveal/", views.case_parties_reveal, name="case_parties_reveal"),
    path("cases/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path(
        "cases/supervisions/<int:pk>/report/",
        views.supervision_report,
        name="supervision_report",
    ),
    path("settings/", views.settings_edit, name="settings"),
    *[
        path(
            f"cases/<int:pk>/{name}/",
            view,
            name=f"case_{name.replace('-', '_')}",
        )
        for name, view in views.ACTION_VIEWS.items()
    ],
]
