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
from editor.providers.onemin import OneMinProvider
from editor.providers.retry import call_with_retries
from tests.fakes import OneMinServer

from .conftest import box_mask, png


@pytest.fixture
def srv():
    with OneMinServer() as server:
        yield server


@pytest.fixture
def provider(srv, client):
    return OneMinProvider(client, srv.api_key, srv.base_url, srv.asset_base)


def inpaint(model="gpt-image-1", **params):
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="a red balloon",
        params={"size": "1024x1024", "n": 1, **params},
        images=[png(32, 16)],
        mask=box_mask(32, 16),
    )


def test_inpaint_uploads_image_and_white_on_black_mask_then_runs_the_feature(srv, provider):
    result = provider.edit(inpaint(quality="high"))

    uploads = srv.requests_to("/api/assets")
    assert [r.method for r in uploads] == ["POST", "POST"]
    for r in uploads:
        assert r.headers["api-key"] == "test-onemin-key"
        assert r.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert [p.name for p in r.multipart()] == ["asset"]
    image_part, mask_part = uploads[0].part("asset"), uploads[1].part("asset")
    assert image_part.filename == "image.png" and image_part.content_type == "image/png"
    assert image_part.data == png(32, 16)
    mask = mask_part.image()
    assert mask.mode == "L" and mask.size == (32, 16)
    assert np.array_equal(np.asarray(mask), box_mask(32, 16))  # white = edit, exactly

    (feature,) = srv.requests_to("/api/features")
    assert feature.headers["api-key"] == "test-onemin-key"
    assert feature.headers["content-type"] == "application/json"
    assert feature.headers["user-agent"] == "Promptbrush/0.1"
    assert feature.json() == {
        "type": "IMAGE_INPAINTER",
        "model": "gpt-image-1",
        "promptObject": {
            "prompt": "a red balloon",
            "size": "1024x1024",
            "n": 1,
            "quality": "high",
            "output_format": "png",
            "imageUrl": "images/0001_image.png",
            "maskUrl": "images/0002_mask.png",
        },
    }
    assert len(result.images) == 1
    with Image.open(io.BytesIO(result.images[0])) as img:
        assert img.size == (1024, 1024)
        assert img.getpixel((0, 0)) == (220, 30, 30)
    assert result.response["aiRecord"]["status"] == "SUCCESS"
    downloads = srv.requests_to("/cdn/")
    assert [r.path for r in downloads] == ["/cdn/images/result_0003.png"]
    assert "api-key" not in downloads[0].headers


def test_generator_sends_style_and_background_and_no_upload(srv, provider):
    req = EditRequest(
        type=IMAGE_GENERATOR,
        model="gpt-image-1",
        prompt="a cat",
        params={"n": 2, "output_format": "jpeg", "output_compression": 70},
    )
    result = provider.edit(req)
    assert srv.requests_to("/api/assets") == []
    assert srv.requests_to("/api/features")[0].json()["promptObject"] == {
        "prompt": "a cat",
        "size": "1024x1024",
        "n": 2,
        "quality": "medium",
        "style": "vivid",
        "output_format": "jpeg",
        "output_compression": 70,
        "background": "opaque",
    }
    assert len(result.images) == 2  # every resultObject key is fetched


def test_editor_sends_image_only(srv, provider):
    req = EditRequest(type=IMAGE_EDITOR, model="gpt-image-1-mini", prompt="p", images=[png(8, 8)])
    provider.edit(req)
    assert len(srv.requests_to("/api/assets")) == 1
    body = srv.requests_to("/api/features")[0].json()
    assert body["type"] == "IMAGE_EDITOR"
    assert body["promptObject"]["imageUrl"] == "images/0001_image.png"
    assert "maskUrl" not in body["promptObject"]
    assert body["promptObject"]["background"] == "auto"


