"""The 1min.ai-compatible JSON API, through Django's test client with an API-KEY header.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes). The module uses real
transactions because the edit job is enqueued on commit (ImmediateBackend runs it inline)."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from accounts.models import CreditEntry
from accounts.services import create_api_token, revoke_api_token, set_member_status
from gallery.models import Record
from tests.fakes.base import LoopbackServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)

# Request bodies from the 1min.ai pages in shared/seeds, kept byte for byte (one has a
# trailing comma, as published).
SEED_BODIES = Path(__file__).parent / "seed_bodies"
W, H = 64, 48


def png(w: int = W, h: int = H, color=(90, 120, 150)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def box_mask(w: int = W, h: int = H, painted: bool = True) -> bytes:
    m = np.zeros((h, w), dtype=np.uint8)
    if painted:
        m[10:30, 10:40] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def seed_body(prefix: str) -> str:
    """The JSON body of a seed page's curl example, character for character."""
    return (SEED_BODIES / f"{prefix}.json").read_text()


@pytest.fixture
def token(alice_membership) -> str:
    return create_api_token(alice_membership, "script")[1]


@pytest.fixture
def api(client, token):
    """Calls with alice's API key: api("post", "/api/features", json={...})."""

    def call(method: str, path: str, *, json_body=None, raw: str | bytes | None = None, **kw):
        headers = {"API-KEY": token, **kw.pop("headers", {})}
        if json_body is not None:
            raw = json.dumps(json_body)
        if raw is not None:
            kw["data"], kw["content_type"] = raw, "application/json"
        return getattr(client, method)(path, headers=headers, **kw)

    return call


def upload(api, data: bytes, name: str = "cat.png") -> dict:
    response = api("post", "/api/assets", data={"asset": (io.BytesIO(data), name)})
    assert response.status_code == 200, response.content
    return response.json()


def upload_file(client_call, data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return client_call("post", "/api/assets", data={"asset": f})


@pytest.fixture
def uploaded(api):
    def go(data: bytes, name: str = "cat.png") -> dict:
        response = upload_file(api, data, name)
        assert response.status_code == 200, response.content
        return response.json()

    return go


# --- assets ----------------------------------------------------------------------------------


def test_asset_upload_answers_like_1min_ai(uploaded, alice):
    body = uploaded(png(), "cat.png")

    assert body["fileContent"]["path"] == body["asset"]["key"]
    assert body["fileContent"]["path"].startswith("assets/")
    assert body["fileContent"]["name"] == "cat.png"
    assert body["asset"]["mimetype"] == "image/png"
    assert body["asset"]["size"] == len(png())
    assert alice.assets.get().name == "cat.png"


def test_asset_upload_refuses_what_is_not_an_image(api, alice):
    response = upload_file(api, b"hello, not an image", "notes.png")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "asset"
    assert alice.assets.count() == 0


def test_asset_upload_needs_the_asset_field(api):
    response = api("post", "/api/assets", data={"file": "x"})

    assert (response.status_code, response.json()["error"]["field"]) == (400, "asset")


# --- auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/features", "/api/providers", "/api/assets"])
def test_no_token_is_401(client, path, alice):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json()["error"]["field"] == "API-KEY"


def test_bad_token_is_401(client, token):
    response = client.get("/api/features", headers={"API-KEY": token[:-2] + "xx"})

    assert response.status_code == 401


def test_revoked_token_is_401(client, alice_membership):
    row, raw = create_api_token(alice_membership, "old")
    revoke_api_token(row)

    assert client.get("/api/features", headers={"API-KEY": raw}).status_code == 401


def test_deactivated_member_token_stops_working(client, bob_membership):
    _row, raw = create_api_token(bob_membership, "bob's")
    assert client.get("/api/providers", headers={"API-KEY": raw}).status_code == 200
    set_member_status(bob_membership, False)

    assert client.get("/api/providers", headers={"API-KEY": raw}).status_code == 401


# --- the seeds' bodies -----------------------------------------------------------------------


def test_seed_text_to_image_body_works_unchanged(api, onemin, alice_membership):
    response = api("post", "/api/features", raw=seed_body("001"))

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["status"], record["provider"], record["model"]) == (
        "SUCCESS",
        "onemin",
        "gpt-image-1",
    )
    assert record["type"] == "IMAGE_GENERATOR"
    assert record["aiRecordDetail"]["promptObject"]["style"] == "natural"
    assert len(record["aiRecordDetail"]["resultObject"]) == 1
    assert record["teamUser"]["usedCredit"] == 4_000
    sent = onemin.requests_to("/api/features")[0].json()
    assert sent["promptObject"]["prompt"] == json.loads(seed_body("001"))["promptObject"]["prompt"]


