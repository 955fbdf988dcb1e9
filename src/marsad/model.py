"""The data model: Document, Evidence and Event (the 31 ACLED columns plus provenance)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .nlp.normalize import normalize

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

#: Columns marsad adds after the ACLED ones.
EXTRA_COLUMNS: tuple[str, ...] = ("doc_id", "gazetteer_id", "confidence")


def document_id(text: str, url: str | None = None) -> str:
    """Stable id: a hash of the url and the normalised text (whitespace-insensitive)."""
    norm = " ".join(normalize(text).split())
    digest = hashlib.sha256(((url or "").strip() + "\x00" + norm).encode("utf-8")).hexdigest()
    return digest[:16]


_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """'ar' when Arabic letters dominate the letters of the text, else 'en' or 'other'."""
    sample = text[:20000]
    arabic = len(_ARABIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if arabic and arabic >= latin * 0.5:
        return "ar"
    if latin:
        return "en"
    return "other"


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

    def __post_init__(self) -> None:
        if self.language is None:
            self.language = detect_language(self.text)
        self.doc_id = document_id(self.text, self.url)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "published": self.published,
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
    gazetteer_id: str = ""
    confidence: float = 0.0
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def add_evidence(self, field_name: str, ev: Evidence | None) -> None:
        if ev is None:
            return
        spans = self.evidence.setdefault(field_name, [])
        if ev not in spans:
            spans.append(ev)

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
