"""The data model: Document, Evidence and Event (the 31 ACLED columns plus provenance)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from .nlp.normalize import normalize, scrub_surrogates

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: Event type -> the class sentence-level checks and the sentence model use.
EVENT_TYPE_GROUP: dict[str, str] = {
    "Battles": "violent", "Explosions/Remote violence": "violent", "Violence against civilians": "violent",
    "Protests": "demonstration", "Riots": "demonstration", "Strategic developments": "strategic",
}

#: Columns marsad adds after the ACLED ones.
#: ``doc_ref`` is the document's own id as the caller gave it (a JSONL ``id``, a feed item's guid, a
#: Telegram message link, a file path); ``published_source`` where its publication date came from.
EXTRA_COLUMNS: tuple[str, ...] = ("doc_id", "doc_ref", "published_source", "gazetteer_id", "confidence",
                                   "review_status")


def document_id(text: str, url: str | None = None) -> str:
    """Stable id: a hash of the url and the normalised text (whitespace-insensitive)."""
    text, url = scrub_surrogates(text), scrub_surrogates(url or "")
    norm = " ".join(normalize(text).split())
    digest = hashlib.sha256(((url or "").strip() + "\x00" + norm).encode("utf-8")).hexdigest()
    return digest[:16]


_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]+")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|[\w.+-]+@)\S*", re.IGNORECASE)  # addresses say nothing
#: Arabic-script letters (and Persian/Urdu digits and marks) that Arabic itself does not use: پ چ ژ گ ک ی ۆ ێ ە
#: ڕ ڵ ے ٹ ڈ ں ھ ۇ ې ټ ډ ښ ګ ڤ ۰-۹ ... A text without any of them is Arabic when Arabic script dominates.
_NON_ARABIC_SCRIPT_LETTER = re.compile(r"[\u0672-\u06d5\u06ee-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_NOT_ARABIC_SCRIPT = re.compile(r"[^\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc\s]+")
#: Languages written in Arabic script that the bundled py3langid model knows (ckb/Sorani comes out as sdh).
_ARABIC_SCRIPT_LANGS = ("ar", "ary", "arz", "fa", "ur", "ps", "sdh", "ug", "uzs")
_ARABIC_VARIETIES = {"ar", "ary", "arz"}  # Modern Standard, Moroccan, Egyptian: all read as Arabic
_SAMPLE_CHARS = 5000  # the language of a document is told by its beginning
_identifiers: dict[str, Any] = {}


def _identifier(arabic_script: bool) -> Any:
    """The py3langid classifier (BSD-3-Clause, model shipped in the wheel, nothing downloaded),
    loaded once; ``arabic_script`` restricts it to the languages written in Arabic script (a view
    of the same model sharing its tables)."""
    key = "arabic" if arabic_script else "all"
    ident = _identifiers.get(key)
    if ident is None:
        full = _identifiers.get("all")
        if full is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            full = _identifiers["all"] = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if not arabic_script:
            return full
        cols = [i for i, c in enumerate(full.nb_classes) if c in _ARABIC_SCRIPT_LANGS]
        ident = _identifiers[key] = type(full)(
            full.nb_ptc[:, cols], full.nb_pc[cols], [full.nb_classes[i] for i in cols], full.tk_nextmove,
            full.tk_output, norm_probs=True, tk_row=full.tk_row)
    return ident


def _classify(text: str, arabic_script: bool) -> str | None:
    if any("\ufb50" <= c <= "\ufefc" for c in text):  # presentation forms -> plain letters
        text = unicodedata.normalize("NFKC", text)
    try:
        return _identifier(arabic_script).classify(text[:_SAMPLE_CHARS])[0]
    except ImportError:  # py3langid missing: fall back to the script test alone
        return None


def detect_language(text: str) -> str:
    """ISO 639 code of the text's language: 'ar' for Arabic, else e.g. 'fa', 'ur', 'sdh', 'en', 'fr',
    'tr', or 'other' when the text has no letters (or only non-linguistic content).

    Fast path: when Arabic-script letters make up at least a third of the letters (so Arabic
    articles quoting English names, tweets or URLs stay Arabic) and none of them is a letter
    that only Persian, Urdu, Kurdish, Pashto etc. use, the text is Arabic without running a
    model. Otherwise py3langid decides: among Arabic-script languages over the Arabic-script
    part of the text, or among all its 139 languages when another script dominates.
    """
    sample = text[:_SAMPLE_CHARS]
    if "://" in sample or "www." in sample or "@" in sample:
        sample = _URL.sub(" ", sample)
    letters = len(sample) - len(_LETTER.sub("", sample))
    if not letters:
        return "other"
    arabic = len(sample) - len(_ARABIC.sub("", sample))
    other = max(letters - arabic, 0)
    if arabic and arabic >= other * 0.5:
        if not _NON_ARABIC_SCRIPT_LETTER.search(sample):
            return "ar"
        code = _classify(_NOT_ARABIC_SCRIPT.sub(" ", sample), arabic_script=True)
        if code is None:
            return "ar"
        return "ar" if code in _ARABIC_VARIETIES else code
    code = _classify(sample, arabic_script=False)
    if code is None:
        return "en" if _LATIN.search(sample) else "other"
    if code == "zxx":
        return "other"
    return "und" if code in _ARABIC_VARIETIES else code


@dataclass
class Document:
    text: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published: str | None = None  # YYYY-MM-DD
    language: str | None = None
    id: str | None = None  # caller's id (e.g. a corpus id); the stable id is doc_id
    origin: str | None = None  # where it was read from ("docs.jsonl:12"), for messages
    #: where ``published`` came from: "given" (by the caller), "metadata" (the page's or feed's),
    #: "url" or "text" (found by ``nlp.pubdate``); with its evidence span and why
    published_source: str | None = None
    published_evidence: Evidence | None = None
    published_reason: str | None = None

    def __post_init__(self) -> None:
        for name in ("text", "url", "title", "source", "published", "id", "origin"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, scrub_surrogates(value))
        if self.published and not self.published_source:
            self.published_source = "given"
        if self.language is None:
            self.language = detect_language(self.text)

    @cached_property
    def doc_id(self) -> str:
        """The stable id, computed when first asked for: an enormous text that extraction refuses
        is never normalised and hashed as a whole."""
        return document_id(self.text, self.url)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "published_source": self.published_source,
            "published_reason": self.published_reason,
            "language": self.language,
            "text": self.text,
        }


@dataclass(frozen=True)
class Evidence:
    """A span of the original document text: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str
    doc_id: str | None = None  # set when spans of several reports are shown together (a deduplicated event)

    @classmethod
    def of(cls, span: Any) -> Evidence:
        """The evidence of a text span (anything with ``start_char``, ``end_char`` and ``text``:
        a spaCy span, a place mention)."""
        return cls(span.start_char, span.end_char, span.text)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.doc_id is not None:
            out["doc_id"] = self.doc_id
        return out


