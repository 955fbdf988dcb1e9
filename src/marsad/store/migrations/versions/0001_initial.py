"""The first schema: documents, events (per report), evidence, schema_info.

Revision ID: 0001
Revises:
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from marsad.model import ACLED_COLUMNS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_INT = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp"}
_FLOAT = {"latitude", "longitude"}


def _acled(name: str) -> sa.Column:
    if name == "event_id_cnty":
        return sa.Column(name, sa.String(64), primary_key=True)
    if name in _INT:
        return sa.Column(name, sa.Integer)
    if name in _FLOAT:
        return sa.Column(name, sa.Float)
    return sa.Column(name, sa.Text)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("doc_id", sa.String(32), primary_key=True),
        sa.Column("id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("published", sa.String(10)),
        sa.Column("language", sa.String(8)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "events",
        *[_acled(c) for c in ACLED_COLUMNS],
        sa.Column("doc_id", sa.String(32), sa.ForeignKey("documents.doc_id"), nullable=False),
        sa.Column("gazetteer_id", sa.String(32)),
        sa.Column("confidence", sa.Float),
        sa.Column("reasons", sa.Text),
    )
    op.create_index("ix_events_doc_id", "events", ["doc_id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.event_id_cnty"), nullable=False),
        sa.Column("doc_id", sa.String(32), sa.ForeignKey("documents.doc_id"), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_evidence_event_id", "evidence", ["event_id"])
    op.create_table(
        "schema_info",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", sa.String(32)),
    )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=1, applied_at=now))


def downgrade() -> None:
    for table in ("evidence", "events", "documents", "schema_info"):
        op.drop_table(table)
