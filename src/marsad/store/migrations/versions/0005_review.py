"""Analysts' review: a review status on canonical events, the reviews and the audit log; the
deletions a re-extraction records.

Revision ID: 0005
Revises: 0004
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("canonical_events") as b:
        b.add_column(sa.Column("review_status", sa.String(16), nullable=False, server_default="machine"))
    op.create_table(
        "reviews",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("seen", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("reviewer", sa.Text),
        sa.Column("reviewed_at", sa.String(32), nullable=False),
        sa.Column("conflict", sa.Text),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("reviewer", sa.Text),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("field", sa.String(32)),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_audit_event_id", "audit", ["event_id"])
    op.create_table(
        "deletions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id_cnty", sa.String(64), nullable=False),
        sa.Column("event_date", sa.String(10)),
        sa.Column("deleted_at", sa.String(32), nullable=False),
        sa.Column("review_status", sa.String(16)),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_deletions_event_id_cnty", "deletions", ["event_id_cnty"])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=5, applied_at=now))


def downgrade() -> None:
    op.drop_index("ix_deletions_event_id_cnty", "deletions")
    op.drop_table("deletions")
    op.drop_index("ix_audit_event_id", "audit")
    op.drop_table("audit")
    op.drop_table("reviews")
    with op.batch_alter_table("canonical_events") as b:
        b.drop_column("review_status")
    op.execute("DELETE FROM schema_info WHERE version = 5")
