"""What a provider's catalogue says about a model: record types, parameters, limits, life, prices.

Pure data (no Django): adapters seed it, admins extend it with JSON (`ModelSpec.from_dict`), the
catalogue overlays what a provider's own model list says (editor.providers.discovery).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

IMAGE_GENERATOR = "IMAGE_GENERATOR"
IMAGE_EDITOR = "IMAGE_EDITOR"
IMAGE_INPAINTER = "IMAGE_INPAINTER"
IMAGE_VARIATOR = "IMAGE_VARIATOR"  # variations of an image, as 1min.ai's feature of that name
RECORD_TYPES = (IMAGE_GENERATOR, IMAGE_EDITOR, IMAGE_INPAINTER, IMAGE_VARIATOR)

# A model's life: offered; offered with a warning until its shutdown date; refused.
CURRENT, DEPRECATED, RETIRED = "current", "deprecated", "retired"
LIFE = (CURRENT, DEPRECATED, RETIRED)
DEFAULT_MAX_PROMPT = 4000
ONE_MEGAPIXEL = 1024 * 1024  # prices are per image of this many pixels
_SIZE = re.compile(r"^(\d+)x(\d+)$")


@dataclass(frozen=True)
class Param:
    """One request parameter a model accepts, with its allowed values and default."""

    name: str
    default: Any = None
    choices: tuple[Any, ...] | None = None
    min: int | None = None
    max: int | None = None
    label: str = ""
    # Record types this parameter applies to; None = every type the model serves.
    types: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "default": self.default}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.label:
            out["label"] = self.label
        if self.types is not None:
            out["types"] = list(self.types)
        return out

    def applies_to(self, record_type: str) -> bool:
        return self.types is None or record_type in self.types

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Param:
        """Build a Param from admin JSON; unknown keys are an error (they are usually typos)."""
        _check_keys(data, {"name", "default", "choices", "min", "max", "label", "types"}, "param")
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("A param needs a non-empty string 'name'.")
        choices = data.get("choices")
        if choices is not None and not isinstance(choices, list | tuple):
            raise ValueError(f"Param {name!r}: 'choices' must be a list.")
        for bound in ("min", "max"):
            if data.get(bound) is not None and not isinstance(data[bound], int | float):
                raise ValueError(f"Param {name!r}: {bound!r} must be a number.")
        types = data.get("types")
        return cls(
            name=name,
            default=data.get("default"),
            choices=tuple(choices) if choices is not None else None,
            min=data.get("min"),
            max=data.get("max"),
            label=str(data.get("label") or ""),
            types=_record_types(types, f"param {name!r}") if types is not None else None,
        )


def _check_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"Each {what} must be a JSON object.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"Unknown {what} field(s): {', '.join(unknown)}.")


def _record_types(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{what}: 'types' must be a list of record types.")
    types = tuple(value)
    bad = [t for t in types if t not in RECORD_TYPES]
    if bad or not types:
        raise ValueError(
            f"{what}: 'types' must be a non-empty subset of {', '.join(RECORD_TYPES)}."
        )
    return types


@dataclass(frozen=True)
class ModelSpec:
    """A model a provider serves: which record types, which parameters, which limits."""

    id: str
    types: tuple[str, ...]
    params: tuple[Param, ...] = ()
    label: str = ""
    max_side: int = 4096
    free_size: bool = False  # accepts any WxH (multiple of 16) instead of the three fixed sizes
    inverse_mask: bool = False  # the provider reads white = keep, black = edit (1min.ai Ideogram)
    max_images: int = 1  # how many input images an edit may carry (the first is the source)
    max_prompt: int = DEFAULT_MAX_PROMPT  # characters
    status: str = CURRENT
    shutdown_date: date | None = None
    replacement: str = ""  # the model the provider names instead
    # Credits per image of one megapixel, by quality ("*" for any); scaled by the output's pixels.
    prices: tuple[tuple[str, int], ...] = ()

    def runs_as(self, record_type: str) -> str | None:
        """The record type sent upstream for `record_type`: itself where the model serves it;
        IMAGE_VARIATOR as an IMAGE_EDITOR (with a variation prompt) where the model edits but
        makes no variations of its own; None where it serves neither."""
        if record_type in self.types:
            return record_type
        if record_type == IMAGE_VARIATOR and IMAGE_EDITOR in self.types:
            return IMAGE_EDITOR
        return None

    def serves(self, record_type: str) -> bool:
        return self.runs_as(record_type) is not None

    # --- life ---------------------------------------------------------------------------------

    def life(self, today: date) -> str:
        """The status as of `today`: a model whose shutdown date has come is retired."""
        if self.status == RETIRED or (
            self.shutdown_date is not None and today >= self.shutdown_date
        ):
            return RETIRED
        return self.status

    def life_words(self, today: date) -> str:
        """What a user reads about a deprecated or retired model ('' for a current one)."""
        instead = f"; use {self.replacement} instead" if self.replacement else ""
        life = self.life(today)
        if life == RETIRED:
            when = f" on {self.shutdown_date.isoformat()}" if self.shutdown_date else ""
            return f"{self.id} was shut down{when}{instead}."
        if life == DEPRECATED:
            when = f" on {self.shutdown_date.isoformat()}" if self.shutdown_date else " soon"
            return f"{self.id} is deprecated and shuts down{when}{instead}."
        return ""

    def with_life(
        self, status: str, shutdown_date: date | None, replacement: str = ""
    ) -> ModelSpec:
        return dataclasses.replace(
            self, status=status, shutdown_date=shutdown_date, replacement=replacement
        )

    # --- price --------------------------------------------------------------------------------

    def credits_per_image(self, quality: str, size: str) -> int | None:
        """The default price of one image at `quality` and `size` (None when the model has no
        price for that quality): the one-megapixel price scaled by the output's pixel count."""
        table = dict(self.prices)
        price = table.get(quality or "auto", table.get("*"))
        if price is None:
            return None
        match = _SIZE.match(str(size or ""))
        pixels = int(match[1]) * int(match[2]) if match else ONE_MEGAPIXEL
        return round(price * pixels / ONE_MEGAPIXEL)

    def param(self, name: str, record_type: str | None = None) -> Param | None:
        return next(
            (
                p
                for p in self.params
                if p.name == name and (record_type is None or p.applies_to(record_type))
            ),
            None,
        )

    def params_for(self, record_type: str) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.applies_to(record_type))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label or self.id,
            "types": list(self.types),
            "params": [p.as_dict() for p in self.params],
            "max_side": self.max_side,
            "free_size": self.free_size,
            "max_images": self.max_images,
            "max_prompt": self.max_prompt,
            "status": self.status,
            "shutdown_date": self.shutdown_date.isoformat() if self.shutdown_date else None,
            "replacement": self.replacement,
            "prices": dict(self.prices),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSpec:
        """Build a ModelSpec from admin JSON (see editor.providers.catalogue_from_spec)."""
        allowed = {"id", "types", "params", "label", "max_side", "free_size", "inverse_mask"}
        allowed |= {"max_images", "max_prompt", "status", "shutdown_date", "replacement", "prices"}
        _check_keys(data, allowed, "model")
        model_id = data.get("id")
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError("A model needs a non-empty string 'id'.")
        params = data.get("params") or []
        if not isinstance(params, list):
            raise ValueError(f"Model {model_id!r}: 'params' must be a list.")
        spec = cls(
            id=model_id.strip(),
            types=_record_types(data.get("types"), f"model {model_id!r}"),
            params=tuple(Param.from_dict(p) for p in params),
            label=str(data.get("label") or ""),
            max_side=int(data.get("max_side", 4096)),
            free_size=bool(data.get("free_size", False)),
            inverse_mask=bool(data.get("inverse_mask", False)),
            max_images=int(data.get("max_images", 1)),
            max_prompt=int(data.get("max_prompt", DEFAULT_MAX_PROMPT)),
            status=_status(data.get("status", CURRENT), model_id),
            shutdown_date=_date(data.get("shutdown_date"), model_id),
            replacement=str(data.get("replacement") or ""),
            prices=_prices(data.get("prices"), model_id),
        )
        for record_type in spec.types:
            names = [p.name for p in spec.params_for(record_type)]
            if len(names) != len(set(names)):
                raise ValueError(
                    f"Model {model_id!r}: a param name appears twice for {record_type}."
                )
        return spec


def _status(value: Any, model_id: str) -> str:
    if value not in LIFE:
        raise ValueError(f"Model {model_id!r}: 'status' must be one of {', '.join(LIFE)}.")
    return value


def _date(value: Any, model_id: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"Model {model_id!r}: 'shutdown_date' must be YYYY-MM-DD.") from None


def _prices(value: Any, model_id: str) -> tuple[tuple[str, int], ...]:
    if value in (None, {}):
        return ()
    if not isinstance(value, Mapping) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()
    ):
        raise ValueError(
            f"Model {model_id!r}: 'prices' maps each quality to whole credits, "
            'e.g. {"low": 1100, "high": 16700}.'
        )
    return tuple((str(k), int(v)) for k, v in value.items())
