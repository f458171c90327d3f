"""What every page shares: a strict Content Security Policy the page obeys, and the nav."""

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["editor:home", "editor:generate", "gallery:list", "accounts:team", "accounts:keys"]
)
def test_pages_carry_a_strict_csp_and_no_inline_script(alice_client, url_name):
    response = alice_client.get(reverse(url_name))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "every page loads its scripts"
    # Each script is a file of ours, or carries this response's nonce (htmx's tag).
    assert all(" src=" in tag or f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+=\"", html), "no inline event handlers"
    assert not re.search(r"\sstyle=\"", html), "no inline style attributes"


@pytest.mark.django_db
def test_the_nav_marks_the_current_page(alice_client):
    html = alice_client.get(reverse("gallery:list")).content.decode()
    assert '<a href="/gallery/" aria-current="page">Gallery</a>' in html
    assert html.count('aria-current="page"') == 1
