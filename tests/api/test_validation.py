"""Bad input to POST /api/features: a JSON 4xx naming the field, nothing half-made.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes). Real transactions: the
edit job is enqueued on commit (ImmediateBackend runs it inline)."""

import json

import pytest

from accounts.models import CreditEntry
from accounts.services import create_api_token
from gallery.models import Record
from tests.api.support import box_mask, png, seed_body

pytestmark = pytest.mark.django_db(transaction=True)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt_object", "field"),
    [
        ({"prompt": "x" * 4001}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "\u202e\ufeff\u200b \u3000"}, "prompt"),  # only invisible characters
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


@pytest.mark.parametrize(("painted", "options"), [("all", {}), ("box", {"growMask": 200})])
def test_a_local_fill_with_nothing_left_to_copy_from_is_a_400_on_mask_url(
    api, uploaded, painted, options
):
    """The local fill copies from the unpainted part: a mask covering everything (or grown to)
    is refused when sent, not run into a failed record."""
    image = uploaded(png())["fileContent"]["path"]
    mask = box_mask() if painted == "box" else png(color=(255, 255, 255))
    mask_path = uploaded(mask, "mask.png")["fileContent"]["path"]
    body = {
        "type": "IMAGE_INPAINTER",
        "model": "telea",
        "provider": "local",
        "promptObject": {"imageUrl": image, "maskUrl": mask_path, **options},
    }

    response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "maskUrl")
    assert "whole image" in response.json()["error"]["message"]
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
