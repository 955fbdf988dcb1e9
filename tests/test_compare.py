"""``marsad compare`` / ``POST /api/compare``: stored events aligned with an ACLED export by the
matching rules of ``marsad evaluate``. The ACLED files are written here, in ACLED's columns, from
the stored events themselves (real extractions of the example and of tests/data, and the API
tests' synthetic events), with one value altered, one event left out and rows ACLED alone has."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from marsad.api import create_app
from marsad.cli import main
from marsad.compare import (
    AcledError,
    Scope,
    actors_agree,
    align,
    compare,
    compare_store,
    decode,
    parse_date,
    read_acled,
)
from marsad.evaluate import match_events
from marsad.model import ACLED_COLUMNS, Document, Event
from marsad.store import EventFilter, Store
from tests import test_store_support as support
from tests.test_api import synthetic
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT

db = support.db  # SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def acled_row(e: dict, n: int, **changes) -> dict:
    """A stored event as a row of an ACLED export (ACLED's own id and upload stamp)."""
    row = {c: e.get(c) for c in ACLED_COLUMNS}
    row.update(event_id_cnty=f"SYR{10000 + n}", iso=760, region="Middle East", country="Syria",
               source="SOHR", source_scale="National", tags="", timestamp=1667433600)
    row.update(changes)
    return row


def acled_csv(rows: list[dict], columns=ACLED_COLUMNS) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if v is None else v for k, v in r.items()})
    return buf.getvalue()


def stored(store: Store, **flt) -> list[dict]:
    rows = store.query_events(EventFilter(**flt), limit=None, with_total=False)[1]
    return sorted(rows, key=lambda r: (r["event_date"], r["event_id_cnty"]))


ELSEWHERE = {"event_date": "2022-11-01", "event_type": "Battles", "sub_event_type": "Armed clash",
             "actor1": f"Unidentified Armed Group (Syria) {HOSTILE}", "actor2": "", "admin1": "Aleppo",
             "location": "Aleppo", "latitude": 36.2021, "longitude": 37.1343, "fatalities": 2,
             "notes": f"Only ACLED has this one {HOSTILE}"}


# -- real extractions ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Store:
    """The example report, a second outlet's report of the same clash, and two tests/data reports
    (Daraa 2022, Ariha 2021), extracted and stored (deduplicated)."""
    from marsad.extract import extract

    store = Store(str(tmp_path_factory.mktemp("compare") / "marsad.sqlite"))
    for text, published, source in (
        (REPO_EXAMPLE_TXT.read_text(encoding="utf-8"), "2022-11-01", "18 March"),
        ((DATA / "dedup_horan_free_league_2022-11-01.ar.txt").read_text(encoding="utf-8"), "2022-11-01", "HFL"),
        ((DATA / "dedup_daraa_killing_2022-11-01.ar.txt").read_text(encoding="utf-8"), "2022-11-01", "Nabaa"),
        ((DATA / "almodon_ariha_2021-10-20.txt").read_text(encoding="utf-8"), "2021-10-20", "Al Modon"),
    ):
        doc = Document(text=text, published=published, source=source)
        store.add(doc, extract(doc))
    return store


