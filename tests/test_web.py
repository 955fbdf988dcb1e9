"""The web page at ``/`` in a real browser: Playwright for Python driving Debian's chromium
(headless) against ``marsad serve`` on a loopback port, over an SQLite store seeded with the example
report, a second outlet's report of the same clash and a hostile report whose text and metadata
carry ``<script>`` and ``<img onerror>``.

They skip, saying why, when the ``playwright`` package or a chromium binary is missing (local
development); ``.ci/run`` installs Debian's chromium so that CI runs them. Playwright's own browser
downloads are never used: the tests launch the system chromium by path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from marsad.api.app import CONTENT_SECURITY_POLICY
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT

pytestmark = pytest.mark.slow
WRITE_TOKEN = "web-review-token"

HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = (
    f"مقتل شاب برصاص مسلحين مجهولين في مدينة إدلب {HOSTILE_SCRIPT}\n\n"
    "قُتل اليوم الخميس الشاب محمد علي برصاص مسلحين مجهولين في مدينة إدلب، حيث أطلق المسلحون النار عليه أمام منزله "
    f"{HOSTILE_IMG} ولاذوا بالفرار."
)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("MARSAD_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(db: str) -> None:
    from marsad.extract import extract
    from marsad.model import Document
    from marsad.store import Store

    store = Store(db)
    docs = [
        Document(text=REPO_EXAMPLE_TXT.read_text(encoding="utf-8"), published="2022-11-01", source="18 March"),
        Document(text=(DATA / "dedup_horan_free_league_2022-11-01.ar.txt").read_text(encoding="utf-8"),
                 published="2022-11-01", source="Horan Free League"),
        Document(text=HOSTILE_TEXT, published="2022-11-03", source=f"Hostile {HOSTILE_IMG}",
                 url="javascript:window.__pwned=1", title=f"{HOSTILE_IMG} {HOSTILE_SCRIPT}"),
    ]
    for doc in docs:
        store.add(doc, extract(doc))
    store.engine.dispose()


#: Governorates of the synthetic events and a point in each (test data, not the map's).
GOVERNORATES = {
    "Aleppo": (36.20, 37.15), "Idleb": (35.93, 36.63), "Dara": (32.62, 36.10), "Deir ez Zor": (35.33, 40.14),
    "Hama": (35.13, 36.75), "Homs": (34.73, 36.71), "Rural Damascus": (33.51, 36.50), "Damascus": (33.51, 36.29),
    "Ar Raqqa": (35.95, 39.01), "Al Hasakeh": (36.50, 40.75), "Lattakia": (35.52, 35.78), "Quneitra": (33.13, 35.82),
    "As Sweida": (32.71, 36.57), "Tartous": (34.89, 35.89),
}
SYNTHETIC_TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
]
HOSTILE_ACTOR = f"Militia {HOSTILE_IMG}"
SYNTHETIC_ACTORS = ["Military Forces of Syria (2000-2024)", "HTS: Hayat Tahrir al Sham", "Islamic State (Syria)",
                    "QSD: Syrian Democratic Forces", HOSTILE_ACTOR]
SYNTHETIC_SOURCES = ["SOHR", "Enab Baladi", f"Outlet {HOSTILE_IMG}"]


def seed_many(db: str, n: int = 360) -> None:
    """``n`` synthetic events, one report each: every governorate, 60 days of 2023, several at
    each place, a few undated, and actor names, notes, places and outlet names carrying
    ``<img onerror>`` and ``<script>``."""
    import random

    from marsad.model import Document, Event, Evidence
    from marsad.store import Store

    rng = random.Random(15)
    govs = list(GOVERNORATES)
    items = []
    for i in range(n):
        admin1 = govs[i % len(govs)]
        lat, lon = GOVERNORATES[admin1]
        spot = rng.randrange(6)  # six places per governorate, so several events share a marker
        lat, lon = round(lat + 0.08 * (spot - 3), 4), round(lon + 0.05 * (spot % 3), 4)
        disorder, etype, sub = SYNTHETIC_TYPES[i % len(SYNTHETIC_TYPES)]
        date = "" if i % 45 == 7 else f"2023-{1 + (i // 180) % 2:02d}-{1 + i % 28:02d}"
        a1, a2 = SYNTHETIC_ACTORS[i % 5], SYNTHETIC_ACTORS[(i + 2) % 5]
        source = SYNTHETIC_SOURCES[i % 3]
        text = f"اشتباكات عنيفة في المنطقة رقم {i} {HOSTILE_IMG}"
        doc = Document(text=text, published=date or "2023-03-01", source=source, url=f"https://example.org/many/{i}")
        ev = Event(event_id_cnty=f"SYR-M{i:04d}", event_date=date, year=2023 if date else None, time_precision=1,
                   disorder_type=disorder, event_type=etype, sub_event_type=sub, actor1=a1, actor2=a2, admin1=admin1,
                   admin2=admin1, location=f"Place {spot} of {admin1}" + (f" {HOSTILE_IMG}" if spot == 0 else ""),
                   latitude=lat, longitude=lon, geo_precision=1, source=source,
                   notes=f"Synthetic event {i} {HOSTILE_SCRIPT}", fatalities=i % 7, doc_id=doc.doc_id, confidence=0.5)
        ev.add_evidence("sub_event_type", Evidence(0, len("اشتباكات"), "اشتباكات"))
        items.append((doc, [ev]))
    store = Store(db)
    store.bulk_add(items)
    store.engine.dispose()


def serve(db: str):
    """Run ``marsad serve`` on a free loopback port over ``db``; yields its base URL."""
    port = free_port()
    env = dict(os.environ)
    env["MARSAD_TOKEN"] = WRITE_TOKEN  # reviews need it (the page asks for it once)
    env["MARSAD_CONFIG"] = str(Path(db).with_name("no-config.toml"))
    log = Path(db).with_name("serve.log").open("wb")  # a file, not a pipe: the access log never fills a pipe
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", db, "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                out = Path(db).with_name("serve.log").read_text(errors="replace")
                pytest.fail(f"marsad serve exited with {proc.returncode}: {out}")
            if time.monotonic() > deadline:
                pytest.fail("marsad serve did not answer /api/health within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def need_browser() -> None:
    pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package (pip install playwright)")
    if chromium_path() is None:
        pytest.skip("browser tests need a chromium binary (Debian: apt-get install chromium; or set MARSAD_CHROMIUM)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``marsad serve`` over a store seeded with the three reports; yields its base URL."""
    need_browser()
    db = str(tmp_path_factory.mktemp("web") / "marsad.sqlite")
    seed(db)
    yield from serve(db)


