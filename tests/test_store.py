"""The store: Alembic migrations (fresh and from the first, pre-migration schema), idempotent
ingest, one transaction per document, URL handling; on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect, text

from marsad.model import Document, Event, Evidence
from marsad.store import ALEMBIC_HEAD, MIGRATIONS, SCHEMA_VERSION, Store, db_url, metadata
from tests import test_store_support as support

db = support.db  # the fixture: SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set


def one_event(doc: Document, n: int = 1, **fields) -> Event:
    ev = Event(event_id_cnty=f"SYR-{doc.doc_id[:10]}-{n}", event_date="2023-03-01", event_type="Battles",
               sub_event_type="Armed clash", actor1="Opposition Rebels (Syria)", admin1="Dara", location="Jasim",
               latitude=32.99, longitude=36.06, geo_precision=1, source=doc.source or "", doc_id=doc.doc_id, **fields)
    ev.add_evidence("sub_event_type", Evidence(0, 9, doc.text[:9]))
    return ev


def test_alembic_head_matches_the_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == ALEMBIC_HEAD


def test_fresh_database_is_migrated_to_head_and_matches_the_tables(db):
    store = Store(db)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == ALEMBIC_HEAD
        assert conn.execute(text("SELECT max(version) FROM schema_info")).scalar() == SCHEMA_VERSION
        insp = inspect(conn)
        for table in metadata.sorted_tables:
            assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    Store(db)  # opening again is a no-op


def test_database_from_before_migrations_is_upgraded(tmp_path):
    """A file made by the first store (no alembic_version) keeps its data and gains dedup."""
    path = tmp_path / "old.sqlite"
    from marsad.model import ACLED_COLUMNS

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE documents (doc_id VARCHAR(32) PRIMARY KEY, id TEXT, url TEXT, title TEXT, source TEXT, "
                "published VARCHAR(10), language VARCHAR(8), text TEXT NOT NULL, ingested_at VARCHAR(32) NOT NULL)")
    cols = ", ".join(f'"{c}" TEXT' if c != "event_id_cnty" else f'"{c}" VARCHAR(64) PRIMARY KEY' for c in ACLED_COLUMNS)
    con.execute(f"CREATE TABLE events ({cols}, doc_id VARCHAR(32) NOT NULL, gazetteer_id VARCHAR(32), "
                "confidence FLOAT, reasons TEXT)")
    con.execute('CREATE TABLE evidence (id INTEGER PRIMARY KEY, event_id VARCHAR(64), doc_id VARCHAR(32), '
                'field VARCHAR(32), start INTEGER, "end" INTEGER, text TEXT)')
    con.execute("CREATE TABLE schema_info (version INTEGER PRIMARY KEY, applied_at VARCHAR(32))")
    con.execute("INSERT INTO schema_info VALUES (1, 'then')")
    con.execute("INSERT INTO documents VALUES ('d1', NULL, NULL, NULL, 'SOHR', '2023-03-01', 'ar', 'نص', 'then')")
    con.execute("INSERT INTO events (event_id_cnty, event_date, event_type, sub_event_type, source, doc_id) "
                "VALUES ('SYR-old-1', '2023-03-01', 'Battles', 'Armed clash', 'SOHR', 'd1')")
    con.commit()
    con.close()
    store = Store(str(path))
    assert store.counts()["canonical_events"] == 1
    _, rows = store.query_events()
    assert rows[0]["event_id_cnty"] == "SYR-old-1" and rows[0]["source"] == "SOHR"


def test_reingest_changes_nothing(db):
    store = Store(db)
    doc = Document(text="اشتباكات عنيفة في مدينة جاسم", published="2023-03-01", source="SOHR")
    assert store.add(doc, [one_event(doc)]) is True
    before = store.counts()
    assert store.add(doc, [one_event(doc)]) is False
    assert store.counts() == before
    assert before["documents"] == 1 and before["events"] == 1 and before["canonical_events"] == 1


def test_a_failed_ingest_writes_nothing(db):
    store = Store(db)
    doc = Document(text="اشتباكات عنيفة في مدينة جاسم", published="2023-03-01", source="SOHR")
    twice = [one_event(doc), one_event(doc)]  # same primary key: the insert fails mid-transaction
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError class differs per database
        store.add(doc, twice)
    assert store.counts() == {"documents": 0, "events": 0, "evidence": 0, "canonical_events": 0, "merges": 0}
    assert store.add(doc, [one_event(doc)]) is True


def test_export_serves_deduplicated_events_with_evidence_from_each_report(db):
    store = Store(db)
    a = Document(text="اشتباكات عنيفة في مدينة جاسم بين الفصائل وقوات النظام", published="2023-03-01", source="SOHR")
    b = Document(text="اشتباكات في جاسم", published="2023-03-01", source="Horan Free League")
    store.add(a, [one_event(a)])
    store.add(b, [one_event(b)])
    merged = list(store.iter_events())
    assert len(merged) == 1 and merged[0].source == "SOHR; Horan Free League"
    assert {s.doc_id for s in merged[0].evidence["sub_event_type"]} == {a.doc_id, b.doc_id}
    assert len(list(store.iter_events(canonical=False))) == 2


def test_postgres_urls_use_a_permissive_driver():
    assert db_url("postgresql://u:p@h:5432/db") == "postgresql+pg8000://u:p@h:5432/db"
    assert db_url("postgres://h/db") == "postgresql+pg8000://h/db"
    assert db_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert db_url("/tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"
