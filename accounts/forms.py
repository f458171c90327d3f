from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.validators import URLValidator

from accounts.models import Membership, User
from accounts.services import active_memberships


class NewAccountForm(forms.Form):
    """Username and password for a new account (first admin, invited member, added member)."""

    username = UsernameField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken: choose another.")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("username"):
            try:
                password_validation.validate_password(
                    data["password"], User(username=data["username"])
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class FirstAdminForm(NewAccountForm):
    """The first admin chooses their own password: the rules are shown before the first try, and
    it is typed twice (no one can reset it for them yet)."""

    email = forms.EmailField(required=False)
    password2 = forms.CharField(
        label="Confirm password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text="The same password again, to catch a typing mistake.",
    )
    field_order = ["username", "email", "password", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        password = self.fields["password"]
        password.widget.attrs["autocomplete"] = "new-password"
        # The validators' own help texts (a <ul>, safe HTML), shown before the first try.
        password.help_text = str(password_validation.password_validators_help_text_html())

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error(
                "password2",
                "Confirm password differs from Password: type the same password in both fields.",
            )
        return data


class SignInForm(AuthenticationForm):
    """Refuses people whose every team membership was deactivated, with a plain reason."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not active_memberships(user).exists():
            raise forms.ValidationError(
                "Your account is deactivated in every team. Ask a team admin to reactivate it.",
                code="inactive",
            )


# --- Team page ---------------------------------------------------------------------------------

MAX_CREDIT_LIMIT = 10**12


def credit_limit_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label="Credit limit",
        min_value=0,
        max_value=MAX_CREDIT_LIMIT,
        help_text="Credits this member may use in this team.",
        **kwargs,
    )


class AddMemberForm(NewAccountForm):
    password = forms.CharField(
        label="Initial password",
        widget=forms.PasswordInput,
        strip=False,
        help_text="Tell the new member; they can change it after signing in.",
    )
    credit_limit = credit_limit_field()


class InviteForm(forms.Form):
    credit_limit = credit_limit_field()


class CreditLimitForm(forms.Form):
    credit_limit = credit_limit_field()


class _MemberChangeForm(forms.Form):
    """A change to another member's standing, with the rules that keep a team administrable."""

    def __init__(self, *args, membership: Membership, actor: Membership, **kwargs):
        self.membership = membership
        self.actor = actor
        super().__init__(*args, **kwargs)

    def _is_last_active_admin(self) -> bool:
        if not self.membership.is_admin:
            return False
        others = (
            Membership.objects.filter(
                team_id=self.membership.team_id,
                role=Membership.Role.ADMIN,
                status=Membership.Status.ACTIVE,
            )
            .exclude(pk=self.membership.pk)
            .exists()
        )
        return not others


class MemberStatusForm(_MemberChangeForm):
    active = forms.TypedChoiceField(
        choices=[("1", "Active"), ("0", "Inactive")], coerce=lambda v: v == "1"
    )

    def clean_active(self):
        active = self.cleaned_data["active"]
        if not active:
            if self.membership.pk == self.actor.pk:
                raise forms.ValidationError("You cannot deactivate yourself.")
            if self._is_last_active_admin():
                raise forms.ValidationError("The team's last active admin cannot be deactivated.")
        return active


class MemberRoleForm(_MemberChangeForm):
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != Membership.Role.ADMIN and self._is_last_active_admin():
            raise forms.ValidationError("The team's last active admin cannot be made a member.")
        return role


# --- API tokens and provider keys --------------------------------------------------------------


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What will use it, for example “batch export script”.",
    )


class ProviderKeyForm(forms.Form):
    key = forms.CharField(
        label="API key",
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    base_url = forms.URLField(
        label="Base URL",
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Only for a compatible proxy; leave empty for the provider's own address.",
    )

    def __init__(self, *args, provider, **kwargs):
        """`provider`: an entry of accounts.providers.keyed()."""
        kwargs.setdefault("auto_id", f"id_{provider.id}_%s")  # one form per provider on a page
        super().__init__(*args, **kwargs)
        self.provider = provider
        if not provider.team_base_url:
            del self.fields["base_url"]

    def clean_key(self):
        key = self.cleaned_data["key"]
        if any(c.isspace() for c in key):
            raise forms.ValidationError("A key has no spaces or line breaks: paste it again.")
        if len(key) < 8:
            raise forms.ValidationError("This is too short to be an API key.")
        return key
