"""``marsad watch FEEDS.yaml``: poll RSS/Atom feeds on a schedule and ingest their new items.

Each poll is a conditional request (``If-None-Match`` / ``If-Modified-Since`` from the feed's
last ``ETag`` / ``Last-Modified``); a 304 costs nothing. Items whose key (guid, else link) was
seen before are not even extracted again, and the store skips any document it already holds.
A network error, an HTTP error or a feed that does not parse backs that feed off exponentially
(1, 2, 4 ... minutes, capped) without touching the others. The state of every feed (validators,
seen keys, failures, next poll time) lives in the store's ``feeds`` table, so a restarted
watcher (or ``--once`` from cron) carries on where the last one stopped.

FEEDS.yaml::

    interval: 15m            # default time between polls (seconds, or 30s / 15m / 2h / 1d)
    allow_private_addresses: false   # true lets feeds (and their redirects) reach loopback or
                                     # private addresses (a feed on this machine or the LAN)
    feeds:
      - url: https://www.enabbaladi.net/feed
        source: Enab Baladi    # source name for its items (default: the feed's title)
        interval: 10m
      - https://example.org/rss.xml
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .inputs import BadInput
from .model import Document

log = logging.getLogger("marsad.watch")

DEFAULT_INTERVAL_S = 900.0
MIN_INTERVAL_S = 0.0
RETRY_BASE_S = 60.0  # first retry after a failure; doubles with every further failure
MAX_BACKOFF_S = 6 * 3600.0
MAX_SEEN = 5000  # item keys remembered per feed (newest first); feeds show far fewer items
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class WatchConfigError(ValueError):
    """FEEDS.yaml is missing, not YAML, or not the expected shape (one-line message)."""


@dataclass
class FeedConfig:
    url: str
    source: str | None = None
    interval: float = DEFAULT_INTERVAL_S
    allow_private: bool = False  # may reach loopback/private addresses (sources.fetch.check_address)


@dataclass
class PollResult:
    url: str
    status: str  # "new" (fetched and read), "not-modified" (304), "error", "not-due"
    new: int = 0  # documents stored
    skipped: int = 0  # items not stored: bad, not Arabic, already stored
    items: int = 0  # items in the feed
    error: str | None = None


def parse_interval(value: object, where: str) -> float:
    if isinstance(value, bool):
        raise WatchConfigError(f"{where}: interval must be seconds or a duration like 15m, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value.lower())):
        seconds = float(m[1]) * _UNITS.get(m[2] or "s", 1)
    else:
        raise WatchConfigError(f"{where}: interval must be seconds or a duration like 15m, got {value!r}")
    if seconds < MIN_INTERVAL_S:
        raise WatchConfigError(f"{where}: interval must not be negative")
    return seconds


def load_config(path: str | Path) -> list[FeedConfig]:
    """The feeds of a FEEDS.yaml file (raises WatchConfigError saying what is wrong)."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise WatchConfigError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise WatchConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise WatchConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    default = DEFAULT_INTERVAL_S
    allow_private = False
    if isinstance(data, dict):
        if "interval" in data:
            default = parse_interval(data["interval"], f"{path}: interval")
        allow_private = data.get("allow_private_addresses", False)
        if not isinstance(allow_private, bool):
            raise WatchConfigError(f"{path}: allow_private_addresses must be true or false")
        entries = data.get("feeds")
    else:
        entries = data
    if not isinstance(entries, list) or not entries:
        raise WatchConfigError(f"{path}: expected a list of feeds under \"feeds:\" (each a URL or {{url, source, interval}})")
    out: list[FeedConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: feed {i}"
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict):
            raise WatchConfigError(f"{where}: expected a URL or a mapping with url, source, interval")
        unknown = set(entry) - {"url", "source", "interval"}
        if unknown:
            raise WatchConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        url = entry.get("url")
        if not isinstance(url, str) or not url.strip().lower().startswith(("http://", "https://")):
            raise WatchConfigError(f"{where}: url must be an http(s):// address, got {url!r}")
        url = url.strip()
        if url in seen:
            raise WatchConfigError(f"{where}: {url} is listed twice")
        seen.add(url)
        source = entry.get("source")
        if source is not None and not isinstance(source, str | int | float):
            raise WatchConfigError(f"{where}: source must be a name")
        interval = parse_interval(entry["interval"], f"{where}: interval") if "interval" in entry else default
        name = str(source).strip() if source is not None else ""
        out.append(FeedConfig(url, name or None, interval, allow_private))
    return out


def ingest_document(store, doc: Document) -> str:
    """Extract and store one document: 'new', 'stored' (already there) or 'skipped: reason'."""
    from .extract import extract

    if store.has_document(doc.doc_id):
        return "stored"
    try:
        events = extract(doc)
    except InputError as exc:
        return f"skipped: {exc}"
    return "new" if store.add(doc, events) else "stored"


