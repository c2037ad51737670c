"""/rights/: the staff side of rights protection. Each part has its own URL module."""

from django.urls import include, path

app_name = "rights"
urlpatterns = [
    path("", include("gonghui.rights.urls_cases")),  # cases/, settings/
    path("", include("gonghui.rights.urls_intake")),  # hotline/, knowledge/
    path("", include("gonghui.rights.urls_legal")),  # mediations/, referrals/, notices/
    path("", include("gonghui.rights.urls_arrears")),  # inspections/, alerts/, meetings/
    path("", include("gonghui.rights.urls_figures")),  # figures/
]