@pytest.fixture(scope="module")
def many_server(tmp_path_factory):
    """``marsad serve`` over a store of a few hundred synthetic events (``seed_many``)."""
    need_browser()
    db = str(tmp_path_factory.mktemp("web-many") / "marsad.sqlite")
    seed_many(db)
    yield from serve(db)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page on ``/`` with every console error, page error and failed request recorded;
    no request may leave loopback (the page must work offline)."""
    yield from open_page(browser, server)


@pytest.fixture()
def many_page(browser, many_server):
    """The page over the few hundred synthetic events."""
    yield from open_page(browser, many_server)


def open_page(browser, server: str, path: str = "/"):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    pg.on("requestfailed", lambda r: pg.errors.append(f"requestfailed: {r.url} {r.failure}"))
    pg.outside = []  # type: ignore[attr-defined]

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            pg.outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.goto(server + path)
    pg.wait_for_selector("body[data-ready='1']", timeout=15000)
    yield pg
    context.close()


def open_event_of(page, text: str):
    """Click the table row whose text contains ``text`` and wait for the event view to load."""
    row = page.locator("#events-table tbody tr", has_text=text).first
    row.click()
    page.wait_for_selector("#event-view[data-loaded='1']", timeout=10000)


def test_page_loads_without_errors(page, server):
    with urllib.request.urlopen(server + "/") as r:
        csp = r.headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script>" not in r.read().decode()  # no inline script: external files only
    assert page.title().startswith("marsad")
    page.wait_for_selector("path.leaflet-interactive.governorate", timeout=10000)
    assert page.locator("path.governorate").count() == 14  # the offline base layer
    assert page.locator(".leaflet-tile").count() == 0  # online tiles are off by default
    with urllib.request.urlopen(server + "/api/events") as r:
        api = json.load(r)
    assert api["total"] >= 2
    assert page.locator("#events-table tbody tr").count() == api["total"]
    assert page.locator("#timeline svg rect.bar").count() >= 1
    assert page.errors == [], page.errors
    assert page.outside == [], page.outside


def test_markers_for_seeded_events(page, server):
    markers = page.locator("path.marsad-marker")
    markers.first.wait_for(timeout=10000)
    with urllib.request.urlopen(server + "/api/events") as r:
        events = json.load(r)["events"]
    # one marker per place: the Daraa al-Balad events (the clash merged across both outlets, ...)
    # share one, the Idlib killing has its own
    places = {(round(e["latitude"], 4), round(e["longitude"], 4)) for e in events if e["latitude"] is not None}
    assert len(places) == 2
    assert markers.count() == len(places)
    ids = {markers.nth(i).get_attribute("data-event-id") for i in range(markers.count())}
    assert ids <= {e["event_id_cnty"] for e in events}
    counts = sorted(int(markers.nth(i).get_attribute("data-count")) for i in range(markers.count()))
    assert counts[0] == 1 and counts[-1] >= 2 and sum(counts) == len(events)
    assert page.errors == [], page.errors


def test_legend_names_the_marker_colours(page):
    """One legend row per event type, its swatch the colour of that type's markers; a row filters its type."""
    from playwright.sync_api import expect

    items = page.locator(".map-legend .map-legend-item")
    assert items.count() == 6
    legend = dict(zip(items.evaluate_all("bs => bs.map(b => b.dataset.eventType)"),
                      items.locator(".map-legend-swatch").evaluate_all("ss => ss.map(s => getComputedStyle(s).backgroundColor)"),
                      strict=True))
    assert {"Battles", "Protests", "Violence against civilians"} <= set(legend)
    page.locator("path.marsad-marker").first.wait_for(timeout=10000)
    fills = page.locator("path.marsad-marker").evaluate_all("ps => ps.map(p => getComputedStyle(p).fill)")
    assert set(fills) <= set(legend.values())
    rows = page.locator("#events-table tbody tr")
    total = rows.count()
    page.locator(".map-legend-item[data-event-type='Battles']").click()
    expect(page.locator(".map-legend-item[data-event-type='Battles']")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#filters select[name=event_type]").input_value() == "Battles"
    expect(rows).not_to_have_count(total)
    assert all("Battles" in t for t in rows.all_inner_texts())
    assert page.errors == [], page.errors


def test_click_marker_shows_highlighted_evidence(page, server):
    marker = page.locator("path.marsad-marker:not([data-count='1'])")
    event_id = marker.get_attribute("data-event-id")
    marker.click()
    page.wait_for_selector("#event-view[data-loaded='1']", timeout=10000)
    assert page.locator("#event-view").get_attribute("data-event-id") == event_id
    with urllib.request.urlopen(f"{server}/api/events/{event_id}") as r:
        detail = json.load(r)
    view = page.locator("#event-view")
    assert detail["sub_event_type"] in view.locator("dl.fields").inner_text()
    texts = view.locator(".source-text")
    assert texts.count() == len(detail["documents"]) >= 1
    assert texts.first.get_attribute("dir") == "rtl" and texts.first.get_attribute("lang") == "ar"
    marks = view.locator("mark.evidence").evaluate_all(
        "ms => ms.map(m => ({doc: m.closest('section').dataset.docId, fields: m.dataset.fields.split(' '),"
        " start: +m.dataset.start, end: +m.dataset.end, text: m.textContent}))")
    assert marks
    checked = whole = 0
    for field, spans in detail["evidence"].items():
        for s in spans:
            pieces = [m for m in marks if m["doc"] == s["doc_id"] and field in m["fields"]
                      and (m["start"], m["end"]) == (s["start"], s["end"])]
            assert pieces, f"no mark for {field} {s}"
            assert "".join(m["text"] for m in pieces) == s["text"]
            checked += 1
            whole += len(pieces) == 1
    assert checked >= 3 and whole >= 1
    for field in ("sub_event_type", "actor1", "location"):
        assert field in detail["evidence"]
        assert page.locator(f"#event-view mark.evidence[data-fields~='{field}']").count() >= 1
    assert page.errors == [], page.errors


def test_hostile_document_is_inert(page):
    open_event_of(page, "Hostile")
    view = page.locator("#event-view")
    text = view.locator(".source-text").inner_text()
    assert HOSTILE_SCRIPT in text and HOSTILE_IMG in text  # shown as literal text
    assert view.locator("script, img, iframe, object").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#events-table").inner_text().count(HOSTILE_IMG) == 1  # the outlet name, as text
    assert view.locator("a[href^='javascript']").count() == 0  # the javascript: URL is not a link
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == [], page.errors


def test_filters_timeline_and_tiles_toggle(page):
    from playwright.sync_api import expect

    rows = page.locator("#events-table tbody tr")
    total = rows.count()
    page.select_option("#filters select[name=admin1]", "Idleb")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    assert "Idleb" in rows.first.inner_text() and "admin1=Idleb" in page.url
    assert page.locator("path.marsad-marker").count() == 1
    page.click("#reset")
    expect(rows).to_have_count(total)
    # a timeline bar filters its dates
    bar = page.locator("#timeline rect.bar[data-from='2022-11-03']")
    bar.click()
    expect(rows).to_have_count(1)
    assert page.locator("#filters input[name=date_from]").input_value() == "2022-11-03"
    assert page.errors == [], page.errors
    # online tiles only when asked for (the test routes keep them from leaving the machine)
    assert page.outside == []
    page.check("#tiles-toggle")
    page.wait_for_timeout(500)
    assert page.outside and all(u.startswith("https://tile.openstreetmap.org/") for u in page.outside)



def test_place_labels_come_from_the_gazetteer():
    """The base map's labels: the 14 governorates (ACLED spelling, a point inside each), and every
    town label a gazetteer community at its own point: the governorate capitals and district seats."""
    from marsad.api.app import STATIC_DIR
    from marsad.geo.geocoder import gazetteer_index

    labels = json.loads((STATIC_DIR / "boundaries" / "syr_places.geojson").read_text(encoding="utf-8"))["features"]
    boundaries = json.loads((STATIC_DIR / "boundaries" / "syr_admin1.geojson").read_text(encoding="utf-8"))["features"]
    govs = [f for f in labels if f["properties"]["kind"] == "governorate"]
    assert sorted(f["properties"]["name"] for f in govs) == sorted(f["properties"]["admin1"] for f in boundaries)
    index = gazetteer_index()
    capital_ids = {p["capital_id"] for p in index.values() if p["feature_type"] == "admin1" and p.get("capital_id")}
    seat_ids = {p["capital_id"] for p in index.values() if p["feature_type"] == "admin2" and p.get("capital_id")}
    towns = [f for f in labels if f["properties"]["kind"] in ("capital", "town")]
    assert {f["properties"]["gazetteer_id"] for f in towns} == capital_ids | seat_ids
    for f in towns:
        p, place = f["properties"], index[f["properties"]["gazetteer_id"]]
        assert p["name"] == place["name_en"] and p["kind"] == ("capital" if place["id"] in capital_ids else "town")
        assert f["geometry"]["coordinates"] == [round(place["lon"], 5), round(place["lat"], 5)]


def test_place_labels_on_the_map(page):
    """Governorate and capital labels on the first view, district seats once zoomed in; labels take no clicks."""
    from playwright.sync_api import expect

    page.locator(".place-capital").first.wait_for(state="attached", timeout=10000)
    assert page.locator(".place-capital").count() == 13
    assert 8 <= page.locator(".place-governorate").count() < 14
    assert page.locator(".place-town").count() == 0
    assert "Aleppo" in page.locator(".place-capital").all_inner_texts()
    assert page.locator(".leaflet-labels-pane").evaluate("p => getComputedStyle(p).pointerEvents") == "none"
    for _ in range(2):
        zoom = page.locator("#map").get_attribute("data-zoom")
        page.click(".leaflet-control-zoom-in")
        expect(page.locator("#map")).not_to_have_attribute("data-zoom", zoom)
    expect(page.locator(".place-town").first).to_be_attached()
    assert page.errors == [], page.errors


def api(base: str, path: str):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)


