from django.contrib import admin
from django.urls import include, path

from gonghui.api.api import api
from gonghui.core import views as core_views
from gonghui.organizations.urls import employer_patterns

admin.site.site_header = "Gonghui 工会"
admin.site.site_title = "Gonghui"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots, name="robots"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gonghui.accounts.urls")),
    path("organizations/", include("gonghui.organizations.urls")),
    path("employers/", include(employer_patterns)),
    path("workers/imports/", include("gonghui.members.import_urls")),
    path("workers/", include("gonghui.members.urls")),
    path("applications/", include("gonghui.members.application_urls")),
    path("portal/", include("gonghui.portal.urls")),
    path("rights/", include("gonghui.rights.urls")),
    path("audit/", include("gonghui.audit.urls")),
    path("notifications/", include("gonghui.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("gonghui.core.urls")),
]

handler404 = "gonghui.core.errors.page_not_found"
handler500 = "gonghui.core.errors.server_error"
