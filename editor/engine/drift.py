"""What a provider changed outside the mask, measured the way an eye sees it. Pure NumPy/OpenCV.

Paste-back keeps every outside pixel of the stored result identical to the original, but the
provider's raw output says how well the model respected the mask; that is what a reviewer
compares providers on. The measure has to survive what every honest provider does anyway
(resample to its own size, encode as JPEG or WebP) and must not miss what real models do
(brighten, warm or shift the colour of the whole picture by a few levels).

So: the original is brought to the output's resolution, both are blurred a little (resampling
and JPEG noise live in the finest details; a colour or brightness shift survives a blur), both go
to CIE Lab, and a pixel counts as changed when the CIE94 colour difference exceeds a perceptual
threshold. The systematic part of the change (mean lightness, hue and chroma shift) names the
kind of drift, so the page can say "brightened everything outside the mask by about 8 %".
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

# CIE94 units. About 2.3 is "just noticeable" side by side; 5 keeps JPEG q90 and resampling of
# a photo below 1 % after the blur while a +20 level brightening (>= 6 units) still counts.
THRESHOLD = 5.0
# Gaussian sigma in pixels at the output's resolution.
BLUR_SIGMA = 1.5
# Pixels within this distance of the mask are left out: the model is allowed to blend there.
MASK_MARGIN = 4
# The size of the regular sample the kind of drift is read from.
SAMPLE_PIXELS = 100_000
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


def _lab8(rgb: np.ndarray) -> np.ndarray:
    """Blurred 8-bit Lab (OpenCV's scaling: L * 255 / 100, a + 128, b + 128) of RGB uint8."""
    # OpenCV's 8-bit Lab is a table lookup, several times faster than the float path; its
    # rounding (0.4 L units, 1 a/b unit) is far below the threshold.
    return cv2.cvtColor(cv2.GaussianBlur(rgb, (0, 0), BLUR_SIGMA), cv2.COLOR_RGB2LAB)


def _lab(lab8: np.ndarray) -> np.ndarray:
    """Rows of 8-bit Lab (N, 3) as float Lab, L 0..100."""
    out = lab8.astype(np.float32)
    out[:, 0] *= np.float32(100 / 255)
    out[:, 1:] -= 128
    return out


def _outside(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Pixels at `size` (w, h) clear of the mask by MASK_MARGIN, as a bool array."""
    interp = cv2.INTER_AREA if mask.shape[1] > size[0] else cv2.INTER_LINEAR
    small = cv2.resize(mask, size, interpolation=interp)
    touched = (small > 0).astype(np.uint8)
    if MASK_MARGIN:
        kernel = np.ones((2 * MASK_MARGIN + 1, 2 * MASK_MARGIN + 1), np.uint8)
        touched = cv2.dilate(touched, kernel)
    return touched == 0


def _delta_e94(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIE94 (graphic arts weights) between two sets of float Lab rows (N, 3)."""
    l1, a1, b1 = lab1[:, 0], lab1[:, 1], lab1[:, 2]
    l2, a2, b2 = lab2[:, 0], lab2[:, 1], lab2[:, 2]
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
        rows_a = _lab(lab_a.reshape(-1, 3)[candidates])
        rows_b = _lab(lab_b.reshape(-1, 3)[candidates])
        changed.flat[candidates[_delta_e94(rows_a, rows_b) > THRESHOLD]] = True
    return changed


def measure(
    original: Image.Image | np.ndarray, raw: Image.Image | np.ndarray, mask: np.ndarray
) -> tuple[DriftReport, np.ndarray]:
    """Compare the provider's raw output with the original at the output's resolution.

    `mask` is the edit mask at the original's size (0 = keep). Returns the report and the
    boolean map of changed outside pixels at the output's resolution (for the heatmap).
    """
    a, b = _rgb(original), _rgb(raw)
    if mask.shape != a.shape[:2]:
        raise ValueError("the mask must have the original's size")
    h, w = b.shape[:2]
    if a.shape[:2] != (h, w):
        interp = cv2.INTER_AREA if a.shape[1] > w else cv2.INTER_CUBIC
        a = cv2.resize(a, (w, h), interpolation=interp)
    outside = _outside(mask, (w, h))
    n = int(np.count_nonzero(outside))
    if n == 0:
        return DriftReport(0.0, 0.0, 0.0, 0.0, 0.0, "none"), np.zeros((h, w), bool)
    lab_a, lab_b = _lab8(np.ascontiguousarray(a)), _lab8(np.ascontiguousarray(b))
    changed = _changed(lab_a, lab_b, outside)
    share = float(np.count_nonzero(changed)) / n
    # The kind of change is a matter of averages: a regular sample of ~100,000 pixels is plenty
    # (every 4th pixel each way at 1536x1024), and the classification costs a quarter as much.
    step = max(1, round(np.sqrt(h * w / SAMPLE_PIXELS)))
    if not np.any(outside[::step, ::step]):
        step = 1
    sub = (slice(None, None, step), slice(None, None, step))
    pick = outside[sub]
    la, lb = _lab(lab_a[sub][pick]), _lab(lab_b[sub][pick])
    mean_de = float(_delta_e94(la, lb).mean())
    report = _classify(share, mean_de, a[sub][pick], b[sub][pick], la, lb)
    return report, changed


def _agree(values: np.ndarray, mean: float) -> float:
    """Share of values on the mean's side of zero: near 1 for a shift, near 0.5 for noise."""
    return float(np.count_nonzero(values * np.sign(mean) > 0)) / max(1, values.size)


def _classify(
    share: float,
    mean_de: float,
    rgb_a: np.ndarray,
    rgb_b: np.ndarray,
    lab_a: np.ndarray,
    lab_b: np.ndarray,
) -> DriftReport:
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    lightness = float(((rgb_b.astype(np.float32) - rgb_a) @ luma).mean()) / 255.0 * 100.0
    dl = lab_b[:, 0] - lab_a[:, 0]
    c_a = np.hypot(lab_a[:, 1], lab_a[:, 2])
    c_b = np.hypot(lab_b[:, 1], lab_b[:, 2])
    mean_c = float(c_a.mean())
    # Candidate systematic shifts, each in Lab units with how consistently pixels follow it.
    shifts: dict[str, tuple[float, float]] = {
        "brightness": (abs(float(dl.mean())), _agree(dl, float(dl.mean())))
    }
    hue = chroma_pct = 0.0
    coloured = c_a > 8.0  # hue is meaningless on greys
    if np.count_nonzero(coloured) > 0.05 * c_a.size:
        h_a = np.arctan2(lab_a[coloured, 2], lab_a[coloured, 1])
        h_b = np.arctan2(lab_b[coloured, 2], lab_b[coloured, 1])
        dh = (h_b - h_a + np.pi) % (2 * np.pi) - np.pi
        hue = float(np.degrees(np.average(dh, weights=c_a[coloured])))
        dc = c_b[coloured] - c_a[coloured]
        chroma_pct = float(dc.mean() / c_a[coloured].mean() * 100)
        shifts["hue"] = (abs(np.radians(hue)) * mean_c, _agree(dh, hue))
        shifts["chroma"] = (abs(float(dc.mean())), _agree(dc, float(dc.mean())))
    dab = lab_b[:, 1:] - lab_a[:, 1:]
    cast = dab.mean(axis=0)
    if np.any(cast):
        along = dab @ (cast / np.linalg.norm(cast))
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


def heatmap(
    original: Image.Image | np.ndarray,
    changed: np.ndarray,
    mask: np.ndarray,
    *,
    max_side: int = 1024,
) -> bytes:
    """A WebP for eyes, in the original's geometry so it overlays the result: a dimmed grey copy
    of the original, the mask tinted blue, changed pixels outside it red; at most max_side long."""
    a = _rgb(original)
    h, w = a.shape[:2]
    scale = min(1.0, max_side / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    area = cv2.INTER_AREA
    grey = cv2.cvtColor(np.ascontiguousarray(a), cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(grey, size, interpolation=area)
    small_mask = cv2.resize(mask, size, interpolation=area)
    small_changed = cv2.resize(changed.astype(np.uint8) * 255, size, interpolation=area) > 0
    heat = np.repeat(grey.astype(np.float32)[..., None] * 0.35, 3, axis=2)
    inside = small_mask.astype(np.float32)[..., None] / 255.0 * 0.5
    heat = heat * (1 - inside) + np.array([40, 110, 255], np.float32) * inside
    heat[small_changed] = (255, 30, 30)
    # WebP: a dimmed photo with colour on top is 5-10x smaller than as PNG, and it is for eyes.
    buf = io.BytesIO()
    Image.fromarray(np.rint(heat).astype(np.uint8)).save(buf, "WEBP", quality=80, method=0)
    return buf.getvalue()
