"""Model discovery: read a provider's own model list and lay it over the seeded catalogue.

Pure (no Django). `parse_model_list` reads OpenAI's `GET /models` answer (also what compatible
proxies send); `merge_listing` decides what is offered:
- at the provider itself (`official`): the seeded models, with the shutdown dates the list
  carries, plus any new model the list names whose name fits the filter;
- at a proxy: exactly the listed models that fit the filter, each with the parameter family its
  name fits (a seeded model keeps its declaration but not OpenAI's retirement: the proxy lists
  it, so the proxy serves it);
- no list (never read, or the proxy has no /models): the seeded models as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .spec import CURRENT, DEPRECATED, ModelSpec

IMAGE_MODELS, ALL_MODELS = "image", "all"


@dataclass(frozen=True)
class ListedModel:
    id: str
    shutdown_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "shutdown_date": _iso(self.shutdown_date)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListedModel:
        return cls(str(data["id"]), _day(data.get("shutdown_date")))


def parse_model_list(body: Any) -> list[ListedModel]:
    """The models in `{"data": [{"id", "shutdown_date"?}, ...]}`; ValueError when the body is
    not that shape. shutdown_date may be a date, an ISO timestamp or Unix seconds."""
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise ValueError("the answer has no 'data' list of models")
    out: list[ListedModel] = []
    for item in items:
        model_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(model_id, str) and model_id.strip():
            out.append(ListedModel(model_id.strip(), _day(item.get("shutdown_date"))))
    return out


def wanted(model_id: str, which: str) -> bool:
    """Whether a listed model is offered: names containing "image", or every model."""
    return which == ALL_MODELS or "image" in model_id.lower()


def merge_listing(
    seeded: Iterable[ModelSpec],
    listed: list[ListedModel] | None,
    *,
    official: bool,
    which: str,
    fit: Callable[[str], ModelSpec],
) -> tuple[ModelSpec, ...]:
    seeded = tuple(seeded)
    if listed is None:
        return seeded
    by_id = {m.id: m for m in listed}
    known = {m.id for m in seeded}
    new = sorted(
        (m for m in listed if m.id not in known and wanted(m.id, which)),
        key=lambda m: m.id,
        reverse=True,  # newest names first: gpt-image-2 before gpt-image-1
    )
    if official:
        kept = tuple(_dated(spec, by_id.get(spec.id)) for spec in seeded)
    else:
        kept = tuple(
            spec.with_life(*_proxy_life(by_id[spec.id])) for spec in seeded if spec.id in by_id
        )
    return kept + tuple(_dated(fit(m.id), m) for m in new)


def _dated(spec: ModelSpec, listed: ListedModel | None) -> ModelSpec:
    """A model the provider lists with a shutdown date is deprecated until then."""
    if listed is None or listed.shutdown_date is None:
        return spec
    status = DEPRECATED if spec.status == CURRENT else spec.status
    return spec.with_life(status, listed.shutdown_date, spec.replacement)


def _proxy_life(listed: ListedModel) -> tuple[str, date | None, str]:
    if listed.shutdown_date is None:
        return CURRENT, None, ""
    return DEPRECATED, listed.shutdown_date, ""


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).date()
    try:
        text = str(value).strip()
        return (
            datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            if "T" in text
            else date.fromisoformat(text)
        )
    except ValueError:
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
