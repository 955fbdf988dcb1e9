"""Extraction: from a Document to coded, geocoded, evidenced ACLED events."""

from __future__ import annotations

from ..errors import InputError
from ..kb import get_kb
from ..model import Document, Event
from ..nlp.dates import MAX_YEAR, MIN_YEAR, parse_iso

#: Names of the languages the language gate most often meets instead of Arabic.
LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "ru": "Russian",
    "tr": "Turkish", "fa": "Persian", "ur": "Urdu", "ps": "Pashto", "ku": "Kurdish", "sdh": "Kurdish (Sorani)",
    "ckb": "Kurdish (Sorani)", "he": "Hebrew", "nl": "Dutch", "pt": "Portuguese", "zh": "Chinese", "other": "no language",
}

#: Longest text analysed in one piece; longer documents are refused rather than truncated.
MAX_CHARS = 2_000_000


def check_document(doc: Document) -> None:
    """Raise InputError with a one-line reason when ``doc`` cannot be analysed."""
    text = doc.text
    if not isinstance(text, str):
        raise InputError("document text is not a string")
    if len(text) > MAX_CHARS:  # first: the checks below scan the whole text
        raise InputError(f"document has {len(text):,} characters; the limit is {MAX_CHARS:,}")
    if not text or text.isspace():
        raise InputError("document text is empty")
    if "\x00" in text or _control_share(text) > 0.05:
        raise InputError("document looks binary (control characters), not text")
    if doc.language != "ar":
        name = LANGUAGE_NAMES.get(doc.language or "", "")
        label = f"{doc.language} ({name})" if name else doc.language
        raise InputError(f"document is not Arabic (detected language: {label})")
    if doc.published:
        published = parse_iso(doc.published)
        if published is None:
            raise InputError(f"published date {doc.published!r} is not YYYY-MM-DD")
        if not MIN_YEAR <= published.year <= MAX_YEAR:
            raise InputError(f"published date {doc.published!r} is outside the years {MIN_YEAR}-{MAX_YEAR}")


def _control_share(text: str) -> float:
    sample = text[:10000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\r\t") or c == "\ufffd")
    return bad / max(len(sample), 1)


def extract(doc: Document, ner: bool | None = None) -> list[Event]:
    """Coded events of one document (raises InputError for unusable input).

    ``ner``: use the statistical NER model for names the knowledge base misses (default: on,
    unless the MARSAD_NER environment variable is 0/off)."""
    from ..nlp.pipeline import analyse
    from .coding import codable, code_group, group_frames
    from .frames import FrameBuilder
    from .ner_link import ner_enabled

    check_document(doc)
    published = parse_iso(doc.published)
    spacy_doc = analyse(doc.text, published)
    kb = get_kb()
    frames = FrameBuilder(spacy_doc, kb, published, ner=ner_enabled(ner)).frames()
    groups = [g for g in group_frames(frames) if codable(g)[0]]
    events = [code_group(g, kb, doc.doc_id, doc.source or "", i + 1) for i, g in enumerate(groups)]
    events.sort(key=lambda e: (e.event_date, e.event_id_cnty))
    return events
