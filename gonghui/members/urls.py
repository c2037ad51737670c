from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.worker_list, name="worker_list"),
    path("<int:pk>/", views.worker_detail, name="worker_detail"),
    path("new/", views.worker_create, name="worker_create"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("memberships/<int:pk>/transfer/", views.transfer_request, name="transfer_request"),
    path("members/", views.membership_list, name="membership_list"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/decide/", views.duplicate_decide, name="duplicate_decide"),
]
