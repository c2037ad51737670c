"""The project's URLs plus the portal's and the staff application pages, for tests run before
the lead mounts them in gonghui/urls.py (each is added only when it is not mounted yet)."""

from django.urls import include, path

from gonghui import urls as project

handler404 = project.handler404
handler500 = project.handler500


def _mounted(namespace: str) -> bool:
    return any(getattr(p, "namespace", None) == namespace for p in project.urlpatterns)


urlpatterns = [
    *([] if _mounted("portal") else [path("portal/", include("gonghui.portal.urls"))]),
    *(
        []
        if _mounted("applications")
        else [path("applications/", include("gonghui.members.application_urls"))]
    ),
    *project.urlpatterns,
]
