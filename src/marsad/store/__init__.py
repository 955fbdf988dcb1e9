"""The event store: an SQLite file by default (any SQLAlchemy URL works the same way).

Documents, events and evidence are linked by ids; every ingest runs in one transaction per
document, and a document already stored (same stable id) is skipped, so re-ingesting changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from ..model import ACLED_COLUMNS, Document, Event, Evidence

SCHEMA_VERSION = 1

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String(32), primary_key=True),
    Column("id", Text),
    Column("url", Text),
    Column("title", Text),
    Column("source", Text),
    Column("published", String(10)),
    Column("language", String(8)),
    Column("text", Text, nullable=False),
    Column("ingested_at", String(32), nullable=False),
)

_INT = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp"}
_FLOAT = {"latitude", "longitude"}


def _col(name: str) -> Column:
    if name == "event_id_cnty":
        return Column(name, String(64), primary_key=True)
    if name in _INT:
        return Column(name, Integer)
    if name in _FLOAT:
        return Column(name, Float)
    return Column(name, Text)


events = Table(
    "events",
    metadata,
    *[_col(c) for c in ACLED_COLUMNS],
    Column("doc_id", String(32), ForeignKey("documents.doc_id"), index=True, nullable=False),
    Column("gazetteer_id", String(32)),
    Column("confidence", Float),
    Column("reasons", Text),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), ForeignKey("events.event_id_cnty"), index=True, nullable=False),
    Column("doc_id", String(32), ForeignKey("documents.doc_id"), nullable=False),
    Column("field", String(32), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
)

schema_info = Table(
    "schema_info",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String(32)),
)


def default_db_path() -> Path:
    return Path(user_data_dir("marsad", appauthor=False)) / "marsad.sqlite"


def db_url(db: str | None) -> str:
    """A path or URL -> SQLAlchemy URL (default: the SQLite file in the user's data dir)."""
    if db and "://" in db:
        return db
    path = Path(db) if db else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class Store:
    def __init__(self, db: str | None = None) -> None:
        self.url = db_url(db)
        self.engine: Engine = create_engine(self.url, future=True)
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(schema_info)).scalar() == 0:
                conn.execute(insert(schema_info).values(version=SCHEMA_VERSION, applied_at=_now()))

    def has_document(self, doc_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(documents.c.doc_id).where(documents.c.doc_id == doc_id)).first() is not None

    def add(self, doc: Document, doc_events: list[Event]) -> bool:
        """Store a document with its events in one transaction; False if it was already there."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(documents.c.doc_id).where(documents.c.doc_id == doc.doc_id)).first()
            if exists:
                return False
            row = doc.to_dict()
            row["ingested_at"] = _now()
            conn.execute(insert(documents).values(**row))
            for e in doc_events:
                data = e.to_dict()
                values = {c: data[c] for c in ACLED_COLUMNS}
                values["timestamp"] = values["timestamp"] or int(dt.datetime.now(dt.UTC).timestamp())
                values.update(doc_id=doc.doc_id, gazetteer_id=e.gazetteer_id, confidence=e.confidence,
                              reasons=json.dumps(e.reasons, ensure_ascii=False))
                conn.execute(insert(events).values(**values))
                ev_rows = [
                    {"event_id": e.event_id_cnty, "doc_id": doc.doc_id, "field": f, "start": x.start,
                     "end": x.end, "text": x.text}
                    for f, spans in e.evidence.items()
                    for x in spans
                ]
                if ev_rows:
                    conn.execute(insert(evidence), ev_rows)
        return True

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (documents, events, evidence)
            }

    def iter_events(self) -> Iterator[Event]:
        with self.engine.connect() as conn:
            ev_by_event: dict[str, dict[str, list[Evidence]]] = {}
            for r in conn.execute(select(evidence).order_by(evidence.c.id)):
                ev_by_event.setdefault(r.event_id, {}).setdefault(r.field, []).append(
                    Evidence(r.start, r.end, r.text)
                )
            for r in conn.execute(select(events).order_by(events.c.event_date, events.c.event_id_cnty)):
                data = dict(r._mapping)
                data["reasons"] = json.loads(data.get("reasons") or "{}")
                e = Event.from_dict(data)
                e.evidence = ev_by_event.get(e.event_id_cnty, {})
                yield e


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
