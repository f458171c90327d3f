"""editor.engine.masks: reading every accepted mask form, options, and each provider's writer."""

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from editor.engine import masks
from editor.engine.masks import MaskError, load_mask


def png(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def square_mask(w: int = 40, h: int = 30) -> np.ndarray:
    m = np.zeros((h, w), np.uint8)
    m[10:20, 10:30] = 255
    return m


# --- load_mask: the accepted forms ---------------------------------------------------------


def test_white_on_black_l_png_is_read_as_is():
    m = square_mask()
    m[0, 0] = 128
    out = load_mask(png(Image.fromarray(m, "L")), (40, 30))
    assert out.dtype == np.uint8 and out.shape == (30, 40)
    assert np.array_equal(out, m)


def test_white_on_black_rgb_png_uses_luminance():
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[10:20, 10:30] = 255
    rgb[0, 0] = (60, 60, 60)
    out = load_mask(png(Image.fromarray(rgb, "RGB")), (40, 30))
    assert out[15, 15] == 255 and out[0, 0] == 60 and out[25, 35] == 0


def test_opaque_rgba_white_on_black_is_read_by_luminance():
    # The brush exports an opaque image: alpha all 255 means "read the colour".
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[10:20, 10:30, :3] = 255
    out = load_mask(png(Image.fromarray(rgba, "RGBA")), (40, 30))
    assert np.array_equal(out, square_mask())


def test_transparent_pixels_mark_the_edit_area():
    # OpenAI's recipe: white opaque = keep, transparent = edit; colour is irrelevant.
    rgba = np.full((30, 40, 4), 255, np.uint8)
    rgba[10:20, 10:30] = (0, 0, 0, 0)
    rgba[0, 0, 3] = 200  # partial alpha -> partial strength 55
    out = load_mask(png(Image.fromarray(rgba, "RGBA")), (40, 30))
    assert out[15, 15] == 255
    assert out[25, 35] == 0
    assert out[0, 0] == 55


def test_transparent_white_pixels_still_mean_edit():
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[10:20, 10:30] = (255, 255, 255, 0)
    assert np.array_equal(load_mask(png(Image.fromarray(rgba, "RGBA")), (40, 30)), square_mask())


def test_la_alpha_mask_is_read_by_alpha():
    la = np.zeros((30, 40, 2), np.uint8)
    la[..., 1] = 255 - square_mask()
    assert np.array_equal(load_mask(png(Image.fromarray(la, "LA")), (40, 30)), square_mask())


def test_palette_with_transparent_index_is_an_alpha_mask():
    p = Image.new("P", (40, 30), 1)
    p.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    p.paste(0, (10, 10, 30, 20))
    out = load_mask(png(p, transparency=0), (40, 30))
    assert np.array_equal(out, square_mask())


def test_palette_without_transparency_is_read_by_luminance():
    p = Image.new("P", (40, 30), 0)
    p.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    p.paste(1, (10, 10, 30, 20))
    assert np.array_equal(load_mask(png(p), (40, 30)), square_mask())


def test_1bit_mask():
    assert np.array_equal(
        load_mask(png(Image.fromarray(square_mask()).convert("1")), (40, 30)), square_mask()
    )


def test_16bit_mask_is_scaled():
    arr = (square_mask().astype(np.uint16) * 257).astype(np.uint16)
    arr[0, 0] = 257 * 100
    out = load_mask(png(Image.fromarray(arr)), (40, 30))
    assert out[15, 15] == 255 and out[0, 0] == 100 and out[25, 35] == 0


def test_jpeg_and_webp_masks_are_accepted():
    for fmt in ("JPEG", "WEBP"):
        out = load_mask(png(Image.fromarray(square_mask()), fmt, quality=100), (40, 30))
        assert out[15, 20] > 240 and out[2, 2] < 10


def test_mask_with_exif_orientation_is_rotated_like_its_image():
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise
    stored = np.zeros((30, 40), np.uint8)
    stored[0:5, 0:5] = 255  # top-left as stored -> top-right as displayed
    out = load_mask(png(Image.fromarray(stored), exif=exif.tobytes()), (30, 40))
    assert out.shape == (40, 30)
    assert out[0, 29] == 255 and out[0, 0] == 0


def test_gif_and_non_images_are_mask_errors():
    with pytest.raises(MaskError) as err:
        load_mask(png(Image.new("P", (4, 4)), "GIF"), (4, 4))
    assert "GIF" in err.value.message
    with pytest.raises(MaskError) as err:
        load_mask(b"not an image", (4, 4))
    assert err.value.message == "The mask file is not a PNG, JPEG or WebP image."


# --- load_mask: sizes ----------------------------------------------------------------------


def test_same_aspect_mask_at_another_scale_is_resized():
    small = np.zeros((100, 150), np.uint8)
    small[:, 75:] = 255  # right half
    out = load_mask(png(Image.fromarray(small)), (300, 200))
    assert out.shape == (200, 300)
    assert out[100, 10] == 0 and out[100, 290] == 255
    assert out[:, :148].max() == 0 and out[:, 152:].min() == 255


def test_larger_mask_is_shrunk():
    big = np.zeros((400, 600), np.uint8)
    big[:200] = 255  # top half
    out = load_mask(png(Image.fromarray(big)), (300, 200))
    assert out.shape == (200, 300)
    assert out[:100].min() == 255 and out[100:].max() == 0


def test_aspect_within_one_percent_is_tolerated():
    out = load_mask(png(Image.fromarray(np.full((100, 151), 255, np.uint8))), (300, 200))
    assert out.shape == (200, 300) and out.min() == 255


def test_other_aspect_is_an_error_naming_both_sizes():
    with pytest.raises(MaskError) as err:
        load_mask(png(Image.new("L", (100, 100))), (300, 200))
    assert "100x100" in err.value.message and "300x200" in err.value.message


def test_mask_over_the_pixel_limit_is_refused():
    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 9000, 9000, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
    with pytest.raises(MaskError) as err:
        load_mask(data, (9000, 9000))
    assert "9000x9000" in err.value.message


# --- options -------------------------------------------------------------------------------


def test_invert():
    m = np.array([[0, 10, 255]], np.uint8)
    assert masks.invert(m).tolist() == [[255, 245, 0]]


def test_grow_small_radius_is_a_disc():
    m = np.zeros((21, 21), np.uint8)
    m[10, 10] = 255
    g = masks.grow(m, 3)
    assert g[10, 13] == 255 and g[10, 14] == 0  # 3 px straight out
    assert g[12, 12] == 255  # distance 2.8: inside the disc
    assert g[13, 13] == 0  # distance 4.2: a square kernel would include it
    assert masks.grow(m, 0) is m


def test_grow_large_radius_is_a_disc_within_one_pixel():
    m = np.zeros((201, 201), np.uint8)
    m[100, 100] = 255
    g = masks.grow(m, 40)
    yy, xx = np.mgrid[:201, :201]
    dist = np.hypot(yy - 100, xx - 100)
    assert g[dist <= 39].min() == 255
    assert g[dist > 40.5].max() == 0
    assert g[100, 140] == 255 and g[100, 141] == 0


def test_grow_large_radius_on_a_grey_mask_is_close_to_a_disc():
    m = np.zeros((201, 201), np.uint8)
    m[100, 100] = 200
    m[0, 0] = 50
    g = masks.grow(m, 40)
    yy, xx = np.mgrid[:201, :201]
    dist = np.hypot(yy - 100, xx - 100)
    assert g[dist <= 38].min() == 200
    assert g[dist > 43].max() == 50  # only the far corner's own grey growth
    assert g[100, 140] == 200


def test_grow_keeps_grey_levels():
    m = np.zeros((21, 21), np.uint8)
    m[10, 10] = 100
    g = masks.grow(m, 2)
    assert g[10, 12] == 100 and g.max() == 100


def test_feather_softens_the_edge_and_keeps_the_inside_and_outside():
    m = np.zeros((200, 200), np.uint8)
    m[50:150, 50:150] = 255
    f = masks.feather(m, 10)
    assert f[100, 100] == 255  # deep inside: full strength
    assert f[61:139, 61:139].min() == 255  # more than px inside: untouched
    assert f[:39].max() == 0 and f[:, 161:].max() == 0  # more than px outside: untouched
    assert 100 < f[100, 50] < 160  # on the edge: about half
    assert f[100, 45] > 0 and f[100, 55] < 255  # a ramp on both sides
    assert masks.feather(m, 0) is m


def test_feather_large_radius_keeps_flat_areas_exact():
    m = np.zeros((800, 800), np.uint8)
    m[200:600, 200:600] = 255
    f = masks.feather(m, 60)
    assert f[262:538, 262:538].min() == 255  # px + shrink factor inside
    assert f[:138].max() == 0 and f[662:].max() == 0
    assert 90 < f[400, 200] < 170


def test_is_empty_ignores_faint_noise():
    assert masks.is_empty(np.zeros((5, 5), np.uint8))
    assert masks.is_empty(np.full((5, 5), masks.NOISE_FLOOR, np.uint8))
    m = np.zeros((5, 5), np.uint8)
    m[2, 2] = masks.NOISE_FLOOR + 1
    assert not masks.is_empty(m)
    assert masks.is_empty(m, threshold=255)


def test_prepare_raises_on_an_empty_mask():
    with pytest.raises(MaskError) as err:
        masks.prepare(np.full((10, 10), 3, np.uint8))
    assert err.value.message == "The mask is empty: paint the area to change."


def test_prepare_raises_when_inverting_a_full_mask():
    with pytest.raises(MaskError):
        masks.prepare(np.full((10, 10), 255, np.uint8), invert=True)


def test_prepare_snaps_noise_then_inverts_grows_and_feathers():
    m = np.full((60, 60), 4, np.uint8)  # JPEG-ish noise in the keep area
    m[20:40, 20:40] = 252
    assert np.array_equal(np.unique(masks.prepare(m)), [0, 255])
    inv = masks.prepare(m, invert=True)
    assert inv[0, 0] == 255 and inv[30, 30] == 0
    grown = masks.prepare(m, grow=5)
    assert grown[30, 15] == 255 and grown[30, 14] == 0
    soft = masks.prepare(m, grow=5, feather=4)
    assert soft[30, 30] == 255 and 0 < soft[30, 15] < 255 and soft[0, 0] == 0


# --- writers -------------------------------------------------------------------------------


def test_white_on_black_png_polarity_and_mode():
    m = square_mask()
    m[0, 0] = 77
    img = decoded(masks.to_white_on_black_png(m))
    assert img.format == "PNG" and img.mode == "L"
    assert img.size == (40, 30)
    assert img.getpixel((15, 15)) == 255  # edit -> white
    assert img.getpixel((35, 25)) == 0  # keep -> black
    assert img.getpixel((0, 0)) == 77  # grey kept


def test_alpha_png_polarity_and_mode():
    m = square_mask()
    m[0, 0] = 77
    img = decoded(masks.to_alpha_png(m))
    assert img.format == "PNG" and img.mode == "RGBA"
    assert img.size == (40, 30)
    assert img.getpixel((15, 15)) == (0, 0, 0, 0)  # edit -> fully transparent
    assert img.getpixel((35, 25)) == (0, 0, 0, 255)  # keep -> opaque black
    assert img.getpixel((0, 0)) == (0, 0, 0, 178)  # partial -> partial alpha
    alpha = np.asarray(img.getchannel("A"))
    assert np.array_equal(alpha == 0, m == 255)  # transparent exactly where m == 255


def test_writers_reject_non_masks():
    with pytest.raises(ValueError):
        masks.to_alpha_png(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError):
        masks.to_white_on_black_png(np.zeros((4, 4), np.float32))


mask_arrays = st.tuples(st.integers(1, 48), st.integers(1, 48)).flatmap(
    lambda hw: arrays(np.uint8, hw)
)
binary_arrays = st.tuples(st.integers(1, 48), st.integers(1, 48)).flatmap(
    lambda hw: arrays(np.uint8, hw, elements=st.sampled_from([0, 255]))
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mask_arrays)
def test_white_on_black_round_trip(m):
    h, w = m.shape
    assert np.array_equal(load_mask(masks.to_white_on_black_png(m), (w, h)), m)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mask_arrays)
