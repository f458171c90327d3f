"""Fetch an image from a user-given URL without letting the user reach our own network; and
the same rule for the hosts a provider's answer names (`provider_address`).

The host is resolved once; every address must be public (not loopback, private, link-local,
reserved, multicast or unspecified), and the connection goes to that checked address (the Host
header and TLS server name stay the original host, so certificates are still verified). No
redirects are followed and the body is capped. Tests may allow loopback with the setting
`SSRF_ALLOW_LOOPBACK = True`; nothing else can open that door.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx
from django.conf import settings

from core.errors import UserFacingError
from editor.providers.base import ProviderError, StoppedWaiting
from editor.providers.http import make_client

MAX_FETCH_BYTES = 50 * 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class FetchRefused(UserFacingError):
    """A URL we will not fetch an image from; the caller names the field that held it."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class PrivateAddress(FetchRefused):
    """The host resolves to a private or local address (or one of its addresses does)."""


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:a.b.c.d and 6to4's 2002:aabb:ccdd:: carry an IPv4 address: judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    if ip.is_loopback and getattr(settings, "SSRF_ALLOW_LOOPBACK", False):
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def resolve_public(host: str, port: int) -> str:
    """The first address of `host`, provided every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"The image host {host} could not be found.") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_allowed(ip) for ip in addresses):
        raise PrivateAddress(
            f"The image URL points at a private or local address ({host}); "
            "upload the image instead."
        )
    return str(addresses[0])


def provider_address(host: str, port: int) -> str:
    """The checked address of a host a provider's answer named (a result to download, a job's
    status page) and that the instance did not configure: the CallGuard's `resolve` for a
    job's client (catalogue.build_provider). A provider, or a team's proxy, cannot send the
    worker to the private network or the cloud's metadata service."""
    try:
        return resolve_public(host, port)
    except PrivateAddress:
        raise StoppedWaiting(
            f"The provider's answer pointed Promptbrush at {host}, a private or local address; "
            "it was not contacted."
        ) from None
    except FetchRefused:
        raise ProviderError(
            f"{host}, named in the provider's answer, could not be found."
        ) from None


def fetch_public(url: str, *, max_bytes: int = MAX_FETCH_BYTES) -> bytes:
    """GET `url` from a public address; FetchRefused with a plain message otherwise."""
    if not getattr(settings, "ALLOW_REMOTE_IMAGE_URLS", True):
        raise FetchRefused("This server does not fetch images from URLs; upload the image.")
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # decodes IDNA: "xn--" alone raises a UnicodeError
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchRefused("The image URL is not a valid URL.") from exc
    if parsed.scheme not in ("http", "https") or not host:
        raise FetchRefused("The image URL must start with http:// or https://.")
    if parsed.userinfo:
        raise FetchRefused("The image URL must not contain a user name or password.")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    ip = resolve_public(parsed.host, port)
    target = parsed.copy_with(host=ip if ":" not in ip else f"[{ip}]")
    headers = {"Host": parsed.netloc.decode("ascii"), "User-Agent": "Promptbrush/0.1"}
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    chunks: list[bytes] = []
    size = 0
    # A total deadline, not only per read: a host sending a byte a second must not hold the
    # request that asked for it (the guard also stops a body far over the cap).
    seconds = float(getattr(settings, "IMAGE_URL_TIMEOUT_SECONDS", 30))
    client = make_client(TIMEOUT, max_response_bytes=max_bytes + 1024 * 1024)
    client.guard.start(seconds)
    try:
        with (
            client,
            client.stream("GET", target, headers=headers, extensions=extensions) as response,
        ):
            if response.is_redirect:
                raise FetchRefused("The image URL redirects elsewhere; give the final URL.")
            if response.status_code != 200:
                raise FetchRefused(f"Fetching the image URL failed: HTTP {response.status_code}.")
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchRefused(
                        f"The image at that URL is over {max_bytes // (1024 * 1024)} MB."
                    )
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        if client.guard.expired:
            raise FetchRefused(
                f"The image URL did not finish sending within {seconds:g} s; upload the image."
            ) from exc
        raise FetchRefused(f"Fetching the image URL failed: {type(exc).__name__}.") from exc
    return b"".join(chunks)
