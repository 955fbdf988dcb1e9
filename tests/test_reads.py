"""Fast reads (``store/reads.py``): a statement compiled once per filter shape answers every filter
of that shape with its own values; facet counts and totals kept per data version are dropped by
every write (ingest, review, re-extraction, dedup), whether this store wrote or another process
did; the store's indexes and version row after migration. On SQLite and, when configured,
PostgreSQL. Nothing here measures speed (``benchmarks/bench_api.py`` does)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from marsad.api import create_app
from marsad.model import Document, Event, Evidence
from marsad.store import ORDERS, EventFilter, Store
from tests import test_store_support as support
from tests.test_api import TOKEN, synthetic

db = support.db  # the fixture: SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set


@pytest.fixture()
def store(db) -> Store:
    s = Store(db)
    synthetic(s)
    return s


def new_report(n: int, admin1: str = "Dara", confidence: float = 0.5, word: str = "") -> tuple[Document, Event]:
    """A report of a clash on 2023-02-n: reports three days apart or more merge with no other event."""
    date = f"2023-02-{n:02d}"
    text = f"اشتباكات في مدينة جاسم {word} رقم {n}"
    doc = Document(text=text, published=date, source=f"Outlet N{n}", url=f"https://example.org/n{n}")
    ev = Event(event_id_cnty=f"SYR-N{n}", event_date=date, year=2023, time_precision=1, event_type="Battles",
               sub_event_type="Armed clash", actor1="Opposition Rebels (Syria)", actor2="Military Forces of Syria (2000-2024)",
               admin1=admin1, admin2=admin1, location="Jasim", latitude=32.99, longitude=36.06, geo_precision=1,
               source=f"Outlet N{n}", notes=f"note N{n}", fatalities=n, confidence=confidence, doc_id=doc.doc_id)
    ev.add_evidence("sub_event_type", Evidence(0, 8, text[:8]))
    return doc, ev


def counts(store: Store, flt: EventFilter) -> tuple[int, int, dict]:
    """(total of query_events, total of facets, the facets' admin1 counts)."""
    facets = store.facets(flt)
    return store.query_events(flt)[0], facets["total"], {v["value"]: v["count"] for v in facets["facets"]["admin1"]["values"]}


def test_answers_are_kept_until_a_write_changes_the_data(store):
    dara = EventFilter(admin1="Dara")
    assert counts(store, dara) == (2, 2, {"Dara": 2})
    hits = store.read_cache.hits
    assert counts(store, dara) == (2, 2, {"Dara": 2})
    assert store.read_cache.hits == hits + 2  # the total and the facets, both kept
    assert store.query_events(dara, limit=1, offset=1)[0] == 2 and store.read_cache.hits == hits + 3  # the next page
    answer = store.facets(dara)
    answer["facets"]["admin1"]["values"][0]["count"] = 99  # a caller's changes do not reach the cache
    assert store.facets(dara)["facets"]["admin1"]["values"][0]["count"] == 2

    # ingest
    version = store.data_version()
    doc, ev = new_report(1, word="كلمةفريدة")
    assert store.add(doc, [ev]) is True
    assert store.data_version() > version
    assert counts(store, dara) == (3, 3, {"Dara": 3})
    assert counts(store, EventFilter()) == (7, 7, {"Dara": 3, "Idleb": 2, "As Sweida": 1, "Deir ez Zor": 1})

    # review: a rejected event leaves the listings
    version = store.data_version()
    store.review("SYR-N1", "rejected", reason="a test")
    assert store.data_version() > version
    assert counts(store, dara) == (2, 2, {"Dara": 2})
    assert counts(store, EventFilter(admin1="Dara", status=["rejected"])) == (1, 1, {"Dara": 1})
    store.review("SYR-N1", "confirmed")
    assert counts(store, dara) == (3, 3, {"Dara": 3})

    # re-extraction: the report's events replaced (here by none): its text no longer finds the event
    word = EventFilter(q="كلمةفريدة")
    assert store.query_events(word)[0] == 1 and store.facets(word)["total"] == 1
    version = store.data_version()
    store.replace_events(doc.doc_id, ["SYR-N1"], [])
    assert store.data_version() > version
    assert store.query_events(word)[0] == 0 and store.facets(word)["total"] == 0

    # dedup from scratch: the event without reports is gone
    version = store.data_version()
    store.dedup()
    assert store.data_version() > version
    assert counts(store, dara) == (2, 2, {"Dara": 2})


def test_a_write_by_another_process_drops_the_answers(db):
    """Two stores on one database (two uvicorn workers, or the API beside ``marsad ingest``): what
    one writes, the other's next read sees."""
    api = Store(db)
    synthetic(api)
    writer = Store(db)
    idleb = EventFilter(admin1="Idleb")
    assert counts(api, idleb) == (2, 2, {"Idleb": 2})
    assert counts(api, EventFilter()) == (6, 6, {"Dara": 2, "Idleb": 2, "As Sweida": 1, "Deir ez Zor": 1})
    doc, ev = new_report(2, admin1="Idleb")
    writer.add(doc, [ev])
    assert api.data_version() == writer.data_version()
    assert counts(api, idleb) == (3, 3, {"Idleb": 3})
    assert counts(api, EventFilter())[0] == 7
    writer.review("SYR-N2", "corrected", {"fatalities": 40}, reason="a test")
    assert api.query_events(idleb, order="-fatalities")[1][0]["fatalities"] == 40
    assert api.facets(idleb, ["status"])["facets"]["status"]["values"] == [{"value": "machine", "count": 2},
                                                                          {"value": "corrected", "count": 1}]
    # bulk ingest, then its dedup pass
    docs = [new_report(n, admin1="Idleb") for n in (5, 8)]
    writer.bulk_add([(d, [e]) for d, e in docs])
    assert counts(api, idleb) == (5, 5, {"Idleb": 5})


def test_through_the_api_a_write_shows_at_once(store):
    client = TestClient(create_app(store, token=TOKEN))
    params = {"admin1": "dara", "date_from": "2023-01-01"}
    assert client.get("/api/events", params=params).json()["total"] == 2
    assert client.get("/api/facets", params=params).json()["total"] == 2
    assert client.get("/api/facets").json()["facets"]["admin1"]["values"][0] == {"value": "Dara", "count": 2}
    for n in (11, 14):
        doc, ev = new_report(n)
        store.add(doc, [ev])
    assert client.get("/api/events", params=params).json()["total"] == 4
    assert client.get("/api/facets", params=params).json()["total"] == 4
    assert client.get("/api/facets").json()["facets"]["admin1"]["values"][0] == {"value": "Dara", "count": 4}


SAME_SHAPE = [  # pairs of filters of one shape (the same parameters set), other values
    (EventFilter(admin1="Dara"), EventFilter(admin1="Idleb")),
    (EventFilter(date_from="2023-01-02", date_to="2023-01-03"), EventFilter(date_from="2023-01-04", date_to="2023-02-28")),
    (EventFilter(event_type="Battles", admin1="Dara"), EventFilter(event_type="Protests", admin1="As Sweida")),
    (EventFilter(min_confidence=1), EventFilter(min_confidence=0.5)),  # an int first: the value's type is not baked in
    (EventFilter(min_confidence=0.95), EventFilter(min_confidence=0.05)),
    (EventFilter(status=["confirmed"]), EventFilter(status=["machine"])),
    (EventFilter(status=["rejected", "confirmed"]), EventFilter(status=["machine", "corrected"])),
    (EventFilter(actor="islamic"), EventFilter(actor="military forces of syria")),
    (EventFilter(bbox=(35.8, 32.3, 36.4, 33.1)), EventFilter(bbox=(36, 35, 37, 36.5))),
    (EventFilter(q="note 4"), EventFilter(q="ذيبان")),
    (EventFilter(source="outlet 1"), EventFilter(source="Outlet N17")),
    (EventFilter(q="100%"), EventFilter(q="note_")),  # LIKE's wildcards are escaped the same way
]


@pytest.mark.parametrize("first,second", SAME_SHAPE)
def test_a_statement_compiled_for_one_filter_answers_another_of_its_shape(db, first, second):
    warm = Store(db)
    synthetic(warm)
    for n, conf in ((17, 0.9), (20, 0.1)):
        doc, ev = new_report(n, confidence=conf)
        warm.add(doc, [ev])
    fresh = Store(db)  # nothing compiled yet: compiles the second filter's statements itself
    for order, limit, offset in (("date", 100, 0), ("-fatalities", 2, 1), ("location", None, 0)):
        warm.query_events(first, limit, offset, order=order)
        assert warm.query_events(second, limit, offset, order=order) == fresh.query_events(second, limit, offset,
                                                                                            order=order)
    fresh = Store(db)
    for size in (20, 1):
        warm.facets(first, size=size)
        assert warm.facets(second, size=size) == fresh.facets(second, size=size)


def test_orders_and_pages_are_those_of_the_filter(store):
    """Every order, with and without a page: the rows are the events the filter keeps, in order;
    ``columns`` picks columns of the same rows."""
    everything = {r["event_id_cnty"]: r for r in store.query_events(limit=None)[1]}
    for order in ORDERS:
        rows = store.query_events(EventFilter(admin1="Dara"), order=order)[1]
        assert {r["event_id_cnty"] for r in rows} == {"SYR-T2", "SYR-T5"}
        assert all(everything[r["event_id_cnty"]] == r for r in rows)
        pages = [store.query_events(limit=2, offset=k, order=order)[1] for k in (0, 2, 4)]
        assert [r["event_id_cnty"] for p in pages for r in p] == [r["event_id_cnty"] for r in
                                                                store.query_events(limit=None, order=order)[1]]
        some = ("event_id_cnty", "fatalities", "admin1")
        assert store.query_events(limit=3, offset=1, order=order, columns=some) == (
            6, [{c: r[c] for c in some} for r in store.query_events(limit=3, offset=1, order=order)[1]])
    with pytest.raises(ValueError):
        store.query_events(order="notes")
    with pytest.raises(ValueError):
        store.facets(names=["notes"])


def test_migrated_store_has_the_version_row_and_the_covering_indexes(db):
    store = Store(db)
    assert store.data_version() == 0
    doc, ev = new_report(23)
    store.add(doc, [ev])
    assert store.data_version() == 1
    with store.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return
        plan = " ".join(str(r) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM canonical_events WHERE review_status != 'rejected' "
            "AND event_date >= '2023-01-01' AND event_date <= '2023-03-01' AND admin1 = 'Dara'")))
        assert "COVERING INDEX ix_canonical_admin1_date_status" in plan