def test_seed_image_editor_body_works_with_our_asset_path(api, uploaded, onemin):
    path = uploaded(png())["fileContent"]["path"]
    body = seed_body("000").replace("development/images/2025_12_04_18_10_29_882_cat.png", path)

    response = api("post", "/api/features", raw=body)

    assert response.status_code == 200, response.content
    assert response.json()["aiRecord"]["status"] == "SUCCESS"
    assert response.json()["aiRecord"]["aiRecordDetail"]["promptObject"]["imageUrl"] == path


def test_seed_inpainter_body_with_its_trailing_comma_works(api, uploaded, onemin):
    image = uploaded(png())["fileContent"]["path"]
    mask = uploaded(box_mask(), "mask.png")["fileContent"]["path"]
    body = (
        seed_body("003")
        .replace("development/images/2025_12_04_18_10_29_882_cat.png", image)
        .replace("development/images/2025_12_04_18_11_04_824_image.png", mask)
    )
    assert ",\n}" in body  # the seed's own example is not strict JSON

    response = api("post", "/api/features", raw=body)

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["status"], record["model"]) == ("SUCCESS", "gpt-image-1-mini")


# --- temporaryUrl ----------------------------------------------------------------------------


def test_temporary_url_downloads_the_result_without_a_key(api, uploaded, onemin, client, settings):
    settings.SITE_URL = ""
    image = uploaded(png())["fileContent"]["path"]
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"imageUrl": image, "prompt": "watercolour", "size": "1024x1024"},
    }
    record = api("post", "/api/features", json_body=body).json()["aiRecord"]

    url = record["temporaryUrl"]
    assert url.startswith("http://testserver/")
    client.logout()
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    stored = Record.objects.get(code=record["uuid"]).images.get().image
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()

    settings.SIGNED_URL_MAX_AGE = -1
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


# --- async mode, reading, rating, listing ----------------------------------------------------