def assert_inert(page) -> None:
    """No element made of the hostile strings, no script of theirs ran, nothing left the machine."""
    assert page.locator("img[src='x'], script:not([src])").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.outside == [], page.outside
    assert page.errors == [], page.errors


def test_markers_cluster_on_a_few_hundred_events(many_page, many_server):
    page = many_page
    data = api(many_server, "/api/events?limit=1000")
    located = [e for e in data["events"] if e["latitude"] is not None]
    places = {(e["latitude"], e["longitude"]) for e in located}
    assert data["total"] >= 300 and len(places) >= 50
    clusters = page.locator(".marsad-cluster .marsad-cluster-count")
    clusters.first.wait_for(timeout=10000)

    def shown() -> tuple[list[int], list[int]]:
        return (clusters.evaluate_all("ns => ns.map(n => +n.dataset.count)"),
                page.locator("path.marsad-marker").evaluate_all("ps => ps.map(p => +p.dataset.count)"))

    in_clusters, alone = shown()
    # every located event is counted once, in a cluster or at its own place; far fewer symbols than places
    assert sum(in_clusters) + sum(alone) == len(located)
    assert len(in_clusters) + len(alone) < len(places) / 2
    # a cluster opens on click: the map zooms in and shows more of the places
    zoom = float(page.locator("#map").get_attribute("data-zoom"))
    biggest = max(range(len(in_clusters)), key=in_clusters.__getitem__)
    page.locator(".marsad-cluster").nth(biggest).click()
    page.wait_for_function("z => +document.querySelector('#map').dataset.zoom > z", arg=zoom, timeout=10000)
    page.wait_for_timeout(600)  # the cluster animation
    # a place with several events lists them (actor names as text) and opens the one clicked
    marker = page.locator("path.marsad-marker:not([data-count='1'])").first
    marker.click()
    popup = page.locator(".leaflet-popup .popup-list button")
    popup.first.wait_for(timeout=5000)
    assert popup.count() == int(marker.get_attribute("data-count"))
    popup.nth(1).click()
    page.wait_for_selector("#event-view[data-loaded='1']", timeout=10000)
    assert_inert(page)


