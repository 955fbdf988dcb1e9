"""Fetching a page or feed over HTTP(S) with httpx (only for addresses the user names)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ._common import MAX_PAGE_BYTES

USER_AGENT = f"marsad/{__version__} (Arabic conflict-event extraction; feed reader)"
TIMEOUT_S = 30.0


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

    return httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                        headers={"User-Agent": USER_AGENT})


def fetch(url: str, client=None, headers: dict[str, str] | None = None, max_bytes: int = MAX_PAGE_BYTES) -> Fetched:
    """GET ``url``; 304 comes back as a Fetched with no content, any other status >= 400 and any
    network error raise FetchError."""
    import httpx

    own = client is None
    client = client or make_client()
    try:
        with client.stream("GET", url, headers=headers or {}) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response is larger than {max_bytes / 2**20:,.0f} MiB")
                chunks.append(chunk)
            return Fetched(str(resp.url), resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                           b"".join(chunks))
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
    except ValueError as exc:  # an invalid URL, a bad header value
        raise FetchError(str(exc)) from None
    finally:
        if own:
            client.close()
