"""Source adapters: files, folders, JSONL, HTML pages, RSS/Atom feeds, Telegram Desktop exports,
WARC archives and http(s) addresses, all turned into ``Document`` records.

``iter_documents(items)`` is the one entry point: it tells each item's kind by its name, then
by its content (or, for an address, by the response's content type and content), and yields a
``Document`` per report or an ``inputs.BadInput(where, message)`` for anything broken. An
adapter never raises on malformed input: a batch never dies on one bad item.

``published`` and ``source`` fill gaps: plain text always takes them; JSONL records, HTML pages
(``og:site_name``, date metadata), feed items (the feed's title, the item's date) and Telegram
messages (the channel's name, the message's date) carry their own, which win.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..inputs import BadInput, decode_text, iter_jsonl, read_text_file
from ..model import Document
from ._common import MAX_BYTES, MAX_PAGE_BYTES, read_bytes, reason, sniff

__all__ = ["KINDS", "BadInput", "detect_kind", "is_batch", "iter_documents"]

log = logging.getLogger(__name__)

#: The kinds of input ``iter_documents`` reads.
KINDS = ("text", "folder", "jsonl", "html", "feed", "telegram", "warc", "url")
_BY_SUFFIX = {
    ".txt": "text", ".md": "text", ".jsonl": "jsonl", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".warc": "warc", ".warc.gz": "warc", ".arc": "warc",
    ".arc.gz": "warc",
}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
               "application/feed+json"}
_TELEGRAM_HTML = re.compile(r"messages\d*\.html")


def is_url(item: str) -> bool:
    return item.lower().startswith(("http://", "https://"))


def _kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower == "result.json":
        return "telegram"
    for suffix in (".warc.gz", ".arc.gz"):
        if lower.endswith(suffix):
            return _BY_SUFFIX[suffix]
    return _BY_SUFFIX.get(os.path.splitext(lower)[1])


def detect_kind(item: str) -> str:
    """One of KINDS, or 'missing' for a path that does not exist."""
    if item == "-":
        return "text"
    if is_url(item):
        return "url"
    path = Path(item)
    if path.is_dir():
        return "folder"
    if not path.exists():
        return "missing"
    kind = _kind_by_name(path.name)
    if kind:
        return kind
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return "text"  # reading it again reports the error
    sniffed = sniff(head)
    if sniffed == "json":
        return "jsonl" if _looks_like_jsonl(head) else "telegram"
    return sniffed or "text"


def _looks_like_jsonl(head: bytes) -> bool:
    """True when the first line is a whole JSON object with a "text" (a JSONL file of documents)."""
    import json

    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and "text" in record


def is_batch(items: Iterable[str]) -> bool:
    """False for one plain-text file or one HTML page (a bad one is a one-line error); True for
    everything that can hold many documents."""
    items = list(items)
    return len(items) != 1 or detect_kind(items[0]) not in ("text", "html", "missing")


def iter_documents(items: Iterable[str], published: str | None = None, source: str | None = None,
                   client=None) -> Iterator[Document | BadInput]:
    """Documents of every path, folder or http(s) address in ``items`` ('-' is stdin, read as text)."""
    for item in items:
        yield from _guard(_one(str(item), published, source, client), str(item))


def _guard(gen: Iterator, where: str) -> Iterator:
    """Pass ``gen`` through; an exception becomes one BadInput and ends that input only."""
    try:
        yield from gen
    except Exception as exc:  # the promise: nothing escapes an adapter
        log.debug("adapter failed on %s", where, exc_info=True)
        yield BadInput(where, f"unreadable input ({type(exc).__name__}: {str(exc)[:200]})")


def _one(item: str, published: str | None, source: str | None, client) -> Iterator[Document | BadInput]:
    kind = detect_kind(item)
    if kind == "missing":
        yield BadInput(item, "no such file or folder")
    elif kind == "url":
        yield from _from_url(item, published, source, client)
    elif kind == "folder":
        yield from _folder(item, published, source)
    else:
        yield from _file(item, kind, published, source)


def _file(path: str, kind: str, published: str | None, source: str | None) -> Iterator[Document | BadInput]:
    if kind == "text":
        try:
            yield Document(text=read_text_file(path), published=published, source=source, id=path)
        except InputError as exc:
            yield BadInput(path, reason(exc, path))
        except OSError as exc:
            yield BadInput(path, exc.strerror or str(exc))
        return
    if kind == "jsonl":
        yield from iter_jsonl(path, published, source)
        return
    if kind == "warc":
        from .warc import parse_warc

        yield from parse_warc(path, published, source)
        return
    try:
        data = read_bytes(path, MAX_BYTES if kind == "telegram" else MAX_PAGE_BYTES)
    except (OSError, ValueError) as exc:
        yield BadInput(path, getattr(exc, "strerror", None) or str(exc))
        return
    yield from _data(data, kind, path, None, published, source)


def _data(data: bytes, kind: str, where: str, url: str | None, published: str | None,
          source: str | None) -> Iterator[Document | BadInput]:
    if kind == "html":
        from .htmlpage import parse_html

        yield parse_html(data, where, url=url, published=published, source=source, prefer_given_url=url is not None)
    elif kind == "feed":
        from .feeds import parse_feed

        parsed = parse_feed(data, where, feed_url=url, published=published, source=source)
        if parsed.error:
            yield BadInput(where, parsed.error)
            return
        if parsed.warning:
            log.warning("%s: %s", where, parsed.warning)
        for item in parsed.items:
            yield item.doc
    elif kind == "telegram":
        from .telegram import parse_export

        yield from parse_export(data, where, published, source)
    else:
        yield BadInput(where, f"cannot read {kind} input here")


def _folder(root: str, published: str | None, source: str | None) -> Iterator[Document | BadInput]:
    """Every recognised file under ``root`` (recursively, hidden files and folders left out, in
    name order); a Telegram export's own HTML pages beside its result.json are left out."""
    found = 0
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        names = sorted(f for f in filenames if not f.startswith("."))
        telegram_dir = "result.json" in names
        for name in names:
            kind = _kind_by_name(name)
            if kind is None or (telegram_dir and kind == "html" and _TELEGRAM_HTML.fullmatch(name)):
                continue
            path = os.path.join(dirpath, name)
            found += 1
            yield from _guard(_file(path, kind, published, source), path)
    for exc in errors:
        yield BadInput(getattr(exc, "filename", None) or root, exc.strerror or str(exc))
    if not found and not errors:
        yield BadInput(root, "folder holds no file marsad reads (.txt, .md, .jsonl, .html, .htm, .xml, .rss, .atom, "
                             "result.json, .warc, .warc.gz)")


def _from_url(url: str, published: str | None, source: str | None, client) -> Iterator[Document | BadInput]:
    from .fetch import FetchError, fetch

    try:
        got = fetch(url, client)
    except FetchError as exc:
        yield BadInput(url, f"fetch failed: {exc}")
        return
    ctype = got.content_type
    kind = "html" if ctype in _HTML_TYPES else "feed" if ctype in _FEED_TYPES or ctype.endswith(("+xml", "/xml")) else None
    if kind is None:
        sniffed = sniff(got.content)
        if sniffed in ("html", "feed"):
            kind = sniffed
        elif ctype.startswith("text/") or (sniffed is None and ctype in ("", "application/octet-stream")):
            try:
                yield Document(text=decode_text(got.content, url), url=got.url, published=published, source=source,
                               id=got.url, origin=url)
            except InputError as exc:
                yield BadInput(url, reason(exc, url))
            return
        else:
            yield BadInput(url, f"cannot read content of type {ctype or 'unknown'} (an HTML page, an RSS/Atom feed or "
                                "plain text was expected)")
            return
    yield from _data(got.content, kind, url, got.url, published, source)