def facet_counts(page, name: str) -> dict[str, int]:
    buttons = page.locator(f"#facets .facet[data-facet='{name}'] .facet-value")
    return dict(zip(buttons.evaluate_all("bs => bs.map(b => b.dataset.value)"),
                    [int(t) for t in buttons.locator(".facet-count").all_inner_texts()], strict=True))


def matching(page) -> int:
    """The number of matching events the status line reports, once it reports one (after a new
    filter it says "Loading…" until the events arrive, which may be after the facets)."""
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_have_text(re.compile(r"^\d"), timeout=10000)
    return int(page.locator("#status").inner_text().split()[0])


def test_facets_count_and_filter_on_click(many_page, many_server):
    from playwright.sync_api import expect

    page = many_page
    page.wait_for_selector("#facets[data-loaded='1']", timeout=10000)
    facets = api(many_server, "/api/facets?size=15")
    total = facets["total"]
    assert [s.get_attribute("data-facet") for s in page.locator("#facets .facet").all()] == [
        "event_type", "sub_event_type", "admin1", "actor", "source", "status"]
    types = facet_counts(page, "event_type")
    assert types == {v["value"]: v["count"] for v in facets["facets"]["event_type"]["values"]}
    assert sum(types.values()) == total == matching(page)
    # a value filters: the hostile actor's name, shown as text and set as the actor filter
    actors = facet_counts(page, "actor")
    assert actors[HOSTILE_ACTOR] >= 1
    page.locator(f"#facets .facet-value[data-facet='actor'][data-value='{HOSTILE_ACTOR}']").click()
    expect(page.locator("#filters input[name=actor]")).to_have_value(HOSTILE_ACTOR)
    page.wait_for_selector("#facets[data-loaded='1'] .facet-value[data-facet='actor'][aria-pressed='true']", timeout=10000)
    assert matching(page) >= actors[HOSTILE_ACTOR]
    assert "actor=Militia" in page.url
    assert sum(facet_counts(page, "event_type").values()) == matching(page)
    # a second facet narrows further, to exactly its count
    outlet, n = sorted(facet_counts(page, "source").items())[0]
    page.locator(f"#facets .facet-value[data-facet='source'][data-value='{outlet}']").click()
    expect(page.locator("#filters input[name=source]")).to_have_value(outlet)
    page.wait_for_selector("#facets[data-loaded='1'] .facet-value[data-facet='source'][aria-pressed='true']", timeout=10000)
    expect(page.locator("#status")).to_contain_text(f"{n} event")
    rows = page.locator("#events-table tbody tr")
    assert all(HOSTILE_ACTOR in t and outlet in t for t in rows.all_inner_texts()[:20])
    # the chosen value again clears its filter
    page.locator("#facets .facet-value[data-facet='actor'][aria-pressed='true']").click()
    expect(page.locator("#filters input[name=actor]")).to_have_value("")
    page.wait_for_selector("#facets[data-loaded='1']", timeout=10000)
    assert page.locator("#facets").inner_text().count(HOSTILE_ACTOR) == 1  # the actor's name, as text
    assert_inert(page)


