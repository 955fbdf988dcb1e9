"""The caller's document id on events (``doc_ref``) and where a publication date came from.

Revision ID: 0004
Revises: 0003
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as b:
        b.add_column(sa.Column("published_source", sa.String(16)))
        b.add_column(sa.Column("published_reason", sa.Text))
    with op.batch_alter_table("events") as b:
        b.add_column(sa.Column("doc_ref", sa.Text))
        b.add_column(sa.Column("published_source", sa.String(16)))
    with op.batch_alter_table("canonical_events") as b:
        b.add_column(sa.Column("doc_ref", sa.Text))
    # what was stored before: the caller's id is the document's id, a stored date was given
    op.execute("UPDATE documents SET published_source = 'given' WHERE published IS NOT NULL")
    op.execute("UPDATE events SET doc_ref = (SELECT documents.id FROM documents WHERE documents.doc_id = events.doc_id), "
               "published_source = (SELECT documents.published_source FROM documents "
               "WHERE documents.doc_id = events.doc_id)")
    op.execute("UPDATE canonical_events SET doc_ref = (SELECT events.doc_ref FROM events "
               "WHERE events.event_id_cnty = canonical_events.representative_id)")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    schema_info = sa.table("schema_info", sa.column("version", sa.Integer), sa.column("applied_at", sa.String))
    op.execute(schema_info.insert().values(version=4, applied_at=now))


def downgrade() -> None:
    with op.batch_alter_table("canonical_events") as b:
        b.drop_column("doc_ref")
    with op.batch_alter_table("events") as b:
        b.drop_column("published_source")
        b.drop_column("doc_ref")
    with op.batch_alter_table("documents") as b:
        b.drop_column("published_reason")
        b.drop_column("published_source")
    op.execute("DELETE FROM schema_info WHERE version = 4")
