"""Submitting writes files first, then credits and the record in one short transaction: no
storage I/O while a member's credit row is locked, and no file left behind by a refused edit."""

import io

import numpy as np
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from PIL import Image

from editor import services
from gallery.models import Asset, Record

writes_in_transaction: list[tuple[str, bool]] = []


class TransactionNotingStorage(FileSystemStorage):
    """Local files that note, for every file written, whether a transaction was open."""

    def _save(self, name, content):
        writes_in_transaction.append((name, connection.in_atomic_block))
        return super()._save(name, content)


def mask_png(w: int = 64, h: int = 48) -> bytes:
    m = np.zeros((h, w), dtype=np.uint8)
    m[10:20, 10:30] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def stored_files(folder: str = "") -> set[str]:
    dirs, files = default_storage.listdir(folder) if default_storage.exists(folder) else ([], [])
    names = {f"{folder}/{name}".lstrip("/") for name in files}
    for sub in dirs:
        names |= stored_files(f"{folder}/{sub}".lstrip("/"))
    return names


def inpaint(membership, source, **kwargs):
    return services.start_edit(
        membership,
        type="IMAGE_INPAINTER",
        provider=kwargs.pop("provider", "openai"),
        model=kwargs.pop("model", "gpt-image-2.5-sunburst"),
        prompt="a boat",
        params={},
        source=source,
        mask=mask_png(),
        **kwargs,
    )


@pytest.fixture
def source(alice_membership, make_png, settings):
    settings.OPENAI_API_KEY = "k"
    return services.upload_image(alice_membership, make_png(64, 48), "photo.png")


def test_the_mask_file_exists_once_its_record_does(alice_membership, source):
    before = stored_files()

    record = inpaint(alice_membership, source)

    mask = Asset.objects.get(kind=Asset.Kind.MASK)
    assert record.mask == mask
    assert record.prompt_object["maskUrl"] == mask.path
    assert stored_files() - before == {mask.file.name}


def test_a_refused_reservation_leaves_no_file_and_no_row(alice_membership, source):
    alice_membership.credit_limit = 1_000  # the edit costs 4,200
    alice_membership.save()
    before = stored_files()

    with pytest.raises(services.EditRejected) as exc:
        inpaint(alice_membership, source)

    assert exc.value.field == "credits"
    assert stored_files() == before
    assert (Record.objects.count(), Asset.objects.filter(kind=Asset.Kind.MASK).count()) == (0, 0)


def test_a_group_refused_half_way_leaves_none_of_its_masks(alice_membership, source):
    alice_membership.credit_limit = 5_000  # room for the first edit, not both
    alice_membership.save()
    before = stored_files()

    with pytest.raises(services.EditRejected):
        services.start_edits_on_providers(
            alice_membership,
            [("openai", "gpt-image-2.5-sunburst"), ("openai", "gpt-image-2.6-sunburst")],
            type="IMAGE_INPAINTER",
            prompt="a boat",
            params={},
            source=source,
            mask=mask_png(),
        )

    assert stored_files() == before
    assert Asset.objects.filter(kind=Asset.Kind.MASK).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_mask_is_written_before_the_credit_transaction_opens(alice_membership, settings):
    settings.OPENAI_API_KEY = "k"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.TransactionNotingStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
    }
    source = services.upload_image(alice_membership, mask_png(), "photo.png")
    writes_in_transaction.clear()

    record = inpaint(alice_membership, source)

    assert writes_in_transaction == [(record.mask.file.name, False)]
