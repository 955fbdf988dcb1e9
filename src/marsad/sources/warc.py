"""WARC archives (warcio): HTML responses become Documents (trafilatura), with the record's
target URI as url; feeds and plain-text records inside are read too, everything else skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..errors import InputError
from ..inputs import BadInput, decode_text
from ..model import Document
from ._common import MAX_PAGE_BYTES, reason, sniff
from .feeds import parse_feed
from .htmlpage import parse_html

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}


def parse_warc(path: str, published: str | None = None, source: str | None = None) -> Iterator[Document | BadInput]:
    """Documents of a WARC (or gzipped WARC) file; an unreadable record ends the file with a BadInput
    after the documents read so far."""
    try:
        from warcio.archiveiterator import ArchiveIterator

        fh = open(path, "rb")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        yield BadInput(path, exc.strerror or str(exc))
        return
    n = end = 0
    try:
        records = ArchiveIterator(fh)
        while True:
            try:
                rec = next(records)
                n += 1
                item = _record(rec, path, n, published, source)
                records.read_to_end(rec)
                end = records.get_record_offset() + records.get_record_length()
            except StopIteration:
                break
            except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib, EOF and value errors
                what = "not a WARC file" if n == 0 else f"record {n + 1} is unreadable"
                yield BadInput(path, f"{what} ({type(exc).__name__}: {str(exc).strip()[:200]})")
                return
            if item is None:
                continue
            if isinstance(item, list):
                yield from item
            else:
                yield item
        if n == 0:
            yield BadInput(path, "WARC file holds no records")
        elif os.path.getsize(path) - end > 4:  # more than the blank lines after the last record
            yield BadInput(path, f"the last {os.path.getsize(path) - end:,} bytes hold no complete record "
                                 "(a truncated file?)")
    finally:
        fh.close()


def _record(rec, path: str, n: int, published: str | None, source: str | None):
    if rec.rec_type not in ("response", "resource"):
        return None
    uri = rec.rec_headers.get_header("WARC-Target-URI") or None
    if rec.rec_type == "response":
        if rec.http_headers is None:
            return None
        status = rec.http_headers.get_statuscode()
        if not status or not str(status).startswith("2"):
            return None  # redirects, errors: no page to read
        mime = rec.http_headers.get_header("Content-Type") or ""
    else:
        mime = rec.rec_headers.get_header("Content-Type") or ""
    mime = mime.split(";", 1)[0].strip().lower()
    where = f"{path}: record {n}" + (f" ({uri})" if uri else "")
    stream = rec.content_stream()
    payload = stream.read(MAX_PAGE_BYTES + 1)
    if len(payload) > MAX_PAGE_BYTES:
        return BadInput(where, f"record payload is larger than {MAX_PAGE_BYTES / 2**20:,.0f} MiB")
    kind = "html" if mime in _HTML_TYPES else "feed" if mime in _FEED_TYPES or mime.endswith("+xml") else None
    if kind is None and mime in ("", "application/octet-stream"):
        kind = sniff(payload)
    if kind == "html":
        return parse_html(payload, where, url=uri, published=published, source=source, prefer_given_url=True)
    if kind == "feed":
        parsed = parse_feed(payload, where, feed_url=uri, published=published, source=source)
        if parsed.error:
            return BadInput(where, parsed.error)
        return [i.doc for i in parsed.items]
    if mime == "text/plain":
        try:
            return Document(text=decode_text(payload, where), url=uri, source=source, published=published,
                            id=uri, origin=where)
        except InputError as exc:
            return BadInput(where, reason(exc, where))
    return None
