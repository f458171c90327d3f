"""The whole job, end to end: service -> task -> adapter -> loopback provider server -> storage ->
paste-back. Each server records what it received, so the tests check the bytes that went out."""

import io
import time

import numpy as np
import pytest
from PIL import Image

from editor import services
from editor.engine import png_writer
from gallery.models import Asset, Record

W, H = 64, 48
BOX = (16, 12, 40, 30)  # x0, y0, x1, y1 of the painted area


def source_png() -> bytes:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "PNG")
    return buf.getvalue()


def mask_png() -> bytes:
    m = np.zeros((H, W), dtype=np.uint8)
    x0, y0, x1, y1 = BOX
    m[y0:y1, x0:x1] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def inside() -> np.ndarray:
    m = np.zeros((H, W), dtype=bool)
    x0, y0, x1, y1 = BOX
    m[y0:y1, x0:x1] = True
    return m


def pixels(asset: Asset) -> np.ndarray:
    with asset.file.open("rb") as fh, Image.open(fh) as img:
        return np.asarray(img.convert("RGB"))


@pytest.fixture
def run(alice_membership, django_capture_on_commit_callbacks):
    """Submit an inpaint edit for alice and run its job; returns the refreshed record."""
    source = services.upload_image(alice_membership, source_png(), "photo.png")

    def submit(provider: str, model: str, **kwargs) -> Record:
        kwargs.setdefault("type", "IMAGE_INPAINTER")
        kwargs.setdefault("prompt", "a red balloon")
        kwargs.setdefault("params", {})
        if kwargs["type"] != "IMAGE_GENERATOR":
            kwargs.setdefault("source", source)
        if kwargs["type"] == "IMAGE_INPAINTER":
            kwargs.setdefault("mask", mask_png())
        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(alice_membership, provider=provider, model=model, **kwargs)
        record.refresh_from_db()
        alice_membership.refresh_from_db()
        return record

    submit.source = source
    return submit


def assert_pasted_back(record: Record, color: tuple[int, int, int]) -> None:
    """Outside the mask the stored result equals the original bit for bit; inside it is the
    provider's colour."""
    image = record.images.get()
    result = pixels(image.image)
    original = pixels(record.source)
    assert result.shape == (H, W, 3)
    assert np.array_equal(result[~inside()], original[~inside()])
    assert np.array_equal(result[inside()], np.tile(color, (inside().sum(), 1)).astype(np.uint8))
    assert image.raw.kind == Asset.Kind.RAW
    assert image.thumbnail.content_type == "image/webp"
    # Made once with the result, from the array already decoded: what cards and pages show.
    preview = image.image.preview
    assert (preview.kind, preview.content_type) == ("PREVIEW", "image/webp")
    assert (preview.width, preview.height) == (image.image.width, image.image.height)
    assert image.drift_share > 0.95  # the fake repainted (nearly) every pixel outside the mask
    # A flat source repainted in another flat colour is a uniform colour shift, said in words.
    assert image.drift_report["kind"] == "colour"
    assert "shifted the colour of everything outside your mask" in image.drift_report["sentence"]


# --- happy paths -----------------------------------------------------------------------------


