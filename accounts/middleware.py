from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts import services

SESSION_TEAM_KEY = "team"


class ActiveMembershipMiddleware:
    """Attach request.membership (the team the user works in) and end sessions of people
    who no longer have an active membership anywhere: deactivation takes effect at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(services.active_memberships(user))
            if not memberships or not user.is_active:
                logout(request)
            else:
                wanted = request.session.get(SESSION_TEAM_KEY)
                request.membership = next(
                    (m for m in memberships if str(m.team.code) == wanted), memberships[0]
                )
                request.memberships = memberships
        return self.get_response(request)


class FirstRunMiddleware:
    """While no user exists, every page leads to the form that creates the first admin."""

    users_exist = False  # once true it stays true: the setup form is gone for good

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not FirstRunMiddleware.users_exist:
            if services.first_run_pending():
                setup = reverse("accounts:setup")
                exempt = (setup, "/static/", "/api/", "/healthz")
                if not request.path.startswith(exempt):
                    return redirect(setup)
            else:
                FirstRunMiddleware.users_exist = True
        return self.get_response(request)