def test_ideogram_gets_the_inverse_mask_and_num_images(srv, provider):
    provider.edit(inpaint(model="ideogram-3", n=3))
    mask = srv.requests_to("/api/assets")[1].part("asset").image()
    assert np.array_equal(np.asarray(mask), 255 - box_mask(32, 16))  # black = edit
    prompt_object = srv.requests_to("/api/features")[0].json()["promptObject"]
    assert prompt_object["num_images"] == 3
    assert "n" not in prompt_object and "size" not in prompt_object


def test_flux_fill_sends_its_own_params(srv, provider):
    provider.edit(inpaint(model="black-forest-labs/flux-fill-pro", steps=20))
    prompt_object = srv.requests_to("/api/features")[0].json()["promptObject"]
    assert prompt_object["steps"] == 20
    assert prompt_object["guidance"] == 60
    assert prompt_object["output_format"] == "jpg"
    assert "n" not in prompt_object


@pytest.mark.parametrize("shape", ["top_level_temporary_url", "data"])
def test_tolerates_other_answer_shapes(srv, provider, shape):
    srv.answer_shape = shape
    result = provider.edit(inpaint())
    assert len(result.images) == 1


def test_falls_back_to_temporary_url_when_asset_host_refuses(srv, provider):
    srv.asset_downloads_fail = True
    result = provider.edit(inpaint())
    assert len(result.images) == 1
    assert [r.path for r in srv.requests if r.method == "GET"] == [
        "/cdn/images/result_0003.png",
        "/signed/images/result_0003.png",
    ]


def test_a_result_that_never_downloads_whole_is_a_damaged_image_error(srv, provider):
    srv.truncated_image_next(times=4)  # asset host twice, then the signed link twice
    with pytest.raises(ProviderError, match="damaged image") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True  # the feature was billed: never sent again
    assert len(srv.requests_to("/api/features")) == 1


def test_a_result_cut_short_once_is_downloaded_again(srv, provider):
    srv.truncated_image_next(times=1)
    assert len(provider.edit(inpaint()).images) == 1


def test_unknown_model_is_sent_as_given_and_unsupported_model_is_permanent(srv, client):
    srv.models = {"gpt-image-1"}
    provider = OneMinProvider(client, srv.api_key, srv.base_url, srv.asset_base)
    with pytest.raises(ProviderError) as info:
        provider.edit(inpaint(model="gpt-image-9", weird=1))
    assert info.value.permanent is True
    assert info.value.message.startswith("The model is not supported by 1min.ai")
    assert "Pick another model" in info.value.message
    assert srv.requests_to("/api/features")[0].json()["promptObject"]["weird"] == 1


def test_bad_key_is_permanent(srv, client):
    provider = OneMinProvider(client, "wrong", srv.base_url, srv.asset_base)
    with pytest.raises(ProviderError) as info:
        provider.edit(inpaint())
    assert info.value.permanent is True
    assert info.value.status == 401
    assert "rejected the API key" in info.value.message


def test_insufficient_credits_is_permanent_with_plain_words(srv, provider):
    srv.out_of_credits_next()
    with pytest.raises(ProviderError) as info:
        provider.edit(inpaint())
    assert info.value.permanent is True
    assert info.value.message == (
        "Your 1min.ai team is out of credits: The feature requires 9000 credits, "
        "but the Acme team only has 12 credits"
    )


def test_credit_error_inside_a_200(srv, provider):
    srv.credits_error_in_200_next()
    with pytest.raises(ProviderError, match="out of credits") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True


def test_failure_status_inside_a_200(srv, provider):
    srv.failure_status_next("Upstream failure")
    with pytest.raises(ProviderError, match="Upstream failure") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True


def test_external_api_error_includes_details(srv, provider):
    srv.external_error_next('{"error": "mask size mismatch"}')
    with pytest.raises(ProviderError) as info:
        provider.edit(inpaint())
    assert info.value.permanent is True
    assert 'Details: {"error": "mask size mismatch"}' in info.value.message


def test_rate_limit_is_retried_after_retry_after(srv, provider):
    srv.rate_limited_next(retry_after="2")
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert waits == [2.0]
    assert len(result.images) == 1
    assert len(srv.requests_to("/api/features")) == 2