def test_openai_inpaint_sends_an_alpha_mask_and_pastes_back(run, openai, alice_membership):
    record = run("openai", "gpt-image-2.5-sunburst", params={"quality": "low"})

    assert (record.status, record.error) == ("SUCCESS", "")
    [call] = openai.requests_to("/v1/images/edits")
    assert call.headers["authorization"] == f"Bearer {openai.api_key}"
    form = call.form()
    assert (form["model"], form["prompt"], form["quality"]) == (
        "gpt-image-2.5-sunburst",
        "a red balloon",
        "low",
    )
    mask = call.part("mask").image()
    assert (mask.mode, mask.size) == ("RGBA", (W, H))
    alpha = np.asarray(mask.getchannel("A"))
    assert (alpha[inside()] == 0).all() and (alpha[~inside()] == 255).all()
    sent = np.asarray(call.part("image").image().convert("RGB"))
    assert np.array_equal(sent, pixels(run.source))
    assert_pasted_back(record, openai.result_color[:3])
    assert record.metadata["usage"]["total_tokens"] == 1106
    w, h = map(int, record.prompt_object["size"].split("x"))  # the price scales with pixels
    assert record.cost == round(1_100 * w * h / 1024**2)
    # Settled on the usage OpenAI reported: 10 text + 40 image input tokens, 1056 output tokens.
    assert record.actual_cost == 10 * 0.5 + 40 * 1.0 + 1056 * 4.0 == 4_269
    assert alice_membership.used_credit == 4_269
    assert record.request_ids == ["req_1"]  # the fake numbers its answers


def test_onemin_inpaint_uploads_a_white_on_black_mask(run, onemin):
    record = run("onemin", "gpt-image-1", params={"quality": "medium", "size": "auto"})

    assert (record.status, record.error) == ("SUCCESS", "")
    uploads = onemin.requests_to("/api/assets")
    assert [u.headers["api-key"] for u in uploads] == [onemin.api_key] * 2
    mask = uploads[1].part("asset").image()
    assert (mask.mode, mask.size) == ("L", (W, H))
    values = np.asarray(mask)
    assert (values[inside()] == 255).all() and (values[~inside()] == 0).all()
    [feature] = onemin.requests_to("/api/features")
    body = feature.json()
    assert (body["type"], body["model"]) == ("IMAGE_INPAINTER", "gpt-image-1")
    assert body["promptObject"]["prompt"] == "a red balloon"
    assert body["promptObject"]["size"] == "1536x1024"  # `auto` -> nearest to 64x48 (4:3)
    assert set(onemin.assets) >= {body["promptObject"]["imageUrl"], body["promptObject"]["maskUrl"]}
    assert_pasted_back(record, onemin.result_color[:3])


def test_segmind_inpaint_uploads_image_and_mask_and_keeps_remaining_credits(run, segmind):
    segmind.v2_slugs = set()  # the v1 fallback: the one that reports remaining credits
    record = run("segmind", "gpt-image-1-edit")

    assert (record.status, record.error) == ("SUCCESS", "")
    [upload] = segmind.requests_to("/upload-asset")
    assert upload.headers["x-api-key"] == segmind.api_key
    [edit] = segmind.requests_to("/v1/gpt-image-1-edit")
    body = edit.json()
    mask = Image.open(io.BytesIO(segmind.files[body["mask"].rsplit("/", 1)[1]]))
    assert (mask.mode, mask.size) == ("RGBA", (W, H))
    alpha = np.asarray(mask.getchannel("A"))
    assert (alpha[inside()] == 0).all() and (alpha[~inside()] == 255).all()
    assert record.metadata["remainingCredits"] == "99.8600"
    assert_pasted_back(record, segmind.result_color[:3])


def test_local_inpaint_changes_only_the_painted_area(run, alice_membership):
    record = run("local", "telea", prompt="")

    assert (record.status, record.error) == ("SUCCESS", "")
    result = pixels(record.images.get().image)
    original = pixels(record.source)
    assert np.array_equal(result[~inside()], original[~inside()])
    assert not np.array_equal(result[inside()], original[inside()])
    assert (record.cost, alice_membership.used_credit) == (0, 0)


def test_paste_back_off_stores_the_provider_output_as_is(run, openai):
    record = run("openai", "gpt-image-2.5-sunburst", paste_back=False)

    image = record.images.get()
    assert record.status == "SUCCESS"
    assert (pixels(image.image) == openai.result_color[:3]).all()
    assert image.drift is None