def table_ids(page) -> list[str]:
    return page.locator("#events-table tbody tr").evaluate_all("trs => trs.map(tr => tr.dataset.eventId)")


def test_table_sorts_by_column_on_the_server(many_page, many_server):
    from playwright.sync_api import expect

    page = many_page
    deaths = page.locator("#events-table th[data-sort='fatalities']")
    assert page.locator("#events-table th[data-sort='event_date']").get_attribute("aria-sort") == "descending"
    deaths.locator("button").click()
    expect(deaths).to_have_attribute("aria-sort", "descending")
    page.wait_for_selector("body[data-loading='0']")
    expected = [e["event_id_cnty"] for e in api(many_server, "/api/events?order=-fatalities&limit=50")["events"]]
    assert table_ids(page) == expected and "order=-fatalities" in page.url
    tolls = [int(t) for t in page.locator("#events-table tbody td.num").all_inner_texts()]
    assert tolls == sorted(tolls, reverse=True) and tolls[0] == 6  # the highest toll of the synthetic events
    deaths.locator("button").click()  # again: the other way
    expect(deaths).to_have_attribute("aria-sort", "ascending")
    page.wait_for_selector("body[data-loading='0']")
    assert table_ids(page) == [e["event_id_cnty"] for e in api(many_server, "/api/events?order=fatalities&limit=50")["events"]]
    # by place, with a filter: the order applies to the filtered events
    page.select_option("#filters select[name=admin1]", "Aleppo")
    page.locator("#events-table th[data-sort='location'] button").click()
    expect(page.locator("#events-table th[data-sort='location']")).to_have_attribute("aria-sort", "ascending")
    expect(deaths).not_to_have_attribute("aria-sort", "ascending")
    page.wait_for_selector("body[data-loading='0']")
    expected = api(many_server, "/api/events?admin1=Aleppo&order=location&limit=50")["events"]
    assert table_ids(page) == [e["event_id_cnty"] for e in expected] and len(expected) >= 10
    places = [e["location"] for e in expected]
    assert places == sorted(places)
    # a sorted view is kept in the address: reloading it gives the same order
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#events-table th[data-sort='location']")).to_have_attribute("aria-sort", "ascending")
    assert table_ids(page) == [e["event_id_cnty"] for e in expected]
    assert_inert(page)


def test_download_links_carry_the_filters(many_page, many_server):
    """CSV and GeoJSON links with exactly the page's filters (not its order): what they download is the view."""
    import csv
    import io
    from urllib.parse import parse_qs, urlsplit

    page = many_page
    assert page.locator("#download-csv").get_attribute("href") == "/api/events.csv"
    page.select_option("#filters select[name=admin1]", "Hama")
    page.select_option("#filters select[name=event_type]", "Battles")
    page.fill("#filters input[name=actor]", HOSTILE_ACTOR)
    page.fill("#filters input[name=date_from]", "2023-01-05")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-loading='0']")
    page.locator("#events-table th[data-sort='fatalities'] button").click()
    page.wait_for_selector("body[data-loading='0']")
    wanted = {"admin1": ["Hama"], "event_type": ["Battles"], "actor": [HOSTILE_ACTOR], "date_from": ["2023-01-05"]}
    shown = matching(page)
    assert shown >= 1
    for link, ext in (("#download-csv", "csv"), ("#download-geojson", "geojson")):
        href = page.locator(link).get_attribute("href")
        url = urlsplit(href)
        assert url.path == f"/api/events.{ext}" and parse_qs(url.query) == wanted, href
        with urllib.request.urlopen(many_server + href) as r:
            body = r.read().decode()
        n = len(list(csv.DictReader(io.StringIO(body)))) if ext == "csv" else len(json.loads(body)["features"])
        assert n == shown
    # the browser downloads it under its name
    with page.expect_download() as info:
        page.click("#download-geojson")
    assert info.value.suggested_filename == "marsad_events.geojson"
    assert_inert(page)