def test_alpha_round_trip_with_partial_values(m):
    h, w = m.shape
    assert np.array_equal(load_mask(masks.to_alpha_png(m), (w, h)), m)


@settings(max_examples=100, deadline=None)
@given(binary_arrays)
def test_alpha_and_white_round_trips_for_binary_masks(m):
    h, w = m.shape
    assert np.array_equal(load_mask(masks.to_alpha_png(m), (w, h)), m)
    assert np.array_equal(load_mask(masks.to_white_on_black_png(m), (w, h)), m)


def test_empty_mask_round_trips_through_the_alpha_writer():
    # All-keep has alpha all 255, which reads back as black-on-black: still all keep.
    m = np.zeros((8, 8), np.uint8)
    assert np.array_equal(load_mask(masks.to_alpha_png(m), (8, 8)), m)


# --- the 4 MB bound ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noise_4k() -> np.ndarray:
    return np.random.default_rng(7).integers(0, 256, (4096, 4096), dtype=np.uint8)


@pytest.mark.parametrize("writer", [masks.to_white_on_black_png, masks.to_alpha_png])
def test_a_random_noise_4k_mask_is_written_under_4_mb(noise_4k, writer):
    data = writer(noise_4k)
    assert len(data) < masks.MAX_MASK_BYTES
    back = load_mask(data, (4096, 4096))
    # Simplified, not scrambled: still the same mask on average, keep/edit preserved in bulk.
    assert back.shape == (4096, 4096)
    assert abs(float(back.mean()) - float(noise_4k.mean())) < 4
    assert back.min() == 0 and back.max() == 255


@pytest.mark.parametrize("writer", [masks.to_white_on_black_png, masks.to_alpha_png])
def test_a_brush_mask_is_written_exactly_and_small(writer):
    m = np.zeros((4096, 4096), np.uint8)
    cv2.line(m, (100, 100), (3900, 3000), 255, 120, cv2.LINE_AA)
    m = cv2.GaussianBlur(m, (0, 0), 6)
    data = writer(m)
    assert len(data) < 1_000_000
    assert np.array_equal(load_mask(data, (4096, 4096)), m)


def test_simplify_keeps_zero_and_full():
    m = np.array([[0, 1, 100, 200, 254, 255]], np.uint8)
    assert masks._simplify(m, 4, 1).tolist() == [[0, 0, 85, 170, 255, 255]]