def test_text_to_image_stores_every_result(run, openai):
    record = run("openai", "gpt-image-2.5-sunburst", type="IMAGE_GENERATOR", params={"n": 2})

    assert record.status == "SUCCESS"
    assert [i.position for i in record.images.all()] == [0, 1]
    assert record.source is None


# --- faults ----------------------------------------------------------------------------------


def assert_failed_and_refunded(record: Record, membership, words: str) -> None:
    assert record.status == "FAILED"
    assert words in record.error
    assert membership.used_credit == 0
    assert record.finished is not None
    assert Record.objects.filter(status="RUNNING").count() == 0
    assert record.images.count() == 0


def test_openai_bad_key_fails_at_once_and_refunds(run, openai, alice_membership):
    openai.unauthorized_next()
    record = run("openai", "gpt-image-2.5-sunburst")

    assert_failed_and_refunded(record, alice_membership, "key")
    assert len(openai.requests_to("/v1/images/edits")) == 1


def test_openai_429_with_retry_after_then_success(run, openai):
    openai.rate_limited_next(retry_after="1")
    record = run("openai", "gpt-image-2.5-sunburst")

    assert (record.status, record.error) == ("SUCCESS", "")
    assert len(openai.requests_to("/v1/images/edits")) == 2


def test_openai_500_then_success(run, openai):
    openai.server_error_next(500)
    record = run("openai", "gpt-image-2.5-sunburst")

    assert (record.status, record.error) == ("SUCCESS", "")
    assert len(openai.requests_to("/v1/images/edits")) == 2


def test_openai_timeout_fails_without_sending_again(run, openai, settings, alice_membership):
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    openai.hang_next(3)
    record = run("openai", "gpt-image-2.5-sunburst")

    assert_failed_and_refunded(record, alice_membership, "did not send it again")
    assert len(openai.requests_to("/v1/images/edits")) == 1


def test_openai_malformed_json_fails_plainly(run, openai, alice_membership):
    openai.malformed_json_next()
    record = run("openai", "gpt-image-2.5-sunburst")

    assert_failed_and_refunded(record, alice_membership, "not the JSON")


def test_openai_truncated_image_is_retried_then_fails(run, openai, alice_membership):
    openai.truncated_image_next(times=5)
    record = run("openai", "gpt-image-2.5-sunburst")

    assert_failed_and_refunded(record, alice_membership, "damaged image")


def test_openai_out_of_quota_fails_and_refunds(run, openai, alice_membership):
    openai.insufficient_quota_next()
    record = run("openai", "gpt-image-2.5-sunburst")

    assert_failed_and_refunded(record, alice_membership, "quota")
    assert len(openai.requests_to("/v1/images/edits")) == 1


def test_onemin_bad_key(run, onemin, alice_membership):
    onemin.unauthorized_next()
    record = run("onemin", "gpt-image-1")

    assert_failed_and_refunded(record, alice_membership, "key")


def test_onemin_429_then_success(run, onemin):
    onemin.rate_limited_next("1")
    record = run("onemin", "gpt-image-1")

    assert (record.status, record.error) == ("SUCCESS", "")
    assert len(onemin.requests_to("/api/features")) == 2


def test_onemin_500_then_success(run, onemin):
    onemin.server_error_next(500)
    record = run("onemin", "gpt-image-1")

    assert (record.status, record.error) == ("SUCCESS", "")


def test_onemin_out_of_credits(run, onemin, alice_membership):
    onemin.out_of_credits_next()
    record = run("onemin", "gpt-image-1")

    assert_failed_and_refunded(record, alice_membership, "credits")


def test_onemin_malformed_json(run, onemin, alice_membership):
    onemin.malformed_json_next(path="/api/features")
    record = run("onemin", "gpt-image-1")

    assert_failed_and_refunded(record, alice_membership, "JSON")


def test_onemin_truncated_download_then_success(run, onemin):
    onemin.truncated_image_next(times=1)
    record = run("onemin", "gpt-image-1")

    assert (record.status, record.error) == ("SUCCESS", "")
    assert len(onemin.requests_to("/api/features")) == 1  # only the download was repeated


