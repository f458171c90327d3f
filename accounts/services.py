"""Business steps for users, teams, credits, API tokens and provider keys."""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone

from accounts import crypto, providers
from accounts.models import (
    ApiToken,
    CreditEntry,
    Invite,
    Membership,
    ProviderCredential,
    Team,
    User,
)
from core.errors import UserFacingError

TOKEN_PREFIX = "pb_"


class InsufficientCredits(Exception):
    def __init__(self, membership: Membership, cost: int) -> None:
        self.cost = cost
        self.remaining = membership.remaining_credit
        super().__init__(
            f"This edit costs {cost:,} credits but you have {self.remaining:,} left of your "
            f"{membership.credit_limit:,} credit limit. Ask a team admin to raise your limit."
        )


# --- Users and teams --------------------------------------------------------------------------


@transaction.atomic
def give_personal_team(user: User) -> Membership:
    """The user's own team, which they administer; made once, whatever way the user was made
    (setup, createsuperuser, the admin site, invites, `create_api_token --create`)."""
    team, _ = Team.objects.get_or_create(
        personal_for=user, defaults={"name": f"{user.username}'s team"}
    )
    membership, _ = Membership.objects.get_or_create(
        user=user,
        team=team,
        defaults={"role": Membership.Role.ADMIN, "credit_limit": settings.DEFAULT_CREDIT_LIMIT},
    )
    return membership


@transaction.atomic
def create_user_with_team(
    username: str, password: str | None, *, email: str = "", is_superuser: bool = False
) -> Membership:
    """A new user with a personal team of their own, which they administer."""
    user = User(username=username, email=email, is_superuser=is_superuser, is_staff=is_superuser)
    user.set_password(password) if password else user.set_unusable_password()
    user.save()  # accounts.signals gives the personal team
    return give_personal_team(user)


def first_run_pending() -> bool:
    return not User.objects.exists()


@transaction.atomic
def add_member(
    team: Team, username: str, password: str, *, credit_limit: int, role: str = "MEMBER"
) -> Membership:
    user = User(username=username)
    user.set_password(password)
    user.save()
    return Membership.objects.create(user=user, team=team, role=role, credit_limit=credit_limit)


def set_member_status(membership: Membership, active: bool) -> None:
    """Deactivation takes effect at once: the middleware and the token check read this row."""
    membership.status = Membership.Status.ACTIVE if active else Membership.Status.INACTIVE
    membership.save(update_fields=["status"])


def set_credit_limit(membership: Membership, credit_limit: int) -> None:
    membership.credit_limit = credit_limit
    membership.save(update_fields=["credit_limit"])


def set_member_role(membership: Membership, role: str) -> None:
    membership.role = role
    membership.save(update_fields=["role"])


def active_memberships(user: User):
    """Newest-joined last; a team the user was brought into comes before their own team, so
    an invited member starts in the team that invited them."""
    own_team_last = Case(When(team__personal_for=user, then=1), default=0)
    return (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("team")
        .order_by(own_team_last, "created")
    )


def create_invite(team: Team, created_by: User, *, credit_limit: int, days: int = 7) -> Invite:
    return Invite.objects.create(
        team=team,
        created_by=created_by,
        credit_limit=credit_limit,
        expires=timezone.now() + timedelta(days=days),
    )


def usable_invite(code) -> Invite | None:
    return Invite.objects.filter(code=code, used_by=None, expires__gt=timezone.now()).first()


def revoke_invite(invite: Invite) -> None:
    """An unused invite stops working at once (a used one stays as a record of who joined)."""
    Invite.objects.filter(pk=invite.pk, used_by=None).delete()


@transaction.atomic
def accept_invite(invite: Invite, username: str, password: str) -> Membership:
    # Claim the invite first so two people cannot both use it.
    claimed = Invite.objects.filter(pk=invite.pk, used_by=None).update(expires=timezone.now())
    if claimed != 1:
        raise UserFacingError(None, "This invite link has already been used.")
    membership = add_member(invite.team, username, password, credit_limit=invite.credit_limit)
    Invite.objects.filter(pk=invite.pk).update(used_by=membership.user)
    return membership


# --- Credits ----------------------------------------------------------------------------------


def price_for(
    provider: str, model: str, quality: str, size: str, n: int = 1, *, default: int | None = None
) -> int:
    """Credits for n images: the most specific matching row of settings.CREDIT_PRICES, else
    `default` (the model's own price for this quality and size), else CREDIT_PRICE_FALLBACK."""
    key = f"{provider}:{model}:{quality or 'auto'}:{size or 'auto'}"
    best: tuple[int, int] | None = None
    for pattern, price in settings.CREDIT_PRICES.items():
        if fnmatch.fnmatchcase(key, pattern):
            specificity = sum(part != "*" for part in pattern.split(":"))
            if best is None or specificity > best[0]:
                best = (specificity, int(price))
    if best is not None:
        per_image = best[1]
    else:
        per_image = default if default is not None else int(settings.CREDIT_PRICE_FALLBACK)
    return per_image * max(n, 1)


