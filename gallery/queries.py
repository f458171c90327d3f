"""Read-side queries for the gallery pages: filtering, paging, chains, comparison and stats.

Every function takes a queryset already scoped to the caller (gallery.services.records_visible_to),
so nothing here can widen what a user may see.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from gallery.models import Record, RecordImage, ReviewTag

PAGE_SIZE = 24
CHAIN_DEPTH = 50  # a conversation longer than this is cut short on the detail page


def filter_records(records: QuerySet[Record], filters: dict[str, Any]) -> QuerySet[Record]:
    """Apply the cleaned values of a RecordFilterForm; empty values mean "any"."""
    if filters.get("type"):
        records = records.filter(type=filters["type"])
    if filters.get("provider"):
        records = records.filter(provider=filters["provider"])
    if filters.get("model"):
        records = records.filter(model=filters["model"])
    if filters.get("status"):
        records = records.filter(status=filters["status"])
    if filters.get("min_rating"):
        records = records.filter(rating__gte=filters["min_rating"])
    if filters.get("q"):
        records = records.filter(
            Q(prompt__icontains=filters["q"]) | Q(feedback__icontains=filters["q"])
        )
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = datetime.datetime.combine(filters["date_from"], datetime.time.min, tzinfo=tz)
        records = records.filter(created__gte=start)
    if filters.get("date_to"):
        end = datetime.datetime.combine(
            filters["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        records = records.filter(created__lt=end)
    if filters.get("has_feedback") == "yes":
        records = records.exclude(feedback="")
    elif filters.get("has_feedback") == "no":
        records = records.filter(feedback="")
    return records


def providers_and_models(records: QuerySet[Record]) -> tuple[set[str], set[str]]:
    """The providers and the models these records used: what a filter may ask for."""
    pairs = list(records.order_by().values_list("provider", "model").distinct())
    return {p for p, _ in pairs}, {m for _, m in pairs}


def with_cards(records: QuerySet[Record]) -> QuerySet[Record]:
    """What a grid card shows, in a constant number of queries: the record, its owner, its
    source and its first result with that result's thumbnail."""
    first = RecordImage.objects.filter(position=0).select_related("image", "thumbnail")
    return (
        records.select_related("user", "source")
        .annotate(result_count=Count("images"))
        .prefetch_related(Prefetch("images", queryset=first, to_attr="first_images"))
    )


@dataclass
class Page:
    records: list[Record]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_of(records: QuerySet[Record], number: int, size: int = PAGE_SIZE) -> Page:
    """One page, newest first, without a COUNT(*): fetch one extra row to know if more follow."""
    offset = (number - 1) * size
    rows = list(records.order_by("-created", "-id")[offset : offset + size + 1])
    return Page(records=rows[:size], number=number, has_next=len(rows) > size)


def ancestors(record: Record, visible: QuerySet[Record]) -> list[Record]:
    """What this edit was made from, oldest first (only the records the caller may see)."""
    chain: list[Record] = []
    parent_id = record.parent_id
    seen = {record.pk}
    while parent_id and parent_id not in seen and len(chain) < CHAIN_DEPTH:
        parent = visible.filter(pk=parent_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        chain.append(parent)
        parent_id = parent.parent_id
    chain.reverse()
    return chain


def descendants(record: Record, visible: QuerySet[Record]) -> list[tuple[int, Record]]:
    """What was made from this edit, as (depth, record) in tree order, one query per level."""
    levels: list[list[Record]] = []
    frontier = [record.pk]
    seen = {record.pk}
    while frontier and len(levels) < CHAIN_DEPTH:
        level = [r for r in visible.filter(parent_id__in=frontier).order_by("created", "id")]
        level = [r for r in level if r.pk not in seen]
        if not level:
            break
        seen.update(r.pk for r in level)
        levels.append(level)
        frontier = [r.pk for r in level]
    # Depth-first order so each child sits under its parent.
    by_parent: dict[int, list[Record]] = {}
    for level in levels:
        for child in level:
            by_parent.setdefault(child.parent_id, []).append(child)
    ordered: list[tuple[int, Record]] = []

    def walk(parent_id: int, depth: int) -> None:
        for child in by_parent.get(parent_id, []):
            ordered.append((depth, child))
            walk(child.pk, depth + 1)

    walk(record.pk, 1)
    return ordered


@dataclass
class ProviderGroup:
    provider: str
    model: str
    records: list[Record]


def edits_of_source(records: QuerySet[Record], asset_id: int) -> list[ProviderGroup]:
    """Every edit made from one source image, grouped by provider and model."""
    rows = records.filter(source_id=asset_id).prefetch_related(
        Prefetch("images", queryset=RecordImage.objects.select_related("image", "thumbnail"))
    )
    groups: dict[tuple[str, str], ProviderGroup] = {}
    for record in rows.order_by("provider", "model", "-created"):
        key = (record.provider, record.model)
        groups.setdefault(key, ProviderGroup(record.provider, record.model, [])).records.append(
            record
        )
    return list(groups.values())


@dataclass
class ProviderStats:
    provider: str
    model: str
    count: int
    finished: int
    failed: int
    avg_rating: float | None
    rated: int
    median_ms: int | None
    top_tags: list[tuple[str, int]] = field(default_factory=list)  # (label, count), most first

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.finished if self.finished else None

    @property
    def failure_percent(self) -> float | None:
        rate = self.failure_rate
        return None if rate is None else rate * 100

    @property
    def median_seconds(self) -> float | None:
        return None if self.median_ms is None else self.median_ms / 1000


def provider_stats(records: QuerySet[Record]) -> list[ProviderStats]:
    """Average rating, count, failure rate and median duration by provider and model.
    Counts and averages are aggregated in the database; the median is computed here."""
    done = (Record.Status.SUCCESS, Record.Status.FAILED)
    rows = (
        records.order_by()
        .values("provider", "model")
        .annotate(
            count=Count("id"),
            finished=Count("id", filter=Q(status__in=done)),
            failed=Count("id", filter=Q(status=Record.Status.FAILED)),
            avg_rating=Avg("rating"),
            rated=Count("rating"),
        )
        .order_by("provider", "model")
    )
    tags = _tag_counts(
        records.exclude(review_tags=[]).order_by().values_list("provider", "model", "review_tags")
    )
    durations = _durations(
        records.filter(status=Record.Status.SUCCESS, finished__isnull=False)
        .order_by()
        .values_list("provider", "model", "created", "finished")
    )
    return [
        ProviderStats(
            provider=row["provider"],
            model=row["model"],
            count=row["count"],
            finished=row["finished"],
            failed=row["failed"],
            avg_rating=row["avg_rating"],
            rated=row["rated"],
            median_ms=_median(durations.get((row["provider"], row["model"]), [])),
            top_tags=tags.get((row["provider"], row["model"]), Counter()).most_common(3),
        )
        for row in rows
    ]


def _tag_counts(rows: Iterable[tuple[str, str, list[str]]]) -> dict[tuple[str, str], Counter]:
    labels = dict(ReviewTag.choices)
    out: dict[tuple[str, str], Counter] = {}
    for provider, model, tags in rows:
        out.setdefault((provider, model), Counter()).update(labels.get(t, t) for t in tags or [])
    return out


def _durations(rows: Iterable[tuple[str, str, datetime.datetime, datetime.datetime]]):
    out: dict[tuple[str, str], list[float]] = {}
    for provider, model, created, finished in rows:
        out.setdefault((provider, model), []).append((finished - created).total_seconds() * 1000)
    return out


def _median(values: list[float]) -> int | None:
    return round(statistics.median(values)) if values else None
