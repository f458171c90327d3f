"""What a user gets from the job's image work (issue 14): the provider's bytes kept exactly as
they came, the source's colour profile carried into the stored result, and every pixel outside
the painted area identical to the original, now that each image is decoded once and written
with the fast PNG encoder."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms

from editor import services
from gallery.models import Record

W, H = 96, 64


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo(fmt: str = "PNG", icc: bytes | None = None) -> bytes:
    pixels = np.random.default_rng(3).integers(0, 256, (H, W, 3), dtype=np.uint8)
    buf = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    Image.fromarray(pixels, "RGB").save(buf, fmt, **extra)
    return buf.getvalue()


def brush_mask() -> bytes:
    m = np.zeros((H, W), np.uint8)
    cv2.circle(m, (40, 30), 14, 255, -1)
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def run_inpaint(membership, capture, source_bytes: bytes, **kwargs) -> Record:
    source = services.upload_image(membership, source_bytes, "photo")
    with capture(execute=True):
        record = services.start_edit(
            membership,
            type="IMAGE_INPAINTER",
            provider="openai",
            model="gpt-image-2.5-sunburst",
            prompt="a red balloon",
            params={},
            source=source,
            mask=brush_mask(),
            **kwargs,
        )
    record.refresh_from_db()
    assert (record.status, record.error) == ("SUCCESS", "")
    return record


def read(asset) -> bytes:
    with asset.file.open("rb") as fh:
        return fh.read()


def test_the_providers_bytes_are_stored_exactly_as_they_came(
    openai, alice_membership, django_capture_on_commit_callbacks
):
    openai.return_urls = True  # the fake keeps what it served, to compare with
    record = run_inpaint(alice_membership, django_capture_on_commit_callbacks, photo())
    [served] = openai.files.values()
    image = record.images.get()
    assert read(image.raw) == served
    assert read(image.image) != served  # the pasted-back result is a file of its own


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_the_sources_colour_profile_is_kept_in_the_stored_result(
    fmt, openai, alice_membership, django_capture_on_commit_callbacks
):
    icc = srgb_profile()
    record = run_inpaint(alice_membership, django_capture_on_commit_callbacks, photo(fmt, icc))
    with Image.open(io.BytesIO(read(record.images.get().image))) as result:
        assert result.format == "PNG" and result.mode == "RGB"
        assert result.info.get("icc_profile") == icc


def test_a_source_without_a_profile_gets_none(
    openai, alice_membership, django_capture_on_commit_callbacks
):
    record = run_inpaint(alice_membership, django_capture_on_commit_callbacks, photo())
    with Image.open(io.BytesIO(read(record.images.get().image))) as result:
        assert "icc_profile" not in result.info


def test_outside_a_feathered_mask_every_pixel_is_the_originals(
    openai, alice_membership, django_capture_on_commit_callbacks
):
    source = photo()
    record = run_inpaint(
        alice_membership,
        django_capture_on_commit_callbacks,
        source,
        mask_options={"feather": 6, "grow": 3},
    )
    with Image.open(io.BytesIO(read(record.images.get().image))) as img:
        result = np.asarray(img.convert("RGB"))
    original = np.asarray(Image.open(io.BytesIO(source)).convert("RGB"))
    # Further from the painted disc than grow + feather, nothing may have moved.
    far = np.ones((H, W), np.uint8)
    cv2.circle(far, (40, 30), 14 + 3 + 6 + 5, 0, -1)  # + 5: the disc and blur are digital
    assert np.array_equal(result[far == 1], original[far == 1])
    # Inside the disc the provider's colour arrived.
    assert tuple(result[30, 40]) == openai.result_color[:3]
    # The thumbnail and drift map came from the same pass.
    image = record.images.get()
    assert image.thumbnail.content_type == "image/webp"
    assert image.drift is not None and image.drift_share is not None


def grey_photo() -> bytes:
    pixels = np.random.default_rng(5).integers(0, 256, (H, W), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "L").save(buf, "PNG")
    return buf.getvalue()


def test_a_greyscale_upload_is_kept_as_it_came_and_providers_get_colour(
    openai, alice_membership, django_capture_on_commit_callbacks
):
    """A greyscale PNG (a mask uploaded for the API, a black-and-white photo) is stored byte for
    byte, a third the pixels of a colour copy to read back; what goes upstream is RGB, which
    every edit endpoint takes."""
    grey = grey_photo()
    upload = services.upload_image(alice_membership, grey, "grey")
    assert read(upload) == grey
    record = run_inpaint(alice_membership, django_capture_on_commit_callbacks, grey)
    sent_request = openai.requests_to("/v1/images/edits")[0]
    [image_part] = sent_request.parts("image") or sent_request.parts("image[]")
    with Image.open(io.BytesIO(image_part.data)) as sent:
        assert sent.mode == "RGB" and sent.size == (W, H)
        sent_pixels = np.asarray(sent)
    truth = np.asarray(Image.open(io.BytesIO(grey)))
    assert np.array_equal(sent_pixels, np.repeat(truth[..., None], 3, axis=2))
    with Image.open(io.BytesIO(read(record.images.get().image))) as result:
        outside = np.asarray(result.convert("RGB"))[0:5, 0:5]
    assert np.array_equal(outside, np.repeat(truth[0:5, 0:5, None], 3, axis=2))
