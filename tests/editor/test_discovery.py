"""Discovery: the catalogue follows each provider's own model list (GET {base}/models), read
when a key is saved, by the admin's "Refresh models" and by the worker's periodic hook."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProviderCredential
from accounts.services import create_api_token, create_user_with_team, set_provider_key
from editor import discovery
from editor.models import CatalogueModel, ModelListing
from editor.providers import get_provider_class
from editor.providers.discovery import ListedModel, merge_listing
from gallery.models import Record
from tests.editor.test_jobs_e2e import source_png
from tests.fakes.openai_server import OpenAIServer

pytestmark = pytest.mark.django_db(transaction=True)
SEED_EDIT = Path(__file__).parents[1] / "api" / "seed_bodies" / "000.json"
OPENAI = get_provider_class("openai")


@pytest.fixture
def proxy(settings):
    """A compatible proxy on loopback that still serves gpt-image-1 (the instance has no key)."""
    settings.SSRF_ALLOW_LOOPBACK = True
    settings.OPENAI_API_KEY = settings.ONEMIN_API_KEY = settings.SEGMIND_API_KEY = ""
    settings.PROVIDER_RETRY_SLEEP_SCALE = 0.01
    with OpenAIServer(api_key="proxy-key-0001") as srv:
        srv.model_list = [("gpt-image-1", None), ("gpt-image-1-mini", None), ("whisper-1", None)]
        yield srv


@pytest.fixture
def api(client, alice_membership):
    token = create_api_token(alice_membership, "script")[1]

    def call(method: str, path: str, raw: str | None = None, **kw):
        if raw is not None:
            kw.update(data=raw, content_type="application/json")
        return getattr(client, method)(path, headers={"API-KEY": token}, **kw)

    return call


def openai_models(api) -> dict[str, dict]:
    providers = api("get", "/api/providers").json()["providers"]
    return {m["id"]: m for m in next(p for p in providers if p["id"] == "openai")["models"]}


def test_a_proxy_listing_gpt_image_1_gets_the_seed_request_byte_for_byte(
    alice_client, api, proxy, alice_membership
):
    # The team admin saves the proxy's key: its model list is read at once.
    response = alice_client.post(
        reverse("accounts:key_set", args=["openai"]),
        {"key": proxy.api_key, "base_url": proxy.base_url},
    )
    assert response.status_code == 302
    assert len(proxy.requests_to("/v1/models", method="GET")) == 1
    models = openai_models(api)
    assert set(models) == {"gpt-image-1", "gpt-image-1-mini"}  # whisper-1 is not an image model
    assert models["gpt-image-1"]["status"] == "current"  # the proxy serves it

    uploaded = api("post", "/api/assets", data={"asset": io.BytesIO(source_png())}).json()
    seed = SEED_EDIT.read_text()
    body = seed.replace(
        "development/images/2025_12_04_18_10_29_882_cat.png", uploaded["fileContent"]["path"]
    )
    response = api("post", "/api/features", raw=body)

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["status"], record["provider"]) == ("SUCCESS", "openai")
    [call] = proxy.requests_to("/v1/images/edits")
    prompt_object = json.loads(seed)["promptObject"]
    expected = {k: str(v) for k, v in prompt_object.items() if k != "imageUrl"}
    assert call.form() == {"model": "gpt-image-1", **expected}
    assert call.part("image").data == source_png()


def test_a_listed_shutdown_date_makes_a_model_deprecated_then_retired(
    api, proxy, team, alice_membership
):
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    proxy.model_list = [("gpt-image-2.5-sunburst", tomorrow), ("gpt-image-1", "2026-01-01")]
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)

    models = openai_models(api)
    assert (
        models["gpt-image-2.5-sunburst"]["status"],
        models["gpt-image-2.5-sunburst"]["shutdownDate"],
    ) == ("deprecated", tomorrow)
    assert models["gpt-image-1"]["status"] == "retired"

    response = api(
        "post",
        "/api/features",
        raw=json.dumps(
            {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}
        ),
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "model"
    assert Record.objects.count() == 0


def test_a_proxy_without_a_model_list_keeps_the_seeded_families_and_admin_models(api, proxy, team):
    proxy.model_list = None  # GET /v1/models answers 404
    CatalogueModel.objects.create(
        provider="openai", model_id="gpt-image-1", spec={"types": ["IMAGE_EDITOR"]}
    )
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)

    listing = ModelListing.objects.get(base_url=proxy.base_url)
    assert (listing.listed, listing.error) == (None, "")
    models = openai_models(api)
    assert models["gpt-image-2.5-sunburst"]["status"] == "current"
    assert models["gpt-image-1"]["status"] == "current"  # the admin's row says so


def test_all_listed_models_are_offered_when_configured(api, proxy, team, settings):
    settings.PROXY_MODELS = "all"
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)

    assert "whisper-1" in openai_models(api)


def test_a_team_base_url_at_a_private_address_is_never_fetched(team, alice_membership, settings):
    settings.OPENAI_API_KEY = ""
    set_provider_key(team, "openai", "team-key-0001", base_url="http://10.0.0.5:4000/v1")

    listing = ModelListing.objects.get(base_url="http://10.0.0.5:4000/v1")
    assert "private or local address" in listing.error
    assert listing.fetched is None


def test_the_instance_base_url_may_be_private(openai, settings):
    """The configured base is the operator's choice (here loopback, with no SSRF exception)."""
    settings.SSRF_ALLOW_LOOPBACK = False
    assert discovery.refresh_model_lists() == 1
    assert ModelListing.objects.get(base_url=openai.base_url).error == ""


