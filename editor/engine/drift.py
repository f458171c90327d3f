"""What a provider changed outside the mask, measured the way an eye sees it. Pure NumPy/OpenCV.

Paste-back keeps every outside pixel of the stored result identical to the original, but the
provider's raw output says how well the model respected the mask; that is what a reviewer
compares providers on. The measure has to survive what every honest provider does anyway
(resample to its own size, encode as JPEG or WebP) and must not miss what real models do
(brighten, warm or shift the colour of the whole picture by a few levels).

So: the original is brought to the output's geometry, both are blurred a little (resampling
and JPEG noise live in the finest details; a colour or brightness shift survives a blur), both go
to CIE Lab, and a pixel counts as changed when the CIE94 colour difference exceeds a perceptual
threshold. The systematic part of the change (mean lightness, hue and chroma shift) names the
kind of drift, so the page can say "brightened everything outside the mask by about 8 %".

All of it happens at a working scale, at most WORK_SIDE long: it runs for every inpaint result,
and what it looks for (shifts of whole regions, strips of a few percent) is far coarser than a
working pixel. Shrinking is an area average, itself a blur, so only the rest of the full-size
blur is applied after it, and the mask margin shrinks with the scale; below WORK_SIDE nothing
changes. The heatmap is drawn from the same small arrays, so it is at most WORK_SIDE long too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from editor.engine import renditions

# CIE94 units. About 2.3 is "just noticeable" side by side; 5 keeps JPEG q90 and resampling of
# a photo below 1 % after the blur while a +20 level brightening (>= 6 units) still counts.
THRESHOLD = 5.0
# The longest side measured. 768 halves the usual 1536x1024 output exactly, which is the cheap
# case of an area average.
WORK_SIDE = 768
# Gaussian sigma in pixels at the output's full resolution.
BLUR_SIGMA = 1.5
# What is left of it after a strong shrink still has to smooth over the grid: at least this,
# in working pixels.
MIN_SIGMA = 0.6
# Pixels within this distance (at the output's full resolution) of the mask are left out: the
# model is allowed to blend there.
MASK_MARGIN = 4
# The size of the regular sample the kind of drift is read from.
SAMPLE_PIXELS = 25_000
# Under this share of the outside pixels, nothing perceptible happened.
NOTHING = 0.01


@dataclass(frozen=True)
class DriftReport:
    """The numbers behind the sentence; stored with each result as a plain dict."""

    share: float  # outside pixels whose colour moved beyond THRESHOLD, 0..1
    mean_delta_e: float  # mean CIE94 difference over all outside pixels
    lightness: float  # mean signed shift of grey level outside, in % of full scale
    hue_degrees: float  # mean signed hue rotation of coloured pixels outside
    chroma: float  # mean signed saturation change outside, in % of the original's chroma
    kind: str  # none | scattered | brightness | colour | repainted
    cast: str = ""  # warmer | cooler | greener | more magenta, for a colour shift

    def as_dict(self) -> dict[str, Any]:
        """The stored form; it carries its sentence, so pages need no engine to show it."""
        out = {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}
        return {**out, "sentence": describe(out)}

    @property
    def sentence(self) -> str:
        return describe(asdict(self))


def _rgb(img: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(img, np.ndarray):
        return img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)
    return np.asarray(img.convert("RGB"))


def _resize(img: np.ndarray, size: tuple[int, int], enlarge: int = cv2.INTER_CUBIC) -> np.ndarray:
    """`img` at `size` (w, h): an area average when shrinking, `enlarge` when enlarging."""
    h, w = img.shape[:2]
    if (w, h) == size:
        return img
    # OpenCV's area average is ~20x cheaper by a whole factor than by any other: average whole
    # k x k blocks (the last, partial ones left out), then bilinear for the rest (< 2x).
    k = min(w // size[0], h // size[1])
    if k < 2:
        interp = cv2.INTER_LINEAR if w >= size[0] else enlarge
        return cv2.resize(img, size, interpolation=interp)
    blocks = cv2.resize(
        img[: h // k * k, : w // k * k], (w // k, h // k), interpolation=cv2.INTER_AREA
    )
    if (w, h) == (w // k * k, h // k * k) and blocks.shape[1::-1] == size:
        return blocks
    # Map each output pixel's centre back through the blocks, so the edge pixels left out do not
    # stretch the picture (up to k - 1 pixels, a working pixel's misalignment at the far edge).
    fx, fy = w / size[0] / k, h / size[1] / k
    to_blocks = np.array([[fx, 0, fx / 2 - 0.5], [0, fy, fy / 2 - 0.5]])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(blocks, to_blocks, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


def _working(w: int, h: int) -> tuple[tuple[int, int], float]:
    """The working size of a w x h picture and its scale (never above 1)."""
    scale = min(1.0, WORK_SIDE / max(w, h))
    return (max(1, round(w * scale)), max(1, round(h * scale))), scale


def _sigma(scale: float) -> float:
    """The blur at the working scale that matches BLUR_SIGMA at full resolution."""
    if scale >= 1:
        return BLUR_SIGMA
    # The area average already blurred by a box one working pixel wide (variance 1/12); blurs
    # add up by variance, so only the difference is left to do.
    return max(MIN_SIGMA, float(np.sqrt(max(0.0, (BLUR_SIGMA * scale) ** 2 - 1 / 12))))


def _lab8(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """Blurred 8-bit Lab (OpenCV's scaling: L * 255 / 100, a + 128, b + 128) of RGB uint8."""
    # OpenCV's 8-bit Lab is a table lookup, several times faster than the float path; its
    # rounding (0.4 L units, 1 a/b unit) is far below the threshold.
    return cv2.cvtColor(cv2.GaussianBlur(rgb, (0, 0), sigma), cv2.COLOR_RGB2LAB)


Lab = tuple[np.ndarray, np.ndarray, np.ndarray]  # L (0..100), a, b: float32 rows


def _lab(lab8: np.ndarray, where: np.ndarray) -> Lab:
    """The pixels of 8-bit Lab picked by `where` (a bool map or flat indices) as float Lab."""
    # One contiguous row per channel: NumPy is several times slower on the interleaved columns.
    flat = where.reshape(-1)
    light, a, b = (p.reshape(-1)[flat].astype(np.float32) for p in cv2.split(lab8))
    light *= np.float32(100 / 255)
    a -= 128
    b -= 128
    return light, a, b


def _outside(mask: np.ndarray, margin: int) -> np.ndarray:
    """Pixels clear of the (working-size) mask by `margin`, as a bool array."""
    touched = (mask > 0).astype(np.uint8)
    if margin:
        touched = cv2.dilate(touched, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
    return touched == 0


def _delta_e94(lab1: Lab, lab2: Lab) -> np.ndarray:
    """CIE94 (graphic arts weights) between two sets of float Lab rows."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1 = np.hypot(a1, b1)
    dc = np.hypot(a2, b2) - c1
    da, db, dl = a2 - a1, b2 - b1, l2 - l1
    dh2 = np.maximum(da * da + db * db - dc * dc, 0.0)
    sc = 1 + 0.045 * c1
    sh = 1 + 0.015 * c1
    return np.sqrt(dl * dl + (dc / sc) ** 2 + dh2 / (sh * sh))


def _changed(lab_a: np.ndarray, lab_b: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Outside pixels whose CIE94 difference exceeds THRESHOLD, as a bool map.

    CIE94 never exceeds the Euclidean Lab distance, which never exceeds the sum of the absolute
    8-bit differences (an 8-bit L step is 100/255 of a unit). So only pixels whose 8-bit
    differences add up to THRESHOLD or more can have changed, and only those are measured: an
    honest provider leaves most pixels far below, and the map costs a few milliseconds."""
    bound = cv2.transform(cv2.absdiff(lab_a, lab_b), np.ones((1, 3), np.float32))  # saturates
    candidates = np.flatnonzero((bound >= THRESHOLD) & outside)
    changed = np.zeros(outside.shape, bool)
    if candidates.size:
        rows_a, rows_b = _lab(lab_a, candidates), _lab(lab_b, candidates)
        changed.flat[candidates[_delta_e94(rows_a, rows_b) > THRESHOLD]] = True
    return changed


@dataclass(frozen=True, eq=False)  # arrays: compared (and hashed) by identity
class Comparison:
    """What the heatmap is drawn from, all at the working scale."""

    grey: np.ndarray  # the original in grey, in its own geometry
    mask: np.ndarray  # the mask at the size of `grey`
    changed: np.ndarray  # bool: outside pixels that changed, in the output's geometry


def measure(
    original: Image.Image | np.ndarray, raw: Image.Image | np.ndarray, mask: np.ndarray
) -> tuple[DriftReport, Comparison]:
    """Compare the provider's raw output with the original in the output's geometry.

    `mask` is the edit mask at the original's size (0 = keep). Returns the report and what the
    heatmap needs; `Comparison.changed` is in the output's geometry at the working scale.
    """
    a, b = _rgb(original), _rgb(raw)
    if mask.shape != a.shape[:2]:
        raise ValueError("the mask must have the original's size")
    same_geometry = a.shape[:2] == b.shape[:2]
    (w, h), scale = _working(b.shape[1], b.shape[0])
    b = _resize(np.ascontiguousarray(b), (w, h))
    a_size, _ = _working(a.shape[1], a.shape[0])
    a_mask = _resize(mask, a_size, cv2.INTER_LINEAR)
    if same_geometry:
        a = _resize(np.ascontiguousarray(a), (w, h))
        grey, outside_mask = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), a_mask
    else:
        full = np.ascontiguousarray(a)
        grey = _resize(cv2.cvtColor(full, cv2.COLOR_RGB2GRAY), a_size)
        a, outside_mask = _resize(full, (w, h)), _resize(mask, (w, h), cv2.INTER_LINEAR)
    outside = _outside(outside_mask, int(np.ceil(MASK_MARGIN * scale)))
    n = int(np.count_nonzero(outside))
    if n == 0:
        empty = Comparison(grey, a_mask, np.zeros((h, w), bool))
        return DriftReport(0.0, 0.0, 0.0, 0.0, 0.0, "none"), empty
    sigma = _sigma(scale)
    lab_a, lab_b = _lab8(a, sigma), _lab8(b, sigma)
    changed = _changed(lab_a, lab_b, outside)
    share = float(np.count_nonzero(changed)) / n
    # The kind of change is a matter of averages: a regular sample of ~SAMPLE_PIXELS is plenty
    # (every 4th pixel each way at 768x512), and the classification costs a sixteenth as much.
    step = max(1, round(np.sqrt(h * w / SAMPLE_PIXELS)))
    if not np.any(outside[::step, ::step]):
        step = 1
    sub = (slice(None, None, step), slice(None, None, step))
    pick = outside[sub]
    la = _lab(np.ascontiguousarray(lab_a[sub]), pick)
    lb = _lab(np.ascontiguousarray(lab_b[sub]), pick)
    mean_de = float(_delta_e94(la, lb).mean())
    # Grey is linear in RGB, so the mean grey shift is the grey of the mean RGB shift.
    where = outside.view(np.uint8)
    shift = np.subtract(cv2.mean(b, mask=where)[:3], cv2.mean(a, mask=where)[:3])
    lightness = float(shift @ (0.299, 0.587, 0.114)) / 255.0 * 100.0
    report = _classify(share, mean_de, lightness, la, lb)
    return report, Comparison(grey, a_mask, changed)


def _agree(values: np.ndarray, mean: float) -> float:
    """Share of values on the mean's side of zero: near 1 for a shift, near 0.5 for noise."""
    return float(np.count_nonzero(values * np.sign(mean) > 0)) / max(1, values.size)


def _classify(
    share: float, mean_de: float, lightness: float, lab_a: Lab, lab_b: Lab
) -> DriftReport:
    dl = lab_b[0] - lab_a[0]
    c_a = np.hypot(lab_a[1], lab_a[2])
    c_b = np.hypot(lab_b[1], lab_b[2])
    mean_c = float(c_a.mean())
    # Candidate systematic shifts, each in Lab units with how consistently pixels follow it.
    shifts: dict[str, tuple[float, float]] = {
        "brightness": (abs(float(dl.mean())), _agree(dl, float(dl.mean())))
    }
    hue = chroma_pct = 0.0
    coloured = c_a > 8.0  # hue is meaningless on greys
    if np.count_nonzero(coloured) > 0.05 * c_a.size:
        h_a = np.arctan2(lab_a[2][coloured], lab_a[1][coloured])
        h_b = np.arctan2(lab_b[2][coloured], lab_b[1][coloured])
        dh = (h_b - h_a + np.pi) % (2 * np.pi) - np.pi
        hue = float(np.degrees(np.average(dh, weights=c_a[coloured])))
        dc = c_b[coloured] - c_a[coloured]
        chroma_pct = float(dc.mean() / c_a[coloured].mean() * 100)
        shifts["hue"] = (abs(np.radians(hue)) * mean_c, _agree(dh, hue))
        shifts["chroma"] = (abs(float(dc.mean())), _agree(dc, float(dc.mean())))
    da, db = lab_b[1] - lab_a[1], lab_b[2] - lab_a[2]
    cast = np.array([da.mean(), db.mean()])
    if np.any(cast):
        unit = cast / np.linalg.norm(cast)
        along = da * np.float32(unit[0]) + db * np.float32(unit[1])
        shifts["cast"] = (float(np.linalg.norm(cast)), _agree(along, 1.0))
    name, (size, agree) = max(shifts.items(), key=lambda item: item[1][0])
    # A shift has a name when it explains most of the difference and most pixels follow it,
    # even below the per-pixel threshold: a 4 % brightening of a whole picture is visible.
    systematic = mean_de >= 2.0 and size >= 0.6 * mean_de and agree >= 0.8
    if systematic:
        kind = "brightness" if name == "brightness" else "colour"
    elif share < NOTHING:
        kind = "none"
    elif share >= 0.5:
        kind = "repainted"
    else:
        kind = "scattered"
    return DriftReport(share, mean_de, lightness, hue, chroma_pct, kind, _cast_name(cast))


def _cast_name(cast: np.ndarray) -> str:
    """The colour a cast leans to, from its mean (a, b) shift; empty when there is none."""
    a, b = float(cast[0]), float(cast[1])
    if np.hypot(a, b) < 2.0:
        return ""
    if abs(b) >= abs(a):
        return "warmer" if b > 0 else "cooler"
    return "more magenta" if a > 0 else "greener"


def _scope(report: dict[str, Any]) -> str:
    share = float(report.get("share") or 0.0)
    if report.get("kind") in ("brightness", "colour") and (share >= 0.9 or share < 0.5):
        return "everything"  # a uniform shift, even where single pixels stay under the threshold
    return "everything" if share >= 0.9 else f"{share * 100:.0f} % of the pixels"


def describe(report: dict[str, Any]) -> str:
    """The report in words, for a page (`report` is `DriftReport.as_dict()` as stored)."""
    share = float(report.get("share") or 0.0)
    kind = report.get("kind", "scattered")
    scope = _scope(report)
    if kind == "none":
        return "The provider left everything outside your mask as it was."
    if kind == "brightness":
        amount = abs(float(report.get("lightness") or 0.0))
        verb = "brightened" if float(report.get("lightness") or 0.0) > 0 else "darkened"
        return f"The provider {verb} {scope} outside your mask by about {amount:.0f} %."
    if kind == "colour":
        hue = float(report.get("hue_degrees") or 0.0)
        chroma = float(report.get("chroma") or 0.0)
        if abs(hue) >= 3:
            detail = f"hue turned by about {abs(hue):.0f}°"
        elif report.get("cast"):
            detail = f"{report['cast']}"
        else:
            detail = f"{'more' if chroma > 0 else 'less'} saturated by about {abs(chroma):.0f} %"
        return f"The provider shifted the colour of {scope} outside your mask ({detail})."
    percent = share * 100
    figure = f"{percent:.1f}" if percent < 10 else str(int(percent))  # never round up to 100
    return f"The provider changed {figure} % of the pixels outside your mask."


# The heatmap's colours: the original dimmed to 35 % grey, the mask half-way to blue, drift red.
_DIM = np.rint(np.arange(256) * 0.35).astype(np.uint8)
_BLUE = (40, 110, 255)
_RED = (255, 30, 30)


def heatmap(comparison: Comparison, *, max_side: int = 1024) -> renditions.Rendition:
    """A WebP for eyes, in the original's geometry so it overlays the result: a dimmed grey copy
    of the original, the mask tinted blue, changed pixels outside it red; at most max_side long
    (and at most WORK_SIDE: it is drawn at the working scale)."""
    grey, mask = comparison.grey, comparison.mask
    h, w = grey.shape
    scale = min(1.0, max_side / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    grey, mask = _resize(grey, size), _resize(mask, size, cv2.INTER_LINEAR)
    # Any changed pixel under a heatmap pixel shows: a thin strip must not vanish when shrunk.
    changed = comparison.changed
    if changed.shape != (size[1], size[0]):
        changed = _resize(changed.astype(np.uint8) * 255, size, cv2.INTER_LINEAR) > 0
    dim = cv2.LUT(grey, _DIM)
    # The blue weighs half the mask; saturating uint8 products (rounded, exact to a level) keep
    # it to a few cheap passes, one channel at a time (NumPy is slow on interleaved channels).
    weight = mask >> 1
    kept = cv2.multiply(dim, 255 - weight, scale=1 / 255)
    channels = []
    for blue, red in zip(_BLUE, _RED, strict=True):
        channel = cv2.add(kept, cv2.convertScaleAbs(weight, alpha=blue / 255))
        channel[changed] = red
        channels.append(channel)
    # WebP, as previews are: a dimmed photo with colour on top is 5-10x smaller than as PNG.
    return renditions.webp(cv2.merge(channels))
