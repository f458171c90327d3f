"""Whatever a user sends to the pages, the answer is a 4xx or a page with a message, never a 500,
and a decompression bomb is refused before it is decoded."""

import io

import pytest

from editor import services
from gallery.models import Asset, Record
from tests.imagedata import bomb_png


@pytest.fixture
def asset(alice_membership, make_png):
    return services.upload_image(alice_membership, make_png(64, 48), "a.png")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "/gallery/?min_rating=abc",
        "/gallery/?date_from=2020-13-45",
        "/gallery/?page=-1",
        "/gallery/?page=zzz",
        "/gallery/?type=NOPE&status=X&scope=team",
        "/gallery/export.json?min_rating=9",
        "/gallery/stats/?provider=%ff",
        "/jobs/?type=IMAGE_INPAINTER&provider=nope&model=x",
        "/jobs/?n=abc&provider=local",
        "/edit/{asset}/?from=garbage&result=-1",
        "/edit/{asset}/?from=00000000-0000-0000-0000-000000000000&result=99",
    ],
)
def test_junk_query_strings_get_no_500(alice_client, asset, query):
    response = alice_client.get(query.format(asset=asset.code))
    assert response.status_code < 500


@pytest.mark.django_db
def test_a_decompression_bomb_upload_is_refused_with_a_message(alice_client):
    response = alice_client.post("/upload/", {"image": io.BytesIO(bomb_png())})

    assert response.status_code == 400
    assert "megapixels" in response.content.decode()
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_a_bomb_or_junk_mask_is_refused_and_nothing_is_written(alice_client, asset):
    for mask in (bomb_png(), b"junk"):
        response = alice_client.post(
            "/jobs/",
            {
                "type": "IMAGE_INPAINTER",
                "provider": "local",
                "model": "telea",
                "source": str(asset.code),
                "mask": io.BytesIO(mask),
            },
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
    assert Record.objects.count() == 0
    assert Asset.objects.filter(kind=Asset.Kind.MASK).count() == 0
