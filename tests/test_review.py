"""Analysts' review (issue 15): statuses, corrections, the audit log, reviewed values that win over
a later machine coding, conflicts flagged; on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.model import Document, Event, Evidence
from marsad.store import EventFilter, ReviewError, Store
from marsad.store.review import parse_statuses
from tests import test_store_support as support

db = support.db


def _doc(n: int, source: str = "Enab Baladi") -> Document:
    return Document(text=f"اشتباكات في جاسم رقم {n} بين فصائل المعارضة وقوات النظام", source=source,
                    url=f"https://example.org/{n}", published="2023-03-01", id=f"item-{n}")


def _event(doc: Document, day: str = "2023-03-01", fatalities: int = 0, place: tuple = ("Jasim", 32.99, 36.06),
           confidence: float = 0.5) -> Event:
    ev = Event(event_id_cnty=f"SYR-{doc.doc_id[:10]}-1", event_date=day, event_type="Battles",
               sub_event_type="Armed clash", actor1="Opposition Rebels (Syria)", inter1="Rebel group",
               actor2="Military Forces of Syria (2000-2024)", inter2="State forces", admin1="Dara",
               location=place[0], latitude=place[1], longitude=place[2], geo_precision=1,
               source=doc.source or "", doc_id=doc.doc_id, fatalities=fatalities, confidence=confidence)
    ev.add_evidence("sub_event_type", Evidence(0, 8, doc.text[:8]))
    if fatalities:
        ev.add_evidence("fatalities", Evidence(0, 8, doc.text[:8]))
    return ev


def _stored(db, n: int = 1, **kw) -> tuple[Store, str]:
    store = Store(db)
    doc = _doc(n)
    store.add(doc, [_event(doc, **kw)])
    _, rows = store.query_events()
    return store, rows[0]["event_id_cnty"]


def test_confirm_reject_and_correct_are_logged_and_served(db):
    store, cid = _stored(db)
    assert store.query_events()[1][0]["review_status"] == "machine"
    store.review(cid, "confirmed", reviewer="amira")
    store.review(cid, "corrected", {"sub_event_type": "Shelling/artillery/missile attack", "fatalities": 3,
                                    "gazetteer_id": "C1001"}, reason="the report says shelling", reviewer="amira")
    row = store.query_events()[1][0]
    assert row["review_status"] == "corrected"
    assert row["event_type"] == "Explosions/Remote violence" and row["fatalities"] == 3
    assert row["location"] == "Damascus" and row["admin1"] == "Damascus"
    history = store.history(cid)
    assert [h["action"] for h in history][:2] == ["confirmed", "corrected"]
    changed = {h["field"]: (h["old"], h["new"]) for h in history if h["action"] == "corrected"}
    assert changed["sub_event_type"] == ("Armed clash", "Shelling/artillery/missile attack")
    assert changed["fatalities"] == ("0", "3")
    assert all(h["reviewer"] == "amira" for h in history)
    detail = store.event_detail(cid)
    assert detail["review"]["status"] == "corrected" and detail["history"] == history
    # a rejected event leaves the default listing and export, and is served on request
    store.review(cid, "rejected", reason="not an event: background")
    assert store.query_events()[0] == 0
    assert list(store.iter_events()) == []
    assert store.query_events(EventFilter(status=["rejected"]))[0] == 1
    assert [e.event_id_cnty for e in store.iter_events(status=["rejected"])] == [cid]


def test_bad_reviews_write_nothing(db):
    store, cid = _stored(db)
    for args in [("nope", "confirmed"), (cid, "approved"), (cid, "rejected"),  # a rejection needs a reason
                 (cid, "corrected", {"sub_event_type": "Picnic"}), (cid, "corrected", {"event_date": "2023-13-01"}),
                 (cid, "corrected", {"fatalities": -2}), (cid, "corrected", {"gazetteer_id": "X0"}),
                 (cid, "corrected", {"doc_id": "x"}), (cid, "corrected", {}),
                 (cid, "corrected", {"event_type": "Protests", "sub_event_type": "Armed clash"})]:
        with pytest.raises(ReviewError):
            store.review(*args)
    assert store.history(cid) == [] and store.review_of(cid) is None
    assert store.query_events()[1][0]["review_status"] == "machine"


def test_reviewed_values_win_over_a_new_report_and_a_conflict_is_flagged(db):
    store, cid = _stored(db, fatalities=2)
    store.review(cid, "corrected", {"fatalities": 5}, reason="hospital figure", reviewer="omar")
    # a second outlet reports the same clash with a lower toll: the machine's toll changes to 1
    doc = _doc(2, source="Horan Free League")
    store.add(doc, [_event(doc, fatalities=1)])
    assert store.counts()["canonical_events"] == 1
    row = store.query_events()[1][0]
    assert row["n_reports"] == 2 and row["fatalities"] == 5 and row["review_status"] == "corrected"
    review = store.review_of(cid)
    assert review["conflict"] == {"fatalities": {"seen": 2, "now": 1}}
    conflict = [h for h in store.history(cid) if h["action"] == "conflict"]
    assert len(conflict) == 1 and (conflict[0]["old"], conflict[0]["new"]) == ("2", "1")
    # a full re-deduplication keeps the review and does not log the same conflict again
    store.dedup()
    assert store.query_events()[1][0]["fatalities"] == 5
    assert len([h for h in store.history(cid) if h["action"] == "conflict"]) == 1


def test_parse_statuses():
    assert parse_statuses("reviewed") == ["confirmed", "corrected"]
    assert parse_statuses("machine, rejected") == ["machine", "rejected"]
    assert parse_statuses(None) is None
    with pytest.raises(ReviewError):
        parse_statuses("approved")


def test_cli_review_export_and_queue(tmp_path):
    path = str(tmp_path / "m.sqlite")
    store = Store(path)
    for n, conf in ((1, 0.9), (2, 0.2)):
        doc = _doc(n)
        store.add(doc, [_event(doc, day=f"2023-03-0{n}", confidence=conf,
                               place=("Jasim", 32.99, 36.06) if n == 1 else ("Nawa", 32.89, 36.04))])
    runner = CliRunner()
    queue = runner.invoke(main, ["review", "--db", path, "--queue", "--format", "jsonl"])
    assert queue.exit_code == 0, queue.output
    ids = [json.loads(line)["event_id_cnty"] for line in queue.output.splitlines()]
    assert len(ids) == 2 and store.query_events()[1][1]["confidence"] == 0.9  # least confident first
    low = ids[0]
    assert store.event_detail(low)["confidence"] == 0.2
    out = runner.invoke(main, ["review", low, "--db", path, "--reject", "--reason", "duplicate of a roundup",
                               "--reviewer", "sara"])
    assert out.exit_code == 0, out.output
    bad = runner.invoke(main, ["review", ids[1], "--db", path, "--set", "fatalities=many"])
    assert bad.exit_code != 0 and "fatalities" in bad.output and "Traceback" not in bad.output
    ok = runner.invoke(main, ["review", ids[1], "--db", path, "--set", "fatalities=4", "--reason", "later toll"])
    assert ok.exit_code == 0, ok.output
    default = runner.invoke(main, ["export", "--db", path, "--format", "jsonl"])
    rows = [json.loads(line) for line in default.output.splitlines()]
    assert [r["event_id_cnty"] for r in rows] == [ids[1]] and rows[0]["fatalities"] == 4
    assert rows[0]["review_status"] == "corrected"
    rejected = runner.invoke(main, ["export", "--db", path, "--format", "jsonl", "--status", "rejected"])
    assert [json.loads(line)["event_id_cnty"] for line in rejected.output.splitlines()] == [low]
    history = runner.invoke(main, ["review", low, "--db", path, "--history"])
    assert "rejected" in history.output and "duplicate of a roundup" in history.output and "sara" in history.output


def test_api_review_history_status_filter_and_queue(db):
    from fastapi.testclient import TestClient

    from marsad.api import create_app

    store, cid = _stored(db)
    client = TestClient(create_app(store, token="s3cret"))
    auth = {"Authorization": "Bearer s3cret"}
    body = {"status": "corrected", "changes": {"fatalities": 2, "actor2": "Islamic State (Syria)"},
            "reason": "the outlet's correction", "reviewer": "lina"}
    assert client.post(f"/api/events/{cid}/review", json=body).status_code == 401  # writes need the token
    assert client.post("/api/events/nope/review", json=body, headers=auth).status_code == 404
    bad = client.post(f"/api/events/{cid}/review", json={"status": "corrected", "changes": {"fatalities": "x"}},
                      headers=auth)
    assert bad.status_code == 422 and "fatalities" in bad.json()["detail"]
    ok = client.post(f"/api/events/{cid}/review", json=body, headers=auth)
    assert ok.status_code == 200, ok.text
    assert ok.json()["review_status"] == "corrected" and ok.json()["actor2"] == "Islamic State (Syria)"
    assert ok.json()["interaction"].startswith("Rebel group")
    history = client.get(f"/api/events/{cid}/history").json()
    assert {h["field"] for h in history} >= {"fatalities", "actor2", "review_status"}
    assert all(h["reviewer"] == "lina" for h in history)
    listed = client.get("/api/events", params={"status": "reviewed"}).json()
    assert listed["total"] == 1 and listed["events"][0]["review_status"] == "corrected"
    assert client.get("/api/events", params={"status": "machine"}).json()["total"] == 0
    assert client.get("/api/events", params={"status": "approved"}).status_code == 422
    queue = client.get("/api/events", params={"order": "confidence"})
    assert queue.status_code == 200 and client.get("/api/events", params={"order": "x"}).status_code == 422
    csv_text = client.get("/api/events.csv", params={"status": "corrected"}).text
    assert "review_status" in csv_text.splitlines()[0] and "corrected" in csv_text.splitlines()[1]
    reject = {"status": "rejected", "reason": "a listing page", "reviewer": "lina"}
    assert client.post(f"/api/events/{cid}/review", json=reject, headers=auth).status_code == 200
    assert client.get("/api/events").json()["total"] == 0
    assert client.get("/api/events.geojson").json()["features"] == []
