"""Re-extracting a stored archive (issue 15): same events keep their ids, vanished events become
deletions, reviewed values survive, and the CLI and API serve the result."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient

from marsad.api import create_app
from marsad.cli import main
from marsad.extract import extract
from marsad.model import Document
from marsad.reextract import reextract
from marsad.store import Store
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT


def _seed(path: str) -> Store:
    store = Store(path)
    for doc in (Document(text=REPO_EXAMPLE_TXT.read_text(encoding="utf-8"), published="2022-11-01", source="18 March",
                         id="ex-1"),
                Document(text=(DATA / "dedup_horan_free_league_2022-11-01.ar.txt").read_text(encoding="utf-8"),
                         published="2022-11-01", source="Horan Free League", id="hfl-1")):
        store.add(doc, extract(doc))
    return store


def _canonical(store: Store) -> dict[str, dict]:
    return {r["event_id_cnty"]: r for r in store.query_events(limit=None)[1]}


def test_same_coder_changes_nothing(tmp_path):
    store = _seed(str(tmp_path / "m.sqlite"))
    before = _canonical(store)
    summary = reextract(store, extract)
    assert summary.documents == 2 and not summary.failed
    assert (summary.added, summary.deleted, summary.kept) == (0, 0, len(before))
    assert not summary.modified and summary.reports_new == 0 and summary.reports_removed == 0
    assert _canonical(store).keys() == before.keys()
    assert store.list_deletions() == []


def test_a_changed_coder_keeps_ids_records_deletions_and_keeps_reviews(tmp_path):
    store = _seed(str(tmp_path / "m.sqlite"))
    before = _canonical(store)
    assert len(before) >= 2
    # the analyst corrected the toll of the clash and confirmed nothing else
    clash = next(cid for cid, r in before.items() if r["sub_event_type"] == "Armed clash")
    store.review(clash, "corrected", {"fatalities": 9}, reason="hospital", reviewer="amira")
    dropped_type = next(r["sub_event_type"] for cid, r in before.items() if cid != clash)

    def better(doc: Document):
        out = []
        for e in extract(doc):
            if e.sub_event_type == dropped_type:
                continue  # the new coder no longer codes this event
            if e.sub_event_type == "Armed clash":
                e.fatalities += 1  # and reads another toll of the clash
            out.append(e)
        return out

    summary = reextract(store, better)
    after = _canonical(store)
    assert clash in after and summary.kept >= 1  # the same clash keeps its id
    assert after[clash]["fatalities"] == 9 and after[clash]["review_status"] == "corrected"  # reviewed value wins
    assert store.review_of(clash)["conflict"]["fatalities"]["now"] == before[clash]["fatalities"] + 1
    gone = store.list_deletions()
    assert {d["event_id_cnty"] for d in gone} == set(before) - set(after) and gone
    assert summary.deleted == len(gone) and all("re-extraction" in d["reason"] for d in gone)
    assert summary.reports_removed >= 1
    # re-extracting again with the same coder deletes nothing more and reuses no deleted id
    again = reextract(store, better)
    assert again.deleted == 0 and len(store.list_deletions()) == len(gone)


def test_cli_reextract_and_deletions(tmp_path, monkeypatch):
    from marsad.extract import ALL_COUNTRIES_ENV, MIN_CONFIDENCE_ENV

    for name in (MIN_CONFIDENCE_ENV, ALL_COUNTRIES_ENV):  # the CLI sets them for its workers: restored after
        monkeypatch.setenv(name, "")
    path = str(tmp_path / "m.sqlite")
    _seed(path).engine.dispose()
    runner = CliRunner()
    out = runner.invoke(main, ["reextract", "--db", path])
    assert out.exit_code == 0, out.output
    assert "re-extracted 2 document(s)" in out.output and "0 deleted" in out.output
    empty = runner.invoke(main, ["export", "--db", path, "--deletions", "--format", "jsonl"])
    assert empty.exit_code == 0 and empty.output == ""
    # a coder that now codes nothing: every event is a deletion, served by the CLI and the API
    strict = runner.invoke(main, ["reextract", "--db", path, "--min-confidence", "1"])
    assert strict.exit_code == 0, strict.output
    rows = [json.loads(line) for line in runner.invoke(main, ["export", "--db", path, "--deletions", "--format",
                                                              "jsonl"]).output.splitlines()]
    assert rows and all(r["event_id_cnty"].startswith("SYR-") and r["deleted_at"] for r in rows)
    api = TestClient(create_app(Store(path), token_from_env=False)).get("/api/deletions").json()
    assert [r["event_id_cnty"] for r in api] == [r["event_id_cnty"] for r in rows]


# ---- stable canonical ids (issue 15 leftover): on SQLite and, when configured, PostgreSQL ------------------------

from tests import test_store_support as support  # noqa: E402
from tests.test_review import _doc, _event  # noqa: E402

db = support.db


def _three_reports(db, n: int = 3) -> tuple[Store, list[Document], str]:
    """One clash told by ``n`` outlets, ingested in order: one canonical event, its id the first report's."""
    store = Store(db)
    docs = [_doc(i, source=f"Outlet {i}") for i in range(1, n + 1)]
    for i, doc in enumerate(docs):
        store.add(doc, [_event(doc, fatalities=2 + i)])
    (cid,) = _canonical(store)
    assert cid == f"SYR-{docs[0].doc_id[:10]}-1"
    return store, docs, cid


