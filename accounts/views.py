from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import FirstAdminForm
from accounts.middleware import SESSION_TEAM_KEY


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
    return redirect(request.POST.get("next") or "editor:home")
