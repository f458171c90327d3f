from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import providers, services
from accounts.access import team_admin_required
from accounts.forms import (
    AddMemberForm,
    ApiTokenForm,
    ChosenPasswordForm,
    CreditLimitForm,
    FirstAdminForm,
    InviteForm,
    MemberRoleForm,
    MemberStatusForm,
    ProviderKeyForm,
)
from accounts.middleware import SESSION_TEAM_KEY
from accounts.models import ApiToken, Invite, Membership, ProviderCredential
from core.errors import UserFacingError


def setup(request):
    """Create the first admin. Gone for good once any user exists."""
    if not services.first_run_pending():
        raise Http404("Setup is already done.")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = services.create_user_with_team(
            form.cleaned_data["username"],
            form.cleaned_data["password"],
            email=form.cleaned_data["email"],
            is_superuser=True,
        )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Promptbrush. Your admin account is ready.")
        return redirect("editor:home")
    return render(request, "accounts/setup.html", {"form": form})


@require_POST
@login_required
def switch_team(request):
    wanted = request.POST.get("team", "")
    if not any(str(m.team.code) == wanted for m in request.memberships):
        raise Http404("No such team.")
    request.session[SESSION_TEAM_KEY] = wanted
    back = request.POST.get("next", "")
    ours = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Only a path: redirect() takes any other text ("0", "gallery:list") for a view's name.
    return redirect(back if back.startswith("/") and ours else "editor:home")


# --- Team page (admins) -------------------------------------------------------------------------


def _absolute(request, path: str) -> str:
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


def _render_team(request, *, status: int = 200, **extra):
    team = request.membership.team
    context = {
        "team": team,
        "members": Membership.objects.filter(team=team)
        .select_related("user")
        .order_by("role", "user__username"),
        "invites": Invite.objects.filter(team=team, used_by=None, expires__gt=timezone.now())
        .select_related("created_by")
        .order_by("-created"),
        "add_form": AddMemberForm(initial={"credit_limit": settings.DEFAULT_CREDIT_LIMIT}),
        "invite_form": InviteForm(initial={"credit_limit": settings.DEFAULT_CREDIT_LIMIT}),
        **extra,
    }
    return render(request, "accounts/team.html", context, status=status)


@never_cache
@team_admin_required
def team(request):
    return _render_team(request)


@require_POST
@team_admin_required
def member_add(request):
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return _render_team(request, add_form=form)
    member = services.add_member(
        request.membership.team,
        form.cleaned_data["username"],
        form.cleaned_data["password"],
        credit_limit=form.cleaned_data["credit_limit"],
    )
    messages.success(
        request, f"{member.user.username} can now sign in with the password you chose."
    )
    return redirect("accounts:team")


def _member_or_404(request, user_code) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        team=request.membership.team,
        user__code=user_code,
    )


def _member_changed(request, member: Membership, form, done: str):
    """Answer a change to one member's row: the row itself for htmx, else back to the page."""
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    if member.pk == request.membership.pk and not errors and not member.is_admin:
        # The admin made themselves a member: this page is no longer theirs.
        messages.success(request, done)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("editor:home"))
        return redirect("editor:home")
    if request.htmx:
        member.row_errors = errors
        member.row_saved = "" if errors else done
        return render(request, "accounts/team.html#member-row", {"m": member})
    for error in errors:
        messages.error(request, f"{member.user.username}: {error}")
    if not errors:
        messages.success(request, done)
    return redirect("accounts:team")


@require_POST
@team_admin_required
def member_limit(request, user_code):
    member = _member_or_404(request, user_code)
    form = CreditLimitForm(request.POST)
    if form.is_valid():
        services.set_credit_limit(member, form.cleaned_data["credit_limit"])
    done = f"{member.user.username}'s credit limit is now {member.credit_limit:,}."
    return _member_changed(request, member, form, done)


@require_POST
@team_admin_required
def member_status(request, user_code):
    member = _member_or_404(request, user_code)
    form = MemberStatusForm(request.POST, membership=member, actor=request.membership)
    if form.is_valid():
        services.set_member_status(member, form.cleaned_data["active"])
    state = "active" if member.is_active else "deactivated"
    return _member_changed(request, member, form, f"{member.user.username} is {state}.")