def test_onemin_timeout_is_not_repeated(run, onemin, settings, alice_membership):
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    onemin.hang_next(3, path="/api/features")
    record = run("onemin", "gpt-image-1")

    assert_failed_and_refunded(record, alice_membership, "did not send it again")
    assert len(onemin.requests_to("/api/features")) == 1


def test_segmind_bad_key(run, segmind, alice_membership):
    segmind.unauthorized_next()
    record = run("segmind", "gpt-image-1-edit")

    assert_failed_and_refunded(record, alice_membership, "key")


def test_segmind_429_then_success(run, segmind):
    segmind.rate_limited_next(reset_in=0.5)
    record = run("segmind", "gpt-image-1-edit")

    assert (record.status, record.error) == ("SUCCESS", "")


def test_segmind_500_then_success(run, segmind):
    segmind.server_error_next(500)
    record = run("segmind", "gpt-image-1-edit")

    assert (record.status, record.error) == ("SUCCESS", "")


def test_segmind_out_of_credits(run, segmind, alice_membership):
    segmind.out_of_credits_next()
    record = run("segmind", "gpt-image-1-edit")

    assert_failed_and_refunded(record, alice_membership, "credits")


def test_segmind_truncated_image_then_success(run, segmind):
    segmind.truncated_image_next(times=1)
    record = run("segmind", "gpt-image-1-edit")

    assert record.status == "SUCCESS"


def test_segmind_timeout_is_not_repeated(run, segmind, settings, alice_membership):
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    segmind.hang_next(3, path="/v2/")
    record = run("segmind", "gpt-image-1-edit")

    assert_failed_and_refunded(record, alice_membership, "did not send it again")
    assert len(segmind.requests_to("/v2/")) == 1 and segmind.requests_to("/v1/") == []


def test_segmind_polls_and_their_retries_wait_by_the_retry_sleep_scale(run, segmind, settings):
    """PROVIDER_RETRY_SLEEP_SCALE (0.01 here) reaches the adapter's own waits: three 1 s poll
    intervals and a 2 s Retry-After on a busy status page would take 5 s unscaled."""
    segmind.polls_before_done = 3
    segmind.fail_next(503, {"error": "busy"}, {"Retry-After": "2"}, path="/v2/requests/")
    started = time.monotonic()

    record = run("segmind", "gpt-image-1-edit")

    assert (record.status, record.error) == ("SUCCESS", "")
    assert len(segmind.requests_to("/v2/requests/", "GET")) >= 5  # the waits did happen
    assert time.monotonic() - started < 2.5


def test_a_record_already_claimed_is_not_run_twice(run, openai):
    record = run("openai", "gpt-image-2.5-sunburst")
    services.run_edit(str(record.code))

    assert len(openai.requests_to("/v1/images/edits")) == 1
    assert Record.objects.get(pk=record.pk).attempts == 1


def test_a_second_edit_of_a_source_is_pasted_back_as_exactly_as_the_first(run, openai, monkeypatch):
    """The second result reuses the PNG bands the first one found unchanged; it must still be
    the original outside the mask, bit for bit, and the provider's colour inside."""
    monkeypatch.setattr(png_writer, "BAND_ROWS", 8)  # six bands, four clear of the mask
    first = run("openai", "gpt-image-2.5-sunburst", params={"quality": "low"})
    second = run("openai", "gpt-image-2.5-sunburst", params={"quality": "low"})
    for record in (first, second):
        assert (record.status, record.error) == ("SUCCESS", "")
        result = pixels(record.images.get().image)
        assert np.array_equal(result[~inside()], pixels(record.source)[~inside()])
    assert np.array_equal(
        pixels(first.images.get().image), pixels(second.images.get().image)
    )  # same source, mask and provider answer: the same picture
