"""The event store: an SQLite file by default, PostgreSQL by URL (any SQLAlchemy URL works).

Documents, per-report events, evidence, deduplicated (canonical) events and merge explanations;
the schema is created and upgraded by the Alembic migrations shipped in ``migrations/`` whenever
a store is opened. Every ingest runs in one transaction per document (insert + dedup); a
document already stored (same stable id) is skipped, so re-ingesting changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import (
    Float,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ..model import ACLED_COLUMNS, Document, Event, Evidence
from . import review as rv
from .reads import CompiledSql, Lru, ReadCache
from .review import ReviewError, UnknownEvent
from .schema import (
    ALEMBIC_HEAD,
    SCHEMA_VERSION,
    audit,
    canonical_events,
    data_version,
    deletions,
    documents,
    events,
    evidence,
    feeds,
    merges,
    metadata,
    reviews,
    schema_info,
)

__all__ = [
    "ALEMBIC_HEAD", "EXACT_FIELDS", "FACETS", "ORDERS", "SCHEMA_VERSION", "EventFilter", "ReviewError", "Store", "UnknownEvent",
    "audit", "data_version",
    "canonical_events", "db_url", "deletions", "documents", "events", "evidence", "merges", "metadata", "reviews", "schema_info",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def default_db_path() -> Path:
    return Path(user_data_dir("marsad", appauthor=False)) / "marsad.sqlite"


def db_url(db: str | None) -> str:
    """A path or URL -> SQLAlchemy URL (default: the SQLite file in the user's data dir).

    ``postgresql://`` and ``postgres://`` use the pg8000 driver (pure Python, BSD licence);
    name another driver explicitly (``postgresql+psycopg://``) if it is installed.
    """
    if db and "://" in db:
        scheme, rest = db.split("://", 1)
        if scheme in ("postgresql", "postgres"):
            return "postgresql+pg8000://" + rest
        return db
    path = Path(db) if db else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


#: Bytes of an SQLite file read through a memory map (``PRAGMA mmap_size``): pages are read without
#: a system call each, which halves the time of a page of events from a store larger than SQLite's
#: own page cache (a 100,000-event store is ~100 MB).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa_create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # readers do not wait for a writer
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa_create_engine(url, pool_pre_ping=True)


#: Key of the PostgreSQL advisory lock held while the schema is migrated.
MIGRATION_LOCK_KEY = 0x6D617273  # "mars"
#: Key of the PostgreSQL advisory lock a transaction that writes events holds to its end: merging
#: new reports into canonical events reads them, then writes, so writers take turns (SQLite's
#: single writer lock does the same there, taken by the transaction's first insert).
WRITE_LOCK_KEY = 0x6D617274


def _writer_turn(conn: Connection) -> None:
    """Wait for this transaction's turn to write events (PostgreSQL's advisory lock; on SQLite the
    first write takes the database's lock) and increment the data version, so that the read caches
    of every process (``reads.ReadCache``) drop their answers when it commits."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
    conn.execute(_NEXT_VERSION)


_NEXT_VERSION = update(data_version).where(data_version.c.id == 1).values(version=data_version.c.version + 1)


def _schema_state(engine: Engine) -> tuple[set[str], str | None]:
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            if "alembic_version" in tables else None
    return tables, current


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Held by one process at a time while the schema is migrated: a lock file beside a SQLite
    database, an advisory lock on PostgreSQL. Processes that open a new database together (a
    batch of ``marsad ingest``) would otherwise each create its tables."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            yield
            return
        from filelock import FileLock

        with FileLock(f"{path}.migrate.lock", timeout=600):
            yield
        return
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    yield


def migrate(engine: Engine) -> None:
    """Bring the schema to the current Alembic head (creating it in an empty database); one
    process at a time, the others find the work done."""
    if _schema_state(engine)[1] == ALEMBIC_HEAD:
        return
    with _migration_lock(engine):
        tables, current = _schema_state(engine)  # another process may have migrated meanwhile
        if current == ALEMBIC_HEAD:
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if "alembic_version" not in tables and "documents" in tables:
                command.stamp(cfg, "0001")  # a database made before migrations: the first schema
            command.upgrade(cfg, "head")


@dataclass
class EventFilter:
    """Filters of ``GET /api/events`` (all optional, combined with AND)."""

    date_from: str | None = None
    date_to: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None  # substring of actor1/actor2/associated actors, case-insensitive
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    q: str | None = None  # substring of the note, location, actors or source, or of a source text
    min_confidence: float | None = None  # the event scorer's confidence, at least
    #: review statuses to keep (``review.parse_statuses``); None: every event not rejected
    status: list[str] | None = None
    #: an outlet (any case): events one of whose reports it published (one of the outlets ``source`` lists)
    source: str | None = None

    def params(self) -> dict[str, Any]:
        """The values ``clauses`` binds, by parameter name. The names alone (which filters are set,
        how many statuses) decide the SQL, so ``Store`` compiles one statement per set of names and
        runs it with each filter's values."""
        p: dict[str, Any] = {f"f_status_{i}": s for i, s in enumerate(self.status or ())}
        if self.min_confidence is not None:
            p["f_min_confidence"] = self.min_confidence
        if self.date_from:
            p["f_date_from"] = self.date_from
        if self.date_to:
            p["f_date_to"] = self.date_to
        for name in EXACT_FIELDS:
            value = getattr(self, name)
            if value:
                p[f"f_{name}"] = value
        if self.actor:
            p["f_actor"] = f"%{_escape_like(self.actor)}%"
        if self.bbox:
            p.update(zip(("f_min_lon", "f_min_lat", "f_max_lon", "f_max_lat"), self.bbox, strict=True))
        if self.q:
            p["f_q"] = f"%{_escape_like(self.q)}%"
        if self.source:  # one of the outlets of the list "A; B; C" (dedup's union of the reports' outlets)
            p["f_source"] = f"%; {_escape_like(self.source.strip())}; %"
        return p

    def clauses(self) -> list:
        """The filter's conditions on ``canonical_events``, its values bound as ``params`` names them."""
        c = canonical_events.c
        p = self.params()

        def v(name: str, type_: Any = None) -> Any:
            return bindparam(name, p[name], type_=type_ if type_ is not None else Text())

        statuses = [v(k, c.review_status.type) for k in p if k.startswith("f_status_")]
        out = [c.review_status.in_(statuses) if statuses else c.review_status != "rejected"]
        if "f_min_confidence" in p:
            out.append(c.confidence >= v("f_min_confidence", Float()))
        if "f_date_from" in p:
            out.append(c.event_date >= v("f_date_from"))
        if "f_date_to" in p:
            out.append(c.event_date <= v("f_date_to"))
        for name in EXACT_FIELDS:  # exact spelling (Store.spelling fixes case), so the indexes are used
            if f"f_{name}" in p:
                out.append(c[name] == v(f"f_{name}"))
        if "f_actor" in p:
            pat = v("f_actor")
            out.append(or_(*[c[n].ilike(pat, escape="\\") for n in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")]))
        if "f_min_lon" in p:
            min_lon, min_lat, max_lon, max_lat = (v(k, Float()) for k in ("f_min_lon", "f_min_lat", "f_max_lon", "f_max_lat"))
            out.append(and_(c.longitude >= min_lon, c.longitude <= max_lon, c.latitude >= min_lat, c.latitude <= max_lat))
        if "f_q" in p:
            pat = v("f_q")
            in_text = (
                select(events.c.event_id_cnty)
                .join(documents, documents.c.doc_id == events.c.doc_id)
                .where(events.c.canonical_id == c.event_id_cnty, documents.c.text.like(pat, escape="\\"))
                .exists()
            )
            out.append(or_(*[c[n].ilike(pat, escape="\\") for n in ("notes", "location", "actor1", "actor2",
                                                                      "assoc_actor_1", "assoc_actor_2", "source")],
                           in_text))
        if "f_source" in p:
            out.append((literal("; ") + c.source + literal("; ")).ilike(v("f_source"), escape="\\"))
        return out


EXACT_FIELDS = ("admin1", "admin2", "admin3", "event_type", "sub_event_type")
#: Facets of ``Store.facets``, each named after the filter its values set: a column's values, the
#: actors (actor1 and actor2), the outlets of the events' reports, the review status.
FACETS = ("event_type", "sub_event_type", "admin1", "actor", "source", "status")
#: Columns the events can be sorted by (``Store.query_events``): ``name`` ascending, ``-name``
#: descending, empty values last either way, then newest first.
SORTABLE = ("event_date", "fatalities", "event_type", "sub_event_type", "location", "admin1", "confidence")
#: Orders ``Store.query_events`` takes: ``date`` (newest first, the default; ``-event_date`` too),
#: ``confidence`` (least confident first: the review queue) and any of ``SORTABLE`` with or without ``-``.
ORDERS = ("date",) + SORTABLE + tuple("-" + name for name in SORTABLE)
_NUMERIC = frozenset({"fatalities", "confidence"})
_FACET_COLUMNS = {"event_type": "event_type", "sub_event_type": "sub_event_type", "admin1": "admin1",
                  "status": "review_status"}


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Store:
    def __init__(self, db: str | None = None) -> None:
        self.url = db_url(db)
        self.engine: Engine = create_engine(self.url)
        self._spellings: dict[str, dict[str, str]] = {}
        #: statements of the API's reads compiled for this store's dialect, by shape (``reads.CompiledSql``)
        self._statements = Lru(512)
        #: facet counts and totals of ``query_events`` by filter, for the current data version
        self.read_cache = ReadCache(256)
        migrate(self.engine)

    def spelling(self, column: str, value: str) -> str:
        """The stored spelling of ``value`` in ``column`` ignoring case ("dara" -> "Dara"), or ``value``."""
        cache = self._spellings.get(column)
        if cache is None or value.lower() not in cache:
            with self.engine.connect() as conn:
                cache = {v.lower(): v for v in conn.execute(select(canonical_events.c[column]).distinct()).scalars() if v}
            self._spellings[column] = cache
        return cache.get(value.lower(), value)

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # ---- writing -------------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(documents.c.doc_id).where(documents.c.doc_id == doc_id)).first() is not None

    def add(self, doc: Document, doc_events: list[Event], dedup: bool = True) -> bool:
        """Store a document with its events and merge them into canonical events, in one
        transaction; False (and nothing written) if the document was already there."""
        try:
            return self._add(doc, doc_events, dedup)
        except IntegrityError:
            # another process stored the same document between our check and our insert
            if self.has_document(doc.doc_id):
                return False
            raise

    def _add(self, doc: Document, doc_events: list[Event], dedup: bool) -> bool:
        with self.engine.begin() as conn:
            _writer_turn(conn)
            exists = conn.execute(select(documents.c.doc_id).where(documents.c.doc_id == doc.doc_id)).first()
            if exists:
                return False
            row = _storable(doc.to_dict())
            row["ingested_at"] = _now()
            conn.execute(insert(documents).values(**row))
            event_rows, ev_rows = _event_rows(doc.doc_id, doc_events, int(dt.datetime.now(dt.UTC).timestamp()))
            if event_rows:
                conn.execute(insert(events), event_rows)
            if ev_rows:
                conn.execute(insert(evidence), ev_rows)
            if dedup and event_rows:
                self._dedup_new(conn, [r["event_id_cnty"] for r in event_rows])
        return True

    def bulk_add(self, items: Iterable[tuple[Document | dict[str, Any], list[Event]]], dedup: bool = True,
                 batch: int = 500, on_batch=None) -> tuple[list[str], int]:
        """Store many documents with their events, fast: ``batch`` documents per transaction
        (multi-row inserts), then, with ``dedup``, one ordered dedup pass over the new events
        (``dedup_pending``). Documents are stored in the order given, each with a later
        ``ingested_at`` than the one before, so the canonical events are exactly those that
        ``add`` one document at a time would make. A document already stored, or given twice, is
        skipped. ``items`` are (``Document`` or a documents row with ``doc_id``, ``text``, ...,
        events); ``on_batch(n_documents)`` is called after each batch. Returns (doc ids stored,
        number skipped)."""
        new_ids: list[str] = []
        skipped = 0
        last = ""
        chunk: list[tuple[dict[str, Any], list[Event]]] = []

        def flush() -> None:
            nonlocal skipped, last
            if not chunk:
                return
            with self.engine.begin() as conn:
                _writer_turn(conn)
                ids = [d["doc_id"] for d, _ in chunk]
                existing: set[str] = set()
                for part in _chunks(ids, 500):
                    existing.update(conn.execute(select(documents.c.doc_id).where(documents.c.doc_id.in_(part))).scalars())
                stamp = int(dt.datetime.now(dt.UTC).timestamp())
                doc_rows, event_rows, ev_rows, stored = [], [], [], []
                for d, doc_events in chunk:
                    if d["doc_id"] in existing:
                        skipped += 1
                        continue
                    existing.add(d["doc_id"])
                    last = _after(last)
                    doc_rows.append(_storable({c: d.get(c) for c in _DOC_COLUMNS}) | {"ingested_at": last})
                    stored.append(d["doc_id"])
                    rows, spans = _event_rows(d["doc_id"], doc_events, stamp)
                    event_rows.extend(rows)
                    ev_rows.extend(spans)
                for table, rows in ((documents, doc_rows), (events, event_rows), (evidence, ev_rows)):
                    for part in _chunks(rows, 2000):
                        conn.execute(insert(table), part)
            new_ids.extend(stored)
            if on_batch is not None:
                on_batch(len(chunk))
            chunk.clear()

        for doc, doc_events in items:
            row = doc.to_dict() if isinstance(doc, Document) else doc
            chunk.append((row, doc_events))
            if len(chunk) >= batch:
                flush()
        flush()
        if dedup:  # also the events an interrupted earlier run stored and never merged
            self.dedup_pending()
        return new_ids, skipped

    def dedup_pending(self) -> dict[str, int]:
        """Merge every stored event not yet in a canonical event (``canonical_id`` NULL: stored by
        ``bulk_add`` or ``add(dedup=False)``) into the canonical events, in ingest order, in one
        transaction: the result is what ``add`` would have made one document at a time. Only the
        existing canonical events on the days concerned are read."""
        from ..dedup import Cluster, Clusterer, no_gc

        with self.engine.begin() as conn, no_gc():
            _writer_turn(conn)
            pending = self._reports(conn, events.c.canonical_id.is_(None))
            if not pending:
                return {"events": 0, "canonical_events": 0, "merged": 0}
            days = sorted({(r.date + dt.timedelta(days=k)).isoformat() for r in pending if r.date is not None
                           for k in (-1, 0, 1)})
            cids: set[str] = set()
            for part in _chunks(days, 500):
                cids.update(conn.execute(select(events.c.canonical_id).distinct().where(
                    events.c.canonical_id.is_not(None), events.c.event_date.in_(part))).scalars())
            clusterer = Clusterer()
            by_cid: dict[str, list] = defaultdict(list)
            for part in _chunks(sorted(cids), 500):
                for m in self._reports(conn, events.c.canonical_id.in_(part)):
                    by_cid[m.row["canonical_id"]].append(m)
            for cid, ms in by_cid.items():
                clusterer.add_cluster(Cluster(cid, ms))
            for r in sorted(pending, key=lambda r: (r.order, r.event_id)):
                clusterer.assign(r)
            dirty = [c for c in clusterer.clusters.values() if c.dirty]
            self._write_clusters(conn, dirty, clusterer.merges)
        return {"events": len(pending), "canonical_events": len(dirty), "merged": len(clusterer.merges)}

    def _reports(self, conn: Connection, where) -> list:
        from ..dedup import Report

        cols = [events.c[c] for c in ACLED_COLUMNS] + [events.c.doc_id, events.c.doc_ref, events.c.gazetteer_id,
                                                        events.c.confidence, events.c.canonical_id, documents.c.ingested_at]
        # the events whose toll is reported (have fatalities evidence): one query with the same filter
        with_toll: set[str] = set(conn.execute(
            select(evidence.c.event_id).distinct()
            .join(events, events.c.event_id_cnty == evidence.c.event_id)
            .join(documents, documents.c.doc_id == events.c.doc_id)
            .where(evidence.c.field == "fatalities", where)
        ).scalars())
        out = []
        for r in conn.execute(select(*cols).join(documents, documents.c.doc_id == events.c.doc_id).where(where)):
            m = dict(r._mapping)
            rep = Report(m["event_id_cnty"], m["doc_id"], m, fatality_reported=m["event_id_cnty"] in with_toll,
                         order=m["ingested_at"] or "")
            out.append(rep)
        return out

    def _dedup_new(self, conn: Connection, new_ids: list[str]) -> None:
        from ..dedup import GRID_DEG, Cluster, Clusterer

        new = self._reports(conn, events.c.event_id_cnty.in_(new_ids))
        # existing canonical events in the blocks of the new reports: day ±1 and admin1 or nearby
        e = events.c
        conds = []
        for r in new:
            d = r.date
            if d is None:
                continue
            days = [(d + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)]
            area = [e.admin1 == (r.row.get("admin1") or "")]
            p = r.point()
            if p:
                pad = 2 * GRID_DEG
                area.append(and_(e.latitude.between(p[0] - pad, p[0] + pad), e.longitude.between(p[1] - pad, p[1] + pad)))
            conds.append(and_(e.event_date.in_(days), or_(*area)))
        clusterer = Clusterer()
        if conds:
            cids = set(conn.execute(select(e.canonical_id).where(e.canonical_id.is_not(None), or_(*conds))).scalars())
            members = self._reports(conn, e.canonical_id.in_(cids)) if cids else []
            by_cid: dict[str, list] = defaultdict(list)
            for m in members:
                by_cid[m.row["canonical_id"]].append(m)
            for cid, ms in by_cid.items():
                clusterer.add_cluster(Cluster(cid, ms))
        for r in sorted(new, key=lambda r: r.event_id):
            clusterer.assign(r)
        self._write_clusters(conn, [c for c in clusterer.clusters.values() if c.dirty], clusterer.merges)

    def _write_clusters(self, conn: Connection, clusters: list, merge_records: list, replace: bool = True) -> None:
        from ..dedup import canonical_row

        if not clusters:
            return
        ids = [c.canonical_id for c in clusters]
        for chunk in _chunks(ids, 500) if replace else ():  # (not needed after deleting every row)
            conn.execute(delete(canonical_events).where(canonical_events.c.event_id_cnty.in_(chunk)))
        rows = [canonical_row(c.canonical_id, c.members) for c in clusters]
        self._keep_reviews(conn, rows)
        for chunk in _chunks(rows, 2000):
            conn.execute(insert(canonical_events), chunk)
        changes = [(m.event_id, c.canonical_id) for c in clusters for m in c.members
                   if m.row.get("canonical_id") != c.canonical_id]
        # one prepared UPDATE run for every changed link (executemany), not a statement per cluster
        link = update(events).where(events.c.event_id_cnty == bindparam("b_event")).values(canonical_id=bindparam("b_cid"))
        for chunk in _chunks([{"b_event": e, "b_cid": cid} for e, cid in changes], 5000):
            conn.execute(link, chunk)
        if merge_records:
            now = _now()
            conn.execute(insert(merges), [
                {"canonical_id": m.canonical_id, "event_id": m.event_id, "matched_event_id": m.matched_event_id,
                 "score": m.score, "reasons": json.dumps(m.reasons, ensure_ascii=False), "created_at": now}
                for m in merge_records
            ])

    def _keep_reviews(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Reviewed values win over a new machine coding of the same canonical events; a machine
        value that now differs from the one the reviewer saw is flagged as a conflict (in the
        review and the audit log), never resolved silently."""
        by_id = {r["event_id_cnty"]: r for r in rows}
        for r in rows:
            r["review_status"] = "machine"
        found = []
        for part in _chunks(list(by_id), 500):
            found.extend(conn.execute(select(reviews).where(reviews.c.event_id.in_(part))).all())
        now = _now()
        for rev in found:
            row = by_id[rev.event_id]
            values = json.loads(rev.fields)
            seen = json.loads(rev.seen)
            clash = rv.conflicts(seen, row)
            old = json.loads(rev.conflict) if rev.conflict else {}
            if clash != old:
                conn.execute(update(reviews).where(reviews.c.event_id == rev.event_id)
                             .values(conflict=json.dumps(clash, ensure_ascii=False) if clash else None))
                fresh = {f: v for f, v in clash.items() if old.get(f) != v}
                if fresh:
                    conn.execute(insert(audit), [
                        {"event_id": rev.event_id, "at": now, "reviewer": "marsad", "action": "conflict", "field": f,
                         "old": _text(v["seen"]), "new": _text(v["now"]),
                         "reason": "a new machine coding disagrees with what the reviewer saw; the review is kept"}
                        for f, v in fresh.items()])
            rv.apply(row, rev.status, values)

    # ---- review ----------------------------------------------------------------------------

    def review(self, event_id: str, status: str, changes: dict[str, Any] | None = None, reason: str | None = None,
               reviewer: str | None = None) -> dict[str, Any]:
        """Confirm, reject or correct a canonical event (by its id or a report's id) and log each
        change in ``audit``; returns the event as it now is. A correction keeps earlier reviewed
        values of other fields. Raises ReviewError (nothing written) for an unknown event,
        status, field or value, or a rejection without a reason."""
        changes = dict(changes or {})
        if status not in rv.REVIEW_ACTIONS:
            raise ReviewError(f"status must be one of {', '.join(rv.REVIEW_ACTIONS)}, not {status!r}")
        if status == "corrected" and not changes:
            raise ReviewError("a correction needs at least one field to change")
        if status != "corrected" and changes:
            raise ReviewError(f"fields are corrected with status 'corrected', not {status!r}")
        if status == "rejected" and not (reason or "").strip():
            raise ReviewError("a rejection needs a reason")
        values = rv.check_changes(changes) if changes else {}
        with self.engine.begin() as conn:
            _writer_turn(conn)
            cid = self._canonical_id(conn, event_id)
            if cid is None:
                raise UnknownEvent(f"no event {event_id!r}")
            row = dict(conn.execute(select(canonical_events).where(canonical_events.c.event_id_cnty == cid)).one()._mapping)
            previous = conn.execute(select(reviews).where(reviews.c.event_id == cid)).first()
            kept = json.loads(previous.fields) if previous is not None else {}
            seen = json.loads(previous.seen) if previous is not None else rv.snapshot(row)
            now = _now()
            log = []
            if status == "corrected":
                for f, v in values.items():
                    if row.get(f) != v:
                        log.append({"field": f, "old": _text(row.get(f)), "new": _text(v)})
                if not log:
                    raise ReviewError("the correction changes nothing")
                kept.update(values)
            elif status == "confirmed" and previous is not None and previous.status == "rejected":
                kept = {}  # confirming a rejected event confirms the machine coding
            if row.get("review_status") != status or not log:
                log.insert(0, {"field": "review_status", "old": row.get("review_status"), "new": status})
            conn.execute(insert(audit), [
                dict(entry, event_id=cid, at=now, reviewer=reviewer, action=status, reason=reason) for entry in log])
            record = {"status": "corrected" if kept and status == "confirmed" else status,
                      "fields": json.dumps(kept, ensure_ascii=False), "seen": json.dumps(seen, ensure_ascii=False),
                      "reason": reason, "reviewer": reviewer, "reviewed_at": now}
            if previous is None:
                conn.execute(insert(reviews).values(event_id=cid, conflict=None, **record))
            else:
                conn.execute(update(reviews).where(reviews.c.event_id == cid).values(**record))
            new = rv.apply(dict(row), record["status"], kept)
            conn.execute(update(canonical_events).where(canonical_events.c.event_id_cnty == cid)
                         .values(**{k: new[k] for k in new if k != "event_id_cnty"}))
        return self.event_detail(cid) or {}

    def history(self, event_id: str) -> list[dict[str, Any]]:
        """The audit log of a canonical event (by its id or a report's id), oldest first."""
        with self.engine.connect() as conn:
            return self._history(conn, self._canonical_id(conn, event_id) or event_id)

    def review_of(self, event_id: str) -> dict[str, Any] | None:
        """The review of a canonical event (status, reviewed values, conflict), or None."""
        with self.engine.connect() as conn:
            return self._review(conn, self._canonical_id(conn, event_id) or event_id)

    def canonical_id(self, event_id: str) -> str | None:
        """The canonical event ``event_id`` is (or, for a report's id, is merged into), or None."""
        with self.engine.connect() as conn:
            return self._canonical_id(conn, event_id)

    @staticmethod
    def _history(conn: Connection, cid: str) -> list[dict[str, Any]]:
        """The audit rows of ``cid``, with those a review that moved to it had under its old ids
        (up to the move: ``_move_reviews``)."""
        where = [audit.c.event_id == cid]
        frontier, seen = [cid], {cid}
        while frontier:
            found = conn.execute(select(audit.c.old, audit.c.id).where(
                audit.c.action == "moved", audit.c.field == "event_id", audit.c.event_id.in_(frontier))).all()
            frontier = []
            for old, upto in found:
                if old and old not in seen:
                    seen.add(old)
                    frontier.append(old)
                    where.append(and_(audit.c.event_id == old, audit.c.id < upto))
        return [dict(r._mapping) for r in conn.execute(select(audit).where(or_(*where)).order_by(audit.c.id))]

    @staticmethod
    def _review(conn: Connection, cid: str) -> dict[str, Any] | None:
        row = conn.execute(select(reviews).where(reviews.c.event_id == cid)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        for k in ("fields", "seen", "conflict"):
            out[k] = json.loads(out[k]) if out[k] else ({} if k != "conflict" else None)
        return out

    @staticmethod
    def _canonical_id(conn: Connection, event_id: str) -> str | None:
        c = canonical_events.c
        if conn.execute(select(c.event_id_cnty).where(c.event_id_cnty == event_id)).first() is not None:
            return event_id
        return conn.execute(select(events.c.canonical_id).where(events.c.event_id_cnty == event_id)).scalar()

    # ---- re-extraction (marsad/reextract.py) -----------------------------------------------

    def replace_events(self, doc_id: str, old_ids: list[str], doc_events: list[Event]) -> None:
        """Replace a stored document's events (``old_ids``) by ``doc_events`` in one transaction.
        An event that keeps the id of an old one stays linked to the canonical event the old one was
        in (``dedup`` keeps that event's id while such a report survives: ``dedup.keep_canonical_ids``);
        the others are left unmerged (``dedup`` or ``dedup_pending`` merges them)."""
        event_rows, ev_rows = _event_rows(doc_id, doc_events, int(dt.datetime.now(dt.UTC).timestamp()))
        with self.engine.begin() as conn:
            _writer_turn(conn)
            linked: dict[str, str | None] = {}
            for part in _chunks(old_ids, 500):
                linked.update((r.event_id_cnty, r.canonical_id) for r in conn.execute(
                    select(events.c.event_id_cnty, events.c.canonical_id).where(events.c.event_id_cnty.in_(part))))
            for row in event_rows:
                row["canonical_id"] = linked.get(row["event_id_cnty"])
            for part in _chunks(old_ids, 500):
                conn.execute(delete(evidence).where(evidence.c.event_id.in_(part)))
                conn.execute(delete(events).where(events.c.event_id_cnty.in_(part)))
            if event_rows:
                conn.execute(insert(events), event_rows)
            if ev_rows:
                conn.execute(insert(evidence), ev_rows)

    def record_deletions(self, rows: list[dict[str, Any]]) -> None:
        """Record canonical events that no longer exist (``deletions`` columns, ``deleted_at`` now)."""
        if rows:
            now = _now()
            with self.engine.begin() as conn:
                conn.execute(insert(deletions), [dict(r, deleted_at=now) for r in rows])

    def list_deletions(self) -> list[dict[str, Any]]:
        """Every recorded deletion, oldest first."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(deletions).order_by(deletions.c.id))]

    def dedup(self) -> dict[str, Any]:
        """Deduplicate every stored event from scratch (one transaction). Canonical events keep their
        ids while one of their reports survives (``dedup.keep_canonical_ids``; ids once deleted are
        not given to new events); an event whose reports now belong to another one is merged into it,
        and its review moves there when that one has none (``_move_reviews``). Returns counts, and
        ``merged_into`` ({old id: id}) and ``reviews_moved`` ({old id: id})."""
        from ..dedup import cluster_reports, keep_canonical_ids, no_gc

        with self.engine.begin() as conn, no_gc():
            _writer_turn(conn)
            reports = self._reports(conn, events.c.event_id_cnty.is_not(None))
            clusterer = cluster_reports(reports)
            retired = set(conn.execute(select(deletions.c.event_id_cnty)).scalars())
            merged_into = keep_canonical_ids(clusterer, retired)
            moved = self._move_reviews(conn, merged_into)
            conn.execute(delete(merges))
            conn.execute(delete(canonical_events))
            clusters = list(clusterer.clusters.values())
            self._write_clusters(conn, clusters, clusterer.merges, replace=False)
        return {"events": len(reports), "canonical_events": len(clusters), "merged": len(clusterer.merges),
                "merged_into": merged_into, "reviews_moved": moved}

    @staticmethod
    def _move_reviews(conn: Connection, merged_into: dict[str, str]) -> dict[str, str]:
        """Move the review of each event merged into another (``merged_into``: old id -> id) to that
        event when it has no review of its own, with an ``audit`` row (by ``marsad``, action
        ``moved``, field ``event_id``, old -> new) under the new id, whose history then includes the
        old id's. A review that cannot move (the event it joined has its own) stays under the old id,
        with an ``audit`` row there saying so. Returns {old id: new id} of the reviews moved."""
        if not merged_into:
            return {}
        ids = sorted(set(merged_into) | set(merged_into.values()))
        reviewed: set[str] = set()
        for part in _chunks(ids, 500):
            reviewed.update(conn.execute(select(reviews.c.event_id).where(reviews.c.event_id.in_(part))).scalars())
        moved: dict[str, str] = {}
        log = []
        now = _now()
        for old, new in sorted(merged_into.items()):
            if old not in reviewed:
                continue
            if new in reviewed:
                log.append({"event_id": old, "field": "event_id", "old": old, "new": new, "action": "kept",
                            "reason": f"its reports are now deduplicated into {new}, the same event, which has a "
                                      f"review of its own: this review stays with {old}"})
                continue
            conn.execute(update(reviews).where(reviews.c.event_id == old).values(event_id=new))
            reviewed.discard(old)
            reviewed.add(new)
            moved[old] = new
            log.append({"event_id": new, "field": "event_id", "old": old, "new": new, "action": "moved",
                        "reason": f"the reports of {old} are now deduplicated into {new}, the same event: "
                                  "the review moves with them"})
        if log:
            conn.execute(insert(audit), [dict(entry, at=now, reviewer="marsad") for entry in log])
        return moved

    # ---- reading -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (documents, events, evidence, canonical_events, merges)
            }

    def iter_events(self, canonical: bool = True, min_confidence: float | None = None,
                    status: list[str] | None = None) -> Iterator[Event]:
        """Canonical (deduplicated) events, or with ``canonical=False`` every report's events,
        by date; each with its evidence; with ``min_confidence``, only those scored at least that.
        Canonical events carry their review status: those of ``status`` (``review.parse_statuses``),
        by default every one not rejected."""
        table = canonical_events if canonical else events
        with self.engine.connect() as conn:
            ev_by_event: dict[str, dict[str, list[Evidence]]] = {}
            key = events.c.canonical_id if canonical else events.c.event_id_cnty
            q = select(key.label("k"), evidence).join(events, events.c.event_id_cnty == evidence.c.event_id)
            for r in conn.execute(q.order_by(evidence.c.id)):
                ev_by_event.setdefault(r.k, {}).setdefault(r.field, []).append(
                    Evidence(r.start, r.end, r.text, r.doc_id if canonical else None)
                )
            q = select(table)
            if min_confidence is not None:
                q = q.where(table.c.confidence >= min_confidence)
            if canonical:
                q = q.where(*EventFilter(status=status).clauses())
            for r in conn.execute(q.order_by(table.c.event_date, table.c.event_id_cnty)):
                data = dict(r._mapping)
                data["reasons"] = json.loads(data.get("reasons") or "{}") if not canonical else {}
                if canonical:
                    data["doc_id"] = ""
                e = Event.from_dict(data)
                e.evidence = ev_by_event.get(e.event_id_cnty, {})
                yield e

    def query_events(self, flt: EventFilter | None = None, limit: int | None = 100, offset: int = 0,
                     with_total: bool = True, order: str = "date",
                     columns: tuple[str, ...] | None = None) -> tuple[int | None, list[dict[str, Any]]]:
        """(total matching, one page of canonical event rows) newest first, or in another of
        ``ORDERS``: ``order="confidence"`` least confident first (the review queue), ``"-fatalities"``
        deadliest first, ``"location"`` by place name ...; ``columns``: only these, in this order."""
        flt = flt or EventFilter()
        values = flt.params()
        page = self._statement(("page", tuple(values), order, limit is not None, bool(offset), columns),
                               lambda: _page_statement(flt, order, limit is not None, bool(offset), columns))
        with self.engine.connect() as conn:
            total = None
            if with_total:  # kept per filter until the data changes: paging through a filter counts once
                version = self._version(conn)
                key = ("total", tuple(values.items()))
                total = self.read_cache.get(version, key)
                if total is None:
                    count = self._statement(("count", tuple(values)), lambda: select(func.count())
                                            .select_from(canonical_events).where(*flt.clauses()))
                    total = count.scalar(conn, values)
                    self.read_cache.put(version, key, total)
            rows = page.rows(conn, values | {"f_limit": limit, "f_offset": offset})
        return total, rows

    def data_version(self) -> int | None:
        """The store's data version: every transaction that writes events increments it."""
        with self.engine.connect() as conn:
            return self._version(conn)

    def _version(self, conn: Connection) -> int | None:
        q = self._statement(("version",), lambda: select(data_version.c.version).where(data_version.c.id == 1))
        return q.scalar(conn, {})

    def _statement(self, key: tuple, build) -> CompiledSql:
        """The statement of ``key`` compiled for this store (``build()`` makes it the first time)."""
        return self._statements.setdefault(key, lambda: CompiledSql(build(), self.engine.dialect))

    def facets(self, flt: EventFilter | None = None, names: Iterable[str] = FACETS, size: int = 20) -> dict[str, Any]:
        """Counts of the canonical events matching ``flt`` by each facet of ``names`` (``FACETS``):
        ``{"total": n, "facets": {name: {"values": [{"value", "count"}, ...], "truncated": bool}}}``,
        values most frequent first (then by value), at most ``size`` of them (``truncated``: there
        are more); empty values left out. ``actor`` counts the events with that actor as actor1 or
        actor2, ``source`` the events one of whose reports that outlet published (one of the
        outlets their ``source`` lists: what ``EventFilter.source`` keeps), ``status`` the review
        statuses.

        One statement: the matching events' facet columns are selected once (a CTE, which both
        SQLite and PostgreSQL materialise when it is read more than once), then one grouped query
        per facet, each cut to ``size + 1`` values, and the total, joined by UNION ALL. Outlets are
        grouped by their lists ("A; B"), which are few; the counts per outlet are summed here.
        (Counting the rows here instead is faster for one request alone, but SQLite's driver lets
        go of the GIL for every row it reads, and requests in other threads then take turns with
        it: several times slower under load.)

        The statement is compiled once per filter shape, and the answer kept until the data changes
        (``reads.ReadCache``): the whole store's facets, which the web page asks for first, are
        counted once per change of the data."""
        names = list(names)
        flt = flt or EventFilter()
        values = flt.params()
        key = ("facets", tuple(values.items()), tuple(names), size)
        with self.engine.connect() as conn:
            version = self._version(conn)
            out = self.read_cache.get(version, key)
            if out is None:
                stmt = self._statement(("facets", tuple(values), tuple(names)), lambda: _facets_statement(flt, names))
                out = _facet_counts(stmt.execute(conn, values | {"f_facet_limit": size + 1}), names, size)
                self.read_cache.put(version, key, out)
        return {"total": out["total"], "facets": {name: {"values": [dict(v) for v in f["values"]], "truncated": f["truncated"]}
                                                  for name, f in out["facets"].items()}}

    def event_detail(self, event_id: str) -> dict[str, Any] | None:
        """A canonical event (by its id or the id of any of its reports) with its reports, their
        evidence, the source documents and the merge explanations."""
        with self.engine.connect() as conn:
            cid = self._canonical_id(conn, event_id)
            row = conn.execute(select(canonical_events).where(canonical_events.c.event_id_cnty == cid)).first() \
                if cid is not None else None
            if row is None:
                return None
            out = dict(row._mapping)
            report_rows = conn.execute(
                select(events).where(events.c.canonical_id == cid).order_by(events.c.event_id_cnty)
            ).all()
            report_ids = [r.event_id_cnty for r in report_rows]
            spans: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
            if report_ids:
                for s in conn.execute(select(evidence).where(evidence.c.event_id.in_(report_ids)).order_by(evidence.c.id)):
                    spans[s.event_id][s.field].append({"start": s.start, "end": s.end, "text": s.text, "doc_id": s.doc_id})
            reports = []
            for r in report_rows:
                m = dict(r._mapping)
                m["reasons"] = json.loads(m.get("reasons") or "{}")
                m["evidence"] = {k: list(v) for k, v in spans.get(r.event_id_cnty, {}).items()}
                reports.append(m)
            doc_ids = list(dict.fromkeys(r["doc_id"] for r in reports))
            docs = []
            if doc_ids:
                cols = [documents.c[n] for n in ("doc_id", "id", "url", "title", "source", "published", "language",
                                                 "ingested_at")]
                by_id = {d.doc_id: dict(d._mapping) for d in conn.execute(select(*cols).where(documents.c.doc_id.in_(doc_ids)))}
                docs = [by_id[d] for d in doc_ids if d in by_id]
            merge_rows = [
                dict(m._mapping, reasons=json.loads(m.reasons))
                for m in conn.execute(select(merges).where(merges.c.canonical_id == cid).order_by(merges.c.id))
            ]
            review, history = self._review(conn, cid), self._history(conn, cid)
        merged_evidence: dict[str, list[dict]] = defaultdict(list)
        for rep in reports:
            for f, lst in rep["evidence"].items():
                for s in lst:
                    merged_evidence[f].append(dict(s, event_id=rep["event_id_cnty"]))
        out["evidence"] = dict(merged_evidence)
        out["reports"] = reports
        out["documents"] = docs
        out["merges"] = merge_rows
        out["review"] = review
        out["history"] = history
        return out

    def get_document(self, doc_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.doc_id == doc_id)).first()
            if row is None:
                return None
            out = dict(row._mapping)
            out["events"] = [dict(r._mapping) for r in conn.execute(
                select(events.c.event_id_cnty, events.c.canonical_id, events.c.event_date, events.c.sub_event_type)
                .where(events.c.doc_id == doc_id).order_by(events.c.event_id_cnty))]
        return out

    def merges_of(self, canonical_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(m._mapping, reasons=json.loads(m.reasons))
                    for m in conn.execute(select(merges).where(merges.c.canonical_id == canonical_id).order_by(merges.c.id))]

    # ---- feed state (marsad watch) -------------------------------------------------------

    def feed_state(self, url: str) -> dict[str, Any] | None:
        """The stored state of a watched feed (``seen`` decoded to a list), or None if never polled."""
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.url == url)).first()
        return _feed_row(row) if row is not None else None

    def feed_states(self) -> list[dict[str, Any]]:
        """The state of every feed ever polled, by url."""
        with self.engine.connect() as conn:
            return [_feed_row(r) for r in conn.execute(select(feeds).order_by(feeds.c.url))]

    def save_feed_state(self, url: str, **values: Any) -> None:
        """Insert or update a feed's state (columns of ``feeds``; ``seen`` given as a list of keys)."""
        unknown = set(values) - set(feeds.c.keys())
        if unknown:
            raise ValueError(f"unknown feed state fields: {sorted(unknown)}")
        if "seen" in values:
            values["seen"] = json.dumps(list(values["seen"]), ensure_ascii=False)
        with self.engine.begin() as conn:
            if conn.execute(select(feeds.c.url).where(feeds.c.url == url)).first() is None:
                row = {"seen": "[]", "failures": 0, "ingested": 0, **values, "url": url}
                conn.execute(insert(feeds).values(**row))
            elif values:
                conn.execute(update(feeds).where(feeds.c.url == url).values(**values))


def _ordering(order: str) -> tuple:
    """ORDER BY of ``Store.query_events`` (one of ``ORDERS``); the same on SQLite and PostgreSQL:
    empty values (NULL, and "" in a text column: an undated event) last, ties newest first."""
    c = canonical_events.c
    if order in ("date", "-event_date"):
        return c.event_date.desc(), c.event_id_cnty
    name = order.removeprefix("-")
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}: one of {', '.join(ORDERS)}")
    col = c[name]
    empty = col.is_(None) if name in _NUMERIC else or_(col.is_(None), col == "")
    return (case((empty, 1), else_=0), col.desc() if order.startswith("-") else col.asc(), c.event_date.desc(),
            c.event_id_cnty)


def _page_statement(flt: EventFilter, order: str, limit: bool, offset: bool, columns: tuple[str, ...] | None):
    """The page of ``Store.query_events``: its LIMIT and OFFSET are the parameters ``f_limit`` and ``f_offset``."""
    cols = [canonical_events.c[n] for n in columns] if columns is not None else [canonical_events]
    q = select(*cols).where(*flt.clauses()).order_by(*_ordering(order))
    if limit:
        q = q.limit(bindparam("f_limit", type_=Integer()))
    if offset:
        q = q.offset(bindparam("f_offset", type_=Integer()))
    return q


def _facets_statement(flt: EventFilter, names: list[str]):
    """The statement of ``Store.facets``: (facet, value, count) rows, each facet cut to the parameter
    ``f_facet_limit`` values, then ("", NULL, total)."""
    f = _facet_rows(flt.clauses())
    limit = bindparam("f_facet_limit", type_=Integer())
    parts = [_facet_part(name, f, limit) for name in names]
    parts.append(select(literal("").label("facet"), null().label("value"), func.count().label("n")).select_from(f))
    return union_all(*parts)


def _facet_counts(result: Iterable, names: list[str], size: int) -> dict[str, Any]:
    """The answer of ``Store.facets`` from the rows of ``_facets_statement``."""
    rows: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
    total = 0
    for facet, value, n in result:
        if facet == "":
            total = n
        else:
            rows[facet].append((value, n))
    if "source" in rows:
        per_outlet: dict[str, int] = {}
        for outlets, n in rows["source"]:
            for outlet in dict.fromkeys(p.strip() for p in outlets.split(";") if p.strip()):
                per_outlet[outlet] = per_outlet.get(outlet, 0) + n
        rows["source"] = list(per_outlet.items())
    out = {}
    for name, values in rows.items():
        values.sort(key=lambda vn: (-vn[1], vn[0]))
        out[name] = {"values": [{"value": v, "count": n} for v, n in values[:size]], "truncated": len(values) > size}
    return {"total": total, "facets": out}


def _facet_rows(where: list):
    """The CTE of ``Store.facets``: the facet columns of the canonical events matching ``where``."""
    c = canonical_events.c
    return select(c.event_type, c.sub_event_type, c.admin1, c.review_status, c.actor1, c.actor2,
                  c.source).where(*where).cte("facet_rows")


def _facet_part(name: str, f, limit: int):
    """One facet's part of ``Store.facets``: (facet, value, count) rows, the ``limit`` most frequent
    values of ``name`` among the rows of ``f``, empty values left out."""
    if name in _FACET_COLUMNS:
        value = f.c[_FACET_COLUMNS[name]]
        count = func.count().label("n")
        q = select(value.label("value"), count)
    elif name == "actor":  # actor1 and actor2, an event counted once per actor
        both = union_all(
            select(f.c.actor1.label("value")),
            select(f.c.actor2.label("value")).where(or_(f.c.actor1.is_(None), f.c.actor2 != f.c.actor1)),
        ).subquery("actors")
        value = both.c.value
        count = func.count().label("n")
        q = select(value, count)
    elif name == "source":  # every list of outlets ("A; B"), whole: Store.facets counts each outlet
        value = f.c.source
        count = func.count().label("n")
        q = select(value.label("value"), count)
        limit = None
    else:
        raise ValueError(f"unknown facet {name!r}: one of {', '.join(FACETS)}")
    top = (q.where(value.is_not(None), value != "").group_by(value).order_by(count.desc(), value).limit(limit)
           .subquery(f"top_{name}"))
    return select(literal(name).label("facet"), top.c.value, top.c.n)


_DOC_COLUMNS = ("doc_id", "id", "url", "title", "source", "published", "published_source", "published_reason",
                "language", "text")


def _storable(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with each NUL character of its text values made U+FFFD: PostgreSQL text cannot hold
    NUL, and a NUL in a URL, title or source name must not cost the document (a document's own text
    with NUL characters is refused earlier, as binary)."""
    for k, v in row.items():
        if isinstance(v, str) and "\x00" in v:
            row[k] = v.replace("\x00", "\ufffd")
    return row


def _event_rows(doc_id: str, doc_events: list[Event], stamp: int) -> tuple[list[dict], list[dict]]:
    """Rows of the events and evidence tables for one document's events (as ``Store.add`` writes them)."""
    event_rows, ev_rows = [], []
    for e in doc_events:
        data = e.to_dict()
        values = {c: data[c] for c in ACLED_COLUMNS}
        values["timestamp"] = values["timestamp"] or stamp
        values.update(doc_id=doc_id, doc_ref=e.doc_ref or None, published_source=e.published_source or None,
                      gazetteer_id=e.gazetteer_id, confidence=e.confidence,
                      reasons=json.dumps(e.reasons, ensure_ascii=False), canonical_id=None)
        event_rows.append(_storable(values))
        ev_rows.extend(
            {"event_id": e.event_id_cnty, "doc_id": doc_id, "field": f, "start": x.start, "end": x.end, "text": x.text}
            for f, spans in e.evidence.items()
            for x in spans
        )
    return event_rows, ev_rows


def _after(previous: str) -> str:
    """An ``ingested_at`` stamp: now, or a microsecond after ``previous`` if that is not earlier."""
    now = dt.datetime.now(dt.UTC)
    if previous:
        floor = dt.datetime.fromisoformat(previous) + dt.timedelta(microseconds=1)
        now = max(now, floor)
    return now.isoformat(timespec="microseconds")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _feed_row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    try:
        out["seen"] = json.loads(out.get("seen") or "[]")
    except ValueError:
        out["seen"] = []
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