@require_POST
@team_admin_required
def member_role(request, user_code):
    member = _member_or_404(request, user_code)
    form = MemberRoleForm(request.POST, membership=member, actor=request.membership)
    if form.is_valid():
        services.set_member_role(member, form.cleaned_data["role"])
    done = f"{member.user.username} is now {member.get_role_display().lower()}."
    return _member_changed(request, member, form, done)


@never_cache
@require_POST
@team_admin_required
def invite_create(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_team(request, invite_form=form)
    invite = services.create_invite(
        request.membership.team, request.user, credit_limit=form.cleaned_data["credit_limit"]
    )
    link = _absolute(request, reverse("accounts:invite", args=[invite.code]))
    return _render_team(request, new_invite=invite, new_invite_link=link)


@require_POST
@team_admin_required
def invite_revoke(request, code):
    invite = get_object_or_404(Invite, code=code, team=request.membership.team, used_by=None)
    services.revoke_invite(invite)
    messages.success(request, "The invite link no longer works.")
    return redirect("accounts:team")


# --- Accepting an invite (anonymous) ------------------------------------------------------------


@never_cache
def invite(request, code):
    invite = services.usable_invite(code)
    if invite is None:
        return render(request, "accounts/invite_gone.html", status=404)
    if request.user.is_authenticated:
        return render(request, "accounts/invite.html", {"invite": invite})
    form = ChosenPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.accept_invite(
                invite, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except UserFacingError:  # someone else used the link meanwhile
            return render(request, "accounts/invite_gone.html", status=404)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_TEAM_KEY] = str(membership.team.code)
        messages.success(request, f"Welcome to {membership.team.name}.")
        return redirect("editor:home")
    return render(request, "accounts/invite.html", {"invite": invite, "form": form})


# --- API tokens (every member) ------------------------------------------------------------------


@never_cache  # the response that shows a new token must not be kept in any cache
@login_required
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = services.create_api_token(request.membership, form.cleaned_data["name"])
        form = ApiTokenForm()
    live = ApiToken.objects.filter(membership=request.membership, revoked=None).order_by("-created")
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": live, "new_token": new_token},
        status=400 if form.errors else 200,  # a refused name is an error, not a page like any
    )


@login_required
def token_revoke(request, prefix):
    token = get_object_or_404(ApiToken, prefix=prefix, membership=request.membership, revoked=None)
    if request.method == "POST":
        services.revoke_api_token(token)
        messages.success(request, f"Token “{token.name}” is revoked: it no longer works.")
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})


# --- Provider keys (admins) ---------------------------------------------------------------------


def _render_keys(request, forms: dict | None = None):
    team = request.membership.team
    credentials = {c.provider: c for c in ProviderCredential.objects.filter(team=team)}
    rows = [
        {
            "provider": provider.id,
            "label": provider.name,
            "credential": credentials.get(provider.id),
            "env_set": bool(providers.instance_key(provider.id)),
            "form": (forms or {}).get(provider.id) or ProviderKeyForm(provider=provider),
        }
        for provider in providers.keyed()
    ]
    return render(request, "accounts/keys.html", {"rows": rows})


def _provider_or_404(provider_id: str):
    provider = providers.get(provider_id)
    if provider is None:
        raise Http404("No such provider.")
    return provider


@team_admin_required
def keys(request):
    return _render_keys(request)


@require_POST
@team_admin_required
def key_set(request, provider):
    provider = _provider_or_404(provider)
    form = ProviderKeyForm(request.POST, provider=provider)
    if not form.is_valid():
        return _render_keys(request, {provider.id: form})
    credential = services.set_provider_key(
        request.membership.team,
        provider.id,
        form.cleaned_data["key"],
        base_url=form.cleaned_data.get("base_url", ""),
        user=request.user,
    )
    messages.success(request, f"{provider.name} key saved. It ends in …{credential.last4}.")
    return redirect("accounts:keys")


@require_POST
@team_admin_required
def key_remove(request, provider):
    provider = _provider_or_404(provider)
    services.remove_provider_key(request.membership.team, provider.id)
    messages.success(request, f"{provider.name} key removed.")
    return redirect("accounts:keys")


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, and the sign-in page it leads to says it happened."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response