@transaction.atomic
def reserve_credits(membership: Membership, cost: int, reference: str) -> None:
    """Reserve before a job starts: one conditional UPDATE, so concurrent jobs never overspend."""
    updated = Membership.objects.filter(
        pk=membership.pk,
        status=Membership.Status.ACTIVE,
        used_credit__lte=F("credit_limit") - cost,
    ).update(used_credit=F("used_credit") + cost)
    if updated != 1:
        membership.refresh_from_db()
        raise InsufficientCredits(membership, cost)
    CreditEntry.objects.create(
        membership=membership, kind=CreditEntry.Kind.RESERVE, amount=cost, reference=reference
    )


@transaction.atomic
def settle_credits(membership_id: int, reference: str, actual: int | None = None) -> None:
    """Mark a reservation as spent: as reserved, or at `actual` credits when the real cost is
    known (the difference is given back, or charged). Idempotent per reference."""
    entries = CreditEntry.objects.select_for_update().filter(
        membership_id=membership_id, reference=reference
    )
    if entries.filter(kind__in=[CreditEntry.Kind.SETTLE, CreditEntry.Kind.REFUND]).exists():
        return
    reserved = sum(e.amount for e in entries if e.kind == CreditEntry.Kind.RESERVE)
    change = 0 if actual is None else actual - reserved
    if change:
        # Never below zero: used credit counts only what was reserved and settled.
        Membership.objects.filter(pk=membership_id, used_credit__gte=-change).update(
            used_credit=F("used_credit") + change
        )
    CreditEntry.objects.create(
        membership_id=membership_id,
        kind=CreditEntry.Kind.SETTLE,
        amount=change,
        reference=reference,
    )


@transaction.atomic
def refund_credits(membership_id: int, reference: str) -> int:
    """Give back what was reserved for `reference`. Idempotent: a second call refunds nothing."""
    entries = CreditEntry.objects.select_for_update().filter(
        membership_id=membership_id, reference=reference
    )
    if entries.filter(kind__in=[CreditEntry.Kind.SETTLE, CreditEntry.Kind.REFUND]).exists():
        return 0
    reserved = sum(e.amount for e in entries if e.kind == CreditEntry.Kind.RESERVE)
    if reserved <= 0:
        return 0
    Membership.objects.filter(pk=membership_id, used_credit__gte=reserved).update(
        used_credit=F("used_credit") - reserved
    )
    CreditEntry.objects.create(
        membership_id=membership_id,
        kind=CreditEntry.Kind.REFUND,
        amount=-reserved,
        reference=reference,
    )
    return reserved


# --- API tokens -------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def create_api_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the full token, which is never stored and shown only once."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=prefix, digest=_digest(secret)
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for `raw`, or None (revoked, unknown, inactive member or user)."""
    if not raw.startswith(TOKEN_PREFIX) or not raw.isprintable():  # PostgreSQL refuses NUL
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = (
        ApiToken.objects.filter(prefix=prefix, revoked=None)
        .select_related("membership__user", "membership__team")
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    membership = token.membership
    if not membership.is_active or not membership.user.is_active:
        return None
    now = timezone.now()
    # Write last_used at most once a minute: every API call would otherwise take a write lock.
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def revoke_api_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked=None).update(revoked=timezone.now())


# --- Provider keys ----------------------------------------------------------------------------


def set_provider_key(team: Team, provider: str, key: str, *, base_url: str = "", user=None):
    """Store (or replace) the team's key; ValidationError for a provider the registry does not
    list, or a base URL for one that takes none."""
    providers.validate_keyed(provider)
    if base_url and not providers.get(provider).team_base_url:
        raise ValidationError({"base_url": "This provider takes no base URL of its own."})
    credential, _ = ProviderCredential.objects.update_or_create(
        team=team,
        provider=provider,
        defaults={
            "encrypted_key": crypto.encrypt(key),
            "last4": key[-4:],
            "base_url": base_url,
            "updated_by": user,
        },
    )
    return credential


def remove_provider_key(team: Team, provider: str) -> None:
    ProviderCredential.objects.filter(team=team, provider=provider).delete()


def provider_base_url(team_id: int, provider: str) -> str:
    """The team's own base URL for a provider ('' when it uses the instance's)."""
    return (
        ProviderCredential.objects.filter(team_id=team_id, provider=provider)
        .values_list("base_url", flat=True)
        .first()
        or ""
    )


def provider_key(team_id: int, provider: str) -> tuple[str, str]:
    """(api key, base url override) for a team: its own key, else the instance-wide one."""
    credential = ProviderCredential.objects.filter(team_id=team_id, provider=provider).first()
    if credential is not None:
        key = crypto.decrypt(credential.encrypted_key)
        if key:
            return key, credential.base_url
    return providers.instance_key(provider), ""


def configured_providers(team_id: int) -> set[str]:
    """Providers the team can call: its own keys, the instance-wide keys, and keyless ones."""
    keyed = {p.id for p in providers.keyed()}
    own = set(ProviderCredential.objects.filter(team_id=team_id).values_list("provider", flat=True))
    env = {pid for pid in keyed if providers.instance_key(pid)}
    return (own & keyed) | env | providers.keyless_ids()
