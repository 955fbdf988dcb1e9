"""Helpers shared by the source adapters: dates, HTML fragments to text, content sniffing."""

from __future__ import annotations

import datetime as dt
import re
import time
from email.utils import parsedate_to_datetime

#: Largest file or HTTP response an adapter reads (a Telegram export or WARC is streamed or
#: parsed as a whole below this; anything larger is refused with a clear message).
MAX_BYTES = 512 * 1024 * 1024
#: Largest single HTML page or feed (pages are parsed in memory).
MAX_PAGE_BYTES = 50 * 1024 * 1024

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "blockquote",
    "pre", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dd", "dt", "dl", "aside", "main",
}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u200b\f\v]+")


def iso_date(value: object) -> str | None:
    """YYYY-MM-DD from an ISO 8601 / RFC 3339 / RFC 822 date string or a ``time.struct_time``,
    in the publisher's own time zone when the string carries one; None when it is not a date."""
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        try:
            return _checked(dt.date(value.tm_year, value.tm_mon, value.tm_mday))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return _checked(value.date())
    if isinstance(value, dt.date):
        return _checked(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        try:
            return _checked(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None
    return _checked(parsed.date()) if parsed else None


def _checked(d: dt.date) -> str | None:
    return d.isoformat() if 1900 <= d.year <= 2100 else None


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed item's content): scripts and styles dropped, one
    line per block element, runs of spaces collapsed."""
    fragment = _CONTROL.sub("", fragment)  # lxml refuses NUL and other control characters
    if "<" not in fragment:
        return _tidy(fragment)
    from lxml import etree
    from lxml import html as lhtml

    try:
        root = lhtml.fragment_fromstring(fragment, create_parent="div")
        for el in [e for e in root.iter(*_DROP_TAGS)]:
            el.drop_tree()
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
                el.tail = "\n" + (el.tail or "")
                if el.tag.lower() != "br":
                    el.text = "\n" + (el.text or "")
        return _tidy(root.text_content())
    except (etree.ParserError, etree.LxmlError, ValueError, TypeError):
        return _tidy(re.sub(r"<[^>]*>", " ", fragment))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def sniff(data: bytes) -> str | None:
    """'warc', 'feed', 'html', 'json' or None (plain text or unknown) from the first bytes."""
    if data[:5] == b"WARC/":
        return "warc"
    if data[:2] == b"\x1f\x8b":
        return "warc" if _gunzip_head(data)[:5] == b"WARC/" else None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:1] in (b"{", b"["):
        return "json"
    if not head.startswith(b"<"):
        return None
    # skip an XML declaration, comments and a doctype before the root element
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S).lstrip()
    if body.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")):
        return "feed"
    if body.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        return "html"
    if head.startswith(b"<?xml"):
        return "feed"  # some other XML: the feed parser decides (and says what is wrong)
    return "html"


def _gunzip_head(data: bytes) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], 4096)
    except zlib.error:
        return b""


def read_bytes(path: str, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes; OSError for an unreadable one, ValueError for one over ``limit``."""
    import os

    size = os.path.getsize(path)
    if size > limit:
        raise ValueError(f"file is {size / 2**20:,.0f} MiB; the limit is {limit / 2**20:,.0f} MiB")
    with open(path, "rb") as fh:
        return fh.read()


def reason(exc: BaseException, where: str) -> str:
    """The message of an ``InputError("where: message")`` without its ``where:`` prefix."""
    msg = str(exc)
    return msg[len(where) + 2:] if msg.startswith(where + ": ") else msg
