"""Submitting edits: store the upload, check the plan, write the record and enqueue its job.

Every rejection is an EditRejected raised before anything is kept (no record, no credits
reserved, no file, no provider called). Files are written to storage before the short
transaction that reserves credits and creates the record, so no member's credit row stays
locked during an upload; when that transaction fails, the files are deleted again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.services import InsufficientCredits, reserve_credits
from editor import catalogue, tasks
from editor.engine import container, images, renditions
from editor.services.params import NOT_PARAMS
from editor.services.plan import EditRejected, Plan, plan_edit
from gallery.models import Asset, Record
from gallery.services import FileGone, read_asset, store_asset

__all__ = [
    "provider_catalogue",
    "read_asset",
    "rerun",
    "start_edit",
    "start_edits_on_providers",
    "upload_image",
]


def _max_pixels() -> int:
    return int(settings.MAX_IMAGE_MEGAPIXELS * 1_000_000)


def upload_image(membership: Membership, data: bytes, name: str) -> Asset:
    """Store an uploaded image as an UPLOAD asset: exactly one image, nothing appended or
    hidden in metadata (container.for_storage), in its own format when no quality is lost."""
    try:
        img = images.open_image(data, max_pixels=_max_pixels())
    except images.ImageError as exc:
        raise EditRejected("asset", exc.message) from exc
    payload, extension = container.for_storage(data, img)
    asset = store_asset(
        membership,
        payload,
        kind=Asset.Kind.UPLOAD,
        extension=extension,
        name=name,
        width=img.width,
        height=img.height,
        save_row=False,
    )
    if renditions.worth_a_preview(img.width, img.height, extension):
        shown = renditions.preview(img)  # made once, from the image decoded for validation
        asset.preview = store_asset(
            membership,
            shown.data,
            kind=Asset.Kind.PREVIEW,
            extension="webp",
            name=f"preview-{name}"[:255],
            width=shown.width,
            height=shown.height,
        )
    asset.save()
    return asset


# --- writing ---------------------------------------------------------------------------------


def _store_mask_file(membership: Membership, plan: Plan) -> Asset | None:
    """The plan's mask written to storage; its row is saved with the record."""
    if plan.mask_png is None:
        return None
    assert plan.mask_size is not None
    return store_asset(
        membership,
        plan.mask_png,
        kind=Asset.Kind.MASK,
        extension="png",
        name="mask.png",
        width=plan.mask_size[0],
        height=plan.mask_size[1],
        save_row=False,
    )


def _create(
    membership: Membership, plan: Plan, mask_asset: Asset | None, group: uuid.UUID | None
) -> Record:
    """Reserve credits and write the record; must run inside transaction.atomic()."""
    code = uuid.uuid4()
    try:
        reserve_credits(membership, plan.cost, reference=str(code))
    except InsufficientCredits as exc:
        raise EditRejected("credits", str(exc)) from exc
    if mask_asset is not None:
        mask_asset.save()
    prompt_object: dict[str, Any] = {"prompt": plan.prompt, **plan.params}
    if plan.source is not None:
        prompt_object["imageUrl"] = plan.source.path
    if mask_asset is not None:
        prompt_object["maskUrl"] = mask_asset.path
    if plan.extra_images:
        prompt_object["imageUrls"] = [a.path for a in plan.extra_images]
    parent = plan.parent
    record = Record.objects.create(
        code=code,
        team_id=membership.team_id,
        user_id=membership.user_id,
        membership=membership,
        type=plan.type,
        provider=plan.provider,
        model=plan.model,
        requested_model=plan.requested_model,
        prompt=plan.prompt,
        prompt_object=prompt_object,
        options=plan.options,
        source=plan.source,
        mask=mask_asset,
        parent=parent,
        conversation_id=(parent.conversation_id or parent.code) if parent else None,
        group=group,
        cost=plan.cost,
        enqueued=timezone.now(),
    )
    if plan.extra_images:
        record.extra_images.set(plan.extra_images)
    transaction.on_commit(lambda: tasks.run_edit_task.enqueue(record_code=str(code)))
    return record


def _write(membership: Membership, plans: list[Plan], group: uuid.UUID | None) -> list[Record]:
    """Files first, then one short transaction for credits and records; no file outlives a
    transaction that failed."""
    mask_files = [_store_mask_file(membership, plan) for plan in plans]
    try:
        with transaction.atomic():
            records = [
                _create(membership, plan, mask, group)
                for plan, mask in zip(plans, mask_files, strict=True)
            ]
    except BaseException:
        for mask in mask_files:
            if mask is not None:
                mask.file.delete(save=False)
        raise
    membership.refresh_from_db(fields=["used_credit"])
    return records


def start_edit(
    membership: Membership,
    *,
    group: uuid.UUID | None = None,
    requested_model: str = "",
    **submission: Any,
) -> Record:
    """Validate (plan_edit's keyword arguments), reserve credits, create the PENDING record and
    enqueue its job on commit. `requested_model`: the id the caller asked for, when an alias
    runs `model` instead."""
    if "extra_images" in submission:
        submission["extra_images"] = list(submission["extra_images"])
    plan = plan_edit(membership, **submission)
    if requested_model and requested_model != plan.model:
        plan.requested_model = requested_model
    return _write(membership, [plan], group)[0]


def start_edits_on_providers(
    membership: Membership, targets: list[tuple[str, str]], **same_kwargs: Any
) -> list[Record]:
    """One record per (provider, model), grouped; all validated and paid for, or none."""
    if not targets:
        raise EditRejected("provider", "Choose at least one provider.")
    if len(set(targets)) != len(targets):
        raise EditRejected("provider", "The same provider and model are chosen twice.")
    same_kwargs.pop("group", None)
    plans = [
        plan_edit(membership, provider=provider, model=model, **same_kwargs)
        for provider, model in targets
    ]
    return _write(membership, plans, uuid.uuid4())


def rerun(membership: Membership, record: Record) -> Record:
    """The same edit again (same source, mask, parameters and options) as a new record."""
    if record.type != Record.Type.IMAGE_GENERATOR and record.source is None:
        raise EditRejected(
            "image", "The image this edit started from was deleted, so it cannot run again."
        )
    options = dict(record.options or {})
    try:
        mask_bytes = read_asset(record.mask) if record.mask is not None else None
    except FileGone:
        raise EditRejected(
            "mask",
            "The mask this edit used is no longer stored, so it cannot run again as it was. "
            "Open the image in the editor and paint the area again.",
        ) from None
    return start_edit(
        membership,
        type=record.type,
        provider=record.provider,
        model=record.model,
        prompt=record.prompt,
        params={k: v for k, v in record.prompt_object.items() if k not in NOT_PARAMS},
        source=record.source,
        mask=mask_bytes,
        extra_images=list(record.extra_images.all()),
        mask_options={k: options[k] for k in ("invert", "grow", "feather") if k in options},
        paste_back=options.get("paste_back", True),
        parent=record.parent,
    )


def provider_catalogue(membership: Membership) -> list[dict]:
    """Providers with their models and parameters; the ones this team can use come first."""
    return catalogue.catalogue(membership.team_id)
