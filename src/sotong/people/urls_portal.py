"""Citizen pages of the people registry (namespace `people`), mounted at /people/: 전자소통 가입 and self-service."""

from django.urls import path

from sotong.people.views import portal, portal_manage

app_name = "people"
urlpatterns = [
    path("signup/", portal.signup, name="signup"),
    path("signup/consent/", portal.signup_consent, name="signup_consent"),
    path("signup/confirm/", portal.signup_confirm, name="signup_confirm"),
    path("signup/done/", portal.signup_done, name="signup_done"),
    path("signup/link/<str:token>/", portal.signup_link, name="signup_link"),
    path("manage/", portal_manage.manage, name="manage"),
    path("manage/verify/", portal_manage.manage_verify, name="manage_verify"),
    path("manage/link/<str:token>/", portal_manage.manage_link, name="manage_link"),
    path("manage/details/", portal_manage.manage_details, name="manage_details"),
    path("manage/consents/<int:pk>/channels/", portal_manage.manage_channels, name="manage_channels"),
    path("manage/consents/<int:pk>/withdraw/", portal_manage.manage_withdraw, name="manage_withdraw"),
    path("manage/consents/withdraw-all/", portal_manage.manage_withdraw_all, name="manage_withdraw_all"),
    path("manage/end/", portal_manage.manage_end, name="manage_end"),
]