def test_async_answers_202_at_once_with_the_pending_record(api, onemin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    body = json.loads(seed_body("001"))

    response = api("post", "/api/features?async=true", json_body=body)

    assert response.status_code == 202
    assert response.json()["aiRecord"]["status"] == "PENDING"
    assert onemin.requests == []


def test_get_one_record_and_outsiders_get_404(
    api, onemin, client, charlie_membership, bob_membership
):
    code = api("post", "/api/features", json_body=json.loads(seed_body("001"))).json()["aiRecord"][
        "uuid"
    ]

    mine = api("get", f"/api/features/{code}")
    assert (mine.status_code, mine.json()["aiRecord"]["uuid"]) == (200, code)
    for membership in (charlie_membership, bob_membership):
        raw = create_api_token(membership, "x")[1]
        assert client.get(f"/api/features/{code}", headers={"API-KEY": raw}).status_code == 404
        patch = client.patch(
            f"/api/features/{code}",
            data='{"rating": 1}',
            content_type="application/json",
            headers={"API-KEY": raw},
        )
        assert patch.status_code == 404
    assert Record.objects.get(code=code).rating is None


def test_rating_and_feedback_round_trip(api, onemin):
    code = api("post", "/api/features", json_body=json.loads(seed_body("001"))).json()["aiRecord"][
        "uuid"
    ]

    first = api("patch", f"/api/features/{code}", json_body={"rating": 4, "feedback": "nice"})
    assert (first.json()["aiRecord"]["rating"], first.json()["aiRecord"]["feedback"]) == (4, "nice")
    api("patch", f"/api/features/{code}", json_body={"feedback": "nicer"})
    record = Record.objects.get(code=code)
    assert (record.rating, record.feedback) == (4, "nicer")
    api("patch", f"/api/features/{code}", json_body={"rating": None})
    assert Record.objects.get(code=code).rating is None

    bad = api("patch", f"/api/features/{code}", json_body={"rating": 6})
    assert (bad.status_code, bad.json()["error"]["field"]) == (400, "rating")

    tagged = api("patch", f"/api/features/{code}", json_body={"reviewTags": ["seams", "great"]})
    assert tagged.json()["aiRecord"]["reviewTags"] == ["great", "seams"]
    assert Record.objects.get(code=code).feedback == "nicer"  # untouched
    unknown = api("patch", f"/api/features/{code}", json_body={"reviewTags": ["meh"]})
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (400, "reviewTags")


def test_list_is_newest_first_filtered_and_paginated(api, onemin, openai, uploaded):
    gen = json.loads(seed_body("001"))
    codes = [api("post", "/api/features", json_body=gen).json()["aiRecord"]["uuid"] for _ in "abc"]
    api("patch", f"/api/features/{codes[0]}", json_body={"rating": 5, "feedback": "keeper"})

    page1 = api("get", "/api/features?limit=2").json()
    assert [r["uuid"] for r in page1["aiRecords"]] == [codes[2], codes[1]]
    page2 = api("get", page1["next"].removeprefix("http://testserver")).json()
    assert ([r["uuid"] for r in page2["aiRecords"]], page2["next"]) == ([codes[0]], None)
    rated = api("get", "/api/features?min_rating=4").json()["aiRecords"]
    assert [r["uuid"] for r in rated] == [codes[0]]
    assert [r["uuid"] for r in api("get", "/api/features?q=keeper").json()["aiRecords"]] == [
        codes[0]
    ]
    assert api("get", "/api/features?provider=openai").json()["aiRecords"] == []
    bad = api("get", "/api/features?status=DONE")
    assert (bad.status_code, bad.json()["error"]["field"]) == (400, "status")


def test_providers_lists_usable_ones_first(api, onemin):
    providers = api("get", "/api/providers").json()["providers"]

    assert [p["id"] for p in providers if p["configured"]] == ["onemin", "local"]
    local = next(p for p in providers if p["id"] == "local")
    assert [m["id"] for m in local["models"]] == ["telea", "navier-stokes"]
    assert "prompt" in local["note"]


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt_object", "field"),
    [
        ({"prompt": "x" * 4001}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "a cat", "n": 11}, "n"),
        ({"prompt": "a cat", "n": 0}, "n"),
        ({"prompt": "a cat", "size": "999x999"}, "size"),
        ({"prompt": "a cat", "quality": "ultra"}, "quality"),
        ({"prompt": "a cat", "output_compression": 101}, "output_compression"),
        ({"prompt": "a cat", "background": "glitter"}, "background"),
        ({"prompt": "a cat", "style": "baroque"}, "style"),
        ({"prompt": 5}, "prompt"),
    ],
)
def test_invalid_values_are_400_naming_the_field(
    api, onemin, alice_membership, prompt_object, field
):
    body = {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": prompt_object}

    response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, field)
    assert Record.objects.count() == 0
    assert CreditEntry.objects.count() == 0
    assert onemin.requests == []


def test_mask_problems_are_400_on_mask_url(api, uploaded, onemin):
    image = uploaded(png())["fileContent"]["path"]
    empty = uploaded(box_mask(painted=False), "empty.png")["fileContent"]["path"]
    square = uploaded(box_mask(48, 48), "square.png")["fileContent"]["path"]
    for mask, words in ((empty, "empty"), (square, "proportions")):
        body = {
            "type": "IMAGE_INPAINTER",
            "model": "gpt-image-1",
            "promptObject": {"prompt": "x", "imageUrl": image, "maskUrl": mask},
        }
        response = api("post", "/api/features", json_body=body)
        assert (response.status_code, response.json()["error"]["field"]) == (400, "maskUrl")
        assert words in response.json()["error"]["message"]
    assert Record.objects.count() == 0


def test_unknown_model_and_unconfigured_provider(api):
    body = {"type": "IMAGE_GENERATOR", "model": "dall-e-9", "promptObject": {"prompt": "x"}}
    unknown = api("post", "/api/features", json_body=body)
    body = {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}
    no_key = api("post", "/api/features", json_body=body)

    assert (unknown.status_code, unknown.json()["error"]["field"]) == (400, "model")
    assert (no_key.status_code, no_key.json()["error"]["field"]) == (400, "provider")