@dataclass
class Event:
    """One coded event. ACLED columns first; evidence and reasons per field."""

    event_id_cnty: str = ""
    event_date: str = ""
    year: int | None = None
    time_precision: int | None = None
    disorder_type: str = ""
    event_type: str = ""
    sub_event_type: str = ""
    actor1: str = ""
    assoc_actor_1: str = ""
    inter1: str = ""
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: str = ""
    interaction: str = ""
    civilian_targeting: str = ""
    iso: int = 760
    region: str = "Middle East"
    country: str = "Syria"
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    source: str = ""
    source_scale: str = ""
    notes: str = ""
    fatalities: int = 0
    tags: str = ""
    timestamp: int | None = None
    # provenance
    doc_id: str = ""
    doc_ref: str = ""
    published_source: str = ""
    gazetteer_id: str = ""
    confidence: float = 0.0
    #: machine (as coded), confirmed, corrected or rejected by an analyst (store/review.py)
    review_status: str = "machine"
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def add_evidence(self, field_name: str, ev: Evidence | None) -> None:
        if ev is None:
            return
        spans = self.evidence.setdefault(field_name, [])
        # a set beside each list (outside the dataclass fields) keeps the membership test constant
        # time: an event of a long report can gather thousands of spans
        index = self.__dict__.setdefault("_evidence_index", {})
        entry = index.get(field_name)
        if entry is None or entry[0] is not spans or entry[1] != len(spans):
            entry = index[field_name] = [spans, len(spans), set(spans)]
        if ev not in entry[2]:
            spans.append(ev)
            entry[1] += 1
            entry[2].add(ev)

    def acled_row(self) -> dict[str, Any]:
        data = asdict(self)
        return {c: data[c] for c in ACLED_COLUMNS}

    def to_dict(self) -> dict[str, Any]:
        out = self.acled_row()
        for c in EXTRA_COLUMNS:
            out[c] = getattr(self, c)
        out["evidence"] = {k: [e.to_dict() for e in v] for k, v in self.evidence.items()}
        out["reasons"] = dict(self.reasons)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        ev = known.pop("evidence", {}) or {}
        event = cls(**known)
        event.evidence = {k: [Evidence(**e) for e in v] for k, v in ev.items()}
        return event
