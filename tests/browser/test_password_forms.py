"""Forms where someone chooses a password, on a phone: the rules are in view before the first
try and tied to the field, the password is typed twice, and two different ones get an error
beside the confirmation that the confirmation field itself announces."""

import re

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts import services
from accounts.models import Membership
from tests.conftest import PASSWORD as OLD_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PASSWORD = "harbour-sunset-42"

# The text a screen reader reads for a field: what its aria-describedby ids point at.
DESCRIPTION = """(el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/)
  .filter(Boolean).map((id) => document.getElementById(id)?.innerText ?? '').join(' ')"""


def test_a_new_member_sees_the_rules_and_confirms_the_password(page, live_server, team, alice):
    invite = services.create_invite(team, alice, credit_limit=1000)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("accounts:invite", args=[invite.code]))

    # The rules, before anything was typed: the validators' own words, tied to the field.
    assert page.get_by_text("Your password must contain at least 8 characters.").is_visible()
    assert page.get_by_text("be entirely numeric.").is_visible()
    password = page.get_by_label(re.compile("^Password"))
    assert "at least 8 characters" in password.evaluate(DESCRIPTION)

    page.get_by_label("Username").fill("erin")
    password.fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create account and join").click()
    error = page.locator("#field-password2 .error")
    error.wait_for(timeout=5_000)
    assert "Confirm password differs from Password" in error.inner_text()
    confirm = page.get_by_label("Confirm password")
    assert "Confirm password differs from Password" in confirm.evaluate(DESCRIPTION)
    assert not Membership.objects.filter(user__username="erin").exists()

    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    confirm.fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(live_server.url + reverse("editor:home"), timeout=5_000)
    assert Membership.objects.filter(user__username="erin", team=team).exists()
    assert page.js_errors == []


def test_changing_the_password_names_the_mismatch_to_the_confirmation(signed_in, live_server):
    page = signed_in
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("accounts:password_change"))
    new = page.get_by_label(re.compile(r"^New password\b(?! confirmation)"))
    assert "at least 8 characters" in new.evaluate(DESCRIPTION)

    page.get_by_label("Old password").fill(OLD_PASSWORD)
    new.fill(PASSWORD)
    confirm = page.get_by_label(re.compile("^New password confirmation"))
    confirm.fill(PASSWORD + "x")
    page.get_by_role("button", name="Change password").click()
    page.locator("#field-new_password2 .error").wait_for(timeout=5_000)
    said = confirm.evaluate(DESCRIPTION)
    assert "password fields didn\u2019t match" in said
    assert authenticate(username="alice", password=OLD_PASSWORD) is not None
    assert page.js_errors == []
