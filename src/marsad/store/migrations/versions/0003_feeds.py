"""Feed state for `marsad watch`: validators, seen item keys, failures, next poll time.

Revision ID: 0003
Revises: 0002
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("source", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("seen", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_poll_at", sa.String(32)),
        sa.Column("last_polled_at", sa.String(32)),
        sa.Column("last_status", sa.Text),
        sa.Column("ingested", sa.Integer, nullable=False),
    )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=3, applied_at=now))


def downgrade() -> None:
    op.drop_table("feeds")
    op.execute("DELETE FROM schema_info WHERE version = 3")
