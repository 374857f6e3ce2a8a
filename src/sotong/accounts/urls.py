from django.urls import path

from sotong.accounts.views import auth, office

app_name = "accounts"
urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("otp/", auth.otp_view, name="otp"),
    path("session/status/", auth.session_status, name="session_status"),
    path("session/extend/", auth.session_extend, name="session_extend"),
    path("staff/", office.staff_list, name="staff_list"),
    path("staff/<int:pk>/", office.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/grant/", office.grant, name="grant"),
    path("grants/", office.grant_history, name="grant_history"),
    path("grants/<int:pk>/revoke/", office.revoke, name="revoke"),
]
