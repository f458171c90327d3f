"""1min.ai's async protocol: `"async": true` answers at once, GET /api/results/<uuid> answers
PROCESSING, SUCCESS or FAILURE; GET /api/features/<uuid> keeps our statuses. A synchronous call
that outlives API_WAIT_SECONDS answers the same form.

The job queue is the dummy backend here, so the record waits until the test runs its job with
the worker's own entry point (editor.services.run_edit) against the loopback 1min.ai server."""

import threading
import time

import pytest

from editor.services import run_edit
from gallery.models import Record

pytestmark = pytest.mark.django_db(transaction=True)

GENERATE = {
    "type": "IMAGE_GENERATOR",
    "model": "gpt-image-1",
    "promptObject": {"prompt": "a lighthouse at dusk", "n": 2},
}


@pytest.fixture
def queued(settings):
    """Jobs are enqueued but not run until the test runs them."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_async_in_the_body_answers_at_once_and_polls_to_success(api, onemin, queued):
    response = api("post", "/api/features", json_body={**GENERATE, "async": True})

    assert response.status_code == 200  # 1min.ai's clients check for 200
    record = response.json()["aiRecord"]
    assert (record["status"], record["aiRecordDetail"]["resultObject"]) == ("PROCESSING", [])
    assert onemin.requests == []
    polled = api("get", f"/api/results/{record['uuid']}").json()["aiRecord"]
    assert polled["status"] == "PROCESSING"
    assert api("get", f"/api/features/{record['uuid']}").json()["aiRecord"]["status"] == "PENDING"

    run_edit(record["uuid"])

    done = api("get", f"/api/results/{record['uuid']}")
    assert done.status_code == 200
    assert done.json()["aiRecord"]["status"] == "SUCCESS"
    assert len(done.json()["aiRecord"]["aiRecordDetail"]["resultObject"]) == 2
    assert api("get", f"/api/features/{record['uuid']}").json()["aiRecord"]["status"] == "SUCCESS"


def test_a_failed_job_polls_as_failure_with_the_reason(api, onemin, queued):
    record = api("post", "/api/features", json_body={**GENERATE, "async": True}).json()["aiRecord"]
    onemin.failure_status_next("content policy")

    run_edit(record["uuid"])

    polled = api("get", f"/api/results/{record['uuid']}").json()["aiRecord"]
    assert polled["status"] == "FAILURE"
    assert "content policy" in polled["error"]
    assert api("get", f"/api/features/{record['uuid']}").json()["aiRecord"]["status"] == "FAILED"


def test_async_false_waits_as_before(api, onemin):
    response = api("post", "/api/features", json_body={**GENERATE, "async": False})

    assert (response.status_code, response.json()["aiRecord"]["status"]) == (200, "SUCCESS")


def test_a_synchronous_call_that_outlives_the_wait_answers_the_polling_form(
    api, onemin, queued, settings
):
    settings.API_WAIT_SECONDS = 0.05

    response = api("post", "/api/features", json_body=GENERATE)

    assert response.status_code == 202
    record = response.json()["aiRecord"]
    assert record["status"] == "PROCESSING"
    run_edit(record["uuid"])
    assert api("get", f"/api/results/{record['uuid']}").json()["aiRecord"]["status"] == "SUCCESS"


def test_unknown_result_is_a_json_404(api):
    response = api("get", "/api/results/00000000-0000-4000-8000-000000000000")

    assert (response.status_code, response.json()["errorCode"]) == (404, "NOT_FOUND")


def test_a_waiting_call_answers_as_soon_as_the_worker_finishes(api, onemin, queued):
    """The call waits on the live feed: a job finished by the worker (here, another thread)
    is answered within a tick of the feed, not at the end of API_WAIT_SECONDS."""
    answers = []
    caller = threading.Thread(
        target=lambda: answers.append(api("post", "/api/features", json_body=GENERATE))
    )
    caller.start()
    for _ in range(200):
        record = Record.objects.first()
        if record is not None:
            break
        time.sleep(0.02)
    time.sleep(0.3)  # the call is now waiting
    run_edit(str(record.code))
    finished = time.monotonic()
    caller.join(timeout=10)
    assert not caller.is_alive()
    assert time.monotonic() - finished < 1.5
    assert (answers[0].status_code, answers[0].json()["aiRecord"]["status"]) == (200, "SUCCESS")
