"""What an edit really cost and which calls made it, end to end through the loopback servers:
usage and billed cost become the actual cost that is charged, every call's request id is kept
(and quoted in failures), and results that never arrive are named and not charged."""

import json

import pytest
from django.urls import reverse

from accounts.models import CreditEntry
from accounts.services import create_api_token, set_member_role
from editor import services
from gallery.models import Record
from tests.editor.test_jobs_e2e import mask_png, source_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(alice_membership, django_capture_on_commit_callbacks):
    source = services.upload_image(alice_membership, source_png(), "photo.png")

    def submit(provider: str, model: str, **kwargs) -> Record:
        edit = {"type": "IMAGE_INPAINTER", "prompt": "a red balloon", "params": {}}
        edit |= {"source": source, "mask": mask_png()} | kwargs
        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(alice_membership, provider=provider, model=model, **edit)
        record.refresh_from_db()
        alice_membership.refresh_from_db()
        return record

    return submit


def ai_record(client, membership, record) -> dict:
    token = create_api_token(membership, "script")[1]
    response = client.get(f"/api/features/{record.code}", headers={"API-KEY": token})
    return response.json()["aiRecord"]


def settled(record) -> int:
    entries = CreditEntry.objects.filter(reference=str(record.code))
    return sum(e.amount for e in entries)


def test_openai_usage_becomes_the_actual_cost_shown_beside_the_estimate(
    run, openai, client, alice_client, alice_membership
):
    record = run("openai", "gpt-image-2.5-sunburst", params={"size": "1024x1024"})

    assert (record.cost, record.actual_cost) == (4_200, 4_269)
    assert alice_membership.used_credit == settled(record) == 4_269
    assert ai_record(client, alice_membership, record)["cost"] == {
        "estimate": 4_200,
        "actual": 4_269,
    }
    html = alice_client.get(reverse("gallery:detail", args=[record.code])).content.decode()
    assert "4,200 credits" in html and "4,269 credits" in html


def test_segmind_billed_cost_becomes_the_actual_cost(run, segmind, alice_membership):
    segmind.v2_slugs = set()  # v1 reports x-cost
    record = run("segmind", "gpt-image-1-edit")

    assert record.actual_cost == 14_000  # 0.14 USD at 100,000 credits per USD
    assert alice_membership.used_credit == 14_000


def test_every_calls_request_id_is_stored_and_shown_to_admins_only(
    run, segmind, alice_client, alice_membership
):
    record = run("segmind", "gpt-image-1-edit")

    [request_id] = list(segmind.jobs)
    assert request_id in record.request_ids
    page = reverse("gallery:detail", args=[record.code])
    html = alice_client.get(page).content.decode()
    assert f"<code>{request_id}</code>" in html.split("data-request-ids")[1]
    set_member_role(alice_membership, "MEMBER")  # the same person, no longer a team admin
    member_view = alice_client.get(page).content.decode()
    assert record.model in member_view and "data-request-ids" not in member_view


def test_a_failure_names_the_request_id_to_quote(run, segmind, alice_membership):
    segmind.job_fails_next("content policy")
    record = run("segmind", "gpt-image-1-edit")

    [request_id] = list(segmind.jobs)
    assert record.status == "FAILED"
    assert (
        record.error
        == f"Segmind could not make the image: content policy (request id {request_id})"
    )
    assert request_id in record.request_ids
    assert alice_membership.used_credit == 0


def test_openai_failures_carry_the_request_id_once(run, openai):
    openai.moderation_blocked_next()
    record = run("openai", "gpt-image-2.5-sunburst")

    assert record.error.count("req_mod") == 1
    assert record.request_ids == ["req_mod"]


def test_a_onemin_job_with_one_unfetchable_result_of_three_keeps_two_and_charges_for_two(
    run, onemin, client, alice_client, alice_membership
):
    onemin.cdn_refuses = {3}
    record = run("onemin", "gpt-image-1", params={"n": 3})

    assert (record.status, record.images.count()) == ("SUCCESS", 2)
    key = next(iter(onemin.records.values()))["aiRecordDetail"]["resultObject"][2]
    [missing] = record.missing_results
    assert missing.startswith(f"result 3 ({key}): ") and "HTTP 403" in missing
    assert record.actual_cost == round(record.cost * 2 / 3)
    assert alice_membership.used_credit == settled(record) == record.actual_cost
    data = ai_record(client, alice_membership, record)
    assert (len(data["resultUrls"]), data["missingResults"]) == (2, [missing])
    html = alice_client.get(reverse("gallery:detail", args=[record.code])).content.decode()
    assert "Results not delivered" in html and key in html


def test_the_api_shows_cost_as_estimate_and_actual(client, alice_membership, run, onemin):
    record = run("onemin", "gpt-image-1")

    data = ai_record(client, alice_membership, record)
    assert data["cost"] == {"estimate": record.cost, "actual": None}  # 1min.ai reports no cost
    assert json.dumps(data)  # plain JSON
