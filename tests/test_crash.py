"""Crash safety: ``marsad ingest`` killed with SIGKILL in the middle of a batch, then run again,
ends with the same database as one clean run: every document stored exactly once, the same
events, evidence and deduplicated events, and an SQLite file that passes its integrity check."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

N_DOCS = 60

# Every table, without what depends on the wall clock (ingest time, the ACLED timestamp) or on
# autoincrement ids.
TABLES = {
    "documents": "SELECT doc_id, id, url, title, source, published, language, text FROM documents",
    "events": "SELECT * FROM events",
    "evidence": 'SELECT event_id, doc_id, field, start, "end", text FROM evidence',
    "canonical_events": "SELECT * FROM canonical_events",
    "merges": "SELECT canonical_id, event_id, matched_event_id, score, reasons FROM merges",
}
CLOCK_COLUMNS = {"timestamp", "ingested_at", "created_at"}


def _rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        cur = con.execute(sql)
        keep = [i for i, d in enumerate(cur.description) if d[0] not in CLOCK_COLUMNS]
        return sorted((tuple(r[i] for i in keep) for r in cur.fetchall()), key=repr)
    finally:
        con.close()


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:  # not created or not migrated yet
        return 0


def _ingest(path: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marsad.cli", "ingest", str(path), "--db", str(db)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip("needs ../shared/data/corpus (the shared data beside the repo)")
    path = tmp_path_factory.mktemp("crash") / "docs.jsonl"
    with CORPUS.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            if n == N_DOCS:
                break
            out.write(line)
    return path


def test_ingest_killed_midway_then_rerun_equals_a_clean_run(batch, tmp_path):
    clean_db, crash_db = tmp_path / "clean.sqlite", tmp_path / "crash.sqlite"
    clean = _ingest(batch, clean_db)
    assert clean.returncode == 0, clean.stderr
    n_docs = _count(clean_db)
    assert n_docs > 40  # a few corpus articles may share a text

    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "ingest", str(batch), "--db", str(crash_db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    try:
        while _count(crash_db) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    stored_at_kill = _count(crash_db)
    assert 0 < stored_at_kill < n_docs, stored_at_kill

    con = sqlite3.connect(crash_db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()

    rerun = _ingest(batch, crash_db)
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    assert f"{n_docs - stored_at_kill} new document(s), " in rerun.stderr, rerun.stderr

    con = sqlite3.connect(crash_db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT doc_id FROM documents GROUP BY doc_id HAVING count(*) > 1").fetchall() == []
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == n_docs
    finally:
        con.close()
    for table, sql in TABLES.items():
        assert _rows(crash_db, sql) == _rows(clean_db, sql), table

    again = _ingest(batch, crash_db)  # a third run changes nothing
    assert again.returncode == 0 and "0 new document(s)" in again.stderr, again.stderr
    for table, sql in TABLES.items():
        assert _rows(crash_db, sql) == _rows(clean_db, sql), table