def test_real_events_matched_missed_and_added(real_store):
    events = stored(real_store)
    assert len(events) >= 4
    first, left_out = events[0], events[-1]
    rows = [acled_row(e, n) for n, e in enumerate(events[:-1])]
    # ACLED's toll differs on one event; its older actor naming ("(2000-)") and its long date form are no disagreement
    rows[0]["fatalities"] = int(first["fatalities"] or 0) + 2
    rows[0]["actor1"] = (first["actor1"] or "").replace("(2000-2024)", "(2000-)")
    rows[1]["event_date"] = "{d:%d} {d:%B} {d:%Y}".format(d=__import__("datetime").date.fromisoformat(rows[1]["event_date"]))
    rows.append(acled_row(ELSEWHERE, 90))  # an event only ACLED has
    rows.append(acled_row(ELSEWHERE, 91, country="Iraq", admin1="Baghdad", latitude=33.31, longitude=44.36))
    rows.append(acled_row(ELSEWHERE, 92, event_date="2015-03-01"))  # outside marsad's dates
    rows.append(acled_row(ELSEWHERE, 93, latitude="north"))  # a bad value: skipped, counted
    report = compare_store(real_store, read_acled(acled_csv(rows))).to_dict()

    assert report["counts"] == {"matched": len(events) - 1, "marsad_only": 1, "acled_only": 1}
    assert report["window"] == {"start": events[0]["event_date"], "end": events[-1]["event_date"],
                                "start_from": "marsad", "end_from": "marsad"}
    a = report["acled"]
    assert (a["rows"], a["skipped"], a["outside_syria"], a["outside_window"], a["compared"]) == (
        len(rows), 1, 1, 1, len(events))
    assert a["skip_messages"] == [f"line {len(rows) + 1}: latitude 'north' is not a latitude"]
    assert report["fields"]["fatalities"] == {"compared": len(events) - 1, "disagree": 1}
    assert all(t["disagree"] == 0 for f, t in report["fields"].items() if f != "fatalities"), report["fields"]
    recs = {r["marsad_id"] or r["acled_id"]: r for r in report["records"]}
    assert recs[first["event_id_cnty"]]["disagreements"] == ["fatalities"]
    assert recs[first["event_id_cnty"]]["acled_id"] == "SYR10000"
    assert recs[left_out["event_id_cnty"]]["status"] == "marsad_only"
    assert recs["SYR10090"]["status"] == "acled_only" and recs["SYR10090"]["acled"]["notes"].endswith(HOSTILE)
    by_type = {g["event_type"]: g for g in report["by_event_type"]}
    assert by_type["Battles"]["acled_only"] == 1
    assert sum(g["matched"] for g in report["by_admin1"]) == len(events) - 1
    assert {g["admin1"] for g in report["by_admin1"]} >= {"Aleppo", first["admin1"]}


def test_alignment_is_evaluates_matching(real_store):
    """The date-blocked alignment finds exactly the pairs ``match_events`` finds trying every pair."""
    events = [Event.from_dict(r) for r in stored(real_store)]
    rows = read_acled(acled_csv([acled_row(e.to_dict(), n) for n, e in enumerate(events)]
                                + [acled_row(ELSEWHERE, 99)])).rows
    refs = [r.as_reference() for r in rows]
    assert align(rows, events) == match_events(refs, events)
    assert len(align(rows, events)) == len(events)


# -- reading ACLED files ---------------------------------------------------------------------------

def test_dates_in_both_acled_forms():
    assert str(parse_date("2022-11-01")) == str(parse_date("01 November 2022")) == "2022-11-01"
    assert str(parse_date("1 Nov 2022")) == "2022-11-01"
    assert parse_date("November 2022") is None and parse_date("") is None


def test_bad_files_are_one_line_errors():
    for text, words in (("", "empty file"), ("id,date,type\n1,2,3\n", "not an ACLED export: no column event_date"),
                        ("event_date,event_type,latitude\n", "no column longitude")):
        with pytest.raises(AcledError, match=words) as exc:
            read_acled(text, "acled.csv")
        assert "\n" not in str(exc.value)
    with pytest.raises(AcledError, match="binary"):
        decode(b"PK\x03\x04\x00\x00", "acled.xlsx")
    with pytest.raises(AcledError, match="not UTF-8"):
        decode("event_date;é".encode("latin-1"), "acled.csv")
    # a UTF-8 byte-order mark, ';' between columns, only the essential columns, upper case headers
    f = read_acled(decode("\ufeffEVENT_DATE;event_type;latitude;longitude\n2022-11-01;Battles;32.6;36.1\n".encode())
                   )
    assert len(f.rows) == 1 and f.rows[0].get("event_type") == "Battles" and f.rows[0].fatalities is None
    bad = read_acled("event_date,event_type,latitude,longitude,fatalities\n"
                     "2022-11-31,Battles,32.6,36.1,0\n,Battles,32.6,36.1,0\n2022-11-01,,32.6,36.1,0\n"
                     "2022-11-01,Battles,91,36.1,0\n2022-11-01,Battles,32.6,nan,0\n2022-11-01,Battles,32.6,36.1,-1\n"
                     "2022-11-01,Battles,32.6,36.1,2.5\n2022-11-01,Battles,32.6,36.1,3\n")
    assert len(bad.rows) == 1 and bad.skipped == 7 and bad.skip_messages[0].startswith("line 2: event_date")


