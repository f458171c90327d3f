"""OpenAI's image models: the parameter families, the seeded table with each model's life, and
the family that fits a model name a compatible proxy lists.

Life as of 2026-12-01 (https://developers.openai.com/api/docs/deprecations and the model pages):
gpt-image-1 shut down 2026-10-23; gpt-image-1.5, gpt-image-1-mini and chatgpt-image-latest on
2026-12-01; gpt-image-2 is deprecated until 2027-02-10; 2.5 and 2.6 (sunburst, flare) are current.
Default prices are credits per one-megapixel image (100,000 credits = 1 USD): OpenAI's published
per-image output prices for gpt-image-1 and -mini; newer models are assumed to price like them,
with xhigh and max at two and four times high. CREDIT_PRICES in settings overrides any of them.
"""

from __future__ import annotations

from datetime import date

from .spec import (
    CURRENT,
    DEPRECATED,
    IMAGE_EDITOR,
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    RETIRED,
    ModelSpec,
    Param,
)

MAX_PROMPT = 32_000
FIXED_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
_ALL = (IMAGE_GENERATOR, IMAGE_EDITOR, IMAGE_INPAINTER)
_EDITS = (IMAGE_EDITOR, IMAGE_INPAINTER)
_FULL_PRICES = (("low", 1_100), ("medium", 4_200), ("high", 16_700), ("auto", 4_200))
_MINI_PRICES = (("low", 500), ("medium", 1_100), ("high", 3_600), ("auto", 1_100))
_NEW_PRICES = (*_FULL_PRICES, ("xhigh", 33_400), ("max", 66_800))
_FLARE_PRICES = (
    ("low", 500),
    ("medium", 2_100),
    ("high", 8_400),
    ("xhigh", 16_700),
    ("max", 33_400),
    ("auto", 2_100),
)


def _common(*, sizes: tuple[str, ...] | None, qualities: tuple[str, ...], transparent: bool):
    return (
        Param("size", "auto", sizes),
        Param("n", 1, min=1, max=10),
        Param("quality", "auto", qualities),
        Param(
            "background",
            "auto",
            ("auto", "opaque", "transparent") if transparent else ("auto", "opaque"),
        ),
        Param("output_format", "png", ("png", "jpeg", "webp")),
        Param("output_compression", 100, min=0, max=100),
        Param("moderation", "auto", ("auto", "low"), types=(IMAGE_GENERATOR,)),
    )


def gpt_image_1(model_id: str, *, fidelity: bool = True, mini: bool = False, **life) -> ModelSpec:
    """The gpt-image-1 family: three fixed sizes, quality up to high, input_fidelity on edits
    (not on -mini; sent only when chosen, so a plain request stays as its caller wrote it)."""
    params = _common(
        sizes=FIXED_SIZES, qualities=("auto", "low", "medium", "high"), transparent=True
    )
    if fidelity:
        params += (Param("input_fidelity", None, ("low", "high"), types=_EDITS),)
    return ModelSpec(
        model_id,
        _ALL,
        params,
        max_images=16,
        max_prompt=MAX_PROMPT,
        prices=_MINI_PRICES if mini else _FULL_PRICES,
        **life,
    )


def gpt_image_2(model_id: str, label: str = "", **life) -> ModelSpec:
    """gpt-image-2: any WxH, quality up to high, no transparent background (a preview there),
    no input_fidelity (fixed high; sending it errors)."""
    params = _common(sizes=None, qualities=("auto", "low", "medium", "high"), transparent=False)
    return _free(model_id, label, params, _FULL_PRICES, **life)


def gpt_image_2_5(model_id: str, label: str = "", *, complexity: bool = False, **life):
    """2.5 and 2.6: quality up to xhigh and max, transparent background; 2.6 adds complexity."""
    params = _common(
        sizes=None,
        qualities=("auto", "low", "medium", "high", "xhigh", "max"),
        transparent=True,
    )
    if complexity:
        params += (Param("complexity", "high", ("low", "medium", "high")),)
    prices = _FLARE_PRICES if model_id.endswith("flare") else _NEW_PRICES
    return _free(model_id, label, params, prices, **life)


def _free(model_id, label, params, prices, **life) -> ModelSpec:
    return ModelSpec(
        model_id,
        _ALL,
        params,
        label=label,
        max_side=3840,
        free_size=True,
        max_images=16,
        max_prompt=MAX_PROMPT,
        prices=prices,
        **life,
    )


def family_for(model_id: str) -> ModelSpec:
    """The parameter family that fits a model name (for models a provider lists but we do
    not seed): gpt-image-2.6*, 2.5*, 2*, -mini, else the gpt-image-1 family most proxies copy."""
    name = model_id.lower()
    if "gpt-image-2.6" in name:
        return gpt_image_2_5(model_id, complexity=True)
    if "gpt-image-2.5" in name:
        return gpt_image_2_5(model_id)
    if "gpt-image-2" in name:
        return gpt_image_2(model_id)
    if "mini" in name:
        return gpt_image_1(model_id, fidelity=False, mini=True)
    return gpt_image_1(model_id)


def _ends(day: str, status: str = DEPRECATED, replacement: str = "gpt-image-2.5-sunburst"):
    return {"status": status, "shutdown_date": date.fromisoformat(day), "replacement": replacement}


SEEDED = (
    gpt_image_2_5("gpt-image-2.6-sunburst", "GPT Image 2.6 Sunburst", complexity=True),
    gpt_image_2_5("gpt-image-2.6-flare", "GPT Image 2.6 Flare", complexity=True),
    gpt_image_2_5("gpt-image-2.5-sunburst", "GPT Image 2.5 Sunburst"),
    gpt_image_2_5("gpt-image-2.5-flare", "GPT Image 2.5 Flare"),
    gpt_image_2(
        "gpt-image-2", "GPT Image 2", **_ends("2027-02-10", DEPRECATED, "gpt-image-2.6-sunburst")
    ),
    gpt_image_1("gpt-image-1.5", **_ends("2026-12-01")),
    gpt_image_1(
        "gpt-image-1-mini",
        fidelity=False,
        mini=True,
        **_ends("2026-12-01", replacement="gpt-image-2.5-flare"),
    ),
    gpt_image_1("chatgpt-image-latest", **_ends("2026-12-01")),
    gpt_image_1("gpt-image-1", **_ends("2026-10-23", RETIRED)),
)
assert all(m.status in (CURRENT, DEPRECATED, RETIRED) for m in SEEDED)
