from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import SignInForm

app_name = "accounts"
urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password_done",
    ),
    path("team/switch/", views.switch_team, name="switch_team"),
    path("team/", views.team, name="team"),
    path("team/members/", views.member_add, name="member_add"),
    path("team/members/<uuid:user_code>/limit/", views.member_limit, name="member_limit"),
    path("team/members/<uuid:user_code>/status/", views.member_status, name="member_status"),
    path("team/members/<uuid:user_code>/role/", views.member_role, name="member_role"),
    path("team/invites/", views.invite_create, name="invite_create"),
    path("team/invites/<uuid:code>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("invite/<uuid:code>/", views.invite, name="invite"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
    path("keys/", views.keys, name="keys"),
    path("keys/<str:provider>/", views.key_set, name="key_set"),
    path("keys/<str:provider>/remove/", views.key_remove, name="key_remove"),
]