def test_server_error_once_then_success(srv, provider):
    srv.server_error_next(500)
    waits = []
    result = call_with_retries(lambda: provider.edit(inpaint()), sleep=waits.append)
    assert len(waits) == 1 and 0.375 <= waits[0] <= 0.5
    assert len(result.images) == 1


def test_cloudflare_522_html_is_retryable_with_a_clear_message(srv, provider):
    srv.cloudflare_522_next()
    with pytest.raises(ProviderError) as info:
        provider.edit(inpaint())
    assert info.value.permanent is False
    assert "HTTP 522" in info.value.message and "not JSON" in info.value.message


def test_malformed_json_answer_is_a_clear_permanent_error(srv, provider):
    srv.malformed_json_next(path="/api/features")
    with pytest.raises(ProviderError, match="not the JSON Promptbrush expects") as info:
        provider.edit(inpaint())
    assert info.value.permanent is True


def test_feature_call_that_times_out_is_not_repeated(srv):
    srv.hang_next(5.0, path="/api/features")
    with make_client(timeout=0.5) as client:
        provider = OneMinProvider(client, srv.api_key, srv.base_url, srv.asset_base)
        with pytest.raises(ProviderError) as info:
            call_with_retries(lambda: provider.edit(inpaint()), sleep=lambda s: None)
    assert info.value.permanent is True
    assert "did not send it again" in info.value.message
    assert len(srv.requests_to("/api/features")) == 1


def test_processing_answer_is_polled_until_done(srv, provider):
    done = provider.edit(inpaint()).response["aiRecord"]
    srv.records["u-1"] = done
    srv.fail_next(200, {"aiRecord": {"uuid": "u-1", "status": "PROCESSING"}}, path="/api/features")
    waits = []
    provider.sleep = waits.append
    result = provider.edit(inpaint())
    assert len(result.images) == 1
    assert result.response["aiRecord"]["uuid"] == done["uuid"]
    assert [r.path for r in srv.requests_to("/api/results/")] == ["/api/results/u-1"]
    assert waits == [2.0]


def test_every_result_is_fetched_and_an_unfetchable_one_is_named(srv, provider):
    srv.cdn_refuses = {3}  # the asset host refuses the third; only the first has a signed link

    result = provider.call(inpaint(n=3))

    assert len(result.images) == 2
    [missing] = result.missing
    key = srv.records[next(iter(srv.records))]["aiRecordDetail"]["resultObject"][2]
    assert missing.startswith(f"result 3 ({key}): ")
    assert "HTTP 403" in missing and "gave no signed link" in missing
    assert next(iter(srv.records)) in result.request_ids  # the aiRecord uuid, to quote


def test_the_first_result_comes_through_its_signed_link_when_the_host_refuses_it(srv, provider):
    srv.cdn_refuses = {1}

    result = provider.call(inpaint(n=3))

    assert (len(result.images), result.missing) == (3, [])
    assert len(srv.requests_to("/signed/")) == 1


def test_the_editors_background_takes_the_documented_values(provider):
    spec = provider.model_spec("gpt-image-1")
    assert spec.param("background", "IMAGE_EDITOR").choices == (
        "auto",
        "preserve",
        "transparent",
        "white",
        "black",
    )


@pytest.mark.parametrize("status", ["FAILED", "FAILURE"])
def test_a_record_that_says_it_failed_is_not_downloaded_as_results(srv, provider, status):
    """Promptbrush's own aiRecord (a 1min.ai-compatible upstream) says FAILED, 1min.ai's
    polling form FAILURE; either way the resultObject holds a reason, not result keys."""
    record = {"uuid": "r1", "status": status, "aiRecordDetail": {"resultObject": "Blocked"}}
    srv.fail_next(200, {"aiRecord": record}, path="/api/features")

    with pytest.raises(ProviderError, match="could not make the image") as info:
        provider.call(inpaint())

    assert info.value.permanent is True
    assert srv.requests_to("/cdn/") == [] and srv.requests_to("/signed/") == []
