import io
import time

import numpy as np
import pytest
from PIL import Image

from editor.providers.base import IMAGE_EDITOR, IMAGE_INPAINTER, EditRequest, ProviderError
from editor.providers.local import LocalProvider

from .conftest import box_mask


def photo(width: int, height: int, mode: str = "RGB") -> bytes:
    """A smooth gradient with some texture, so inpainting has something to continue."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack(
        [(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)), (x + y) % 256], axis=-1
    ).astype(np.uint8)
    if mode == "RGBA":
        rgb = np.dstack([rgb, np.full((height, width), 200, np.uint8)])
    buf = io.BytesIO()
    Image.fromarray(rgb, mode).save(buf, "PNG")
    return buf.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img)


def request(image: bytes, mask: np.ndarray, model: str = "telea", **params) -> EditRequest:
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="ignored",
        params=params,
        images=[image],
        mask=mask,
    )


@pytest.mark.parametrize("model", ["telea", "navier-stokes"])
def test_changes_only_inside_the_mask_and_is_deterministic(model):
    image = photo(64, 48)
    mask = box_mask(64, 48, (20, 10, 40, 30))
    first = LocalProvider().edit(request(image, mask, model, radius=3))
    second = LocalProvider().edit(request(image, mask, model, radius=3))
    assert first.images == second.images
    before, after = pixels(image), pixels(first.images[0])
    assert after.shape == before.shape
    outside = mask == 0
    assert np.array_equal(after[outside], before[outside])
    assert not np.array_equal(after[~outside], before[~outside])


def test_ignores_the_prompt():
    image, mask = photo(32, 32), box_mask(32, 32)
    a = LocalProvider().edit(request(image, mask))
    b = LocalProvider().edit(EditRequest(**{**request(image, mask).__dict__, "prompt": "x"}))
    assert a.images == b.images
    assert LocalProvider.note == (
        "Local inpainting fills the painted area from its surroundings; "
        "it does not read the prompt."
    )


def test_partial_mask_values_are_thresholded_at_127():
    image = photo(32, 32)
    faint = np.zeros((32, 32), np.uint8)
    faint[5:10, 5:10] = 100
    with pytest.raises(ProviderError, match="empty"):
        LocalProvider().edit(request(image, faint))


def test_keeps_alpha_channel():
    out = LocalProvider().edit(request(photo(32, 32, "RGBA"), box_mask(32, 32)))
    with Image.open(io.BytesIO(out.images[0])) as img:
        assert img.mode == "RGBA"


def test_big_images_are_downscaled_and_fast_enough():
    image = photo(3000, 2000)
    mask = box_mask(3000, 2000, (1000, 600, 1600, 1100))
    start = time.perf_counter()
    out = LocalProvider().edit(request(image, mask))
    assert time.perf_counter() - start < 20
    with Image.open(io.BytesIO(out.images[0])) as img:
        assert img.size == (2048, 1365)
    assert out.response["scaled"] is True


def test_1536x1024_runs_at_full_size_in_reasonable_time():
    image = photo(1536, 1024)
    mask = box_mask(1536, 1024, (500, 300, 900, 700))
    start = time.perf_counter()
    out = LocalProvider().edit(request(image, mask, radius=5))
    assert time.perf_counter() - start < 20
    assert pixels(out.images[0]).shape == (1024, 1536, 3)


@pytest.mark.parametrize(
    ("req", "message"),
    [
        (request(photo(8, 8), box_mask(8, 8, (1, 1, 4, 4)), model="lama"), "no model 'lama'"),
        (request(photo(8, 8), box_mask(8, 8, (1, 1, 4, 4)), radius=99), "between 1 and 25"),
        (request(photo(8, 8), box_mask(16, 8)), "same size"),
        (request(photo(8, 8), np.zeros((8, 8), np.uint8)), "empty"),
        (
            EditRequest(type=IMAGE_EDITOR, model="telea", prompt="", images=[photo(8, 8)]),
            "does not",
        ),
    ],
)
def test_refuses_what_it_cannot_do(req, message):
    with pytest.raises(ProviderError, match=message) as info:
        LocalProvider().edit(req)
    assert info.value.permanent is True
