"""Edit parameters: each value checked against what the model declares, and what the edit costs.

Every check raises EditRejected (field + message). It lives here, the lowest step of a
submission, so the plan and the submit steps above can raise the same error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from accounts.services import price_for
from core.errors import UserFacingError
from core.numbers import is_number
from editor import catalogue
from editor.engine import images
from editor.providers.base import ModelSpec, Param

MAX_N = 10
MAX_MASK_OPTION_PX = 256
_SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
# Parameters whose range holds whatever the model declares (design.md "The edit job" step 1).
_FIXED_RANGES = {"n": (1, MAX_N), "output_compression": (0, 100)}
# Parameters a model does not take are recorded with the edit, not sent; a script's own notes
# fit in this much, and a record is not a place to store megabytes.
MAX_UNDECLARED_BYTES = 16 * 1024
# Keys of a record's prompt object that are inputs, not parameters for the provider.
NOT_PARAMS = frozenset({"prompt", "imageUrl", "maskUrl", "imageUrls"})


class EditRejected(UserFacingError):
    """A submission we will not run. `field` names the input, `message` says how to fix it.
    `also` holds the submission's other problems found in the same pass (a forgotten prompt
    and an empty mask), so a form can show every error at once."""

    also: tuple[EditRejected, ...] = ()


def shown(value: Any, limit: int = 60) -> str:
    """`value` as an error message quotes it: repr, cut short (a 1 MB string sent as a
    parameter is named, not echoed back whole)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...({len(text):,} characters)"


def _choice(param: Param, value: Any) -> Any:
    assert param.choices is not None
    if value in param.choices and type(value) is type(param.choices[param.choices.index(value)]):
        return value
    for choice in param.choices:
        if str(choice).lower() == str(value).strip().lower():
            return choice
    allowed = ", ".join(str(c) for c in param.choices)
    raise EditRejected(param.name, f"{param.name} must be one of {allowed}; got {shown(value)}.")


def _number(name: str, value: Any, low: float | None, high: float | None, integer: bool) -> Any:
    """`value` as a number in [low, high]; text such as "4" is accepted, true/false is not."""
    if isinstance(value, bool):
        raise EditRejected(name, f"{name} must be a number, not true/false.")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else None
        except ValueError:
            value = None
        if value is None:
            raise EditRejected(name, f"{name} must be a number.")
    if not is_number(value):
        raise EditRejected(name, f"{name} must be a number.")
    if integer:
        if float(value) != int(value):
            raise EditRejected(name, f"{name} must be a whole number.")
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise EditRejected(name, f"{name} must be between {low:g} and {high:g}; got {value:g}.")
    return value


def _free_size(spec: ModelSpec, value: str) -> str:
    match = _SIZE_RE.match(value)
    if not match:
        raise EditRejected("size", "size must be auto or WIDTHxHEIGHT, e.g. 1536x1024.")
    w, h = int(match[1]), int(match[2])
    problem = None
    if w % images.FREE_MULTIPLE or h % images.FREE_MULTIPLE:
        problem = f"both sides must be multiples of {images.FREE_MULTIPLE}"
    elif max(w, h) > min(spec.max_side, images.FREE_MAX_SIDE):
        problem = f"the longest side can be at most {min(spec.max_side, images.FREE_MAX_SIDE)}"
    elif not images.FREE_MIN_PIXELS <= w * h <= images.FREE_MAX_PIXELS:
        problem = (
            f"it must have between {images.FREE_MIN_PIXELS:,} and {images.FREE_MAX_PIXELS:,} pixels"
        )
    elif max(w / h, h / w) > images.FREE_MAX_RATIO:
        problem = f"it can be at most {images.FREE_MAX_RATIO:g} times wider than tall"
    if problem:
        raise EditRejected("size", f"{spec.id} cannot make {value}: {problem}.")
    return value


def _size(spec: ModelSpec, param: Param, value: Any, source_size: tuple[int, int] | None) -> Any:
    if not isinstance(value, str):
        raise EditRejected("size", "size must be text such as auto or 1024x1024.")
    value = value.strip().lower()
    if value == "auto":
        if param.choices is not None and "auto" in param.choices:
            return "auto"
        if source_size is None:
            return param.default
        return images.choose_size(*source_size, free=spec.free_size, max_side=spec.max_side)
    if param.choices is not None:
        return _choice(param, value)
    return _free_size(spec, value)


