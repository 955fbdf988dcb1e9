"""Cross-source dedup: canonical events, merge explanations, events.canonical_id.

Revision ID: 0002
Revises: 0001
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from marsad.model import ACLED_COLUMNS

revision = "0002"
down_revision = "0001"
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
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("canonical_id", sa.String(64)))
    op.create_index("ix_events_canonical_id", "events", ["canonical_id"])
    op.create_table(
        "canonical_events",
        *[_acled(c) for c in ACLED_COLUMNS],
        sa.Column("gazetteer_id", sa.String(32)),
        sa.Column("confidence", sa.Float),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.Column("representative_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_canonical_date", "canonical_events", ["event_date"])
    op.create_index("ix_canonical_admin1_date", "canonical_events", ["admin1", "event_date"])
    op.create_index("ix_canonical_type_date", "canonical_events", ["event_type", "event_date"])
    op.create_index("ix_canonical_lat_lon", "canonical_events", ["latitude", "longitude"])
    op.create_table(
        "merges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("matched_event_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_merges_canonical_id", "merges", ["canonical_id"])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=2, applied_at=now))
    # Databases from before dedup: every stored event becomes its own canonical event until
    # `marsad dedup` (or the next ingest's dedup) merges them.
    cols = ", ".join(f'"{c}"' for c in ACLED_COLUMNS)
    op.execute(
        f"INSERT INTO canonical_events ({cols}, gazetteer_id, confidence, n_reports, n_sources, representative_id) "
        f"SELECT {cols}, gazetteer_id, confidence, 1, 1, event_id_cnty FROM events"
    )
    op.execute("UPDATE events SET canonical_id = event_id_cnty")


def downgrade() -> None:
    op.drop_table("merges")
    op.drop_table("canonical_events")
    op.drop_index("ix_events_canonical_id", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("canonical_id")
    op.execute("DELETE FROM schema_info WHERE version = 2")