def test_over_the_credit_limit_is_400_on_credits(api, onemin, alice_membership):
    alice_membership.credit_limit = 10
    alice_membership.save()

    response = api("post", "/api/features", json_body=json.loads(seed_body("001")))

    assert (response.status_code, response.json()["error"]["field"]) == (400, "credits")
    assert Record.objects.count() == 0


def test_someone_elses_image_is_404(api, client, charlie_membership, uploaded, onemin):
    path = uploaded(png())["fileContent"]["path"]
    raw = create_api_token(charlie_membership, "x")[1]
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "x", "imageUrl": path},
    }

    response = client.post(
        "/api/features",
        data=json.dumps(body),
        content_type="application/json",
        headers={"API-KEY": raw},
    )

    assert (response.status_code, response.json()["error"]["field"]) == (404, "imageUrl")


GEN = b'{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "x", '
EDIT = b'{"type": "IMAGE_EDITOR", "model": "gpt-image-1", "promptObject": {"prompt": "x", '
INPAINT = b'{"type": "IMAGE_INPAINTER", "model": "gpt-image-1", "promptObject": {"prompt": "x", '
JUNK = [
    b"",
    b"null",
    b"[]",
    b"123",
    b'"text"',
    b"{",
    b"\xff\xfe\x00",
    b'{"type": 1, "model": "gpt-image-1", "promptObject": {}}',
    b'{"type": "IMAGE_GENERATOR", "model": ["x"], "promptObject": {}}',
    b'{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": "draw"}',
    GEN + b'"n": {"a": 1}}}',
    GEN + b'"n": "lots"}}',
    GEN + b'"n": 1e309}}',
    GEN + b'"n": true}}',
    EDIT + b'"imageUrl": 7}}',
    EDIT + b'"imageUrl": "../../etc/passwd"}}',
    INPAINT + b'"growMask": -3}}',
    b'{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "conversationId": "nope", '
    b'"promptObject": {"prompt": "x"}}',
    b'{"type": "VIDEO", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}',
]


@pytest.mark.parametrize("body", JUNK)
def test_junk_never_yields_a_500(api, onemin, body):
    response = api("post", "/api/features", raw=body)

    assert 400 <= response.status_code < 500
    assert set(response.json()["error"]) <= {"message", "field"}
    assert Record.objects.count() == 0


@pytest.mark.parametrize("body", [b"", b"[]", b'{"rating": "5"}', b'{"rating": true}', b"{}"])
def test_junk_ratings_are_400(api, onemin, body):
    code = api("post", "/api/features", json_body=json.loads(seed_body("001"))).json()["aiRecord"][
        "uuid"
    ]

    assert api("patch", f"/api/features/{code}", raw=body).status_code == 400


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/cat.png",
        "http://10.0.0.1/cat.png",
        "http://[::1]/x.png",
        "http://169.254.169.254/latest",
        "ftp://example.com/x.png",
    ],
)
def test_image_urls_to_private_addresses_are_refused(api, onemin, url):
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "x", "imageUrl": url},
    }

    response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "imageUrl")
    assert Record.objects.count() == 0


class ImageHost(LoopbackServer):
    def handle(self, request):
        if request.path == "/redirect":
            return Reply(302, b"", {"Location": "http://10.0.0.1/x.png"})
        return Reply(200, png(32, 24), {"Content-Type": "image/png"})


def test_image_url_is_fetched_when_loopback_is_allowed_by_setting(api, onemin, settings):
    settings.SSRF_ALLOW_LOOPBACK = True
    with ImageHost() as host:
        body = {
            "type": "IMAGE_EDITOR",
            "model": "gpt-image-1",
            "promptObject": {"prompt": "x", "imageUrl": f"{host.url}/cat.png"},
        }
        ok = api("post", "/api/features", json_body=body)
        body["promptObject"]["imageUrl"] = f"{host.url}/redirect"
        redirected = api("post", "/api/features", json_body=body)

    assert ok.status_code == 200, ok.content
    assert Record.objects.get().source.width == 32
    assert (redirected.status_code, redirected.json()["error"]["field"]) == (400, "imageUrl")
