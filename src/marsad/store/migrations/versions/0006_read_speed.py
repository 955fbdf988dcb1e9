"""Faster reads of the API: the canonical events' indexes end with ``review_status`` (every listing
filters on it, so counting a governorate's, an event type's or a date range's events reads the index
alone), and a ``data_version`` counter that every transaction writing events increments (the read
caches of ``store/reads.py`` keep an answer only while it is unchanged).

Revision ID: 0006
Revises: 0005
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: (old index, new index, columns of the new one)
INDEXES = [
    ("ix_canonical_date", "ix_canonical_date_status", ["event_date", "review_status"]),
    ("ix_canonical_admin1_date", "ix_canonical_admin1_date_status", ["admin1", "event_date", "review_status"]),
    ("ix_canonical_type_date", "ix_canonical_type_date_status", ["event_type", "event_date", "review_status"]),
]


def upgrade() -> None:
    for old, new, columns in INDEXES:
        op.create_index(new, "canonical_events", columns)
        op.drop_index(old, "canonical_events")
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.execute(sa.table("data_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
               .insert().values(id=1, version=0))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=6, applied_at=now))


def downgrade() -> None:
    op.drop_table("data_version")
    for old, new, columns in INDEXES:
        op.create_index(old, "canonical_events", columns[:-1])
        op.drop_index(new, "canonical_events")
    op.execute("DELETE FROM schema_info WHERE version = 6")
