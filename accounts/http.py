from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import Membership, User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a signed-in page view receives (for type checkers and readers)."""

    user: User
    membership: Membership
    memberships: list[Membership]
    htmx: HtmxDetails
