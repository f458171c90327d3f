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
from editor.providers.fetch import decode_b64_image
from editor.providers.http import make_client
from editor.providers.openai import OpenAIProvider
from editor.providers.retry import call_with_retries
from tests.fakes import OpenAIServer

from .conftest import box_mask, png


@pytest.fixture
def srv():
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def provider(srv, client):
    return OpenAIProvider(client, srv.api_key, srv.base_url)


def inpaint(model="gpt-image-1.5", **params):
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="a red balloon",
        params={"n": 1, **params},
        images=[png(32, 16)],
        mask=box_mask(32, 16),
    )


def test_inpaint_is_a_multipart_edit_with_an_alpha_mask(srv, provider):
    result = provider.edit(inpaint(quality="high", input_fidelity="high"))

    (req,) = srv.requests
    assert (req.method, req.path) == ("POST", "/v1/images/edits")
    assert req.headers["authorization"] == "Bearer test-openai-key"
    parts = req.multipart()
    assert [p.name for p in parts if p.filename] == ["image", "mask"]
    assert req.part("image").data == png(32, 16)
    assert req.part("image").content_type == "image/png"
    mask = req.part("mask").image()
    assert mask.mode == "RGBA" and mask.size == (32, 16)
    alpha = np.asarray(mask)[..., 3]
    assert np.array_equal(alpha == 0, box_mask(32, 16) == 255)  # transparent exactly where edit
    assert set(np.unique(alpha)) == {0, 255}
    assert req.form() == {
        "model": "gpt-image-1.5",
        "prompt": "a red balloon",
        "size": "auto",
        "n": "1",
        "quality": "high",
        "background": "auto",
        "output_format": "png",
        "input_fidelity": "high",
    }
    assert len(result.images) == 1
    with Image.open(io.BytesIO(result.images[0])) as img:
        assert img.size == (32, 16)
    assert result.usage["total_tokens"] == 1106
    assert result.response["data"] == [{"b64_json": f"<{len(result.images[0])} bytes>"}]
    assert result.response["x_request_id"] == "req_1"


def test_several_images_go_as_repeated_image_brackets(srv, provider):
    req = EditRequest(
        type=IMAGE_EDITOR,
        model="gpt-image-2",
        prompt="compose",
        params={"output_format": "webp", "output_compression": 80, "input_fidelity": "high"},
        images=[png(16, 16, (1, 2, 3)), png(16, 16, (4, 5, 6)), png(8, 8)],
    )
    provider.edit(req)
    (sent,) = srv.requests
    files = [p for p in sent.multipart() if p.filename]
    assert [p.name for p in files] == ["image[]", "image[]", "image[]"]
    assert [p.data for p in files] == req.images
    form = sent.form()
    assert form["output_compression"] == "80"
    assert "input_fidelity" not in form  # never for gpt-image-2*
    assert "mask" not in form


def test_output_compression_only_with_jpeg_or_webp(srv, provider):
    provider.edit(inpaint(output_compression=50))
    assert "output_compression" not in srv.requests[0].form()


def test_generation_is_json(srv, provider):
    req = EditRequest(
        type=IMAGE_GENERATOR, model="gpt-image-2.5-sunburst", prompt="a cat", params={"n": 2}
    )
    result = provider.edit(req)
    (sent,) = srv.requests
    assert sent.path == "/v1/images/generations"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "model": "gpt-image-2.5-sunburst",
        "prompt": "a cat",
        "size": "auto",
        "n": 2,
        "quality": "auto",
        "background": "auto",
        "output_format": "png",
        "moderation": "auto",
    }
    assert len(result.images) == 2


def test_data_url_prefix_and_url_results_are_accepted(srv, provider):
    srv.b64_prefix = True
    assert len(provider.edit(inpaint()).images) == 1
    srv.b64_prefix, srv.return_urls = False, True
    result = provider.edit(inpaint())
    assert len(result.images) == 1
    assert srv.requests_to("/files/", "GET")


def test_base64_in_lines_is_read_to_the_same_bytes(srv, provider):
    srv.b64_wrapped = True  # strict base64 readers refuse the line breaks
    result = provider.edit(inpaint())
    assert result.images == srv.sent_images


def test_base64_cut_short_is_a_clear_error():
    with pytest.raises(ProviderError, match="not valid base64"):
        decode_b64_image("iVBORw0KGgo", "OpenAI")  # a character short: incorrect padding


def test_truncated_image_is_a_damaged_image_error(srv, provider):
    srv.truncated_image_next()
    with pytest.raises(ProviderError, match="damaged image"):
        provider.edit(inpaint())


def test_mask_of_wrong_size_is_refused_before_sending(srv, provider):
    req = inpaint()
    req.mask = box_mask(16, 16)
    with pytest.raises(ProviderError, match="same size") as info:
        provider.edit(req)
    assert info.value.permanent is True
    assert srv.requests == []


def test_moderation_blocked_is_permanent_in_plain_words(srv, provider):
    srv.moderation_blocked_next()
    with pytest.raises(ProviderError) as info:
        call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert info.value.permanent is True
    assert info.value.message == (
        "OpenAI's safety system rejected this request (moderation_blocked). "
        "Rephrase the prompt or use another image. (request id req_mod)"
    )
    assert len(srv.requests) == 1


def test_bad_key_is_permanent(srv, client):
    provider = OpenAIProvider(client, "sk-wrong", srv.base_url)
    with pytest.raises(ProviderError, match="rejected the API key") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True and info.value.status == 401


def test_unknown_model_is_permanent(srv, provider):
    srv.models = {"gpt-image-2"}
    with pytest.raises(ProviderError, match="does not offer this model") as info:
        provider.edit(inpaint(model="gpt-image-1.5"))
    assert info.value.permanent is True


def test_insufficient_quota_is_permanent_but_rate_limit_is_retried(srv, provider):
    srv.insufficient_quota_next()
    with pytest.raises(ProviderError, match="out of quota") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True

    srv.rate_limited_next(retry_after="3")
    srv.rate_limited_next(retry_after=None, retry_after_ms="1500")
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert waits == [3.0, 1.5]
    assert len(result.images) == 1


def test_server_error_is_retried_then_succeeds(srv, provider):
    srv.server_error_next(502)
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert len(waits) == 1 and len(result.images) == 1
    assert len(srv.requests) == 2


def test_long_retry_after_fails_with_when_to_retry(srv, provider):
    srv.rate_limited_next(retry_after="600")
    with pytest.raises(ProviderError, match="try again after") as info:
        call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert info.value.permanent is True
    assert len(srv.requests) == 1


def test_timeout_is_not_repeated(srv):
    srv.hang_next(5.0)
    with make_client(timeout=0.5) as client:
        provider = OpenAIProvider(client, srv.api_key, srv.base_url)
        with pytest.raises(ProviderError, match="did not send it again"):
            call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert len(srv.requests) == 1


def test_malformed_json_is_a_clear_error(srv, provider):
    srv.malformed_json_next()
    with pytest.raises(ProviderError, match="not the JSON Promptbrush expects"):
        provider.edit(inpaint())
