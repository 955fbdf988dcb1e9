"""The Dask engine gives exactly the local engine's results: the same events in the same order,
the same skip messages for bad documents, the same stored documents, events and canonical
events; the Parquet output has one schema; the store's bulk path dedups like ``Store.add``."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from marsad.engine import (
    DOCUMENT_SCHEMA,
    EVENT_SCHEMA,
    Outcome,
    event_to_row,
    read_events,
    row_to_event,
    run_partition,
)
from marsad.inputs import BadInput
from marsad.model import Document, Event, Evidence
from marsad.store import Store
from tests.conftest import CORPUS, ROOT
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT

N_CORPUS = 30


def _marsad(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "marsad.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def docs_jsonl(tmp_path_factory) -> Path:
    """~30 corpus articles (dated, two outlets), three reports of one Daraa day (two of one clash),
    a document given twice, and bad lines of every kind."""
    if not CORPUS.exists():
        pytest.skip("needs ../shared/data/corpus (the shared data beside the repo)")
    lines = []
    with CORPUS.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= N_CORPUS:
                break
            r = json.loads(line)
            r["published"] = f"2018-01-{10 + i % 3:02d}"
            r["source"] = ["SOHR", "Enab Baladi"][i % 2]
            lines.append(json.dumps(r, ensure_ascii=False))
    for path, source in [(REPO_EXAMPLE_TXT, "18 March"), (DATA / "dedup_horan_free_league_2022-11-01.ar.txt",
                                                           "Horan Free League"),
                         (DATA / "dedup_daraa_killing_2022-11-01.ar.txt", "Daraa 24")]:
        lines.insert(len(lines) // 2, json.dumps({"id": path.name, "text": path.read_text(encoding="utf-8"),
                                                  "published": "2022-11-01", "source": source}, ensure_ascii=False))
    lines.insert(5, '{"id": "broken", "text": "قصف على')  # broken JSON
    lines.insert(9, json.dumps({"id": "empty", "text": "   "}))
    lines.insert(12, json.dumps({"id": "english", "text": "Shelling hit the town of Jasim in Daraa, killing three."}))
    lines.insert(15, json.dumps({"id": "control", "text": "قصف" + "\x01\x02\x03\x04" * 20 + "على درعا"}))
    lines.insert(20, json.dumps({"id": "bad-date", "text": "قصف على بلدة جاسم", "published": "yesterday"},
                                ensure_ascii=False))
    lines.insert(22, "[1, 2, 3]")
    lines.append(lines[3])  # the same document again: stored once
    path = tmp_path_factory.mktemp("engine") / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_extract(docs_jsonl) -> subprocess.CompletedProcess:
    p = _marsad("extract", "--input", str(docs_jsonl), "--format", "jsonl")
    assert p.returncode == 0, p.stderr
    return p


def _skips(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("marsad: skipped")]


@pytest.mark.slow
def test_dask_extract_gives_the_local_events_in_the_same_order(docs_jsonl, local_extract, tmp_path):
    out = tmp_path / "parquet"
    p = _marsad("extract", "--input", str(docs_jsonl), "--format", "jsonl", "--engine", "dask", "--workers", "2",
                "--partition-size", "4", "--parquet", str(out))
    assert p.returncode == 0, p.stderr
    assert local_extract.stdout.count("\n") > 12  # enough events for the order to be tested (20 with the 2026-12 rules)
    assert p.stdout == local_extract.stdout  # byte for byte: same events, fields, evidence, order
    skips = _skips(p.stderr)
    assert skips == _skips(local_extract.stderr)
    assert len(skips) == 6 and any("invalid JSON" in s for s in skips) and any("not Arabic" in s for s in skips)
    assert any("control characters" in s for s in skips) and any("empty" in s for s in skips)
    assert p.stderr.strip().splitlines()[-1] == local_extract.stderr.strip().splitlines()[-1]
    # Parquet: part files with one schema; reading them back gives the same events
    parts = sorted((out / "events").glob("part-*.parquet"))
    assert len(parts) > 3
    assert all(pq.read_schema(f).equals(EVENT_SCHEMA, check_metadata=False) for f in parts)
    assert all(pq.read_schema(f).equals(DOCUMENT_SCHEMA, check_metadata=False)
               for f in (out / "documents").glob("part-*.parquet"))
    again = "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in read_events(out))
    assert again == local_extract.stdout


@pytest.mark.slow
def test_dask_extract_on_a_scheduler_by_address(docs_jsonl, local_extract):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        p = _marsad("extract", "--input", str(docs_jsonl), "--format", "jsonl", "--engine", "dask",
                    "--scheduler", cluster.scheduler_address)
    assert p.returncode == 0, p.stderr
    assert p.stdout == local_extract.stdout
    assert _skips(p.stderr) == _skips(local_extract.stderr)
    assert cluster.scheduler_address in p.stderr  # says where it ran


def _table(db: Path, table: str, drop: set[str]) -> list:
    con = sqlite3.connect(db)
    try:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in drop]
        names = ", ".join(f'"{c}"' for c in cols)
        return sorted(con.execute(f"SELECT {names} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


# times of writing differ between two runs; everything else must be equal
_VOLATILE = {"documents": {"ingested_at"}, "events": {"timestamp"}, "evidence": {"id"},
             "canonical_events": {"timestamp"}, "merges": {"id", "created_at"}}


def _same_store(a: Path, b: Path) -> None:
    for table, drop in _VOLATILE.items():
        assert _table(a, table, drop) == _table(b, table, drop), table


@pytest.mark.slow
def test_dask_ingest_stores_what_local_ingest_stores(docs_jsonl, tmp_path):
    local, dask = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    p1 = _marsad("ingest", str(docs_jsonl), "--db", str(local), "--format", "jsonl")
    p2 = _marsad("ingest", str(docs_jsonl), "--db", str(dask), "--format", "jsonl", "--engine", "dask", "--workers", "2",
                 "--partition-size", "5")
    assert p1.returncode == 0 and p2.returncode == 0, p2.stderr
    assert p2.stdout == p1.stdout
    assert _skips(p2.stderr) == _skips(p1.stderr)
    assert p2.stderr.strip().splitlines()[-1].replace(str(dask), "X") == p1.stderr.strip().splitlines()[-1].replace(
        str(local), "X")
    assert "1 already stored" in p1.stderr
    _same_store(local, dask)
    merged = _table(local, "merges", _VOLATILE["merges"])
    assert merged  # the two reports of the Daraa clash (at least) became one event
    # ingesting again changes nothing, on either engine
    p3 = _marsad("ingest", str(docs_jsonl), "--db", str(dask), "--engine", "dask", "--workers", "1")
    assert p3.returncode == 0 and " 0 new document(s)" in p3.stderr
    _same_store(local, dask)


def test_engine_options_need_the_dask_engine(tmp_path):
    docs = tmp_path / "x.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": "قصف على بلدة جاسم"}, ensure_ascii=False) + "\n", encoding="utf-8")
    p = _marsad("extract", "--input", str(docs), "--workers", "2")
    assert p.returncode == 1 and "need --engine dask" in p.stderr and not p.stdout


# ---- fast, in-process ------------------------------------------------------------------------


def _event(i: int, **fields) -> Event:
    e = Event(event_id_cnty=f"SYR-x-{i}", event_date="2022-11-01", year=2022, time_precision=1,
              event_type="Battles", sub_event_type="Armed clash", actor1="Islamic State (Syria)", admin1="Dara",
              location="Dar'a", latitude=32.6, longitude=36.1, geo_precision=1, fatalities=i % 3, doc_id=f"d{i}",
              gazetteer_id="C1", confidence=0.5)
    for k, v in fields.items():
        setattr(e, k, v)
    e.evidence = {"sub_event_type": [Evidence(0, 4, "اشتب")], "fatalities": [Evidence(5, 7, "٣")]} if i % 2 else {}
    e.reasons = {"actor2": "one-sided", "note": "عربي"}
    return e


def test_parquet_rows_round_trip_events_exactly():
    for i, e in enumerate([_event(1), _event(2, latitude=None, longitude=None, geo_precision=None, year=None),
                           _event(3, timestamp=1700000000, notes="a \"quoted\" note\nwith a line")]):
        row = event_to_row(e, 7, i)
        import pyarrow as pa

        back = pa.Table.from_pylist([row], schema=EVENT_SCHEMA).to_pylist()[0]
        assert row_to_event(back).to_dict() == e.to_dict()
        assert json.dumps(row_to_event(back).to_dict(), ensure_ascii=False) == json.dumps(e.to_dict(), ensure_ascii=False)


def test_worker_errors_become_skip_records(monkeypatch):
    import marsad.extract

    def extract(doc: Document) -> list[Event]:
        marsad.extract.check_document(doc)
        if "boom" in doc.text:
            raise ValueError("kaboom")
        return [_event(1, doc_id=doc.doc_id)]

    monkeypatch.setattr(marsad.extract, "extract", extract)
    items = [(0, Document(text="نص أول", id="a")), (1, BadInput("f.jsonl:2", "invalid JSON")),
             (2, Document(text="نص boom ثان", id="b", origin="f.jsonl:3")), (3, Document(text="", id="c"))]
    result = run_partition(4, items)
    assert result.ok == 1 and result.index == 4
    assert result.skips == [(1, "f.jsonl:2: invalid JSON"), (2, "f.jsonl:3 (id b): internal error: ValueError('kaboom')"),
                            (3, "document c: document text is empty")]
    assert result.events.num_rows == 1 and result.documents.num_rows == 1


def test_a_failed_partition_reports_every_document():
    from marsad.engine import _failed_partition

    class Future:
        key = "marsad-part-3-1-2"

    chunk = [(6, Document(text="نص", id="a", origin="f.jsonl:7")), (7, BadInput("f.jsonl:8", "invalid JSON"))]
    result = _failed_partition(Future(), {3: chunk}, OSError("worker lost"))
    assert [s for s, _ in result.skips] == [6, 7]
    assert "the Dask task of this partition failed" in result.skips[0][1] and result.skips[1][1] == "f.jsonl:8: invalid JSON"
    assert result.events.num_rows == 0
    assert isinstance(Outcome(0, None, "x"), Outcome)


def _synthetic_docs(n_docs: int, seed: int) -> list[tuple[Document, list[Event]]]:
    """Documents of 0-3 events each around three Daraa places and three days: many merges."""
    rnd = random.Random(seed)
    places = [("C1", "Dar'a", 32.62, 36.10), ("C2", "Jasim", 32.99, 36.06), ("C3", "Busra", 32.52, 36.48)]
    out = []
    for d in range(n_docs):
        doc = Document(text=f"تقرير رقم {d} عن درعا", source=rnd.choice(["SOHR", "18 March", "Daraa 24"]),
                       published="2022-11-02", id=f"doc{d}")
        evs = []
        for k in range(rnd.randrange(4)):
            gid, loc, lat, lon = rnd.choice(places)
            gp = rnd.choice([1, 1, 2, 3])
            sub = rnd.choice(["Armed clash", "Armed clash", "Government regains territory"])
            e = _event(k + 1, event_id_cnty=f"SYR-{doc.doc_id[:10]}-{k + 1}", doc_id=doc.doc_id,
                       event_date=f"2022-11-0{rnd.randrange(1, 4)}", sub_event_type=sub, gazetteer_id=gid,
                       location=loc, latitude=lat + rnd.uniform(-0.02, 0.02), longitude=lon, geo_precision=gp,
                       actor2=rnd.choice(["", "Military Forces of Syria (2000-2024)"]), source=doc.source)
            evs.append(e)
        out.append((doc, evs))
    return out


def test_bulk_add_dedups_exactly_like_add_one_document_at_a_time(tmp_path):
    items = _synthetic_docs(60, seed=3)
    items.append(items[4])  # given twice: stored once
    one, bulk = Store(str(tmp_path / "one.sqlite")), Store(str(tmp_path / "bulk.sqlite"))
    added = [one.add(doc, evs) for doc, evs in items]
    # two loads, the second into a store that already holds events (their clusters are read back)
    new_a, skipped_a = bulk.bulk_add(items[:25], batch=7)
    new_b, skipped_b = bulk.bulk_add(items[20:], batch=9)
    assert len(new_a) + len(new_b) == sum(added) and skipped_a + skipped_b == 5 + 1
    assert one.counts() == bulk.counts() and one.counts()["merges"] > 5
    _same_store(tmp_path / "one.sqlite", tmp_path / "bulk.sqlite")
    # and a full re-run of dedup agrees with both
    bulk.dedup()
    _same_store(tmp_path / "one.sqlite", tmp_path / "bulk.sqlite")
