"""Every case of the bad-input corpus (corpus.py) against the API and the page forms: a 4xx,
never a 5xx; a message on the field the case names; nothing written (records, assets, ledger
rows, tokens, media files) and no call to the loopback providers."""

from __future__ import annotations

import io
import json
import os
import zlib
from html import escape

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.models import ApiToken, CreditEntry
from editor import services
from gallery.models import Asset, Record, RecordImage
from tests.conftest import png_bytes
from tests.gallery.factories import make_record
from tests.security.corpus import CASES

pytestmark = pytest.mark.django_db


def case_id(case) -> str:
    target, data, field = case
    return f"{target}-{field}-{zlib.crc32(repr(data).encode()) % 10_000:04d}"


def media_files() -> int:
    root = django_settings.STORAGES["default"].get("OPTIONS", {}).get("location")
    if not root:
        return 0
    return sum(len(files) for _, _, files in os.walk(root))


@pytest.fixture
def world(alice_membership, onemin, openai, settings):
    settings.API_WAIT_SECONDS = 1  # anything that slips through must not hang the corpus
    settings.MAX_UPLOAD_MB = 1
    image = services.upload_image(alice_membership, png_bytes(64, 48), "cat.png")
    record = make_record(alice_membership)
    return {"image": image, "record": record, "servers": (onemin, openai)}


def snapshot(world) -> dict:
    record = Record.objects.get(pk=world["record"].pk)
    return {
        "records": Record.objects.count(),
        "images": RecordImage.objects.count(),
        "assets": Asset.objects.count(),
        "ledger": CreditEntry.objects.count(),
        "tokens": ApiToken.objects.count(),
        "media": media_files(),
        "upstream": sum(len(server.requests) for server in world["servers"]),
        "rating": (record.rating, record.feedback, list(record.review_tags)),
    }


def fill(value, world):
    """The case's data with `{image}` replaced by the path of alice's uploaded image."""
    path = world["image"].path
    if isinstance(value, str):
        return value.replace("{image}", path)
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


def call_api(client, token, target, data, world):
    headers = {"API-KEY": token}
    data = fill(data, world)
    if target == "api:list":
        return client.get("/api/features", data, headers=headers)
    if target == "api:assets":
        files = {name: _file(*spec) for name, spec in data.items()}
        return client.post("/api/assets", files, headers=headers)
    raw = data if isinstance(data, str | bytes) else json.dumps(data)
    path = {
        "api:features": "/api/features",
        "api:select": "/api/masks/select",
        "api:patch": f"/api/features/{world['record'].code}",
    }[target]
    method = client.patch if target == "api:patch" else client.post
    return method(path, raw, content_type="application/json", headers=headers)


def _file(name: str, data: bytes):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def call_page(client, target, data, world):
    if target == "page:upload":
        return client.post(reverse("editor:upload"), {"image": _file(*data)})
    if target == "page:rate":
        return client.post(reverse("gallery:rate", args=[world["record"].code]), data)
    if target == "page:tokens":
        return client.post(reverse("accounts:tokens"), data)
    model = client.get(reverse("editor:generate")).context["form"].fields["model"].initial
    base = {"type": "IMAGE_GENERATOR", "provider": "openai", "model": model, "prompt": "a cat"}
    return client.post(reverse("editor:submit"), {**base, **data})


def page_errors(response, field: str) -> list[str]:
    """The messages a bound form on the page holds for `field`."""
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if hasattr(value, "fields") and errors and field in errors:
                return list(errors[field])
    return []


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_bad_input_is_a_4xx_on_its_field_and_writes_nothing(case, world, client, token):
    target, data, field = case
    before = snapshot(world)

    if target.startswith("api:"):
        response = call_api(client, token, target, data, world)
        assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
        assert response["Content-Type"] == "application/json"
        error = response.json()["error"]
        assert error.get("field") == field, error
        assert error["message"].strip()
    else:
        client.force_login(world["record"].user)
        response = call_page(client, target, data, world)
        assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
        messages = page_errors(response, field)
        assert messages, f"no error on {field}"
        html = response.content.decode()
        assert all(escape(m) in html for m in messages), messages

    assert snapshot(world) == before
