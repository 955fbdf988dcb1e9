"""RSS and Atom feeds (feedparser): one Document per item, its text the item's content or
summary stripped of HTML."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from ..inputs import BadInput
from ..model import Document
from ._common import MAX_PAGE_BYTES, html_to_text, iso_date


@dataclass
class FeedItem:
    key: str  # the item's guid/id, else its link, else a hash of its title and text
    doc: Document | BadInput


@dataclass
class ParsedFeed:
    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None  # why the data is not a usable feed (then ``items`` is empty)
    warning: str | None = None  # a malformed feed that feedparser still read items from


def parse_feed(data: bytes, where: str, feed_url: str | None = None, published: str | None = None,
               source: str | None = None, source_override: bool = False) -> ParsedFeed:
    """Items of an RSS/Atom document (never raises). The feed's title is the source name unless
    ``source_override`` (then ``source`` is); ``published`` and ``source`` fill gaps otherwise."""
    if not data or not data.strip():
        return ParsedFeed(error="feed is empty")
    if len(data) > MAX_PAGE_BYTES:
        return ParsedFeed(error=f"feed is {len(data) / 2**20:,.0f} MiB; the limit is {MAX_PAGE_BYTES / 2**20:,.0f} MiB")
    try:
        import feedparser

        headers = {"content-location": feed_url} if feed_url else None
        # a stream, never bytes or str: feedparser opens a str as a URL and bytes that spell a path
        # as a local file (a feed body "/etc/passwd" would be read from disk)
        parsed = feedparser.parse(io.BytesIO(bytes(data)), response_headers=headers)
    except Exception as exc:
        return ParsedFeed(error=f"feed could not be parsed ({type(exc).__name__}: {exc})")
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries and (bozo is not None or not parsed.get("version")):
        reason = f": {_short(bozo)}" if bozo is not None else ""
        return ParsedFeed(error=f"not a valid RSS/Atom feed{reason}")
    feed_meta = parsed.get("feed") or {}
    title = _clean(feed_meta.get("title"))
    name = source if source_override and source else (title or source)
    out = ParsedFeed(title=title, warning=f"malformed feed, read anyway: {_short(bozo)}" if bozo is not None else None)
    for n, entry in enumerate(entries, start=1):
        out.items.append(_item(entry, n, where, name, published))
    return out


def _item(entry: dict, n: int, where: str, source: str | None, published: str | None) -> FeedItem:
    link = _clean(entry.get("link"))
    guid = _clean(entry.get("id"))
    title = _clean(entry.get("title"))
    text = ""
    contents = entry.get("content") or []
    if isinstance(contents, list):
        values = [c for c in contents if isinstance(c, dict) and isinstance(c.get("value"), str)]
        if values:
            best = max(values, key=lambda c: len(c["value"]))
            text = _to_text(best["value"], best.get("type"))
    if not text:
        summary = entry.get("summary")
        if isinstance(summary, str):
            detail = entry.get("summary_detail") or {}
            text = _to_text(summary, detail.get("type") if isinstance(detail, dict) else None)
    if not text and title:
        text = title  # a headline-only item is still a (short) report
    key = guid or link or ("sha1:" + hashlib.sha1(f"{title}\x00{text}".encode()).hexdigest())
    label = f"{where}: item {n}" + (f" ({link})" if link else "")
    if not text.strip():
        return FeedItem(key, BadInput(label, "feed item has no text (no content, summary or title)"))
    date = None
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get maps "published" to "updated" itself, with a DeprecationWarning
        date = iso_date(dict.get(entry, name)) or iso_date(dict.get(entry, f"{name}_parsed"))
        if date:
            break
    doc = Document(text=text, url=link, title=title, source=source, published=date or published,
                   published_source="metadata" if date else None, id=guid or link, origin=label)
    return FeedItem(key, doc)


def _to_text(value: str, mime: str | None) -> str:
    if mime == "text/plain":
        return value.strip()
    return html_to_text(value)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _short(exc: object) -> str:
    msg = str(exc).strip() or type(exc).__name__
    return msg if len(msg) <= 200 else msg[:197] + "..."
