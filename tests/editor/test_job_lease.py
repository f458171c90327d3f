"""Only the run that owns a record may finish it: when the reaper has handed a record to another
worker (a stalled machine, a paused VM), the first run's late results are dropped, its files
deleted, and nothing is charged twice."""

import pytest
from django.db.models import F

from accounts.models import CreditEntry
from editor import services
from gallery.models import Asset, Record
from tests.editor.test_jobs_e2e import mask_png, source_png
from tests.fakes.openai_server import OpenAIServer

pytestmark = pytest.mark.django_db(transaction=True)


class HandedOverMidCall(OpenAIServer):
    """While the edit is upstream, the record is re-claimed by another attempt."""

    def handle(self, request):
        Record.objects.filter(status=Record.Status.RUNNING).update(attempts=F("attempts") + 1)
        return super().handle(request)


def test_a_superseded_run_writes_nothing_and_charges_nothing(alice_membership, settings):
    with HandedOverMidCall() as provider:
        settings.OPENAI_BASE_URL = provider.base_url
        settings.OPENAI_API_KEY = provider.api_key
        source = services.upload_image(alice_membership, source_png(), "photo.png")
        record = services.start_edit(
            alice_membership,
            provider="openai",
            model="gpt-image-2.5-sunburst",
            type="IMAGE_INPAINTER",
            prompt="a red balloon",
            params={},
            source=source,
            mask=mask_png(),
        )

    record.refresh_from_db()
    assert len(provider.requests_to("/v1/images/edits")) == 1
    assert record.status == Record.Status.RUNNING  # still the other attempt's to finish
    assert record.images.count() == 0
    assert not Asset.objects.filter(kind__in=["RESULT", "RAW", "THUMBNAIL", "DRIFT"]).exists()
    kinds = list(CreditEntry.objects.values_list("kind", flat=True))
    assert kinds == ["RESERVE"]  # neither settled nor refunded by the run that lost the record


def test_the_owning_run_still_finishes(alice_membership, openai):
    source = services.upload_image(alice_membership, source_png(), "photo.png")
    record = services.start_edit(
        alice_membership,
        provider="openai",
        model="gpt-image-2.5-sunburst",
        type="IMAGE_INPAINTER",
        prompt="a red balloon",
        params={},
        source=source,
        mask=mask_png(),
    )

    record.refresh_from_db()
    assert record.status == Record.Status.SUCCESS
    assert record.images.count() == 1
    assert sorted(CreditEntry.objects.values_list("kind", flat=True)) == ["RESERVE", "SETTLE"]
