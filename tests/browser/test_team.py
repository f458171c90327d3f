"""The team page in Debian's Chromium: member rows change in place (htmx), and the one-time
invite link copies to the clipboard."""

import pytest

from accounts.models import Invite, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_credit_limit_and_deactivation_change_the_row_in_place(
    signed_in, live_server, bob_membership
):
    page = signed_in
    page.goto(f"{live_server.url}/accounts/team/")
    row = page.locator(f"#member-{bob_membership.user.code}")
    page.evaluate("window.__samePage = true")  # gone if the browser navigated

    row.get_by_label("Credit limit of bob").fill("75000")
    row.get_by_role("button", name="Save").click()
    row.locator("small", has_text="0 of 75,000").wait_for()
    bob_membership.refresh_from_db()
    assert bob_membership.credit_limit == 75_000

    row.get_by_role("button", name="Deactivate").click()
    row.get_by_role("button", name="Reactivate").wait_for()
    bob_membership.refresh_from_db()
    assert bob_membership.status == Membership.Status.INACTIVE
    assert page.evaluate("window.__samePage") is True
    assert page.js_errors == []


def test_an_invite_link_is_shown_once_and_copies(signed_in, live_server, browser_context, team):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = signed_in
    page.goto(f"{live_server.url}/accounts/team/")
    page.get_by_role("button", name="Create invite link").click()

    link = page.get_by_role("textbox", name="Invite link").input_value()
    invite = Invite.objects.get(team=team)
    assert link.endswith(f"/accounts/invite/{invite.code}/")
    field = page.get_by_role("textbox", name="Invite link")
    page.get_by_role("button", name="Copy link").click()
    # The click starts an asynchronous clipboard write: wait (at most 5 s) until it has landed.
    field.wait_for_function(
        "async (field, link) => (await navigator.clipboard.readText()) === link",
        arg=link,
        timeout=5000,
    )
    assert page.evaluate("navigator.clipboard.readText()") == link

    page.goto(f"{live_server.url}/accounts/team/")
    assert page.get_by_role("textbox", name="Invite link").count() == 0


def test_a_row_button_keeps_the_focus_after_the_row_is_swapped(
    signed_in, live_server, bob_membership
):
    page = signed_in
    page.goto(f"{live_server.url}/accounts/team/")
    row = page.locator(f"#member-{bob_membership.user.code}")
    focused = "(el) => el === document.activeElement"

    row.get_by_label("Credit limit of bob").fill("60000")
    row.get_by_role("button", name="Save").press("Enter")
    row.locator("small", has_text="0 of 60,000").wait_for()
    assert row.get_by_role("button", name="Save").evaluate(focused)

    row.get_by_role("button", name="Set role").press("Enter")
    row.get_by_role("status").filter(has_text="bob is now member.").wait_for()
    assert row.get_by_role("button", name="Set role").evaluate(focused)

    row.get_by_role("button", name="Deactivate").press("Enter")
    row.get_by_role("button", name="Reactivate").wait_for()
    assert row.get_by_role("button", name="Reactivate").evaluate(focused)
    assert page.js_errors == []


def test_the_keys_page_says_what_works_without_any_key(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/accounts/keys/")
    intro = page.locator("main > p").first
    assert "Not set." in page.locator("main").inner_text()  # no key yet, for any provider
    assert "Local provider needs no key" in intro.inner_text()
    page.get_by_role("link", name="paint an area and change it").click()
    page.get_by_role("heading", name="Start an edit").wait_for()
    assert page.js_errors == []
