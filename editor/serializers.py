"""JSON shapes of the 1min.ai-compatible API: aiRecord out, feature requests in.

aiRecord keeps 1min.ai's fields and adds provider, error, durations, cost and resultUrls.
`status` is ours: PENDING, RUNNING, SUCCESS or FAILED (1min.ai only ever shows SUCCESS to a
waiting client; a FAILED record carries `error` in plain words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gallery.models import Asset, Record, ReviewTag
from gallery.services import signed_asset_url

MAX_FEEDBACK_CHARS = 10_000


class ApiError(Exception):
    """A request the API answers with a 4xx: {"error": {"message", "field"}}."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _ms(start: Any, end: Any) -> int | None:
    if not start or not end:
        return None
    return int((end - start).total_seconds() * 1000)


def ai_record(record: Record, base_url: str) -> dict[str, Any]:
    """The record in 1min.ai's aiRecord shape. Expects `images__image`, `user`, `team` and
    `membership` loaded (see editor.api.records_for)."""
    membership = record.membership
    user = record.user
    results = [item.image for item in record.images.all()]
    urls = [signed_asset_url(asset, absolute_base=base_url) for asset in results]
    return {
        "uuid": str(record.code),
        "userId": str(user.code),
        "teamId": str(record.team.code),
        "teamUser": {
            "teamId": str(record.team.code),
            "userId": str(user.code),
            "userName": user.get_full_name() or user.username,
            "userAvatar": None,
            "status": membership.status,
            "role": membership.role,
            "creditLimit": membership.credit_limit,
            "usedCredit": membership.used_credit,
        },
        "model": record.model,
        "type": record.type,
        "metadata": record.metadata or None,
        "rating": record.rating,
        "feedback": record.feedback or None,
        "reviewTags": record.review_tags or [],
        "conversationId": str(record.conversation_id) if record.conversation_id else None,
        "status": record.status,
        "createdAt": _iso(record.created),
        "aiRecordDetail": {
            "promptObject": record.prompt_object,
            "resultObject": [asset.path for asset in results],
            "responseObject": record.response_object or {},
        },
        "additionalData": record.additional_data or None,
        "temporaryUrl": urls[0] if urls else None,
        "provider": record.provider,
        "error": record.error or None,
        "durations": {
            "queueMs": _ms(record.created, record.started),
            "providerMs": record.provider_ms,
            "totalMs": record.total_ms,
        },
        "cost": record.cost,
        "resultUrls": urls,
    }


def uploaded_asset(asset: Asset, location: str) -> dict[str, Any]:
    """POST /api/assets answer, shaped like 1min.ai's Asset API."""
    return {
        "asset": {
            "fieldname": "asset",
            "originalname": asset.name,
            "encoding": "7bit",
            "mimetype": asset.content_type,
            "size": asset.size,
            "key": asset.path,
            "location": location,
            "width": asset.width,
            "height": asset.height,
        },
        "fileContent": {
            "uuid": str(asset.code),
            "path": asset.path,
            "type": asset.content_type,
            "name": asset.name,
        },
    }


# --- requests --------------------------------------------------------------------------------

# promptObject keys that are not provider parameters.
_IMAGE_KEYS = {"imageUrl", "maskUrl", "imageUrls", "prompt"}
_EXTRAS = {"invertMask", "growMask", "featherMask", "pasteBack"}


@dataclass
class FeatureRequest:
    type: str
    model: str
    provider: str | None
    prompt: str
    image_url: str | None
    mask_url: str | None
    image_urls: list[str]
    params: dict[str, Any]
    mask_options: dict[str, Any] = field(default_factory=dict)
    paste_back: bool = True
    conversation_id: str | None = None


def _string(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ApiError(f"{where}{key} is required.", key)
        return None
    if not isinstance(value, str):
        raise ApiError(f"{where}{key} must be a string.", key)
    return value


def parse_feature(body: Any) -> FeatureRequest:
    """Check the JSON shape of POST /api/features; values are checked by the edit service."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", "body")
    record_type = _string(body, "type", "", required=True)
    model = _string(body, "model", "", required=True)
    provider = _string(body, "provider", "")
    conversation = _string(body, "conversationId", "")
    prompt_object = body.get("promptObject")
    if not isinstance(prompt_object, dict):
        raise ApiError("promptObject must be a JSON object.", "promptObject")
    prompt = prompt_object.get("prompt", "")
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        raise ApiError("prompt must be a string.", "prompt")
    image_urls = prompt_object.get("imageUrls") or []
    if not isinstance(image_urls, list) or not all(isinstance(u, str) for u in image_urls):
        raise ApiError("imageUrls must be a list of strings.", "imageUrls")
    image_url = _string(prompt_object, "imageUrl", "")
    if image_url is None and image_urls:
        image_url, image_urls = image_urls[0], image_urls[1:]
    mask_options: dict[str, Any] = {}
    if "invertMask" in prompt_object:
        mask_options["invert"] = prompt_object["invertMask"]
    for key, name in (("growMask", "grow"), ("featherMask", "feather")):
        if key in prompt_object:
            mask_options[name] = prompt_object[key]
    paste_back = prompt_object.get("pasteBack", True)
    if not isinstance(paste_back, bool):
        raise ApiError("pasteBack must be true or false.", "pasteBack")
    params = {k: v for k, v in prompt_object.items() if k not in _IMAGE_KEYS | _EXTRAS}
    for key, value in params.items():
        if isinstance(value, dict | list):
            raise ApiError(f"{key} must be a single value.", key)
    return FeatureRequest(
        type=record_type or "",
        model=model or "",
        provider=provider,
        prompt=prompt,
        image_url=image_url,
        mask_url=_string(prompt_object, "maskUrl", ""),
        image_urls=image_urls,
        params=params,
        mask_options=mask_options,
        paste_back=paste_back,
        conversation_id=conversation,
    )


def parse_rating(body: Any) -> tuple[bool, int | None, str | None, list[str] | None]:
    """(rating given, rating, feedback or None, review tags or None) from
    PATCH /api/features/<uuid>."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", "body")
    if not {"rating", "feedback", "reviewTags"} & body.keys():
        raise ApiError("Send rating (1 to 5, or null), feedback and/or reviewTags.", "rating")
    rating = body.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        raise ApiError("rating must be a whole number from 1 to 5, or null.", "rating")
    feedback = body.get("feedback")
    if feedback is not None:
        if not isinstance(feedback, str):
            raise ApiError("feedback must be a string.", "feedback")
        if len(feedback) > MAX_FEEDBACK_CHARS:
            raise ApiError(
                f"feedback can be at most {MAX_FEEDBACK_CHARS:,} characters.", "feedback"
            )
    tags = body.get("reviewTags")
    if tags is not None and (
        not isinstance(tags, list) or any(tag not in ReviewTag.values for tag in tags)
    ):
        raise ApiError(
            f"reviewTags must be a list of: {', '.join(ReviewTag.values)}.", "reviewTags"
        )
    return "rating" in body, rating, feedback, tags