def inside_map(page, selector: str) -> bool:
    """Every element of ``selector`` lies within the map's box (on screen, not panned away)."""
    return page.evaluate("""sel => {
        const m = document.querySelector('#map').getBoundingClientRect();
        return [...document.querySelectorAll(sel)].every(n => { const r = n.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            return x >= m.left && x <= m.right && y >= m.top && y <= m.bottom; });
    }""", selector)


def test_map_fits_the_filter_and_rings_the_event_shown(many_page, many_server):
    from playwright.sync_api import expect

    page = many_page
    start = float(page.locator("#map").get_attribute("data-zoom"))
    # a governorate filter: its shape stands out and the map zooms to it, its events in view
    page.select_option("#filters select[name=admin1]", "Hama")
    page.click("#filters button[type=submit]")
    page.wait_for_function("z => +document.querySelector('#map').dataset.zoom > z", arg=start, timeout=10000)
    page.wait_for_timeout(500)
    assert page.locator("path.governorate.chosen").count() == 1
    expect(page.locator(".place-governorate[data-name='Hama']")).to_be_attached()
    assert inside_map(page, "path.marsad-marker, .marsad-cluster")
    # the event shown gets a ring on the map, at its own place; another row moves it
    rows = page.locator("#events-table tbody tr")
    for k in (0, 5):
        event_id = rows.nth(k).get_attribute("data-event-id")
        rows.nth(k).click()
        page.wait_for_selector("#event-view[data-loaded='1']", timeout=10000)
        ring = page.locator("path.marsad-selected")
        expect(ring).to_have_count(1)
        assert ring.get_attribute("data-event-id") == event_id
        assert inside_map(page, "path.marsad-selected")
    # a filter of only a few events zooms to them; resetting shows the whole country again
    page.fill("#filters input[name=actor]", HOSTILE_ACTOR)
    page.select_option("#filters select[name=event_type]", "Battles")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-loading='0']")
    page.wait_for_timeout(600)
    assert inside_map(page, "path.marsad-marker, .marsad-cluster")
    page.click("#reset")
    page.wait_for_function("z => +document.querySelector('#map').dataset.zoom <= z + 0.5", arg=start, timeout=10000)
    assert page.locator("path.governorate.chosen").count() == 0
    assert_inert(page)


def test_timeline_clears_an_event_the_new_dates_leave_out(page):
    """A timeline bar filters its day; the event shown, of another day, leaves the event view and the map."""
    from playwright.sync_api import expect

    open_event_of(page, "Armed clash")  # 2022-11-01
    expect(page.locator("path.marsad-selected")).to_have_count(1)
    page.locator("#timeline rect.bar[data-from='2022-11-03']").click()
    expect(page.locator("#events-table tbody tr")).to_have_count(1)
    expect(page.locator("#event-view")).not_to_have_attribute("data-event-id", re.compile("."))
    assert "not among the events of these filters" in page.locator("#event-view").inner_text()
    expect(page.locator("path.marsad-selected")).to_have_count(0)
    assert page.locator("#status").inner_text().startswith("1 event matches")
    assert page.locator("#active-filters .active-filter").all_inner_texts() == ["from: 2022-11-03 ×", "to: 2022-11-03 ×"]
    # one day: a narrow bar in a month-wide timeline, not one bar across the whole width
    bars = page.locator("#timeline rect.bar")
    widths = bars.evaluate_all("rs => rs.filter(r => +r.getAttribute('height') > 0).map(r => +r.getAttribute('width'))")
    assert len(widths) == 1 and widths[0] < 1000 / 20 and bars.count() >= 31
    # an event of the new day stays when the filter changes again to include it
    open_event_of(page, "Hostile")
    page.locator("#active-filters .active-filter[data-filter='date_to']").click()
    page.wait_for_selector("body[data-loading='0']")
    expect(page.locator("#event-view")).to_have_attribute("data-loaded", "1")
    assert page.locator("#active-filters .active-filter").count() == 1
    assert page.errors == [], page.errors


