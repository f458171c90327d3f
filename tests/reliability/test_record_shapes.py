"""Every page and API call that shows a record works for every shape a record can take: a
generated image (no source), an edit, an inpainting with a mask, a failed job, and an edit
whose source was deleted with the record that made it (issue 11, item 1 and its class)."""

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from gallery import services as gallery_services
from gallery.models import Record
from tests.gallery.factories import make_record


@pytest.fixture
def shapes(alice_membership):
    generated = make_record(
        alice_membership, type=Record.Type.IMAGE_GENERATOR, provider="openai", model="gpt-image-1"
    )
    continued = make_record(
        alice_membership,
        type=Record.Type.IMAGE_EDITOR,
        source=generated.images.get().image,
        parent=generated,
    )
    inpainted = make_record(alice_membership, mask=True)
    failed = make_record(alice_membership, status=Record.Status.FAILED, results=0)
    # Deleting the generator record deletes its result, which `orphan` used as its source.
    base = make_record(alice_membership, type=Record.Type.IMAGE_GENERATOR)
    orphan = make_record(
        alice_membership, type=Record.Type.IMAGE_EDITOR, source=base.images.get().image
    )
    gallery_services.delete_record(base)
    orphan.refresh_from_db()
    assert orphan.source is None
    return {
        "generated": generated,
        "continued": continued,
        "inpainted": inpainted,
        "failed": failed,
        "orphan": orphan,
    }


SHAPES = ["generated", "continued", "inpainted", "failed", "orphan"]


def continue_url(record: Record, position: int = 0) -> str:
    image = record.images.get(position=position)
    edit = reverse("editor:edit", args=[image.image.code])
    return f"{edit}?from={record.code}&result={position + 1}"


def test_continue_editing_a_generated_image_opens_the_canvas(alice_client, shapes):
    generated = shapes["generated"]

    response = alice_client.get(continue_url(generated))

    assert response.status_code == 200
    html = response.content.decode()
    assert "continuing from a result of" in html
    assert reverse("gallery:detail", args=[generated.code]) in html


def test_continue_editing_an_edit_links_back_to_that_record(alice_client, shapes):
    continued = shapes["continued"]

    response = alice_client.get(continue_url(continued))

    assert response.status_code == 200
    assert reverse("gallery:detail", args=[continued.code]) in response.content.decode()


@pytest.mark.parametrize("shape", SHAPES)
def test_every_page_showing_a_record_renders_for_each_shape(alice_client, shapes, shape):
    record = shapes[shape]
    pages = [
        reverse("editor:home"),
        reverse("editor:generate"),
        reverse("gallery:list"),
        reverse("gallery:stats"),
        reverse("gallery:export_json"),
        reverse("gallery:export_zip"),
        reverse("gallery:detail", args=[record.code]),
        reverse("editor:job_card", args=[record.code]),
    ]
    if record.source is not None:
        pages += [
            reverse("editor:edit", args=[record.source.code]),
            reverse("gallery:compare", args=[record.source.code]),
        ]
    if record.images.exists():
        pages.append(continue_url(record))
    for url in pages:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        if response.streaming:  # the exports stream: read them to the end
            b"".join(response.streaming_content)


@pytest.mark.parametrize("shape", SHAPES)
def test_rating_and_api_reads_work_for_each_shape(alice_client, alice_membership, shapes, shape):
    record = shapes[shape]
    _, token = accounts_services.create_api_token(alice_membership, "shapes")
    api = {"HTTP_API_KEY": token}

    rated = alice_client.post(reverse("gallery:rate", args=[record.code]), {"rating": "4"})
    assert rated.status_code == 302
    assert alice_client.get(reverse("api:feature", args=[record.code]), **api).status_code == 200
    assert alice_client.get(reverse("api:features"), **api).status_code == 200


def test_rerunning_an_edit_whose_source_is_gone_says_so(alice_client, shapes):
    orphan = shapes["orphan"]

    response = alice_client.post(reverse("editor:rerun", args=[orphan.code]))
    card = alice_client.post(
        reverse("editor:rerun", args=[orphan.code]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    reason = "The image this edit started from was deleted, so it cannot run again."
    assert reason in response.content.decode()
    assert reason in card.content.decode()
    assert Record.objects.count() == 5
