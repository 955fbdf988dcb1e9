"""HTML pages: main text and metadata (title, date, canonical url, site name) by trafilatura."""

from __future__ import annotations

import logging

from ..inputs import BadInput
from ..model import Document
from ._common import MAX_PAGE_BYTES, iso_date

log = logging.getLogger(__name__)
#: Less main text than this is navigation or an error page, not a report.
MIN_TEXT_CHARS = 20


def parse_html(data: bytes | str, where: str, url: str | None = None, published: str | None = None,
               source: str | None = None, prefer_given_url: bool = False) -> Document | BadInput:
    """One Document from an HTML page, or BadInput saying why not (never raises).

    The page's own metadata wins over ``published``/``source`` (which fill gaps); the url is the
    page's canonical link, else ``url`` (with ``prefer_given_url``, e.g. a WARC record's target
    URI or the address a page was fetched from, ``url`` wins).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        return BadInput(where, "HTML page is empty")
    if len(raw) > MAX_PAGE_BYTES:
        return BadInput(where, f"HTML page is {len(raw) / 2**20:,.0f} MiB; the limit is {MAX_PAGE_BYTES / 2**20:,.0f} MiB")
    if b"\x00" in raw[:65536]:
        return BadInput(where, "input is binary, not an HTML page")
    try:
        import trafilatura

        result = trafilatura.bare_extraction(raw, url=url, with_metadata=True, include_comments=False,
                                             include_tables=True)
    except Exception as exc:  # lxml and trafilatura raise many kinds on hostile markup
        log.debug("trafilatura failed on %s", where, exc_info=True)
        return BadInput(where, f"HTML page could not be parsed ({type(exc).__name__}: {exc})")
    text = getattr(result, "text", None) if result is not None else None
    if not text or len(text.strip()) < MIN_TEXT_CHARS:
        return BadInput(where, "no main text found in the HTML page")
    page_url = getattr(result, "url", None)
    doc_url = (url or page_url) if prefer_given_url else (page_url or url)
    meta_date = iso_date(getattr(result, "date", None))
    return Document(
        text=text,
        url=doc_url,
        title=getattr(result, "title", None) or None,
        source=getattr(result, "sitename", None) or source or getattr(result, "hostname", None) or None,
        published=meta_date or published,
        published_source="metadata" if meta_date else None,
        id=doc_url or where,
        origin=where,
    )
