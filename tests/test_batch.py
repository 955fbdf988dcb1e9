"""Acceptance: a batch that mixes good corpus articles with every kind of bad input finishes
through the real command line (``marsad extract --input`` and ``marsad ingest``) with exit
status 0, no traceback, one clear skip line per bad item, and exactly the events that the good
articles give on their own."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

BIG_CHARS = 20_000_000


def _good_articles(n: int = 5) -> list[dict]:
    """The first ``n`` corpus articles that give events."""
    from marsad.extract import extract
    from marsad.model import Document

    out = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if extract(Document(text=rec["text"], url=rec.get("url"))):
                out.append(rec)
                if len(out) == n:
                    break
    return out


def _bad_lines() -> list[tuple[str, bytes]]:
    """(id, raw JSONL line) of every bad item; the 20M-character line is written separately."""
    arabic = "قصف جوي على مدينة درعا أدى إلى مقتل ثلاثة مدنيين. "
    return [
        ("broken JSON", b'{"id": "broken", "text": "\xd9\x82\xd8\xb5\xd9\x81 ' + b"unterminated"),
        ("empty text", json.dumps({"id": "empty", "text": "   "}).encode()),
        ("English", json.dumps({"id": "english", "text": "Clashes erupted in Daraa city on Monday between "
                                "government forces and local fighters; three civilians were killed."}).encode()),
        ("control characters", json.dumps({"id": "controls", "text": arabic + "\x01\x02\x03\x1b[31m" * 20}).encode()),
        ("binary garbage", b"\x89PNG\r\x1a\x00\x00\x00\rIHDR\xff\xfe\xfd\x00\x01\x02\x80\x81"),
        ("invalid UTF-8", b'{"id": "bad-utf8", "text": "\xd9\x82\xd8 \xff\xfe"}'),
        ("not an object", b'["text", "\xd9\x82"]'),
    ]


def _write_batch(path: Path, good: list[dict]) -> int:
    """good[0..2], the bad lines, a 20M-character text, good[3..]; returns the number of bad items."""
    bad = _bad_lines()
    with path.open("wb") as fh:
        for rec in good[:3]:
            fh.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
        for _, raw in bad[:4]:
            fh.write(raw + b"\n")
        fh.write(b'{"id": "huge", "text": "')
        piece = ("قصف " * 250_000).encode()  # 1,000,000 characters
        for _ in range(BIG_CHARS // 250_000 // 4):
            fh.write(piece)
        fh.write(b'"}\n')
        for _, raw in bad[4:]:
            fh.write(raw + b"\n")
        for rec in good[3:]:
            fh.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
    return len(bad) + 1


def _marsad(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marsad.cli", *args], capture_output=True, timeout=600)


def _skip_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("marsad: skipped ")]


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> tuple[Path, Path, int]:
    if not CORPUS.exists():
        pytest.skip("needs ../shared/data/corpus (the shared data beside the repo)")
    folder = tmp_path_factory.mktemp("batch")
    good = _good_articles()
    assert len(good) == 5
    good_path, mixed_path = folder / "good.jsonl", folder / "mixed.jsonl"
    good_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good), encoding="utf-8")
    return good_path, mixed_path, _write_batch(mixed_path, good)


def test_extract_batch_with_bad_items_gives_the_good_articles_events(batches):
    good_path, mixed_path, n_bad = batches
    alone = _marsad("extract", "--input", str(good_path))
    mixed = _marsad("extract", "--input", str(mixed_path))
    assert alone.returncode == 0 and mixed.returncode == 0, mixed.stderr.decode()
    stderr = mixed.stderr.decode("utf-8")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    skips = _skip_lines(stderr)
    assert len(skips) == n_bad, stderr
    for what in ("invalid JSON", "empty", "not Arabic", "binary (control characters)", "binary (NUL bytes)",
                 "not valid UTF-8", "must be a JSON object"):
        assert sum(what in s for s in skips) == 1, (what, skips)
    assert sum(bool(re.search(r"line is 35,\d{3},\d{3} bytes; the limit is 16,777,216 bytes", s)) for s in skips) == 1
    assert f"5 document(s) processed, {n_bad} skipped" in stderr
    events = mixed.stdout.decode("utf-8").splitlines()
    assert events and events == alone.stdout.decode("utf-8").splitlines()


def _table(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def test_ingest_batch_with_bad_items_stores_the_good_articles_only(batches, tmp_path):
    good_path, mixed_path, n_bad = batches
    db_alone, db_mixed = tmp_path / "alone.sqlite", tmp_path / "mixed.sqlite"
    alone = _marsad("ingest", str(good_path), "--db", str(db_alone))
    mixed = _marsad("ingest", str(mixed_path), "--db", str(db_mixed))
    assert alone.returncode == 0 and mixed.returncode == 0, mixed.stderr.decode()
    stderr = mixed.stderr.decode("utf-8")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert len(_skip_lines(stderr)) == n_bad, stderr
    assert f"5 new document(s), 0 already stored, {n_bad} skipped as bad input" in stderr
    for sql in ("SELECT doc_id, id, url, text FROM documents",
                "SELECT event_id_cnty, event_date, sub_event_type, actor1, actor2, location, fatalities, notes,"
                " canonical_id FROM events",
                "SELECT event_id_cnty, event_date, sub_event_type, location, fatalities, n_reports FROM canonical_events",
                "SELECT event_id, field, start, \"end\", text FROM evidence"):
        assert _table(db_mixed, sql) == _table(db_alone, sql), sql
    assert len(_table(db_mixed, "SELECT doc_id FROM documents")) == 5
