"""The local adapter: picks the fill the model names, ignores the prompt, bounds CPU use."""

import io
import threading

import numpy as np
import pytest
from PIL import Image

from editor.engine import fill
from editor.providers import local
from editor.providers.base import IMAGE_EDITOR, IMAGE_INPAINTER, EditRequest, ProviderError
from editor.providers.local import LocalProvider

from .conftest import box_mask


def photo(width: int, height: int, mode: str = "RGB") -> bytes:
    """A gradient with a fine diagonal texture, so a fill has something to continue."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack(
        [(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)), ((x + y) % 8) * 30],
        axis=-1,
    ).astype(np.uint8)
    if mode == "RGBA":
        rgb = np.dstack([rgb, np.full((height, width), 200, np.uint8)])
    buf = io.BytesIO()
    Image.fromarray(rgb, mode).save(buf, "PNG")
    return buf.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img)


def request(image: bytes, mask: np.ndarray, model: str = "patchmatch", **params) -> EditRequest:
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="ignored",
        params=params,
        images=[image],
        mask=mask,
    )


def test_patchmatch_is_the_default_model_and_the_opencv_fills_stay():
    assert [m.id for m in LocalProvider.models] == ["patchmatch", "telea", "navier-stokes"]
    assert "scratches" in LocalProvider().model_spec("telea").label


@pytest.mark.parametrize("model", ["patchmatch", "telea", "navier-stokes"])
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
    assert first.response["model"] == model


def test_the_models_fill_differently():
    image, mask = photo(64, 48), box_mask(64, 48, (16, 12, 48, 36))
    outputs = {
        m: LocalProvider().edit(request(image, mask, m)).images[0] for m in ("patchmatch", "telea")
    }
    assert outputs["patchmatch"] != outputs["telea"]


def test_ignores_the_prompt_and_says_so():
    image, mask = photo(32, 32), box_mask(32, 32)
    a = LocalProvider().edit(request(image, mask))
    b = LocalProvider().edit(EditRequest(**{**request(image, mask).__dict__, "prompt": "x"}))
    assert a.images == b.images
    assert LocalProvider.note == (
        "Local inpainting fills the painted area from its surroundings; "
        "it does not read the prompt."
    )


def test_keeps_alpha_channel():
    out = LocalProvider().edit(request(photo(32, 32, "RGBA"), box_mask(32, 32)))
    with Image.open(io.BytesIO(out.images[0])) as img:
        assert img.mode == "RGBA"


def test_a_big_image_comes_back_at_full_size():
    image = photo(3000, 2000)
    mask = box_mask(3000, 2000, (1000, 600, 1300, 800))
    out = LocalProvider().edit(request(image, mask))
    result = pixels(out.images[0])
    assert result.shape == (2000, 3000, 3)
    assert np.array_equal(result[mask == 0], pixels(image)[mask == 0])
    assert out.response == {
        "model": "patchmatch",
        "size": "3000x2000",
        "workSize": "3000x2000",  # a small hole's surroundings are searched at full size
        "scaled": False,
        "regions": 1,
    }


def test_fills_wait_for_a_free_core():
    """One fill per core: with every slot taken a fill waits, and runs once one is freed."""
    slots = 0
    while local.FILL_SLOTS.acquire(blocking=False):
        slots += 1
    try:
        assert slots == fill.cores()
        done = threading.Event()
        image, mask = photo(32, 32), box_mask(32, 32)
        worker = threading.Thread(
            target=lambda: (LocalProvider().edit(request(image, mask)), done.set())
        )
        worker.start()
        assert not done.wait(0.5)  # every core is busy: the fill has not started
        local.FILL_SLOTS.release()
        slots -= 1
        assert done.wait(30)
        worker.join()
    finally:
        for _ in range(slots):
            local.FILL_SLOTS.release()
    # All slots back: as many fills as cores may start at once again.
    assert all(local.FILL_SLOTS.acquire(blocking=False) for _ in range(fill.cores()))
    for _ in range(fill.cores()):
        local.FILL_SLOTS.release()


@pytest.mark.parametrize(
    ("req", "message"),
    [
        (request(photo(8, 8), box_mask(8, 8, (1, 1, 4, 4)), model="lama"), "no model 'lama'"),
        (
            request(photo(8, 8), box_mask(8, 8, (1, 1, 4, 4)), "telea", radius=99),
            "between 1 and 25",
        ),
        (request(photo(8, 8), box_mask(16, 8)), "same size"),
        (request(photo(8, 8), np.zeros((8, 8), np.uint8)), "empty"),
        (request(photo(8, 8), np.full((8, 8), 255, np.uint8)), "whole image"),
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
