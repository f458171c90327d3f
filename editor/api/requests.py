"""The JSON shapes the API reads: POST /api/features and PATCH /api/features/<uuid>.

Only the shape is checked here (types, required keys); the values are checked by the edit
service and by the gallery's rating form, the same rules as the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.text import text_problem
from editor.api.http import ApiError
from editor.field_names import MASK_OPTIONS_BY_API

# promptObject keys that are not provider parameters.
_IMAGE_KEYS = {"imageUrl", "maskUrl", "imageUrls", "prompt"}
_EXTRAS = {*MASK_OPTIONS_BY_API, "pasteBack"}


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
    answer_at_once: bool = False  # 1min.ai's `"async": true`: answer before the job ends


def _string(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ApiError(f"{key} is required.", key)
        return None
    if not isinstance(value, str):
        raise ApiError(f"{key} must be a string.", key)
    return _text(value, key)


def _text(value: str, key: str) -> str:
    """Text as every field of ours takes it (core.text): no NUL, no control characters."""
    problem = text_problem(value)
    if problem:
        raise ApiError(f"{key}: {problem}", key)
    return value


def parse_feature(body: Any) -> FeatureRequest:
    """Check the JSON shape of POST /api/features; values are checked by the edit service."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", "body")
    record_type = _string(body, "type", required=True)
    model = _string(body, "model", required=True)
    provider = _string(body, "provider")
    conversation = _string(body, "conversationId")
    answer_at_once = body.get("async", False)
    if not isinstance(answer_at_once, bool):
        raise ApiError("async must be true or false.", "async")
    prompt_object = body.get("promptObject")
    if not isinstance(prompt_object, dict):
        raise ApiError("promptObject must be a JSON object.", "promptObject")
    prompt = prompt_object.get("prompt", "")
    if prompt is None:
        prompt = ""
    if not isinstance(prompt, str):
        raise ApiError("prompt must be a string.", "prompt")
    _text(prompt, "prompt")
    image_urls = prompt_object.get("imageUrls")
    if image_urls is None:
        image_urls = []  # 0, false, "" or {} are a mistake to name, not "no images"
    if not isinstance(image_urls, list) or not all(isinstance(u, str) for u in image_urls):
        raise ApiError("imageUrls must be a list of strings.", "imageUrls")
    for url in image_urls:
        _text(url, "imageUrls")
    image_url = _string(prompt_object, "imageUrl")
    if image_url is None and image_urls:
        image_url, image_urls = image_urls[0], image_urls[1:]
    mask_options = {
        name: prompt_object[key]
        for key, name in MASK_OPTIONS_BY_API.items()
        if key in prompt_object
    }
    paste_back = prompt_object.get("pasteBack", True)
    if not isinstance(paste_back, bool):
        raise ApiError("pasteBack must be true or false.", "pasteBack")
    params = {k: v for k, v in prompt_object.items() if k not in _IMAGE_KEYS | _EXTRAS}
    for key, value in params.items():
        if isinstance(value, dict | list):
            raise ApiError(f"{key} must be a single value.", key)
        if isinstance(value, str):
            _text(value, key)
    return FeatureRequest(
        type=record_type or "",
        model=model or "",
        provider=provider,
        prompt=prompt,
        image_url=image_url,
        mask_url=_string(prompt_object, "maskUrl"),
        image_urls=image_urls,
        params=params,
        mask_options=mask_options,
        paste_back=paste_back,
        conversation_id=conversation,
        answer_at_once=answer_at_once,
    )


def parse_rating(body: Any) -> dict[str, Any]:
    """PATCH /api/features/<uuid> as the gallery's RatingForm data: only the keys sent, so
    what is left out stays as it is. JSON types are checked here (the form would take "5")."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", "body")
    if not {"rating", "feedback", "reviewTags"} & body.keys():
        raise ApiError("Send rating (1 to 5, or null), feedback and/or reviewTags.", "rating")
    data: dict[str, Any] = {}
    if "rating" in body:
        rating = body["rating"]
        if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)):
            raise ApiError("rating must be a whole number from 1 to 5, or null.", "rating")
        data["rating"] = "" if rating is None else str(rating)
    # null feedback or reviewTags leave them as they are.
    if body.get("feedback") is not None:
        if not isinstance(body["feedback"], str):
            raise ApiError("feedback must be a string.", "feedback")
        data["feedback"] = body["feedback"]
    if body.get("reviewTags") is not None:
        tags = body["reviewTags"]
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ApiError("reviewTags must be a list of strings.", "reviewTags")
        data["tags"] = tags
    return data
