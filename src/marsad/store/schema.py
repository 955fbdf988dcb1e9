"""Table definitions of the event store (SQLAlchemy Core).

The tables are the target of the Alembic migrations in ``migrations/versions``; a change here
needs a new migration there (``tests/test_store.py`` checks that a migrated database matches).

- ``documents``: one row per source report (stable id: hash of url + normalised text).
- ``events``: one row per event *as one report tells it* (its ``canonical_id`` links it to the
  deduplicated event).
- ``evidence``: character spans of a document backing a field of a per-report event.
- ``canonical_events``: the deduplicated events, the 31 ACLED columns (``source`` lists every
  outlet) plus counts; this is what the API and ``marsad export`` serve.
- ``merges``: one row per report event joined to a canonical event: which event it matched and why.
- ``reviews``: one row per reviewed canonical event: status, the reviewed values, the machine's
  values the reviewer saw, and any conflict a later coding raised (``store/review.py``).
- ``audit``: one row per review change (who, when, field, old, new, reason), never rewritten.
- ``deletions``: canonical events a re-extraction removed (ACLED's practice: id, date, why).
- ``feeds``: the state of each feed ``marsad watch`` polls (conditional-request validators, the
  item keys already seen, consecutive failures and the next poll time), so that it survives restarts.
- ``data_version``: one row, a counter every transaction that writes events increments; the API's
  read caches (``store/reads.py``) keep an answer only while it has not changed.

The indexes of ``canonical_events`` end with ``review_status`` (every listing filters on it), so
that counting the events of a governorate, an event type or a date range reads the index alone.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

from ..model import ACLED_COLUMNS

SCHEMA_VERSION = 6
#: The Alembic revision a current database is at (checked against the scripts by the tests).
ALEMBIC_HEAD = "0006"

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
    Column("published_source", String(16)),  # given | metadata | url | text
    Column("published_reason", Text),
    Column("language", String(8)),
    Column("text", Text, nullable=False),
    Column("ingested_at", String(32), nullable=False),
)

_INT = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp"}
_FLOAT = {"latitude", "longitude"}


def acled_column(name: str) -> Column:
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
    *[acled_column(c) for c in ACLED_COLUMNS],
    Column("doc_id", String(32), ForeignKey("documents.doc_id"), index=True, nullable=False),
    Column("doc_ref", Text),  # the caller's id of the document
    Column("published_source", String(16)),
    Column("gazetteer_id", String(32)),
    Column("confidence", Float),
    Column("reasons", Text),
    Column("canonical_id", String(64), index=True),
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

canonical_events = Table(
    "canonical_events",
    metadata,
    *[acled_column(c) for c in ACLED_COLUMNS],
    Column("doc_ref", Text),  # the callers' ids of its reports' documents, "; "-separated
    Column("gazetteer_id", String(32)),
    Column("confidence", Float),
    Column("n_reports", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Column("representative_id", String(64), nullable=False),
    Column("review_status", String(16), nullable=False, server_default="machine"),
    Index("ix_canonical_date_status", "event_date", "review_status"),
    Index("ix_canonical_admin1_date_status", "admin1", "event_date", "review_status"),
    Index("ix_canonical_type_date_status", "event_type", "event_date", "review_status"),
    Index("ix_canonical_lat_lon", "latitude", "longitude"),
)

merges = Table(
    "merges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("canonical_id", String(64), index=True, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("matched_event_id", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("event_id", String(64), primary_key=True),  # the canonical event
    Column("status", String(16), nullable=False),  # confirmed | corrected | rejected
    Column("fields", Text, nullable=False),  # JSON {field: reviewed value}
    Column("seen", Text, nullable=False),  # JSON {field: the machine's value the reviewer saw}
    Column("reason", Text),
    Column("reviewer", Text),
    Column("reviewed_at", String(32), nullable=False),
    Column("conflict", Text),  # JSON {field: {"seen", "now"}} when a later coding disagrees
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), index=True, nullable=False),
    Column("at", String(32), nullable=False),
    Column("reviewer", Text),
    # confirmed | corrected | rejected | conflict | moved / kept (a review that moved to, or stayed
    # behind, when its event was merged into another: field event_id, old -> new)
    Column("action", String(16), nullable=False),
    Column("field", String(32)),
    Column("old", Text),
    Column("new", Text),
    Column("reason", Text),
)

deletions = Table(
    "deletions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id_cnty", String(64), index=True, nullable=False),
    Column("event_date", String(10)),
    Column("deleted_at", String(32), nullable=False),
    Column("review_status", String(16)),
    Column("reason", Text, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("source", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("seen", Text, nullable=False),  # JSON list of item keys (guid, else link), newest first
    Column("failures", Integer, nullable=False),  # consecutive failed polls (drives the backoff)
    Column("next_poll_at", String(32)),  # ISO 8601 UTC
    Column("last_polled_at", String(32)),
    Column("last_status", Text),  # "200: 3 new", "304", "error: HTTP 500 ..."
    Column("ingested", Integer, nullable=False),  # documents stored from this feed so far
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # 1, the only row
    Column("version", Integer, nullable=False),
)