def test_actor_names_of_other_releases_agree():
    assert actors_agree(["Military Forces of Syria (2000-)", "Civilians (Syria)"],
                        ["Civilians (Syria)", "Military Forces of Syria (2000-2024)"])
    assert actors_agree(["Islamic State in Iraq and the Levant (ISIL)"], ["Islamic State (Syria)"])
    assert not actors_agree(["Military Forces of Syria (2024-)"], ["Military Forces of Syria (2000-2024)"])
    assert not actors_agree(["Military Forces of Syria (2000-)"], ["Military Forces of Syria (2000-)", "Islamic State (Syria)"])


# -- windows, filters and review status (synthetic events: six in four days) -----------------------

@pytest.fixture()
def store(db) -> Store:
    s = Store(db)
    synthetic(s)
    return s


def synthetic_acled(store: Store) -> str:
    rows = [acled_row(e, n) for n, e in enumerate(stored(store))]
    rows[2]["sub_event_type"] = "Abduction/forced disappearance"
    return acled_csv(rows + [acled_row(ELSEWHERE, 90, event_date="2023-01-03")])


def test_window_filters_and_rejected_events(store):
    text = synthetic_acled(store)
    full = compare_store(store, read_acled(text)).to_dict()
    assert full["counts"] == {"matched": 6, "marsad_only": 0, "acled_only": 1}
    assert full["fields"]["sub_event_type"]["disagree"] == 1
    # a given window; events up to 2 days outside it still pair with those inside
    win = compare_store(store, read_acled(text), EventFilter(date_from="2023-01-03", date_to="2023-01-03")).to_dict()
    assert win["window"] == {"start": "2023-01-03", "end": "2023-01-03", "start_from": "given", "end_from": "given"}
    assert win["counts"] == {"matched": 1, "marsad_only": 0, "acled_only": 1}
    assert win["acled"]["outside_window"] == 5
    # filters apply to both sides
    dara = compare_store(store, read_acled(text), EventFilter(admin1="Dara")).to_dict()
    assert dara["counts"] == {"matched": 2, "marsad_only": 0, "acled_only": 0} and dara["acled"]["outside_filters"] == 5
    # a rejected event is not marsad's any more: ACLED's row for it is missed, unless asked for
    store.review("SYR-T3", "rejected", reason="not an event")
    after = compare_store(store, read_acled(text)).to_dict()
    assert after["counts"] == {"matched": 5, "marsad_only": 0, "acled_only": 2}
    rejected = compare_store(store, read_acled(text), EventFilter(status=["rejected"])).to_dict()
    assert rejected["counts"]["matched"] == 1


def test_a_pair_moved_in_time_and_space_is_still_one_pair():
    e = Event(event_id_cnty="SYR-X1", event_date="2023-01-02", event_type="Battles", sub_event_type="Armed clash",
              actor1="QSD: Syrian Democratic Forces", admin1="Deir ez Zor", location="Thiban", latitude=35.02,
              longitude=40.51, fatalities=1)
    text = acled_csv([acled_row(e.to_dict(), 1, event_date="2023-01-04", latitude=35.12, longitude=40.51,
                                location="Hawayej Thiyab", admin1="Deir-ez-Zor", actor1="SDF: Syrian Democratic Forces")])
    rec = compare(read_acled(text), [e], Scope()).to_dict()["records"]
    assert [r["status"] for r in rec] == ["matched"]
    assert rec[0]["days_apart"] == -2 and 11 < rec[0]["distance_km"] < 12
    assert rec[0]["disagreements"] == ["event_date", "location", "actors"]  # admin1 spelling is no disagreement


