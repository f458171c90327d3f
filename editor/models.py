from django.core.exceptions import ValidationError
from django.db import models

from editor.providers import catalogue_from_spec, provider_choices


class CatalogueModel(models.Model):
    """A model an admin adds to a provider's catalogue, or whose declaration they replace,
    without a release: model names change faster than we ship."""

    provider = models.CharField(max_length=20, choices=provider_choices)
    model_id = models.CharField("model id", max_length=100, help_text="As the provider spells it.")
    spec = models.JSONField(
        default=dict,
        blank=True,
        help_text='What the model serves and takes, e.g. {"types": ["IMAGE_EDITOR", '
        '"IMAGE_INPAINTER"], "label": "GPT Image 3", "params": [{"name": "size", '
        '"default": "auto", "choices": ["auto", "1024x1024"]}]}',
    )
    enabled = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "model_id"], name="one_row_per_model")
        ]
        ordering = ["provider", "model_id"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.model_id}"

    def as_spec_dict(self) -> dict:
        return {**(self.spec or {}), "id": self.model_id}

    def clean(self) -> None:
        if not isinstance(self.spec, dict):
            raise ValidationError({"spec": "The spec must be a JSON object."})
        if "id" in self.spec:
            raise ValidationError({"spec": "Leave out 'id': the model id field above sets it."})
        try:
            catalogue_from_spec(self.as_spec_dict())
        except ValueError as exc:
            raise ValidationError({"spec": str(exc)}) from exc


class ModelListing(models.Model):
    """What a provider's own model list (`GET {base}/models`) said at one base URL: the
    provider itself, the instance's proxy or a team's proxy. The catalogue lays it over the
    seeded models (editor.providers.discovery)."""

    provider = models.CharField(max_length=20, choices=provider_choices)
    base_url = models.CharField(max_length=500, help_text="Without a trailing slash.")
    listed = models.JSONField(
        null=True,
        blank=True,
        help_text="[{id, shutdown_date}] as listed; null when the base URL has no model list.",
    )
    fetched = models.DateTimeField(null=True, blank=True, help_text="Last successful read.")
    tried = models.DateTimeField(null=True, blank=True, help_text="Last attempt.")
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "base_url"], name="one_listing_per_url")
        ]
        ordering = ["provider", "base_url"]

    def __str__(self) -> str:
        return f"{self.provider} models at {self.base_url}"


class ModelAlias(models.Model):
    """A model id scripts send that the catalogue does not run as it is (1min.ai's `dall-e-3`,
    `flux-schnell`, ...), and what runs instead. A row wins over settings.MODEL_ALIASES for the
    same id (editor.aliases reads both)."""

    alias = models.CharField(
        "model id asked for", max_length=100, unique=True, help_text="As scripts send it."
    )
    provider = models.CharField(
        max_length=20,
        choices=provider_choices,
        blank=True,
        help_text="Blank: the team's first usable provider serving the feature.",
    )
    model = models.CharField(
        max_length=100,
        blank=True,
        help_text="Blank: the provider's first current model serving the feature.",
    )
    enabled = models.BooleanField(
        default=True, help_text="Off: the id is refused as unknown, whatever the settings say."
    )

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "model aliases"

    def __str__(self) -> str:
        return f"{self.alias} -> {self.target or 'team default'}"

    @property
    def target(self) -> str:
        """As settings.MODEL_ALIASES spells a target: provider:model, provider, or ''."""
        return f"{self.provider}:{self.model}" if self.model else self.provider

    def clean(self) -> None:
        if self.model and not self.provider:
            raise ValidationError({"provider": "Choose the provider that runs this model."})
