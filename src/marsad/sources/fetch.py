"""Fetching a page or feed over HTTP(S) with httpx (only for addresses the user names).

Every hop (the address named and each redirect) must resolve to public addresses: loopback,
private, link-local (cloud metadata), shared, reserved and multicast addresses are refused
unless the user allows them (``allow_private_addresses: true`` in FEEDS.yaml, or the
MARSAD_ALLOW_PRIVATE_ADDRESSES=1 environment variable), so that a feed cannot make marsad fetch
and store an internal service's answer. A whole response, redirects included, must arrive within
TOTAL_TIMEOUT_S, however slowly the server drips it. (The address is checked when resolved before
the request; a name that resolves differently a moment later is not caught.)
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..env import env_flag
from ._common import MAX_PAGE_BYTES

USER_AGENT = f"marsad/{__version__} (Arabic conflict-event extraction; feed reader)"
TIMEOUT_S = 30.0  # connecting, and waiting for each piece of the answer
TOTAL_TIMEOUT_S = 120.0  # the whole answer, redirects included
MAX_REDIRECTS = 10
ALLOW_PRIVATE_ENV = "MARSAD_ALLOW_PRIVATE_ADDRESSES"


class FetchError(Exception):
    """A network failure, an HTTP error status or an over-large response (one-line message)."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def make_client(timeout: float = TIMEOUT_S):
    import httpx

    # redirects are followed by ``fetch``, which checks each hop's address
    return httpx.Client(follow_redirects=False, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                        headers={"User-Agent": USER_AGENT})


def check_address(url: str) -> None:
    """Raise FetchError unless every address ``url``'s host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused: {url!r} is not an http(s) address")
    host = parts.hostname
    if not host:
        raise FetchError(f"refused: {url!r} names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"refused: {url!r} has an invalid port") from None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(f"refused: {host} is a private or local address ({ip}); set "
                             f"allow_private_addresses: true in FEEDS.yaml or {ALLOW_PRIVATE_ENV}=1 to allow it")


def fetch(url: str, client=None, headers: dict[str, str] | None = None, max_bytes: int = MAX_PAGE_BYTES,
          allow_private: bool | None = None, total_timeout: float = TOTAL_TIMEOUT_S) -> Fetched:
    """GET ``url``, following up to MAX_REDIRECTS redirects; 304 comes back as a Fetched with no
    content, any other status >= 400, any network error, a refused address (``check_address``,
    unless ``allow_private``; default: the environment variable) and an answer slower than
    ``total_timeout`` seconds raise FetchError."""
    import httpx

    allow = env_flag(ALLOW_PRIVATE_ENV) if allow_private is None else allow_private
    deadline = time.monotonic() + total_timeout
    own = client is None
    client = client or make_client()
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if not allow:
                check_address(url)
            with client.stream("GET", url, headers=headers or {}, follow_redirects=False) as resp:
                if resp.is_redirect and resp.headers.get("location"):
                    url = urljoin(str(resp.url), resp.headers["location"])
                    if time.monotonic() > deadline:
                        raise FetchError(f"no answer within {total_timeout:.0f} s")
                    continue
                if resp.status_code >= 400:
                    raise FetchError(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"response is larger than {max_bytes / 2**20:,.0f} MiB")
                    if time.monotonic() > deadline:
                        raise FetchError(f"the answer took longer than {total_timeout:.0f} s")
                    chunks.append(chunk)
                return Fetched(str(resp.url), resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                               b"".join(chunks))
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
    except ValueError as exc:  # an invalid URL, a bad header value
        raise FetchError(str(exc)) from None
    finally:
        if own:
            client.close()
