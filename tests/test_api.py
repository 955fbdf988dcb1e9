"""The HTTP API over real HTTP requests (FastAPI's TestClient): filters, pagination, exports,
event detail with evidence, the write token, the size limit, and the acceptance case via POST."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from marsad.api import create_app
from marsad.model import ACLED_COLUMNS, Document, Event, Evidence
from marsad.store import Store
from tests import test_store_support as support
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT

db = support.db  # the fixture: SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def synthetic(store: Store) -> None:
    """Six events in three governorates over four days, each from its own report."""
    rows = [
        ("2023-01-01", "Battles", "Armed clash", "HTS: Hayat Tahrir al Sham", "Military Forces of Syria (2000-2024)",
         "Idleb", "Idleb", 35.93, 36.63, "اشتباكات بين هيئة تحرير الشام وقوات النظام في إدلب"),
        ("2023-01-02", "Explosions/Remote violence", "Air/drone strike", "Military Forces of Russia (2000-)", "",
         "Idleb", "Ariha", 35.81, 36.61, "غارات روسية على مدينة أريحا"),
        ("2023-01-02", "Violence against civilians", "Attack", "Unidentified Armed Group (Syria)", "Civilians (Syria)",
         "Dara", "Dar'a", 32.62, 36.10, "مقتل مدني برصاص مجهولين في درعا"),
        ("2023-01-03", "Battles", "Armed clash", "QSD: Syrian Democratic Forces", "Islamic State (Syria)",
         "Deir ez Zor", "Thiban", 35.02, 40.51, "اشتباكات بين قسد وخلايا داعش في ذيبان"),
        ("2023-01-04", "Protests", "Peaceful protest", "Protesters (Syria)", "",
         "As Sweida", "As Sweida", 32.71, 36.57, "مظاهرة سلمية في ساحة الكرامة بالسويداء"),
        ("2023-01-04", "Battles", "Armed clash", "Opposition Rebels (Syria)", "Military Forces of Syria (2000-2024)",
         "Dara", "Jasim", 32.99, 36.06, "اشتباكات في مدينة جاسم"),
    ]
    for i, (date, etype, sub, a1, a2, admin1, loc, lat, lon, text) in enumerate(rows):
        doc = Document(text=text, published=date, source=f"Outlet {i}", url=f"https://example.org/{i}")
        ev = Event(event_id_cnty=f"SYR-T{i}", event_date=date, year=2023, time_precision=1, event_type=etype,
                   sub_event_type=sub, actor1=a1, actor2=a2, admin1=admin1, admin2=admin1, location=loc,
                   latitude=lat, longitude=lon, geo_precision=1, source=f"Outlet {i}", notes=f"note {i}",
                   fatalities=i, doc_id=doc.doc_id)
        ev.add_evidence("sub_event_type", Evidence(0, len(text.split()[0]), text.split()[0]))
        store.add(doc, [ev])


@pytest.fixture()
def store(db) -> Store:
    s = Store(db)
    synthetic(s)
    return s


@pytest.fixture()
def client(store) -> TestClient:
    return TestClient(create_app(store, token=TOKEN))


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [e["event_id_cnty"] for e in resp.json()["events"]]


def test_health_and_openapi(client):
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["events"] == 6 and h["writable"] is True
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events.csv", "/api/events.geojson", "/api/events/{event_id}",
            "/api/documents", "/api/documents/{doc_id}", "/api/health"} <= set(paths)


def test_list_filters(client):
    assert client.get("/api/events").json()["total"] == 6
    assert ids(client.get("/api/events", params={"admin1": "dara"})) == ["SYR-T5", "SYR-T2"]
    assert set(ids(client.get("/api/events", params={"date_from": "2023-01-02", "date_to": "2023-01-03"}))) == {
        "SYR-T1", "SYR-T2", "SYR-T3"}
    assert set(ids(client.get("/api/events", params={"event_type": "Battles"}))) == {"SYR-T0", "SYR-T3", "SYR-T5"}
    assert ids(client.get("/api/events", params={"sub_event_type": "Air/drone strike"})) == ["SYR-T1"]
    assert ids(client.get("/api/events", params={"actor": "islamic state"})) == ["SYR-T3"]
    assert ids(client.get("/api/events", params={"admin2": "Idleb", "admin3": ""})) == ["SYR-T1", "SYR-T0"]
    # bbox around Daraa governorate: minlon,minlat,maxlon,maxlat
    assert set(ids(client.get("/api/events", params={"bbox": "35.8,32.3,36.4,33.1"}))) == {"SYR-T2", "SYR-T5"}
    # text search: the note, and the Arabic source text
    assert ids(client.get("/api/events", params={"q": "note 4"})) == ["SYR-T4"]
    assert ids(client.get("/api/events", params={"q": "ذيبان"})) == ["SYR-T3"]
    assert ids(client.get("/api/events", params={"q": "100%"})) == []
    assert client.get("/api/events", params={"bbox": "1,2,3"}).status_code == 422
    assert client.get("/api/events", params={"date_from": "yesterday"}).status_code == 422


def test_pagination(client):
    page1 = client.get("/api/events", params={"limit": 4}).json()
    page2 = client.get("/api/events", params={"limit": 4, "offset": 4}).json()
    assert page1["total"] == page2["total"] == 6
    assert len(page1["events"]) == 4 and len(page2["events"]) == 2
    all_ids = [e["event_id_cnty"] for e in page1["events"] + page2["events"]]
    assert len(set(all_ids)) == 6
    dates = [e["event_date"] for e in page1["events"] + page2["events"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/events", params={"limit": 0}).status_code == 422
    assert client.get("/api/events", params={"limit": 100000}).status_code == 422


def test_csv_starts_with_the_31_acled_columns_in_order(client):
    resp = client.get("/api/events.csv", params={"admin1": "Idleb"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert tuple(rows[0][:31]) == ACLED_COLUMNS
    assert len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"SYR-T0", "SYR-T1"}


def test_geojson_is_a_valid_feature_collection(client):
    resp = client.get("/api/events.geojson")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/geo+json")
    fc = json.loads(resp.text)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 6
    for f in fc["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lon, lat) == (f["properties"]["longitude"], f["properties"]["latitude"])
        assert f["id"] == f["properties"]["event_id_cnty"]


def test_parquet_export(client):
    import pyarrow.parquet as pq

    resp = client.get("/api/events.parquet", params={"event_type": "Battles"})
    assert resp.status_code == 200
    table = pq.read_table(io.BytesIO(resp.content))
    assert tuple(table.column_names[:31]) == ACLED_COLUMNS
    assert table.num_rows == 3 and str(table.schema.field("fatalities").type) == "int64"


def test_event_detail_and_document(client, store):
    detail = client.get("/api/events/SYR-T3").json()
    assert detail["sub_event_type"] == "Armed clash" and len(detail["documents"]) == 1
    span = detail["evidence"]["sub_event_type"][0]
    doc = client.get(f"/api/documents/{span['doc_id']}").json()
    assert doc["text"][span["start"]:span["end"]] == span["text"] == "اشتباكات"
    assert doc["source"] == "Outlet 3" and doc["url"] == "https://example.org/3"
    assert client.get("/api/events/nope").status_code == 404
    assert client.get("/api/documents/nope").status_code == 404


def test_post_requires_the_bearer_token(client, store):
    body = {"text": "اشتباكات بين قسد وداعش في ريف دير الزور", "published": "2023-02-01", "source": "X"}
    assert client.post("/api/documents", json=body).status_code == 401
    assert client.post("/api/documents", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/documents", json=body, headers={"Authorization": TOKEN}).status_code == 401
    resp = client.post("/api/documents", json=body, headers=AUTH)
    assert resp.status_code == 201, resp.text
    doc_id = resp.json()["doc_id"]
    assert client.get(f"/api/documents/{doc_id}").json()["text"] == body["text"]
    again = client.post("/api/documents", json=body, headers=AUTH)
    assert again.status_code == 200 and again.json()["created"] is False
    # no token configured at all: writing is disabled, not open
    closed = TestClient(create_app(store, token_from_env=False))
    assert closed.post("/api/documents", json=body, headers=AUTH).status_code == 503


def test_post_size_limit_and_bad_input(store):
    client = TestClient(create_app(store, token=TOKEN, max_document_bytes=10_000))
    big = {"text": "اشتباكات " * 5000, "published": "2023-02-01"}
    assert client.post("/api/documents", json=big, headers=AUTH).status_code == 413
    assert client.post("/api/documents", content=b"{not json", headers=AUTH).status_code == 422
    assert client.post("/api/documents", json={"text": ""}, headers=AUTH).status_code == 422
    assert client.post("/api/documents", json={"text": "hello world, no Arabic here"}, headers=AUTH).status_code == 422
    assert client.post("/api/documents", json={"text": "اشتباكات", "published": "1/2/23"}, headers=AUTH).status_code == 422


def test_token_from_env_and_config_file(store, tmp_path, monkeypatch):
    from marsad.api import resolve_token

    monkeypatch.delenv("MARSAD_TOKEN", raising=False)
    monkeypatch.setenv("MARSAD_CONFIG", str(tmp_path / "none.toml"))
    assert resolve_token() is None
    cfg = tmp_path / "config.toml"
    cfg.write_text('token = "from-file"\n', encoding="utf-8")
    monkeypatch.setenv("MARSAD_CONFIG", str(cfg))
    assert resolve_token() == "from-file"
    monkeypatch.setenv("MARSAD_TOKEN", "from-env")
    assert resolve_token() == "from-env"
    client = TestClient(create_app(store))
    body = {"text": "اشتباكات", "published": "2023-02-01"}
    assert client.post("/api/documents", json=body, headers={"Authorization": "Bearer from-file"}).status_code == 401


def test_acceptance_through_the_api(db):
    client = TestClient(create_app(Store(db), token=TOKEN))
    for path, source in ((REPO_EXAMPLE_TXT, "18 March"), (DATA / "dedup_horan_free_league_2022-11-01.ar.txt",
                                                          "Horan Free League"),
                         (DATA / "dedup_daraa_killing_2022-11-01.ar.txt", "Daraa 24")):
        body = {"text": path.read_text(encoding="utf-8"), "published": "2022-11-01", "source": source}
        assert client.post("/api/documents", json=body, headers=AUTH).status_code == 201
    clashes = client.get("/api/events", params={"sub_event_type": "Armed clash"}).json()
    assert clashes["total"] == 1
    clash = clashes["events"][0]
    assert clash["source"] == "18 March; Horan Free League" and clash["n_sources"] == 2
    killings = client.get("/api/events", params={"sub_event_type": "Attack", "actor": "Unidentified"}).json()
    assert killings["total"] == 1 and killings["events"][0]["source"] == "Daraa 24"
    detail = client.get(f"/api/events/{clash['event_id_cnty']}").json()
    assert {d["source"] for d in detail["documents"]} == {"18 March", "Horan Free League"}
    assert detail["merges"][0]["reasons"]
    for span in detail["evidence"]["actor2"]:  # every span points into its own document's text
        text = client.get(f"/api/documents/{span['doc_id']}").json()["text"]
        assert text[span["start"]:span["end"]] == span["text"]


def test_marsad_serve_on_loopback(tmp_path):
    """`marsad serve` really listens: uvicorn in a subprocess, plain HTTP on 127.0.0.1."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    db = str(tmp_path / "serve.sqlite")
    synthetic(Store(db))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MARSAD_TOKEN=TOKEN)
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", db, "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=1) as r:
                    assert json.load(r)["events"] == 6
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode())
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        with urllib.request.urlopen(base + "/api/events?admin1=Dara&limit=1") as r:
            page = json.load(r)
        assert page["total"] == 2 and len(page["events"]) == 1
        req = urllib.request.Request(base + "/api/documents", data=b'{"text": "x"}', method="POST",
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req)
        assert err.value.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_web_page_and_static_files(client):
    """The page at / (strict CSP, no inline script) and the files it loads, all served locally."""
    from marsad.api.app import CONTENT_SECURITY_POLICY

    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    html = r.text
    assert "<script>" not in html and "http://" not in html and "https://" not in html  # no inline script, no CDN
    for path in ("/static/marsad.js", "/static/marsad.css", "/static/vendor/leaflet/leaflet.js",
                 "/static/vendor/leaflet/leaflet.css", "/static/vendor/leaflet/images/marker-icon.png",
                 "/static/vendor/markercluster/leaflet.markercluster.js", "/static/vendor/markercluster/MarkerCluster.css",
                 "/static/vendor/markercluster/MarkerCluster.Default.css", "/static/favicon.svg"):
        assert f'"{path}"' in html or path.endswith(".png"), path
        assert client.get(path).status_code == 200, path
    js = client.get("/static/marsad.js").text
    assert not re.search(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|\beval\(", js)
    geo = client.get("/static/boundaries/syr_admin1.geojson")
    assert geo.status_code == 200 and len(geo.content) < 2_000_000
    fc = geo.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 14
    assert {"Dara", "Idleb", "Rural Damascus"} <= {f["properties"]["admin1"] for f in fc["features"]}
    labels = client.get("/static/boundaries/syr_places.geojson").json()
    assert sum(f["properties"]["kind"] == "governorate" for f in labels["features"]) == 14
    assert client.get("/static/vendor/markercluster/LICENSE").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


@pytest.mark.parametrize("body", [
    b'{"text": "\xff\xfe \xd9\x82\xd8\xaa\xd9\x84"}',  # invalid UTF-8
    b'{"text": NaN}',
    b'{"text": 1e999}',
    b'{"text": "\xd9\x82\xd8\xaa\xd9\x84", "published": Infinity}',
    b'\xff',
])
def test_bad_bodies_get_a_4xx_not_a_500(client, body):
    resp = client.post("/api/documents", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.json()["detail"]


@pytest.mark.parametrize("path", ["/api/events", "/api/events.csv", "/api/events.geojson", "/api/events.parquet"])
@pytest.mark.parametrize("name", ["limit", "offset"])
def test_huge_limit_or_offset_gets_a_4xx_not_a_500(client, path, name):
    if path == "/api/events" and name == "limit":
        value = str(2 ** 63)
    else:
        value = str(2 ** 64)
    resp = client.get(path, params={name: value})
    assert resp.status_code == 422, resp.text


def test_csv_cells_that_look_like_formulas_are_neutralised(store):
    text = "مظاهرة في ساحة المدينة"
    doc = Document(text=text, published="2023-02-01", source="=HYPERLINK(\"http://evil\",\"x\")", url="https://e.org/f")
    ev = Event(event_id_cnty="SYR-F1", event_date="2023-02-01", year=2023, event_type="Protests",
               sub_event_type="Peaceful protest", actor1="@Protesters", source=doc.source, notes="-2+3", doc_id=doc.doc_id,
               admin1="Dara", latitude=32.6, longitude=36.1)
    store.add(doc, [ev])
    client = TestClient(create_app(store, token=TOKEN))
    resp = client.get("/api/events.csv", params={"q": "HYPERLINK"})
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert rows, resp.text
    row = next(r for r in rows if r["event_id_cnty"] == "SYR-F1")
    assert row["source"].startswith("'=HYPERLINK")
    assert row["actor1"] == "'@Protesters" and row["notes"] == "'-2+3"
    assert row["latitude"] == "32.6"  # numbers are left alone


def facet_values(resp, name: str) -> list[tuple[str, int]]:
    assert resp.status_code == 200, resp.text
    return [(v["value"], v["count"]) for v in resp.json()["facets"][name]["values"]]


def test_facets_count_the_matching_events(client, store):
    """``GET /api/facets``: counts per value, most frequent first then by value, under the same
    filters as ``/api/events``; each value, set as its filter, lists exactly that many events."""
    # a second outlet's report of the Thiban clash merges into SYR-T3: one event, two outlets
    text = "اشتباكات بين قسد وخلايا داعش في ذيبان"
    doc = Document(text=text, published="2023-01-03", source="Outlet 9", url="https://example.org/9")
    store.add(doc, [Event(event_id_cnty="SYR-T9", event_date="2023-01-03", year=2023, time_precision=1,
                          event_type="Battles", sub_event_type="Armed clash", actor1="QSD: Syrian Democratic Forces",
                          actor2="Islamic State (Syria)", admin1="Deir ez Zor", admin2="Deir ez Zor", location="Thiban",
                          latitude=35.02, longitude=40.51, geo_precision=1, source="Outlet 9", fatalities=2,
                          doc_id=doc.doc_id)])
    assert client.get("/api/events").json()["total"] == 6
    resp = client.get("/api/facets")
    body = resp.json()
    assert body["total"] == 6 and list(body["facets"]) == ["event_type", "sub_event_type", "admin1", "actor", "source",
                                                           "status"]
    assert facet_values(resp, "event_type") == [("Battles", 3), ("Explosions/Remote violence", 1), ("Protests", 1),
                                                ("Violence against civilians", 1)]
    assert facet_values(resp, "admin1") == [("Dara", 2), ("Idleb", 2), ("As Sweida", 1), ("Deir ez Zor", 1)]
    assert facet_values(resp, "actor")[0] == ("Military Forces of Syria (2000-2024)", 2)
    assert ("", 2) not in facet_values(resp, "actor")  # empty actor2 left out
    sources = dict(facet_values(resp, "source"))
    assert sources["Outlet 3"] == sources["Outlet 9"] == 1 and len(sources) == 7
    assert facet_values(resp, "status") == [("machine", 6)]
    assert body["facets"]["event_type"]["truncated"] is False
    # filters apply; every value of an exact facet, set as its filter, gives its count (actor: a
    # substring of any actor, so at least its count)
    params = {"date_from": "2023-01-02"}
    resp = client.get("/api/facets", params=params)
    assert resp.json()["total"] == 5
    for name, values in resp.json()["facets"].items():
        for v in values["values"]:
            total = client.get("/api/events", params={**params, name: v["value"]}).json()["total"]
            assert total >= v["count"] if name == "actor" else total == v["count"], (name, v)
    assert facet_values(client.get("/api/facets", params={"admin1": "dara"}), "event_type") == [
        ("Battles", 1), ("Violence against civilians", 1)]
    assert facet_values(client.get("/api/facets", params={"q": "ذيبان"}), "source") == [("Outlet 3", 1), ("Outlet 9", 1)]
    assert ids(client.get("/api/events", params={"source": "outlet 9"})) == ["SYR-T3"]
    assert client.get("/api/events.csv", params={"source": "Outlet 9"}).text.count("SYR-T3") == 1
    # choose facets, cap their size; unknown facets are refused
    resp = client.get("/api/facets", params={"facet": "event_type,actor", "size": 2})
    assert list(resp.json()["facets"]) == ["event_type", "actor"]
    assert len(facet_values(resp, "actor")) == 2 and resp.json()["facets"]["actor"]["truncated"] is True
    assert list(client.get("/api/facets", params=[("facet", "status"), ("facet", "admin1")]).json()["facets"]) == [
        "status", "admin1"]
    assert client.get("/api/facets", params={"facet": "notes"}).status_code == 422
    assert client.get("/api/facets", params={"size": 0}).status_code == 422
    nothing = client.get("/api/facets", params={"admin1": "Nowhere"}).json()
    assert nothing["total"] == 0 and all(f["values"] == [] for f in nothing["facets"].values())
    # review statuses: a confirmed event, a rejected one (left out unless asked for)
    store.review("SYR-T0", "confirmed")
    store.review("SYR-T1", "rejected", reason="test")
    assert facet_values(client.get("/api/facets"), "status") == [("machine", 4), ("confirmed", 1)]
    assert facet_values(client.get("/api/facets", params={"status": "rejected,confirmed"}), "status") == [
        ("confirmed", 1), ("rejected", 1)]


def test_order_sorts_server_side(client, store):
    """``order=``: a column ascending, ``-column`` descending, empty values (an undated event, no
    place) last either way, ties newest first; the same on SQLite and PostgreSQL."""
    doc = Document(text="مظاهرة في مكان ما", published="2023-01-09", source="Outlet U", url="https://example.org/u")
    store.add(doc, [Event(event_id_cnty="SYR-TU", event_date="", event_type="Protests", sub_event_type="Peaceful protest",
                          actor1="Protesters (Syria)", source="Outlet U", fatalities=9, doc_id=doc.doc_id)])

    def order(o: str, **params) -> list[str]:
        return ids(client.get("/api/events", params={"order": o, **params}))

    assert order("date") == order("-event_date") == ["SYR-T4", "SYR-T5", "SYR-T3", "SYR-T1", "SYR-T2", "SYR-T0", "SYR-TU"]
    assert order("event_date") == ["SYR-T0", "SYR-T1", "SYR-T2", "SYR-T3", "SYR-T4", "SYR-T5", "SYR-TU"]
    assert order("-fatalities") == ["SYR-TU", "SYR-T5", "SYR-T4", "SYR-T3", "SYR-T2", "SYR-T1", "SYR-T0"]
    assert order("fatalities", admin1="Dara") == ["SYR-T2", "SYR-T5"]
    assert order("location") == ["SYR-T1", "SYR-T4", "SYR-T2", "SYR-T0", "SYR-T5", "SYR-T3", "SYR-TU"]
    assert order("-location")[:2] == ["SYR-T3", "SYR-T5"] and order("-location")[-1] == "SYR-TU"
    assert order("event_type")[:3] == ["SYR-T5", "SYR-T3", "SYR-T0"]  # the Battles, newest first
    pages = order("-fatalities", limit=3) + order("-fatalities", limit=3, offset=3) + order("-fatalities", limit=3, offset=6)
    assert pages == order("-fatalities")
    assert client.get("/api/events", params={"order": "notes"}).status_code == 422
    assert client.get("/api/events", params={"order": "--fatalities"}).status_code == 422
