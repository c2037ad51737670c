from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("bind/", views.bind, name="bind"),
    path("me/", views.me, name="me"),
    path("card/", views.card, name="card"),
    path("apply/", views.apply, name="apply"),
    path("apply/unions/", views.apply_unions, name="apply_unions"),
    path("apply/employers/", views.apply_employers, name="apply_employers"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("verify/<str:token>/", views.verify, name="verify"),
    # complaints and help requests: file, follow by tracking code (gonghui.rights)
    path("cases/", include("gonghui.rights.portal_urls")),
]