def _coder(plan: dict[str, list]):
    """An extractor that codes each stored document as ``plan`` says (doc_id -> Event factories)."""
    def run(doc: Document):
        return [make(doc) for make in plan.get(doc.doc_id, [])]
    return run


def test_first_report_disappears_the_event_keeps_its_id_and_review(db):
    store, docs, cid = _three_reports(db, 2)
    store.review(cid, "corrected", {"fatalities": 9}, reason="hospital", reviewer="amira")
    # the new coder no longer finds the clash in the first outlet's report; the second still tells it
    summary = reextract(store, _coder({docs[1].doc_id: [lambda d: _event(d, fatalities=3)]}))
    after = _canonical(store)
    assert list(after) == [cid]  # the same event, the same id
    assert (summary.added, summary.deleted, summary.kept) == (0, 0, 1)
    assert after[cid]["review_status"] == "corrected" and after[cid]["fatalities"] == 9
    assert after[cid]["n_reports"] == 1 and after[cid]["source"] == "Outlet 2"
    assert store.review_of(cid)["fields"] == {"fatalities": 9}
    assert store.list_deletions() == [] and summary.deleted_reviewed == []
    detail = store.event_detail(cid)
    assert [r["doc_id"] for r in detail["reports"]] == [docs[1].doc_id]
    assert [h["action"] for h in detail["history"]][-1] != "moved"  # nothing to move: the id did not change
    # the second report's own id finds the event too, and a second run changes nothing
    assert store.canonical_id(f"SYR-{docs[1].doc_id[:10]}-1") == cid
    again = reextract(store, _coder({docs[1].doc_id: [lambda d: _event(d, fatalities=3)]}))
    assert (again.added, again.deleted, again.kept) == (0, 0, 1) and list(_canonical(store)) == [cid]


def test_a_changed_cluster_keeps_its_id_and_the_review_is_applied_again(db):
    store, docs, cid = _three_reports(db, 3)
    store.review(cid, "corrected", {"fatalities": 7}, reason="hospital", reviewer="amira")
    seen = store.review_of(cid)["seen"]["fatalities"]
    # first report gone, the second now reads another toll, the third unchanged; a fourth outlet's
    # report was coded as another event before and is now the same clash
    extra = _doc(4, source="Outlet 4")
    store.add(extra, [_event(extra, day="2023-03-02", place=("Nawa", 32.89, 36.04))])
    assert len(_canonical(store)) == 2
    plan = {docs[1].doc_id: [lambda d: _event(d, fatalities=1)], docs[2].doc_id: [lambda d: _event(d, fatalities=4)],
            extra.doc_id: [lambda d: _event(d)]}
    other = next(i for i in _canonical(store) if i != cid)
    summary = reextract(store, _coder(plan))
    after = _canonical(store)
    assert list(after) == [cid] and after[cid]["n_reports"] == 3
    assert after[cid]["fatalities"] == 7 and after[cid]["review_status"] == "corrected"
    assert store.review_of(cid)["conflict"]["fatalities"] == {"seen": seen, "now": 1}  # flagged, kept
    detail = store.event_detail(cid)
    assert {m["canonical_id"] for m in detail["merges"]} == {cid} and len(detail["merges"]) == 2
    # the fourth outlet's old event is now a duplicate of this one: a deletion that says so
    (gone,) = store.list_deletions()
    assert gone["event_id_cnty"] == other and cid in gone["reason"]
    assert summary.deleted == 1 and summary.merged == {other: cid}


