"""Several writers at once (issue 14): a new database is migrated once, a document is stored once,
and reports of one event end in one canonical event, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import subprocess
import sys
import threading

from sqlalchemy import func, select

from marsad.model import Document, Event, Evidence
from marsad.store import Store
from marsad.store.schema import canonical_events, documents, events
from tests import test_store_support as support

db = support.db


def reports() -> list[tuple[Document, list[Event]]]:
    """Four outlets reporting one shelling of Ariha, and four other events."""
    out = []
    same = "قصفت قوات النظام مدينة أريحا بريف إدلب"
    for i in range(4):
        text = f"{same} صباح اليوم، بحسب مراسل {i}"
        out.append((text, "2023-03-05", "Shelling/artillery/missile attack", "Ariha", 35.81, 36.61, f"Outlet {i}"))
    others = [("اشتباكات في جاسم", "2023-03-01", "Armed clash", "Jasim", 32.99, 36.06),
              ("مظاهرة في السويداء", "2023-03-02", "Peaceful protest", "As Sweida", 32.71, 36.57),
              ("غارة على ذيبان", "2023-03-03", "Air/drone strike", "Thiban", 35.02, 40.51),
              ("اغتيال في درعا", "2023-03-04", "Attack", "Dar'a", 32.62, 36.10)]
    for k, (text, date, sub, loc, lat, lon) in enumerate(others):
        out.append((text, date, sub, loc, lat, lon, f"Other {k}"))
    docs = []
    for text, date, sub, loc, lat, lon, source in out:
        doc = Document(text=text, published=date, source=source, url=f"https://example.org/{source}")
        etype = {"Armed clash": "Battles", "Peaceful protest": "Protests", "Attack": "Violence against civilians"}.get(
            sub, "Explosions/Remote violence")
        ev = Event(event_id_cnty=f"SYR-{doc.doc_id[:8]}", event_date=date, year=2023, time_precision=1,
                   event_type=etype, sub_event_type=sub, actor1="Military Forces of Syria (2000-2024)",
                   admin1="Idleb" if loc == "Ariha" else "X", location=loc, latitude=lat, longitude=lon,
                   geo_precision=1, source=source, notes="n", doc_id=doc.doc_id)
        ev.add_evidence("sub_event_type", Evidence(0, len(text.split()[0]), text.split()[0]))
        docs.append((doc, [ev]))
    return docs


def test_writers_at_once_store_each_document_once_and_merge_one_event(db):
    items = reports()
    Store(db)  # migrated first: this test is about the writers
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(seed: int) -> None:
        store = Store(db)
        mine = items[:]
        random.Random(seed).shuffle(mine)
        start.wait()
        try:
            for doc, evs in mine:
                store.add(doc, evs)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    store = Store(db)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(documents)).scalar() == len(items)
        assert conn.execute(select(func.count()).select_from(events)).scalar() == len(items)
        linked = set(conn.execute(select(events.c.canonical_id)).scalars())
        canon = set(conn.execute(select(canonical_events.c.event_id_cnty)).scalars())
    assert None not in linked and linked == canon
    assert len(canon) == 5, "the four reports of the Ariha shelling are one event"


def test_processes_opening_a_new_database_together_all_succeed(db):
    code = "import sys; from marsad.store import Store; Store(sys.argv[1]).counts()"
    procs = [subprocess.Popen([sys.executable, "-c", code, db], stderr=subprocess.PIPE, text=True) for _ in range(8)]
    failures = [err for p in procs for err in [p.communicate(timeout=240)[1]] if p.returncode != 0]
    assert not failures, failures[0][-2000:]
    assert Store(db).counts()["documents"] == 0


def test_events_a_killed_bulk_load_left_unmerged_are_merged_by_the_next_run(db):
    items = reports()
    store = Store(db)
    store.bulk_add(items, dedup=False)  # a Dask ingest killed after its bulk load, before its dedup step
    assert store.counts()["canonical_events"] == 0
    new_ids, skipped = store.bulk_add(items)  # the rerun: "0 new, 8 already stored"
    assert new_ids == [] and skipped == len(items)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events).where(events.c.canonical_id.is_(None))).scalar() == 0
    assert store.counts()["canonical_events"] == 5


def test_a_local_ingest_merges_what_a_killed_bulk_load_left(db, tmp_path):
    import json

    from click.testing import CliRunner

    from marsad.cli import main

    store = Store(db)
    store.bulk_add(reports(), dedup=False)
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"text": "قصفت قوات النظام بلدة كفرنبل بريف إدلب يوم الخميس.",
                               "published": "2023-03-09"}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["ingest", str(src), "--db", db, "--format", "none"])
    assert res.exit_code == 0, res.output
    assert "interrupted ingest" in res.stderr
    assert store.counts()["canonical_events"] >= 5


def test_a_nul_in_a_url_title_or_source_does_not_cost_the_document(db):
    doc, evs = reports()[0]
    doc.url, doc.title, doc.source = "https://example.org/a\x00b", "عنوان\x00", "Outlet\x00"
    for e in evs:
        e.source = doc.source
    store = Store(db)
    assert store.add(doc, evs)
    stored = store.get_document(doc.doc_id)
    assert stored["url"] == "https://example.org/a\ufffdb" and "\x00" not in stored["title"]
