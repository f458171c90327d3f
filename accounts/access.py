"""Shared access checks. Anything not the caller's is a 404, never a hint that it exists."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def team_admin_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None or not request.membership.is_admin:
            raise Http404("Only team admins can open this page.")
        return view(request, *args, **kwargs)

    return wrapper
