"""/rights/mediations/, /rights/referrals/, /rights/notices/ and the case actions that open
them (URL names under ``rights:``)."""

from django.urls import path

from . import views_legal as views

urlpatterns = [
    path("mediations/", views.mediation_list, name="mediation_list"),
    path("cases/<int:pk>/mediation/new/", views.mediation_create, name="mediation_create"),
    path("mediations/<int:pk>/", views.mediation_detail, name="mediation_detail"),
    path(
        "mediations/<int:pk>/sessions/new/",
        views.mediation_session_add,
        name="mediation_session_add",
    ),
    path("mediations/<int:pk>/agreement/", views.mediation_agree, name="mediation_agree"),
    path("mediations/<int:pk>/failure/", views.mediation_fail, name="mediation_fail"),
    path("mediations/<int:pk>/agreement.pdf", views.mediation_pdf, name="mediation_pdf"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("cases/<int:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/receipt/", views.referral_receipt, name="referral_receipt"),
    path("referrals/<int:pk>/reply/", views.referral_reply, name="referral_reply"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("referrals/<int:pk>/letter.pdf", views.referral_pdf, name="referral_pdf"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    path("notices/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