class Watcher:
    def __init__(self, store, feeds: list[FeedConfig], client=None,
                 process: Callable[[Document], str] | None = None, clock: Callable[[], float] = time.time,
                 max_backoff: float = MAX_BACKOFF_S, retry_base: float = RETRY_BASE_S) -> None:
        from .sources.fetch import make_client

        self.store = store
        self.feeds = feeds
        self._own_client = client is None
        self.client = client or make_client()
        self.process = process or (lambda doc: ingest_document(store, doc))
        self.clock = clock
        self.max_backoff = max_backoff
        self.retry_base = retry_base

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # ---- scheduling ----------------------------------------------------------------------

    def next_due(self, feed: FeedConfig, state: dict[str, Any] | None) -> float:
        """When ``feed`` is next due (epoch seconds); a feed never polled is due now."""
        if not state or not state.get("next_poll_at"):
            return 0.0
        due = _ts(state["next_poll_at"])
        if not state.get("failures") and state.get("last_polled_at"):
            # the interval in FEEDS.yaml may have changed since the last poll
            due = min(due, _ts(state["last_polled_at"]) + feed.interval)
        return due

    def poll_due(self) -> list[PollResult]:
        """Poll every feed that is due now; one feed's failure never stops the others."""
        results = []
        for feed in self.feeds:
            now = self.clock()
            try:
                state = self.store.feed_state(feed.url)
                due = self.next_due(feed, state)
                if due > now:
                    log.debug("%s: not due (next poll %s)", feed.url, _iso(due))
                    results.append(PollResult(feed.url, "not-due"))
                    continue
                results.append(self.poll(feed, state or {}))
            except Exception as exc:  # a store error, a bug: log it and go on with the next feed
                log.exception("%s: poll failed: %r", feed.url, exc)
                results.append(PollResult(feed.url, "error", error=repr(exc)))
        return results

    def run(self, once: bool = False, sleep: Callable[[float], None] = time.sleep) -> list[PollResult]:
        """Poll due feeds; with ``once`` return after one round, else sleep until the next is due."""
        while True:
            results = self.poll_due()
            if once:
                return results
            now = self.clock()
            dues = [self.next_due(f, self.store.feed_state(f.url)) for f in self.feeds]
            wait = max(1.0, min(min(dues, default=now + 60) - now, 300.0))
            log.debug("sleeping %.0f s", wait)
            sleep(wait)

    # ---- one feed --------------------------------------------------------------------------

    def poll(self, feed: FeedConfig, state: dict[str, Any]) -> PollResult:
        from .sources.feeds import parse_feed
        from .sources.fetch import FetchError, fetch

        now = self.clock()
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        try:
            got = fetch(feed.url, self.client, headers=headers, allow_private=True if feed.allow_private else None)
        except FetchError as exc:
            return self._failed(feed, state, now, str(exc))
        if got.status == 304:
            log.info("%s: 304 not modified", feed.url)
            self.store.save_feed_state(feed.url, source=feed.source, failures=0, last_polled_at=_iso(now),
                                       next_poll_at=_iso(now + feed.interval), last_status="304 not modified")
            return PollResult(feed.url, "not-modified")
        parsed = parse_feed(got.content, feed.url, feed_url=got.url, source=feed.source,
                            source_override=bool(feed.source))
        if parsed.error:
            return self._failed(feed, state, now, parsed.error)
        if parsed.warning:
            log.warning("%s: %s", feed.url, parsed.warning)
        seen = list(state.get("seen") or [])
        known = set(seen)
        fresh = [item for item in parsed.items if item.key not in known]
        new = skipped = 0
        done: set[str] = set()
        for item in reversed(fresh):  # oldest first, as feeds list the newest first
            doc = item.doc
            if isinstance(doc, BadInput):
                log.warning("%s: skipped %s: %s", feed.url, doc.where, doc.message)
                skipped += 1
                done.add(item.key)
                continue
            try:
                outcome = self.process(doc)
            except Exception as exc:  # retried next poll: the key is not remembered
                log.error("%s: failed on %s: %r", feed.url, doc.url or doc.origin, exc)
                skipped += 1
                continue
            done.add(item.key)
            if outcome == "new":
                new += 1
            else:
                skipped += 1
                if outcome != "stored":
                    log.info("%s: %s %s", feed.url, doc.url or doc.origin, outcome)
        current = [item.key for item in parsed.items if item.key in known or item.key in done]
        merged = list(dict.fromkeys(current + seen))[:MAX_SEEN]
        self.store.save_feed_state(
            feed.url, source=feed.source, etag=got.headers.get("etag"), last_modified=got.headers.get("last-modified"),
            seen=merged, failures=0, last_polled_at=_iso(now), next_poll_at=_iso(now + feed.interval),
            last_status=f"{got.status}: {len(parsed.items)} items, {new} new", ingested=(state.get("ingested") or 0) + new,
        )
        log.info("%s: fetched (HTTP %d), %d item(s), %d unseen: %d new document(s) stored, %d skipped", feed.url,
                 got.status, len(parsed.items), len(fresh), new, skipped)
        return PollResult(feed.url, "new", new=new, skipped=skipped, items=len(parsed.items))

    def backoff(self, failures: int) -> float:
        """Seconds before the next try after ``failures`` consecutive failures (capped)."""
        return min(self.retry_base * 2 ** min(max(failures - 1, 0), 30), self.max_backoff)

    def _failed(self, feed: FeedConfig, state: dict[str, Any], now: float, message: str) -> PollResult:
        failures = int(state.get("failures") or 0) + 1
        delay = self.backoff(failures)
        log.warning("%s: error: %s (failure %d in a row; next try in %s)", feed.url, message, failures, _human(delay))
        self.store.save_feed_state(feed.url, source=feed.source, failures=failures, last_polled_at=_iso(now),
                                   next_poll_at=_iso(now + delay), last_status=f"error: {message}"[:1000])
        return PollResult(feed.url, "error", error=message)


def configure_logging(level: int = logging.INFO) -> None:
    """Log lines of marsad.watch and marsad.sources to (the current) stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s marsad watch: %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler._marsad_watch = True  # type: ignore[attr-defined]
    for name in ("marsad.watch", "marsad.sources"):
        logger = logging.getLogger(name)
        for h in [h for h in logger.handlers if getattr(h, "_marsad_watch", False)]:
            logger.removeHandler(h)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def _ts(iso: str) -> float:
    try:
        value = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return 0.0
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
