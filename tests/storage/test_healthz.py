"""/healthz: 200 when the database and the media storage both work, 503 naming what fails."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthy_on_local_files_even_before_setup(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthy_on_s3_and_leaves_nothing_behind(client, s3):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["storage"] == "ok"
    assert not any(key.startswith("healthz/") for key in s3.object_keys())


def test_storage_outage_answers_503_naming_storage(client, private_s3, settings):
    settings.AWS_MAX_ATTEMPTS = 1
    private_s3.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "storage": "failing"}