def test_governorate_click_shows_its_filter_without_a_focus_box(page):
    from playwright.sync_api import expect

    homs = page.locator("path.governorate[data-admin1='Homs']")
    homs.click()
    expect(page.locator("#filters select[name=admin1]")).to_have_value("Homs")
    expect(page.locator("#active-filters .active-filter[data-filter='admin1']")).to_have_text("governorate: Homs ×")
    expect(homs).to_have_class(re.compile(r"\bchosen\b"))
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "none"
    assert page.locator("#status").inner_text().startswith("0 events match")
    page.wait_for_timeout(400)  # the map zooms to Homs
    homs.click()  # the chosen governorate again: the filter goes
    expect(page.locator("#filters select[name=admin1]")).to_have_value("")
    expect(page.locator("#active-filters .active-filter")).to_have_count(0)
    assert page.errors == [], page.errors


def test_undated_events_and_the_date_column(many_page):
    from playwright.sync_api import expect

    page = many_page
    undated = int(page.locator("#timeline").get_attribute("data-undated"))
    assert undated >= 5
    assert f"{undated} undated events are not on the timeline" in page.locator("#timeline .caption").inner_text()
    bars = page.locator("#timeline rect.bar").evaluate_all(
        "rs => rs.map(r => +r.querySelector('title').textContent.split(': ')[1].split(' ')[0])")
    assert sum(bars) == matching(page) - undated
    # undated events come last in date order; their view says "undated", never " · Peaceful protest"
    page.locator("#events-table th[data-sort='event_date'] button").click()  # oldest first
    page.wait_for_selector("#events-table th[data-sort='event_date'][aria-sort='ascending']")
    page.wait_for_selector("body[data-loading='0']")
    page.locator("#pager button", has_text="next").last.wait_for()
    while page.locator("#pager button", has_text="next").is_enabled():
        page.locator("#pager button", has_text="next").click()
    last = page.locator("#events-table tbody tr").last
    assert last.locator("td.date").inner_text() == "undated"
    last.click()
    page.wait_for_selector("#event-view[data-loaded='1']", timeout=10000)
    assert page.locator("#event-view h2").inner_text().startswith("undated · ")
    # the date column never wraps, even in a narrow window
    page.set_viewport_size({"width": 640, "height": 900})
    page.wait_for_timeout(200)
    expect(page.locator("#events-table tbody td.date").first).to_be_visible()
    lines = page.locator("#events-table tbody td.date").evaluate_all(  # one box per line of text
        "ds => ds.map(d => { const r = document.createRange(); r.selectNodeContents(d); return r.getClientRects().length; })")
    assert set(lines) == {1}, lines
    assert_inert(page)


def test_notes_evidence_is_not_underlined(page):
    open_event_of(page, "Armed clash")
    marks = page.locator("#event-view mark.evidence")
    styles = marks.evaluate_all("ms => ms.map(m => [m.dataset.fields, getComputedStyle(m).borderBottomStyle, "
                                "getComputedStyle(m).backgroundColor])")
    notes = [s for s in styles if s[0] == "notes"]
    assert notes, "the example event's note has evidence"
    assert all(style == "none" and bg == "rgba(0, 0, 0, 0)" for _, style, bg in notes)
    assert any(bg != "rgba(0, 0, 0, 0)" for f, _, bg in styles if f != "notes")  # the other fields are highlighted
    page.locator("#event-view .legend-item[data-field='notes']").click()  # picked out on demand
    assert page.locator("#event-view mark.ev-notes.focus").count() >= 1
    assert page.errors == [], page.errors


def test_hostile_place_name_in_tooltip_and_filter_chips(many_page):
    """A place name with markup stays text in the marker's tooltip, and a filter value in its chip."""
    page = many_page
    page.fill("#filters input[name=q]", "Place 0 of Hama")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-loading='0']")
    page.wait_for_timeout(600)  # the map fits the one place
    marker = page.locator("path.marsad-marker").first
    marker.hover()
    tip = page.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=5000)
    assert HOSTILE_IMG in tip.inner_text()
    assert page.locator("#active-filters").inner_text() == "text: Place 0 of Hama ×"
    page.fill("#filters input[name=q]", HOSTILE_SCRIPT)
    page.click("#filters button[type=submit]")
    page.wait_for_selector("body[data-loading='0']")
    assert HOSTILE_SCRIPT in page.locator("#active-filters").inner_text()
    assert_inert(page)


