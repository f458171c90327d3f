"""Submitting edits: validation before anything is written, credits, grouping, re-runs."""

import io

import numpy as np
import pytest
from PIL import Image

from accounts.models import CreditEntry
from editor import services
from gallery.models import Asset, Record


def mask_png(w: int = 64, h: int = 48) -> bytes:
    m = np.zeros((h, w), dtype=np.uint8)
    m[10:20, 10:30] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def source(alice_membership, make_png):
    return services.upload_image(alice_membership, make_png(64, 48), "photo.png")


def test_upload_keeps_a_plain_png_and_normalises_a_palette_one(alice_membership, make_png):
    plain = make_png(64, 48)
    kept = services.upload_image(alice_membership, plain, "a.png")
    buf = io.BytesIO()
    Image.new("P", (10, 8)).save(buf, "PNG")
    converted = services.upload_image(alice_membership, buf.getvalue(), "p.png")

    assert kept.file.open("rb").read() == plain
    assert (kept.kind, kept.width, kept.height) == (Asset.Kind.UPLOAD, 64, 48)
    assert Image.open(converted.file.open("rb")).mode == "RGB"


def test_upload_rejects_a_gif(alice_membership):
    with pytest.raises(services.EditRejected) as exc:
        services.upload_image(alice_membership, b"GIF89a" + b"\0" * 20, "x.gif")

    assert exc.value.field == "asset"
    assert Asset.objects.count() == 0


def test_send_to_several_providers_groups_the_records(alice_membership, source, settings):
    settings.OPENAI_API_KEY = "k"
    records = services.start_edits_on_providers(
        alice_membership,
        [("local", "telea"), ("openai", "gpt-image-2.5-sunburst")],
        type="IMAGE_INPAINTER",
        prompt="a boat",
        params={},
        source=source,
        mask=mask_png(),
    )

    assert [r.provider for r in records] == ["local", "openai"]
    assert len({r.group for r in records}) == 1 and records[0].group is not None
    w, h = map(int, records[1].prompt_object["size"].split("x"))  # the price scales with pixels
    assert alice_membership.used_credit == records[1].cost == round(4_200 * w * h / 1024**2)


def test_one_invalid_target_creates_none(alice_membership, source):
    with pytest.raises(services.EditRejected) as exc:
        services.start_edits_on_providers(
            alice_membership,
            [("local", "telea"), ("openai", "gpt-image-2.5-sunburst")],  # no OpenAI key
            type="IMAGE_INPAINTER",
            prompt="a boat",
            params={},
            source=source,
            mask=mask_png(),
        )

    assert exc.value.field == "provider"
    assert (Record.objects.count(), CreditEntry.objects.count()) == (0, 0)


def test_group_over_the_credit_limit_reserves_nothing(alice_membership, source, settings):
    settings.OPENAI_API_KEY = "k"
    alice_membership.credit_limit = 3_000  # enough for either edit, not for both
    alice_membership.save()

    with pytest.raises(services.EditRejected) as exc:
        services.start_edits_on_providers(
            alice_membership,
            [("openai", "gpt-image-2.5-sunburst"), ("openai", "gpt-image-2.5-flare")],
            type="IMAGE_EDITOR",
            prompt="a boat",
            params={},
            source=source,
        )

    alice_membership.refresh_from_db()
    assert exc.value.field == "credits"
    assert (Record.objects.count(), alice_membership.used_credit) == (0, 0)


def test_someone_elses_image_is_rejected(charlie_membership, source):
    with pytest.raises(services.EditRejected) as exc:
        services.start_edit(
            charlie_membership,
            type="IMAGE_INPAINTER",
            provider="local",
            model="telea",
            prompt="",
            params={},
            source=source,
            mask=mask_png(),
        )

    assert exc.value.field == "image"


def test_rerun_makes_a_new_record_with_the_same_parameters(
    alice_membership, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.start_edit(
            alice_membership,
            type="IMAGE_INPAINTER",
            provider="local",
            model="navier-stokes",
            prompt="",
            params={"radius": 7},
            source=source,
            mask=mask_png(),
            mask_options={"grow": 2},
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rerun(alice_membership, first)

    again.refresh_from_db()
    assert again.pk != first.pk
    assert (again.model, again.prompt_object["radius"], again.options["grow"]) == (
        "navier-stokes",
        7,
        2,
    )
    assert (again.source_id, again.status) == (source.pk, "SUCCESS")


@pytest.mark.django_db
def test_estimate_cost_counts_images(settings):
    assert (
        services.estimate_cost("openai", "gpt-image-2.5-sunburst", {"quality": "high", "n": 3})
        == 50_100
    )
    assert services.estimate_cost("local", "telea", {}) == 0
