"""POST /api/masks/select: refine, wand and box for scripts; answers like /api/assets + coverage."""

import io

import numpy as np
import pytest
from PIL import Image

from accounts.services import create_api_token
from gallery.models import Asset
from tests.scenes import iou, make_scene

pytestmark = pytest.mark.django_db

URL = "/api/masks/select"


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scene():
    return make_scene(6, size=(480, 320), slack=12)


@pytest.fixture
def image_path(uploaded, scene):
    return uploaded(png(scene.image), "scene.png")["fileContent"]["path"]


def stored(client, body) -> np.ndarray:
    """The mask the answer names, fetched by its signed location like any asset."""
    response = client.get(body["asset"]["location"])
    assert response.status_code == 200
    return np.asarray(Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("L"))


def select(api, **body):
    return api("post", URL, json_body=body)


def test_wand_answers_like_an_asset_upload_with_coverage(api, client, image_path, scene):
    response = select(api, imageUrl=image_path, mode="wand", point=list(scene.inside), tolerance=20)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fileContent"]["path"].startswith("assets/")
    assert body["fileContent"]["path"] == body["asset"]["key"]
    assert body["asset"]["mimetype"] == "image/png"
    assert (body["asset"]["width"], body["asset"]["height"]) == (480, 320)
    assert body["coverage"] == pytest.approx((scene.truth > 0).mean(), abs=0.01)
    assert iou(stored(client, body), scene.truth) >= 0.97


def test_refine_takes_a_mask_path_and_returns_one_usable_as_mask_url(
    api, client, uploaded, image_path, scene
):
    rough = uploaded(png(scene.rough), "rough.png")["fileContent"]["path"]
    response = select(api, imageUrl=image_path, mode="refine", maskUrl=rough, band=24)
    assert response.status_code == 200, response.content
    refined = response.json()
    assert iou(scene.rough, scene.truth) < 0.9
    assert iou(stored(client, refined), scene.truth) >= 0.95
    # The answer's path is a maskUrl like any other: refine it again.
    again = select(api, imageUrl=image_path, mode="refine", maskUrl=refined["fileContent"]["path"])
    assert again.status_code == 200
    assert iou(stored(client, again.json()), scene.truth) >= 0.95


def test_box_selects_the_object(api, client, image_path, scene):
    response = select(api, imageUrl=image_path, mode="box", box=list(scene.box))
    assert response.status_code == 200, response.content
    assert iou(stored(client, response.json()), scene.truth) >= 0.95


@pytest.mark.django_db(transaction=True)  # the job runs when the request's transaction commits
def test_the_selection_works_as_the_mask_of_an_edit(api, image_path, scene):
    path = select(api, imageUrl=image_path, mode="wand", point=list(scene.inside)).json()
    edit = api(
        "post",
        "/api/features",
        json_body={
            "type": "IMAGE_INPAINTER",
            "model": "telea",
            "provider": "local",
            "promptObject": {"imageUrl": image_path, "maskUrl": path["fileContent"]["path"]},
        },
    )
    assert edit.status_code == 200, edit.content
    assert edit.json()["aiRecord"]["status"] == "SUCCESS"


BAD = [
    ({"mode": "lasso"}, "mode", 400),
    ({"mode": "wand", "point": [5, 5], "imageUrl": None}, "imageUrl", 400),
    ({"mode": "wand", "imageUrl": "assets/not-a-uuid.png", "point": [5, 5]}, "imageUrl", 404),
    ({"mode": "wand"}, "point", 400),
    ({"mode": "wand", "point": [5]}, "point", 400),
    ({"mode": "wand", "point": ["5", 5]}, "point", 400),
    ({"mode": "wand", "point": [True, 5]}, "point", 400),
    ({"mode": "wand", "point": [480, 10]}, "point", 400),
    ({"mode": "wand", "point": [10, -1]}, "point", 400),
    ({"mode": "wand", "point": [5, 5], "tolerance": 101}, "tolerance", 400),
    ({"mode": "wand", "point": [5, 5], "tolerance": "high"}, "tolerance", 400),
    ({"mode": "box", "box": [1, 2, 3]}, "box", 400),
    ({"mode": "box", "box": [10, 10, 12, 200]}, "box", 400),
    ({"mode": "box", "box": [0, 0, 480, 320]}, "box", 400),
    ({"mode": "box", "box": [600, 400, 900, 900]}, "box", 400),
    ({"mode": "refine"}, "maskUrl", 400),
    (
        {"mode": "refine", "maskUrl": "assets/00000000-0000-0000-0000-000000000000.png"},
        "maskUrl",
        404,
    ),
]


@pytest.mark.parametrize(("extra", "field", "status"), BAD)
def test_bad_input_is_a_4xx_naming_the_field(api, image_path, extra, field, status):
    body = {"imageUrl": image_path, **extra}  # "imageUrl": None sends none
    body = {key: value for key, value in body.items() if value is not None}
    before = Asset.objects.filter(kind=Asset.Kind.MASK).count()
    response = select(api, **body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    assert Asset.objects.filter(kind=Asset.Kind.MASK).count() == before


@pytest.mark.parametrize(
    ("mask", "band", "field", "words"),
    [
        (np.zeros((320, 480), np.uint8), None, "maskUrl", "empty"),
        (np.full((320, 480), 255, np.uint8), None, "maskUrl", "whole image"),
        (np.full((100, 100), 255, np.uint8), None, "maskUrl", "same proportions"),
        (np.full((320, 480), 255, np.uint8), 0, "band", "band"),
    ],
)
def test_a_mask_that_cannot_be_refined_is_refused(
    api, uploaded, image_path, mask, band, field, words
):
    path = uploaded(png(mask), "mask.png")["fileContent"]["path"]
    body = {"imageUrl": image_path, "mode": "refine", "maskUrl": path}
    if band is not None:
        body["band"] = band
    response = select(api, **body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert words in response.json()["error"]["message"]


def test_an_image_over_the_selection_limit_is_refused(api, image_path, settings):
    settings.MAX_IMAGE_MEGAPIXELS = 0.1
    response = select(api, imageUrl=image_path, mode="wand", point=[5, 5])
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "imageUrl"
    assert "megapixels" in response.json()["error"]["message"]


def test_a_body_that_is_not_an_object_is_refused(api):
    for raw in ("[1, 2]", "not json"):
        response = api("post", URL, raw=raw)
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "body"


def test_another_teams_image_is_a_404(client, charlie_membership, image_path):
    token = create_api_token(charlie_membership, "theirs")[1]
    response = client.post(
        URL,
        data={"imageUrl": image_path, "mode": "wand", "point": [5, 5]},
        content_type="application/json",
        headers={"API-KEY": token},
    )
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "imageUrl"


def test_the_api_key_is_required_and_only_post(client, api, image_path):
    assert client.post(URL, data={}, content_type="application/json").status_code == 401
    assert api("get", URL).status_code == 405


def test_the_mask_is_an_asset_of_the_caller(api, image_path, scene, alice):
    body = select(api, imageUrl=image_path, mode="wand", point=list(scene.inside)).json()
    assert alice.assets.filter(kind=Asset.Kind.MASK, code=body["fileContent"]["uuid"]).exists()


def test_an_empty_result_is_a_400_naming_the_field(api, uploaded):
    flat = uploaded(png(np.full((200, 300, 3), 128, np.uint8)), "grey.png")["fileContent"]["path"]
    response = select(api, imageUrl=flat, mode="box", box=[50, 50, 150, 150])
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "box"
    assert "stands out" in response.json()["error"]["message"]
    assert Asset.objects.filter(kind=Asset.Kind.MASK).count() == 0
