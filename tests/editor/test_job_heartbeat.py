"""A job waiting minutes on its provider keeps its heartbeat fresh, so the reaper leaves it be."""

import threading
import time

import pytest

from editor import services
from editor.services.job import reap_stale_records
from gallery.models import Record
from tests.editor.test_jobs_e2e import mask_png, source_png
from tests.fakes.openai_server import OpenAIServer


class SlowOpenAI(OpenAIServer):
    latency = 3.5

    def handle(self, request):
        if request.path.startswith("/v1/images"):
            time.sleep(self.latency)
        return super().handle(request)


@pytest.mark.django_db(transaction=True)
def test_a_long_provider_call_keeps_the_heartbeat_fresh(alice_membership, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOB_STALE_SECONDS = 4  # heartbeat every second; stale after four
    with SlowOpenAI() as srv:
        settings.OPENAI_BASE_URL = srv.base_url
        settings.OPENAI_API_KEY = srv.api_key
        source = services.upload_image(alice_membership, source_png(), "photo.png")
        record = services.start_edit(
            alice_membership,
            type="IMAGE_INPAINTER",
            provider="openai",
            model="gpt-image-2.5-sunburst",
            prompt="a red balloon",
            params={},
            source=source,
            mask=mask_png(),
        )
        job = threading.Thread(target=services.run_edit, args=[str(record.code)])
        job.start()
        beats = set()
        while job.is_alive():
            beat = Record.objects.filter(pk=record.pk).values_list("heartbeat", flat=True)[0]
            beats.add(beat)
            # The reaper running in the middle of the call must not take the job away.
            assert reap_stale_records() == (0, 0)
            time.sleep(0.3)
        job.join()

    record.refresh_from_db()
    assert record.status == Record.Status.SUCCESS
    # Claimed, then at least two beats during the 3.5 s call (one a second).
    assert len({b for b in beats if b is not None}) >= 3
