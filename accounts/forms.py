from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from accounts.models import User


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
    email = forms.EmailField(required=False)


class SignInForm(AuthenticationForm):
    """Refuses people whose every team membership was deactivated, with a plain reason."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from accounts.services import active_memberships

        if not active_memberships(user).exists():
            raise forms.ValidationError(
                "Your account is deactivated in every team. Ask a team admin to reactivate it.",
                code="inactive",
            )
