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