# -- command line ----------------------------------------------------------------------------------

def test_cli_table_json_and_csv(store, db, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(synthetic_acled(store), encoding="utf-8")
    out_csv = tmp_path / "aligned.csv"
    res = CliRunner().invoke(main, ["compare", "--acled", str(path), "--db", db, "--csv", str(out_csv)])
    assert res.exit_code == 0, res.output
    assert "window: 2023-01-01 to 2023-01-04 (start: marsad's events; end: marsad's events)" in res.stdout
    line = next(x for x in res.stdout.splitlines() if x.startswith("events "))
    assert line.split() == ["events", "6", "0", "1"]
    assert "ACLED only (not in marsad): 1" in res.stdout and "sub_event_type" in res.stdout
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [r["status"] for r in rows].count("matched") == 6 and [r["status"] for r in rows].count("acled_only") == 1
    bad = next(r for r in rows if r["disagreements"])
    assert bad["disagreements"] == "sub_event_type" and bad["marsad_sub_event_type"] == "Attack"
    assert bad["acled_sub_event_type"] == "Abduction/forced disappearance" and bad["acled_id"].startswith("SYR1")
    res = CliRunner().invoke(main, ["compare", "--acled", str(path), "--db", db, "--format", "json",
                                    "--start", "2023-01-02", "--end", "2023-01-02"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["counts"] == {"matched": 2, "marsad_only": 0, "acled_only": 0}
    assert report["window"]["start"] == report["window"]["end"] == "2023-01-02"


def test_cli_bad_acled_file_is_one_line_error(tmp_path, db):
    path = tmp_path / "not_acled.csv"
    path.write_text("date,what,where\n2022-11-01,clash,Daraa\n", encoding="utf-8")
    for args, words in ((["--acled", str(path)], "not an ACLED export: no column event_date, event_type, latitude"),
                        (["--acled", str(tmp_path / "none.csv")], "no such file"),
                        (["--acled", str(path), "--start", "soon"], "not a date")):
        res = CliRunner().invoke(main, ["compare", *args, "--db", db])
        assert res.exit_code == 1, res.output
        err = res.stderr.strip().splitlines()
        assert len(err) == 1 and words in err[0] and "Traceback" not in res.stderr


# -- HTTP API --------------------------------------------------------------------------------------

def test_api_compare(store):
    client = TestClient(create_app(store, token="secret", max_acled_bytes=20_000))
    text = synthetic_acled(store)
    r = client.post("/api/compare", content=text.encode(), headers={"Content-Type": "text/csv"})  # no token: reads only
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["counts"] == {"matched": 6, "marsad_only": 0, "acled_only": 1}
    assert report["records"][0]["marsad"]["event_date"] == "2023-01-01"
    r = client.post("/api/compare", params={"admin1": "idleb", "date_from": "2023-01-01", "date_to": "2023-01-02"},
                    content=text.encode(), headers={"Content-Type": "text/csv"})
    assert r.json()["counts"] == {"matched": 2, "marsad_only": 0, "acled_only": 0}
    assert r.json()["marsad"]["filters"]["admin1"] == "Idleb"
    r = client.post("/api/compare", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 422 and "not an ACLED export" in r.json()["detail"]
    assert client.post("/api/compare", content=text.encode(), params={"date_from": "soon"}).status_code == 422
    assert client.post("/api/compare", content=b"x" * 20_001, headers={"Content-Type": "text/csv"}).status_code == 413
    assert client.post("/api/compare", files={"f": ("a.csv", text)}).status_code == 415
    assert "/api/compare" in client.get("/openapi.json").json()["paths"]
    page = client.get("/compare")
    assert page.status_code == 200 and "compare.js" in page.text and "<script>" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
