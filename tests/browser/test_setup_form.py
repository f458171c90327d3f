"""The first-run form (creating the first admin): the password rules are in view before the
first try, and the password is typed twice, with a clear error naming the field that differs."""

import re

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PASSWORD = "harbour-sunset-42"


def test_the_first_admin_sees_the_rules_and_confirms_the_password(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("accounts:setup"))

    # The rules, before anything was typed: the validators' own words, tied to the field.
    rules = page.get_by_text("Your password must contain at least 8 characters.")
    assert rules.is_visible()
    assert page.get_by_text("be entirely numeric.").is_visible()
    password = page.get_by_label(re.compile("^Password"))
    described = password.get_attribute("aria-describedby")
    assert described and rules.evaluate("(li, id) => !!li.closest('#' + id)", described)

    page.get_by_label("Username").fill("ada")
    password.fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create admin account").click()
    error = page.locator("#field-password2 .error")
    error.wait_for(timeout=5_000)
    assert "Confirm password differs from Password" in error.inner_text()
    assert not User.objects.exists()

    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    page.wait_for_url(live_server.url + reverse("editor:home"), timeout=5_000)
    assert User.objects.get().username == "ada"
    assert page.js_errors == []