def test_the_periodic_hook_rereads_only_lists_older_than_a_day(openai, proxy, team, settings):
    settings.MODEL_LIST_CHECK_SECONDS = 0  # look at every call, not once an hour
    settings.OPENAI_API_KEY = openai.api_key
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)  # read now
    assert len(proxy.requests_to("/v1/models")) == 1

    queued = discovery.refresh_stale_model_lists()  # the instance's, never read before
    assert (queued, str(queued)) == (1, "queued 1 model lists to re-read")
    assert discovery.refresh_stale_model_lists() is None
    assert len(openai.requests_to("/v1/models")) == 1

    ModelListing.objects.update(tried=timezone.now() - timedelta(hours=25))
    assert discovery.refresh_stale_model_lists() == 2
    assert len(proxy.requests_to("/v1/models")) == 2


def test_an_idle_worker_looks_at_the_lists_at_most_once_an_hour(
    openai, settings, django_assert_num_queries
):
    settings.MODEL_LIST_CHECK_SECONDS = 0
    discovery.refresh_stale_model_lists()  # this process looks now
    settings.MODEL_LIST_CHECK_SECONDS = 3600

    with django_assert_num_queries(0):
        assert discovery.refresh_stale_model_lists() is None


def test_a_failed_read_keeps_the_last_good_list(proxy, team):
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)
    proxy.fail_next(500, {"error": {"message": "down"}}, path="/v1/models", times=3)

    row = discovery.refresh_for_team(team.pk, "openai")

    assert "server error" in row.error
    assert [m["id"] for m in row.listed] == ["gpt-image-1", "gpt-image-1-mini", "whisper-1"]


def test_a_teams_unreadable_key_never_sends_the_instances_key_to_the_teams_base_url(
    openai, proxy, team, settings
):
    """A team key that can no longer be decrypted (the secret key changed) falls back to the
    instance's key, and that key goes only to the instance's base URL: reading the team's
    model list or every list never calls the team's proxy with it."""
    settings.OPENAI_API_KEY = openai.api_key
    set_provider_key(team, "openai", proxy.api_key, base_url=proxy.base_url)
    ProviderCredential.objects.update(encrypted_key="not-a-fernet-token")
    before = len(proxy.requests_to("/v1/models"))

    discovery.refresh_for_team(team.pk, "openai")
    discovery.refresh_model_lists()

    assert len(proxy.requests_to("/v1/models")) == before  # nobody can call it now
    sent = [r.headers.get("authorization") for r in openai.requests_to("/v1/models")]
    assert sent and set(sent) == {f"Bearer {openai.api_key}"}
    row = ModelListing.objects.get(base_url=proxy.base_url)
    assert row.error == "No key calls this base URL any more."


def test_the_admin_refresh_models_button_reads_every_list(client, openai):
    admin = create_user_with_team("root", "pw-long-enough-1", is_superuser=True).user
    client.force_login(admin)

    response = client.post(reverse("admin:editor_modellisting_refresh_all"), follow=True)

    assert response.status_code == 200
    assert "Read 1 model list(s)." in response.content.decode()
    assert len(openai.requests_to("/v1/models")) == 1
    row = ModelListing.objects.get()
    response = client.post(
        reverse("admin:editor_modellisting_changelist"),
        {"action": "refresh_models", "_selected_action": [row.pk]},
        follow=True,
    )
    assert len(openai.requests_to("/v1/models")) == 2


def test_at_openai_itself_the_list_dates_seeded_models_and_adds_new_image_models():
    listed = [
        ListedModel("gpt-image-2.6-sunburst"),
        ListedModel("gpt-image-2.5-flare", timezone.now().date() + timedelta(days=90)),
        ListedModel("gpt-image-3"),
        ListedModel("gpt-4o"),
    ]
    merged = {
        m.id: m
        for m in merge_listing(
            OPENAI.models, listed, official=True, which="image", fit=OPENAI.fit_model
        )
    }

    assert merged["gpt-image-2.5-flare"].status == "deprecated"
    assert merged["gpt-image-1"].status == "retired"  # seeded models the list omits stay
    assert merged["gpt-image-3"].param("quality").choices == ("auto", "low", "medium", "high")
    assert "gpt-4o" not in merged
