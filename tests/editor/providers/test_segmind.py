"""Segmind's v1 sync API, used for a model without a v2 endpoint (the fake answers 404 on /v2
here; the v2 async flow is in test_segmind_v2.py)."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from editor.providers.base import (
    IMAGE_EDITOR,
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    EditRequest,
    ProviderError,
)
from editor.providers.http import make_client
from editor.providers.retry import call_with_retries
from editor.providers.segmind import SegmindProvider
from tests.fakes import SegmindServer

from .conftest import box_mask, png


@pytest.fixture
def srv():
    with SegmindServer() as server:
        server.v2_slugs = set()  # no model has v2 here: every call falls back to v1
        yield server


@pytest.fixture
def provider(srv, client):
    return SegmindProvider(client, srv.api_key, srv.base_url, srv.upload_url)


def inpaint(model="gpt-image-1-edit", **params):
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="a red balloon",
        params={"n": 1, **params},
        images=[png(32, 16)],
        mask=box_mask(32, 16),
    )


def _data_url_bytes(url: str) -> bytes:
    head, _, b64 = url.partition(",")
    assert head == "data:image/png;base64"
    return base64.b64decode(b64)


def test_inpaint_uploads_data_urls_then_posts_urls(srv, provider):
    result = provider.edit(inpaint(quality="high"))

    upload, tried_v2, run = srv.requests
    assert (upload.method, upload.path) == ("POST", "/upload-asset")
    assert (tried_v2.path, tried_v2.json()) == ("/v2/gpt-image-1-edit", run.json())
    assert upload.headers["x-api-key"] == "test-segmind-key"
    data_urls = upload.json()["data_urls"]
    assert len(data_urls) == 2
    assert _data_url_bytes(data_urls[0]) == png(32, 16)
    with Image.open(io.BytesIO(_data_url_bytes(data_urls[1]))) as mask:
        assert mask.mode == "RGBA" and mask.size == (32, 16)
        alpha = np.asarray(mask)[..., 3]
    assert np.array_equal(alpha == 0, box_mask(32, 16) == 255)

    assert (run.method, run.path) == ("POST", "/v1/gpt-image-1-edit")
    assert run.headers["x-api-key"] == "test-segmind-key"
    assert run.headers["content-type"] == "application/json"
    assert run.json() == {
        "prompt": "a red balloon",
        "size": "auto",
        "quality": "high",
        "background": "opaque",
        "output_format": "png",
        "moderation": "auto",
        "image_urls": [f"{srv.url}/files/upload_0001.png"],
        "mask": f"{srv.url}/files/upload_0002.png",
    }
    assert len(result.images) == 1
    with Image.open(io.BytesIO(result.images[0])) as img:
        assert img.size == (32, 16)
    assert result.remaining_credits == "99.8600"
    assert result.response["x-cost"] == "0.1400"
    assert result.response["x-generation-time"] == "56.8"
    assert result.response["content_type"] == "image/png"
    assert result.cost == 0.14


def test_editor_sends_several_images_and_no_mask(srv, provider):
    req = EditRequest(
        type=IMAGE_EDITOR, model="gpt-image-1-edit-mini", prompt="p", images=[png(8, 8), png(4, 4)]
    )
    provider.edit(req)
    upload, _tried_v2, run = srv.requests
    assert len(upload.json()["data_urls"]) == 2
    body = run.json()
    assert len(body["image_urls"]) == 2 and "mask" not in body


def test_generation_posts_json_without_upload(srv, provider):
    req = EditRequest(
        type=IMAGE_GENERATOR, model="gpt-image-1-mini", prompt="a cat", params={"n": 3}
    )
    result = provider.edit(req)
    (run,) = srv.requests_to("/v1/")
    assert run.path == "/v1/gpt-image-1-mini"
    body = run.json()
    assert body["size"] == "1024x1024" and body["quality"] == "high"
    assert "n" not in body
    assert len(result.images) == 1


def test_editor_model_cannot_generate(srv, provider):
    req = EditRequest(type=IMAGE_GENERATOR, model="gpt-image-1-edit", prompt="a cat")
    with pytest.raises(ProviderError, match="does not do IMAGE_GENERATOR") as info:
        provider.edit(req)
    assert info.value.permanent is True
    assert srv.requests == []


def test_bad_key_is_permanent(srv, client):
    provider = SegmindProvider(client, "SG_wrong", srv.base_url, srv.upload_url)
    with pytest.raises(ProviderError, match="rejected the API key") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True


def test_out_of_credits_is_permanent(srv, provider):
    srv.out_of_credits_next()
    with pytest.raises(ProviderError) as info:
        call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert info.value.permanent is True
    assert info.value.message == (
        "Your Segmind account is out of credits or over its spend limit: Not enough credits"
    )


def test_405_html_is_permanent(srv, provider):
    srv.method_not_allowed_next()
    with pytest.raises(ProviderError, match="HTTP 405") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True


def test_unknown_model_is_404_permanent(srv, provider):
    with pytest.raises(ProviderError, match="does not know this model") as info:
        provider.edit(inpaint(model="gpt-image-9-edit"))
    assert info.value.permanent is True


def test_rate_limit_waits_until_reset(srv, provider):
    srv.rate_limited_next(reset_in=5.0)
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert len(waits) == 1 and 3.0 < waits[0] <= 5.0
    assert len(result.images) == 1


def test_server_error_once_then_success(srv, provider):
    srv.server_error_next()
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert len(waits) == 1 and len(result.images) == 1


def test_truncated_image_is_a_damaged_image_error(srv, provider):
    srv.truncated_image_next()
    with pytest.raises(ProviderError, match="damaged image"):
        provider.edit(inpaint())


def test_non_image_answer_is_refused(srv, provider):
    srv.content_type = "text/html"
    with pytest.raises(ProviderError, match="text/html instead of an image"):
        provider.edit(inpaint())


def test_timeout_is_not_repeated(srv):
    srv.hang_next(5.0, path="/v1/")
    with make_client(timeout=0.5) as client:
        provider = SegmindProvider(client, srv.api_key, srv.base_url, srv.upload_url)
        with pytest.raises(ProviderError, match="did not send it again"):
            call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert len(srv.requests_to("/v1/")) == 1
