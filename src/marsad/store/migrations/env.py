"""Alembic environment: marsad runs migrations itself (``Store`` opens a connection and passes it)."""

from alembic import context

from marsad.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic -x` use from a shell: build an engine from the ini url
    from sqlalchemy import create_engine

    connection = create_engine(config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
