import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts import providers


class User(AbstractUser):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class Team(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
    # Every user has exactly one team of their own, whatever way they came to exist
    # (accounts.signals); other people may join it.
    personal_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="personal_team",
    )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "ADMIN", "Admin"
        MEMBER = "MEMBER", "Member"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        INACTIVE = "INACTIVE", "Inactive"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    credit_limit = models.PositiveBigIntegerField(default=0)
    used_credit = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN and self.is_active

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def remaining_credit(self) -> int:
        return max(self.credit_limit - self.used_credit, 0)


class CreditEntry(models.Model):
    """One movement of credits: a ledger row per reserve, settle and refund."""

    class Kind(models.TextChoices):
        RESERVE = "RESERVE", "Reserved"
        SETTLE = "SETTLE", "Settled"
        REFUND = "REFUND", "Refunded"

    membership = models.ForeignKey(Membership, models.CASCADE, related_name="credit_entries")
    kind = models.CharField(max_length=10, choices=Kind)
    amount = models.BigIntegerField(
        help_text="Change to used credit: positive spends, negative refunds."
    )
    reference = models.CharField(max_length=64, blank=True, help_text="The record this is for.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["reference"])]
        verbose_name_plural = "credit entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} for {self.reference}"


class ApiToken(models.Model):
    """An API token: shown once, stored as a prefix for lookup plus an HMAC digest."""

    membership = models.ForeignKey(Membership, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ProviderCredential(models.Model):
    """A team's key for one provider, encrypted at rest; never rendered back. `provider` is the
    registry's slug (accounts.providers asks the registry which slugs exist)."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=20, choices=providers.choices)
    encrypted_key = models.TextField()
    last4 = models.CharField(max_length=4)
    base_url = models.URLField(blank=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "provider"], name="one_key_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.provider} key for {self.team} (…{self.last4})"


class Invite(models.Model):
    """A single-use link that lets someone create an account inside a team."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="invites")
    credit_limit = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Invite to {self.team}"