def test_reviewer_corrects_then_rejects_an_event(page, server):
    """Runs last: it changes the seeded store. The page asks for the token once (a prompt)."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept(WRITE_TOKEN)

    page.on("dialog", answer)
    open_event_of(page, "Hostile")
    view = page.locator("#event-view")
    event_id = view.get_attribute("data-event-id")
    with urllib.request.urlopen(f"{server}/api/events/{event_id}") as r:
        before = json.load(r)["fatalities"]
    assert view.locator(".review .badge").inner_text() == "machine"
    view.locator(".review button.edit").click()
    view.locator(".review-form input[name='fatalities']").fill(str(before + 2))
    view.locator(".review input[name='reason']").fill("hospital count <b>x</b>")
    view.locator(".review-form button[type='submit']").click()
    page.wait_for_selector("#event-view[data-loaded='1'] .review[data-status='corrected']", timeout=10000)
    assert len(asked) == 1
    history = view.locator(".history").inner_text()
    assert f"fatalities: {before} → {before + 2}" in history and "hospital count <b>x</b>" in history
    assert view.locator(".review b").count() == 0  # the reason stays text
    with urllib.request.urlopen(f"{server}/api/events/{event_id}") as r:
        detail = json.load(r)
    assert detail["fatalities"] == before + 2 and detail["review_status"] == "corrected"
    with urllib.request.urlopen(f"{server}/api/events.csv?status=corrected") as r:
        assert event_id in r.read().decode()
    # rejecting needs a reason; then the event leaves the default listing (and the token is not asked again)
    view.locator(".review input[name='reason']").fill("")
    view.locator(".review button.reject").click()
    assert "reason" in view.locator(".review-msg").inner_text()
    view.locator(".review input[name='reason']").fill("not in Syria")
    view.locator(".review button.reject").click()
    page.wait_for_selector("#event-view[data-loaded='1'] .review[data-status='rejected']", timeout=10000)
    assert len(asked) == 1
    with urllib.request.urlopen(f"{server}/api/events") as r:
        assert event_id not in {e["event_id_cnty"] for e in json.load(r)["events"]}
    with urllib.request.urlopen(f"{server}/api/events.csv") as r:
        assert event_id not in r.read().decode()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == [], page.errors
    assert page.outside == []


# -- compare with ACLED (/compare) -----------------------------------------------------------------

@pytest.fixture()
def compare_page(browser, server):
    """A fresh page on ``/compare``, errors and requests leaving loopback recorded as for ``page``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    pg.outside = []  # type: ignore[attr-defined]
    pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server)
             else (pg.outside.append(r.request.url), r.abort()))
    pg.goto(server + "/compare")
    pg.wait_for_selector("body[data-ready='1']", timeout=15000)
    yield pg
    context.close()


def test_compare_page_counts_links_and_inert_acled_text(compare_page, server):
    """An ACLED file made of the stored events but the last, plus a row only ACLED has whose actor,
    location and notes carry markup: the page shows the counts, links marsad's events to the map's
    event view, and shows ACLED's text as text."""
    from urllib.parse import quote

    from tests.test_compare import acled_csv, acled_row

    page = compare_page
    with urllib.request.urlopen(server + "/api/events?limit=1000") as r:
        events = sorted(json.load(r)["events"], key=lambda e: (e["event_date"], e["event_id_cnty"]))
    assert len(events) >= 2
    rows = [acled_row(e, n) for n, e in enumerate(events[:-1])]
    rows.append(acled_row({"event_date": events[0]["event_date"], "event_type": "Battles", "sub_event_type": "Armed clash",
                           "actor1": f"Unidentified Armed Group (Syria) {HOSTILE_IMG}", "admin1": "Aleppo",
                           "location": f"Aleppo {HOSTILE_SCRIPT}", "latitude": 36.2021, "longitude": 37.1343,
                           "fatalities": 1, "notes": f"Only ACLED {HOSTILE_IMG}"}, 99))
    page.set_input_files("#acled-file", files=[{"name": "acled.csv", "mimeType": "text/csv",
                                                "buffer": acled_csv(rows).encode()}])
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("body[data-done='1']", timeout=20000)
    counts = {s: page.locator(f"#counts td[data-status='{s}']").inner_text()
              for s in ("matched", "marsad_only", "acled_only")}
    assert counts == {"matched": str(len(events) - 1), "marsad_only": "1", "acled_only": "1"}
    assert page.locator("#acled-only").get_attribute("data-count") == "1"
    acled_only = page.locator("#acled-only tbody").inner_text()
    assert HOSTILE_IMG in acled_only and HOSTILE_SCRIPT in acled_only  # literal text
    assert page.locator("main img, main script").count() == 0 and page.locator("img[src='x']").count() == 0
    assert page.locator("#by-admin1 tbody tr[data-group='Aleppo']").count() == 1
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == [] and page.outside == [], (page.errors, page.outside)
    # the marsad-only event opens in the map's event view
    link = page.locator("#marsad-only a.marsad-event")
    assert link.count() == 1 and link.get_attribute("href") == "/#event=" + quote(events[-1]["event_id_cnty"], safe="")
    page.goto(server + link.get_attribute("href"))
    page.wait_for_selector("#event-view[data-loaded='1']", timeout=15000)
    assert page.locator("#event-view").get_attribute("data-event-id") == events[-1]["event_id_cnty"]
    assert page.locator("#compare-link").get_attribute("href") == "/compare"  # and back, from the map's header
    assert page.errors == [], page.errors


def test_compare_page_says_why_a_file_is_refused(compare_page):
    page = compare_page
    page.set_input_files("#acled-file", files=[{"name": "notes.csv", "mimeType": "text/csv",
                                                "buffer": f"date,what\n2022-11-01,{HOSTILE_IMG}\n".encode()}])
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("body[data-done='error']", timeout=20000)
    assert "not an ACLED export" in page.locator("#status").inner_text()
    assert page.locator("#report").is_hidden()
    assert [e for e in page.errors if "422" not in e] == []  # the browser logs the refused request itself
