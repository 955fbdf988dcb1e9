"""Extraction: from a Document to coded, geocoded, evidenced ACLED events."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..env import env_flag
from ..errors import InputError
from ..kb import get_kb
from ..model import Document, Event
from ..nlp.dates import MAX_YEAR, MIN_YEAR, parse_iso

if TYPE_CHECKING:
    from .features import Candidate

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


#: Environment variables that set the defaults of ``extract`` (so Dask workers share them).
MIN_CONFIDENCE_ENV = "MARSAD_MIN_CONFIDENCE"
ALL_COUNTRIES_ENV = "MARSAD_ALL_COUNTRIES"
#: How ``reasons["dropped"]`` begins for a candidate the coding rules rejected / one located abroad.
DROPPED_BY_RULES = "coding rules"
DROPPED_ABROAD = "located outside Syria"
DROPPED_UNDATED = "no date"


def env_min_confidence() -> float | None:
    """The threshold the MARSAD_MIN_CONFIDENCE environment variable sets, if any."""
    value = os.environ.get(MIN_CONFIDENCE_ENV, "").strip()
    return float(value) if value else None


def default_min_confidence() -> float:
    """The threshold of articles chosen on the development split (``scorer.json``), unless the
    MARSAD_MIN_CONFIDENCE environment variable sets another. (Short texts have their own,
    ``EventScorer.threshold_short_text``, unless the variable or the caller sets one.)"""
    value = env_min_confidence()
    if value is not None:
        return value
    from .scorer import get_scorer

    scorer = get_scorer()
    return scorer.threshold if scorer is not None else 0.0


def candidates(doc: Document, ner: bool | None = None) -> list[Candidate]:
    """Every candidate event of a document, coded, with the rules' verdict and the scorer's
    features, in text order (raises InputError for unusable input). Unscored."""
    from ..nlp.pipeline import analyse
    from .coding import codable, code_group, group_frames, inherit_unnamed_authors
    from .features import Candidate, candidate_features
    from .frames import FrameBuilder
    from .ner_link import ner_enabled

    check_document(doc)
    fill_publication_date(doc)
    published = parse_iso(doc.published)
    spacy_doc = analyse(doc.text, published)
    kb = get_kb()
    builder = FrameBuilder(spacy_doc, kb, published, ner=ner_enabled(ner))
    out: list[Candidate] = []
    n = 0
    mentioned = [d._.value.date for d in builder.dates if d._.value.kind == "absolute"]
    latest = max(mentioned).isoformat() if mentioned else None
    for group in group_frames(builder.frames()):
        ok, why = codable(group)
        n += ok  # ids count the events the rules accept, so a threshold never renumbers them
        event = code_group(group, kb, doc.doc_id, doc.source or "", n if ok else 0, latest)
        if not ok:
            event.event_id_cnty = ""
        _provenance(event, doc)
        out.append(Candidate(event, group, ok, why))
    inherit_unnamed_authors([c.event for c in out], [c.rule_ok for c in out])
    per_sentence: dict = {}
    for cand in out:
        candidate_features(cand, builder, per_sentence)
    return out


def fill_publication_date(doc: Document) -> None:
    """A document without a publication date gets the one its URL or text shows (``nlp.pubdate``),
    with where it came from and why; with none, the reason."""
    if doc.published:
        return
    from ..nlp.pubdate import find_publication_date

    found, why = find_publication_date(doc.text, doc.url)
    if found is None:
        doc.published_reason = why
        return
    doc.published, doc.published_source = found.date, found.source
    doc.published_evidence, doc.published_reason = found.evidence, found.reason


def _provenance(event: Event, doc: Document) -> None:
    """The caller's id of the document, and where the publication date the event may rest on came from."""
    from .frames import DATE_FROM_PUBLICATION

    event.doc_ref = doc.id or ""
    event.published_source = doc.published_source or ""
    if doc.published_source in ("url", "text"):
        event.add_evidence("published", doc.published_evidence)
        event.reasons["published"] = f"{doc.published} ({doc.published_reason})"
        if event.reasons.get("event_date") == DATE_FROM_PUBLICATION:
            event.reasons["event_date"] += f", found in the page's {doc.published_source}"
    elif not doc.published and doc.published_reason:
        event.reasons["published"] = doc.published_reason


def decide(cands: list[Candidate], min_confidence: float | None = None, all_countries: bool | None = None) -> None:
    """Score the candidates and say why each one that is not emitted is dropped."""
    from .features import located_abroad
    from .scorer import get_scorer

    scorer = get_scorer()
    if scorer is not None:
        scorer.score([c for c in cands if c.rule_ok])  # the rules' rejects need no score
    fixed = env_min_confidence() if min_confidence is None else min_confidence
    everywhere = env_flag(ALL_COUNTRIES_ENV) if all_countries is None else all_countries
    for c in cands:
        e = c.event
        if not c.rule_ok:
            c.dropped = f"{DROPPED_BY_RULES}: {c.rule_reason}"
            if scorer is not None:
                e.confidence = 0.0  # not scored: the rules already rejected it
        elif not everywhere and located_abroad(e):
            c.dropped = f"{DROPPED_ABROAD} ({e.country}); --all-countries keeps it"
        elif not e.event_date and not c.short_text and fixed != 0:
            # an article with no date in it and none given (a listing, an undated feature): an
            # ACLED record needs a date, and no day can be told for this one
            c.dropped = (f"{DROPPED_UNDATED} in the article and no publication date given: an event record needs "
                         "one; --min-confidence 0 keeps it")
        elif scorer is not None and c.score < (threshold := scorer.threshold_for(c) if fixed is None else fixed):
            kind = "" if fixed is not None else " of short texts" if c.short_text else " of articles"
            c.dropped = f"confidence {c.score:.2f} below the threshold{kind} {threshold:.2f}"
        if c.dropped:
            e.reasons["dropped"] = c.dropped


def extract(doc: Document, ner: bool | None = None, min_confidence: float | None = None,
            all_countries: bool | None = None, explain: bool = False) -> list[Event]:
    """Coded events of one document (raises InputError for unusable input).

    ``ner``: use the statistical NER model for names the knowledge base misses (default: on,
    unless the MARSAD_NER environment variable is 0/off). ``min_confidence``: emit only events
    the scorer rates at least this (default: the threshold chosen on the development split, or
    MARSAD_MIN_CONFIDENCE). ``all_countries``: also emit events located outside Syria (default:
    off, or MARSAD_ALL_COUNTRIES). ``explain``: also return the dropped candidates, each with
    ``reasons["dropped"]`` saying why. Without ``min_confidence`` or MARSAD_MIN_CONFIDENCE, a
    short text (a few sentences) has its own threshold, also chosen on the development split."""
    cands = candidates(doc, ner)
    decide(cands, min_confidence, all_countries)
    events = [c.event for c in cands if explain or not c.dropped]
    events.sort(key=lambda e: (e.event_date, e.event_id_cnty))
    return events