def _two_events_a_day_and_a_town_apart(db) -> tuple[Store, Document, Document, str, str]:
    """Two outlets' reports of a clash a day and a town apart: two canonical events (the first
    outlet's, the second's), which a coder that dates and places both alike makes one."""
    store = Store(db)
    a, b = _doc(1, source="Outlet 1"), _doc(2, source="Outlet 2")
    store.add(a, [_event(a)])
    store.add(b, [_event(b, day="2023-03-02", place=("Nawa", 32.89, 36.04))])
    first, second = sorted(_canonical(store), key=lambda i: i != f"SYR-{a.doc_id[:10]}-1")
    return store, a, b, first, second


def test_a_review_moves_with_the_reports_of_a_merged_event(db):
    store, a, b, first, second = _two_events_a_day_and_a_town_apart(db)
    store.review(second, "confirmed", reviewer="sara")
    # the new coder dates and places the second report's clash as the first's: one event, the first id
    summary = reextract(store, _coder({a.doc_id: [lambda d: _event(d)], b.doc_id: [lambda d: _event(d)]}))
    assert list(_canonical(store)) == [first]
    row = _canonical(store)[first]
    assert row["review_status"] == "confirmed" and store.review_of(first)["reviewer"] == "sara"
    assert store.review_of(first)["conflict"]  # the reviewer saw another date and place
    history = store.history(first)
    assert history[0]["action"] == "confirmed" and history[0]["event_id"] == second  # the review's own history
    moved = [h for h in history if h["field"] == "event_id"]
    assert [(h["reviewer"], h["action"], h["old"], h["new"]) for h in moved] == [("marsad", "moved", second, first)]
    (gone,) = store.list_deletions()
    assert gone["event_id_cnty"] == second and gone["review_status"] == "confirmed"
    assert first in gone["reason"] and "review" in gone["reason"]
    assert summary.reviews_moved == {second: first}


def test_an_event_truly_gone_is_a_deletion_that_keeps_its_review(db):
    from fastapi.testclient import TestClient

    from marsad.reextract import summary_text

    store, docs, cid = _three_reports(db, 2)
    store.review(cid, "corrected", {"fatalities": 9}, reason="hospital", reviewer="amira")
    summary = reextract(store, _coder({}))  # the new coder codes nothing in either report
    assert _canonical(store) == {} and summary.deleted == 1
    (gone,) = store.list_deletions()
    assert gone["event_id_cnty"] == cid and gone["review_status"] == "corrected" and "analyst" in gone["reason"]
    assert summary.deleted_reviewed == [cid] and cid in summary_text(summary)
    assert store.review_of(cid)["fields"] == {"fatalities": 9}  # kept, never silently dropped
    assert [h["action"] for h in store.history(cid)][:2] == ["corrected", "corrected"]
    api = TestClient(create_app(store, token_from_env=False)).get("/api/deletions").json()
    assert [(r["event_id_cnty"], r["review_status"]) for r in api] == [(cid, "corrected")]
    store.engine.dispose()
    out = CliRunner().invoke(main, ["export", "--db", db, "--deletions", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    assert [json.loads(line) for line in out.output.splitlines()] == api


def test_two_reviewed_events_merged_each_review_is_kept(db):
    store, a, b, first, second = _two_events_a_day_and_a_town_apart(db)
    store.review(first, "corrected", {"fatalities": 4}, reason="hospital", reviewer="amira")
    store.review(second, "confirmed", reviewer="sara")
    summary = reextract(store, _coder({a.doc_id: [lambda d: _event(d)], b.doc_id: [lambda d: _event(d)]}))
    assert list(_canonical(store)) == [first] and _canonical(store)[first]["fatalities"] == 4
    assert store.review_of(first)["reviewer"] == "amira"
    assert summary.merged == {second: first} and summary.reviews_moved == {}
    assert summary.deleted_reviewed == [second]
    (gone,) = store.list_deletions()
    assert gone["event_id_cnty"] == second and "review of its own" in gone["reason"]
    # (``second`` is also the id of a report of ``first`` now, so Store.review_of/history find ``first``)
    with store.engine.connect() as conn:  # the second review stays under its old id, not dropped
        assert store._review(conn, second)["reviewer"] == "sara"
        assert [(h["action"], h["new"]) for h in store._history(conn, second)][-1] == ("kept", first)
