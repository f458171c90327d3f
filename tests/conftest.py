"""Shared fixtures: the cast (alice owns the team, bob is a member, charlie is an outsider),
small images, and autouse guards that reset the first-run switch and the models each process
has read (a rolled-back test sends no signal) between tests."""

import io

import pytest
from PIL import Image

from accounts import services
from accounts.middleware import FirstRunMiddleware
from accounts.models import Membership
from editor.catalogue import forget_models
from tests.fakes.onemin_server import OneMinServer
from tests.fakes.openai_server import OpenAIServer
from tests.fakes.segmind_server import SegmindServer

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _reset_first_run():
    FirstRunMiddleware.users_exist = False
    yield
    FirstRunMiddleware.users_exist = False


@pytest.fixture(autouse=True)
def _forget_models():
    forget_models()
    yield
    forget_models()


@pytest.fixture
def alice_membership(db) -> Membership:
    return services.create_user_with_team("alice", PASSWORD, email="alice@example.com")


@pytest.fixture
def team(alice_membership):
    return alice_membership.team


@pytest.fixture
def alice(alice_membership):
    return alice_membership.user


@pytest.fixture
def bob_membership(team) -> Membership:
    return services.add_member(team, "bob", PASSWORD, credit_limit=50_000)


@pytest.fixture
def bob(bob_membership):
    return bob_membership.user


@pytest.fixture
def charlie_membership(db) -> Membership:
    return services.create_user_with_team("charlie", PASSWORD)


@pytest.fixture
def charlie(charlie_membership):
    return charlie_membership.user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def charlie_client(client, charlie):
    client.force_login(charlie)
    return client


def png_bytes(width: int = 64, height: int = 48, color=(200, 30, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def make_png():
    return png_bytes


# --- Loopback provider servers, with the settings pointing at them --------------------------
# Retry waits are scaled down so fault tests run in milliseconds, not seconds.


@pytest.fixture
def openai(settings):
    with OpenAIServer() as srv:
        settings.OPENAI_BASE_URL = srv.base_url
        settings.OPENAI_API_KEY = srv.api_key
        settings.PROVIDER_RETRY_SLEEP_SCALE = 0.01
        yield srv


@pytest.fixture
def onemin(settings):
    with OneMinServer() as srv:
        settings.ONEMIN_API_BASE = srv.base_url
        settings.ONEMIN_ASSET_BASE = srv.asset_base
        settings.ONEMIN_API_KEY = srv.api_key
        settings.PROVIDER_RETRY_SLEEP_SCALE = 0.01
        yield srv


@pytest.fixture
def segmind(settings):
    with SegmindServer() as srv:
        settings.SEGMIND_API_BASE = srv.base_url
        settings.SEGMIND_UPLOAD_URL = srv.upload_url
        settings.SEGMIND_API_KEY = srv.api_key
        settings.PROVIDER_RETRY_SLEEP_SCALE = 0.01
        yield srv