def clean_params(
    spec: ModelSpec, record_type: str, params: dict[str, Any], source_size: tuple[int, int] | None
) -> dict[str, Any]:
    """Check every parameter the model declares for `record_type`; others are kept as given
    (recorded, not sent). `size: auto` becomes the provider size nearest the source's shape
    for models without an `auto` choice."""
    if not isinstance(params, dict):
        raise EditRejected("params", "The parameters must be a JSON object.")
    out = {k: v for k, v in params.items() if v is not None}
    for name, (low, high) in _FIXED_RANGES.items():
        if name in out and spec.param(name, record_type) is None:
            out[name] = _number(name, out[name], low, high, integer=True)
    for param in spec.params_for(record_type):
        value = out.get(param.name)
        if value is None or value == "":
            out.pop(param.name, None)
            if param.name != "size" or param.default != "auto":
                continue
            value = "auto"
        if param.name == "size":
            out["size"] = _size(spec, param, value, source_size)
        elif param.choices is not None:
            out[param.name] = _choice(param, value)
        elif param.min is not None or param.max is not None or param.name in _FIXED_RANGES:
            low, high = _FIXED_RANGES.get(param.name, (param.min, param.max))
            low = param.min if param.min is not None and (low is None or param.min > low) else low
            high = (
                param.max if param.max is not None and (high is None or param.max < high) else high
            )
            integer = all(isinstance(x, int) for x in (param.default, param.min, param.max) if x)
            out[param.name] = _number(param.name, value, low, high, integer)
    _check_undeclared(spec, record_type, out)
    if out.get("background") == "transparent" and out.get("output_format") in ("jpeg", "jpg"):
        raise EditRejected(
            "background",
            "A transparent background needs png or webp output; jpeg has no transparency. "
            "Choose png or webp, or another background.",
        )
    return out


def clean_mask_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """The mask options a submission may set: invert, and grow/feather in whole pixels."""
    options = options or {}
    if not isinstance(options, dict):
        raise EditRejected("mask", "The mask options must be an object.")
    invert = options.get("invert", False)
    if not isinstance(invert, bool):
        raise EditRejected("invert", "invert must be true or false.")
    out: dict[str, Any] = {"invert": invert}
    for name in ("grow", "feather"):
        value = options.get(name) or 0
        out[name] = _number(name, value, 0, MAX_MASK_OPTION_PX, integer=True)
    return out


def _default(spec: ModelSpec | None, name: str, params: dict[str, Any]) -> Any:
    if name in params:
        return params[name]
    param = spec.param(name) if spec is not None else None
    return param.default if param is not None else None


def estimate_cost(provider: str, model: str, params: dict, *, team_id: int | None = None) -> int:
    """Credits this edit reserves: the price table in settings, else the model's own price
    for the quality and output size, times the number of images."""
    spec = catalogue.model_spec(provider, model, team_id)
    quality = _default(spec, "quality", params)
    size = _default(spec, "size", params)
    count = _default(spec, "n", params) or _default(spec, "num_images", params) or 1
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 1
    quality, size = str(quality or "auto"), str(size or "auto")
    default = spec.credits_per_image(quality, size) if spec is not None else None
    return price_for(provider, model, quality, size, count, default=default)


def _check_undeclared(spec: ModelSpec, record_type: str, params: dict[str, Any]) -> None:
    declared = {p.name for p in spec.params_for(record_type)} | set(_FIXED_RANGES)
    extra = {k: v for k, v in params.items() if k not in declared}
    sizes = {k: len(json.dumps({k: v}, default=str)) for k, v in extra.items()}
    if sum(sizes.values()) > MAX_UNDECLARED_BYTES:
        biggest = max(sizes, key=sizes.__getitem__)
        raise EditRejected(
            biggest,
            f"{spec.id} does not take {', '.join(sorted(extra)[:5])}: such values are only "
            f"recorded with the edit, up to {MAX_UNDECLARED_BYTES // 1024} KB in all, and these "
            f"come to {sum(sizes.values()):,} bytes. Leave them out or shorten them.",
        )
