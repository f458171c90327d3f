"""1min.ai's error contract on /api/*: every 4xx carries errorCode and message (and our error
object); a feature that ends FAILED is a 400 with the aiRecord; unknown paths and methods
answer JSON, never the site's HTML pages.

Edits run against the loopback 1min.ai server (tests/fakes); ImmediateBackend runs the job."""

import json

import pytest

from accounts.services import create_api_token
from gallery.models import Record
from tests.api.support import seed_body

pytestmark = pytest.mark.django_db(transaction=True)


def _generate(model: str = "gpt-image-1", **prompt) -> dict:
    prompt_object = {"prompt": "a cat", **prompt}
    return {"type": "IMAGE_GENERATOR", "model": model, "promptObject": prompt_object}


def test_a_failing_provider_is_a_400_with_error_code_and_the_record(api, onemin):
    onemin.failure_status_next("The upstream model refused the prompt")

    response = api("post", "/api/features", json_body=_generate())

    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "EXTERNAL_API_RESPONSE_WITH_ERROR"
    assert "refused the prompt" in body["message"]
    assert body["error"]["message"] == body["message"]
    assert body["aiRecord"]["status"] == "FAILED"
    assert body["aiRecord"]["aiRecordDetail"]["resultObject"] == []
    assert Record.objects.get(code=body["aiRecord"]["uuid"]).status == Record.Status.FAILED
    assert body["aiRecord"]["teamUser"]["usedCredit"] == 0  # refunded: nothing was delivered


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (_generate(model="no-such-model"), 400, "UNSUPPORTED_MODEL", "model"),
        ({"type": "VIDEO", "model": "gpt-image-1", "promptObject": {}}, 400, None, "type"),
        (_generate(n=11), 400, "INVALID_REQUEST", "n"),
        ({**_generate(), "async": "yes"}, 400, "INVALID_REQUEST", "async"),
    ],
)
def test_refusals_carry_error_code_message_and_field(api, onemin, body, status, code, field):
    response = api("post", "/api/features", json_body=body)

    data = response.json()
    assert (response.status_code, data["error"]["field"]) == (status, field)
    assert data["errorCode"] == (code or data["errorCode"]) and data["errorCode"].isupper()
    assert data["message"] == data["error"]["message"] and data["message"]
    assert onemin.requests == []


def test_out_of_credits_says_insufficient_credits(api, onemin, alice_membership):
    alice_membership.credit_limit = 10
    alice_membership.save()

    response = api("post", "/api/features", json_body=_generate())

    assert (response.status_code, response.json()["errorCode"]) == (400, "INSUFFICIENT_CREDITS")


def test_a_bad_key_is_401_with_error_code(client):
    response = client.get("/api/features", headers={"API-KEY": "nope"})

    assert (response.status_code, response.json()["errorCode"]) == (401, "UNAUTHORIZED")
    assert response.json()["error"]["field"] == "API-KEY"


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/features/not-a-uuid", "/api/features/", "/api/v1/images"]
)
def test_unknown_api_paths_answer_json_404_whatever_the_method(client, path, method):
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errorCode"] == "NOT_FOUND"


def test_a_method_a_call_does_not_take_is_json_405(api, onemin):
    code = api("post", "/api/features", json_body=json.loads(seed_body("001"))).json()["aiRecord"][
        "uuid"
    ]
    for method, path in (
        ("delete", "/api/features"),
        ("post", "/api/providers"),
        ("put", f"/api/features/{code}"),
        ("post", f"/api/results/{code}"),
        ("get", "/api/assets"),
    ):
        response = api(method, path)
        assert response.status_code == 405, (method, path)
        assert response.json()["errorCode"] == "METHOD_NOT_ALLOWED"


def test_other_users_records_are_json_404_on_every_read(api, onemin, client, charlie_membership):
    code = api("post", "/api/features", json_body=json.loads(seed_body("001"))).json()["aiRecord"][
        "uuid"
    ]
    charlie = create_api_token(charlie_membership, "x")[1]
    for path in (f"/api/features/{code}", f"/api/results/{code}"):
        response = client.get(path, headers={"API-KEY": charlie})
        assert (response.status_code, response.json()["errorCode"]) == (404, "NOT_FOUND")
