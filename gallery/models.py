import uuid

from django.conf import settings
from django.db import models

from accounts.models import Membership, Team


def asset_path(asset: "Asset", filename: str) -> str:
    # Team-scoped folders and a random name: nothing in a path is guessable or user-chosen.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"assets/{asset.team.code}/{asset.code}.{ext}"


class Asset(models.Model):
    """A stored image: an upload, a mask, a result, a provider's raw output or a thumbnail."""

    class Kind(models.TextChoices):
        UPLOAD = "UPLOAD", "Upload"
        MASK = "MASK", "Mask"
        RESULT = "RESULT", "Result"
        RAW = "RAW", "Provider output"
        THUMBNAIL = "THUMBNAIL", "Thumbnail"
        DRIFT = "DRIFT", "Drift heatmap"
        PREVIEW = "PREVIEW", "Preview"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="assets")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.UPLOAD)
    file = models.FileField(upload_to=asset_path, max_length=255)
    name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    preview = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A lighter copy pages show (WebP, at most 1600 px); made once when stored.",
    )

    class Meta:
        indexes = [models.Index(fields=["team", "owner", "kind", "-created"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1]

    @property
    def path(self) -> str:
        """What the API hands out as fileContent.path, usable as imageUrl / maskUrl."""
        return f"assets/{self.code}.{self.extension}"


class ReviewTag(models.TextChoices):
    """What a reviewer noticed about a result, so teams can see which provider fails how."""

    GREAT = "great", "Great result"
    IGNORED_MASK = "ignored_mask", "Ignored the mask"
    CHANGED_OUTSIDE = "changed_outside", "Changed things outside the mask"
    WRONG_OBJECT = "wrong_object", "Wrong object or content"
    COLOUR_SHIFT = "colour_shift", "Colour or lighting shift"
    SEAMS = "seams", "Visible seams"
    LOW_DETAIL = "low_detail", "Blurry or low detail"


class Record(models.Model):
    """One submitted edit, shaped like 1min.ai's aiRecord."""

    class Type(models.TextChoices):
        IMAGE_GENERATOR = "IMAGE_GENERATOR", "Text to image"
        IMAGE_EDITOR = "IMAGE_EDITOR", "Edit whole image"
        IMAGE_INPAINTER = "IMAGE_INPAINTER", "Change painted area"
        IMAGE_VARIATOR = "IMAGE_VARIATOR", "Variations of an image"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Queued"
        RUNNING = "RUNNING", "Running"
        SUCCESS = "SUCCESS", "Done"
        FAILED = "FAILED", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="records")
    membership = models.ForeignKey(Membership, models.CASCADE, related_name="records")
    type = models.CharField(max_length=20, choices=Type)
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100, help_text="The model that ran")
    requested_model = models.CharField(
        max_length=100, blank=True, help_text="The model id asked for, when an alias ran another"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    prompt = models.TextField(blank=True)
    prompt_object = models.JSONField(default=dict)
    options = models.JSONField(
        default=dict, help_text="Promptbrush's own: mask options, paste-back"
    )
    response_object = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    additional_data = models.JSONField(default=dict, blank=True)
    source = models.ForeignKey(
        Asset, models.SET_NULL, null=True, blank=True, related_name="source_of"
    )
    mask = models.ForeignKey(Asset, models.SET_NULL, null=True, blank=True, related_name="mask_of")
    extra_images = models.ManyToManyField(Asset, blank=True, related_name="extra_of")
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The record whose result this edit started from.",
    )
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    group = models.UUIDField(null=True, blank=True, db_index=True, help_text="Sent together")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    review_tags = models.JSONField(default=list, blank=True, help_text="ReviewTag values")
    error = models.TextField(blank=True)
    cost = models.PositiveBigIntegerField(default=0, help_text="Credits reserved: the estimate")
    actual_cost = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Credits charged when they differ from the estimate's basis: from what the "
        "provider reported (usage tokens, billed cost), for the results delivered.",
    )
    request_ids = models.JSONField(
        default=list, blank=True, help_text="The provider's id of every call, to quote to it."
    )
    missing_results = models.JSONField(
        default=list,
        blank=True,
        help_text="Results the provider made that could not be fetched, each with why.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    enqueued = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its job was last put on the queue; the reaper enqueues a PENDING record "
        "again once this is older than JOB_STALE_SECONDS.",
    )
    provider_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["team", "user", "-created"]),
            models.Index(fields=["status", "heartbeat"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.code} ({self.status})"

    @property
    def review_tag_labels(self) -> list[str]:
        labels = dict(ReviewTag.choices)
        return [labels.get(tag, tag) for tag in self.review_tags or []]

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCESS, self.Status.FAILED)

    @property
    def total_ms(self) -> int | None:
        if self.finished is None:
            return None
        return int((self.finished - self.created).total_seconds() * 1000)


class RecordImage(models.Model):
    """One result of a record: the stored image, the provider's raw output and a thumbnail."""

    record = models.ForeignKey(Record, models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    image = models.ForeignKey(Asset, models.CASCADE, related_name="+")
    raw = models.ForeignKey(Asset, models.SET_NULL, null=True, blank=True, related_name="+")
    thumbnail = models.ForeignKey(Asset, models.SET_NULL, null=True, blank=True, related_name="+")
    drift = models.ForeignKey(Asset, models.SET_NULL, null=True, blank=True, related_name="+")
    drift_share = models.FloatField(null=True, blank=True)
    drift_report = models.JSONField(
        default=dict, blank=True, help_text="How the raw output drifted outside the mask, in words"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "position"], name="one_image_per_position")
        ]

    def __str__(self) -> str:
        return f"Result {self.position + 1} of {self.record_id}"
