"""Settings come only from the environment: safe defaults, loud failures, a clean deploy check."""

import os
import re
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_json, env_secret, persistent_secret_key
from tests.ops.conftest import ROOT, base_env, manage

pytestmark = pytest.mark.sqlite_path

PRODUCTION = {
    "DEBUG": "false",
    "SECURE_HTTPS": "true",
    "SECRET_KEY": "k7#Qz!x2pLw9@vN4rT8yB1mC6dF0gH3jK5sU-eA_iO+pR=tY^wZ&qX%cV*bN$mL",
    "ALLOWED_HOSTS": "promptbrush.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://promptbrush.example.com",
}


def settings_value(tmp_path, name: str, **env: str) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter and print one value."""
    return subprocess.run(
        [sys.executable, "-c", f"from config import settings; print(settings.{name})"],
        cwd=ROOT,
        env=base_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("System check identified no issues")


def test_the_deploy_check_warns_when_debug_is_on(tmp_path):
    env = {**PRODUCTION, "DEBUG": "true"}
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 1
    assert "(security.W018) You should not have DEBUG set to True in deployment." in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean (true/false), got 'maybe'"),
        (
            "SECURE_HTTPS",
            "yes please",
            "SECURE_HTTPS must be a boolean (true/false), got 'yes please'",
        ),
        ("WORKER_THREADS", "many", "WORKER_THREADS must be a whole number, got 'many'"),
        ("JOB_STALE_SECONDS", "10m", "JOB_STALE_SECONDS must be a whole number, got '10m'"),
    ],
)
def test_malformed_values_stop_the_process_with_a_clear_message(tmp_path, name, value, message):
    result = settings_value(tmp_path, "DEBUG", **{name: value})

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


def test_defaults_are_safe(tmp_path):
    assert settings_value(tmp_path, "DEBUG").stdout == "False\n"
    assert settings_value(tmp_path, "SESSION_COOKIE_SECURE").stdout == "False\n"
    assert settings_value(tmp_path, "WORKER_THREADS").stdout == "32\n"
    assert settings_value(tmp_path, "TASKS['default']['BACKEND']").stdout == (
        "django_tasks_db.DatabaseBackend\n"
    )
    assert settings_value(tmp_path, "SESSION_COOKIE_SECURE", SECURE_HTTPS="1").stdout == "True\n"


def test_env_readers(monkeypatch):
    for raw, expected in [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]:
        monkeypatch.setenv("PB_FLAG", raw)
        assert env_bool("PB_FLAG") is expected
    monkeypatch.delenv("PB_FLAG")
    assert env_bool("PB_FLAG", True) is True

    monkeypatch.setenv("PB_NUMBER", " 42 ")
    assert env_int("PB_NUMBER", 7) == 42
    monkeypatch.setenv("PB_NUMBER", "")
    assert env_int("PB_NUMBER", 7) == 7
    monkeypatch.setenv("PB_NUMBER", "4.5")
    with pytest.raises(ImproperlyConfigured):
        env_int("PB_NUMBER", 7)

    monkeypatch.setenv("PB_JSON", "{not json")
    with pytest.raises(ImproperlyConfigured):
        env_json("PB_JSON", {})


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-a-docker-secret\n")
    monkeypatch.setenv("PB_SECRET", "from-the-environment")
    monkeypatch.setenv("PB_SECRET_FILE", str(secret_file))

    assert env_secret("PB_SECRET") == "from-a-docker-secret"


def test_the_secret_key_is_generated_once_and_kept_in_data_dir(tmp_path):
    data_dir = tmp_path / "fresh"

    first = persistent_secret_key(data_dir)
    second = persistent_secret_key(data_dir)

    assert first == second
    assert len(first) >= 50
    key_file = data_dir / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_two_processes_share_the_generated_secret_key(tmp_path):
    first = settings_value(tmp_path, "SECRET_KEY")
    second = settings_value(tmp_path, "SECRET_KEY")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stdout.strip() == (tmp_path / "secret_key").read_text()


def example_env() -> dict[str, str]:
    """Every NAME=value line of .env.example, commented-out ones ("# NAME=value") included."""
    return dict(
        re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.M)
    )


def test_env_example_lists_every_setting_and_loads_as_is(tmp_path):
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\("([A-Z0-9_]+)"', source))
    listed = example_env()
    assert read - set(listed) == set()

    env = {**listed, "DATA_DIR": str(tmp_path)}
    result = settings_value(tmp_path, "TASKS['default']['BACKEND'], settings.DEBUG", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "django_tasks_db.DatabaseBackend False\n"


def test_the_readme_documents_every_setting():
    source = (ROOT / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1]

    read = set(re.findall(r'env_\w+\("([A-Z0-9_]+)"', source))
    assert {name for name in read if f"`{name}`" not in configuration} == set()
