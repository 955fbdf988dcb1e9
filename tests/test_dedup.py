"""Cross-source dedup: the rules one pair at a time, canonical records, and the acceptance case
(the bundled example + a second outlet's report of the same clash + a different killing that
same day in another Daraa quarter), on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import pytest

from marsad.dedup import Report, canonical_row, cluster_reports, compare, keep_canonical_ids, sub_events_compatible
from marsad.model import Document
from marsad.store import Store
from tests import test_store_support as support
from tests.test_store_support import DATA, REPO_EXAMPLE_TXT

db = support.db  # the fixture: SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set

PUBLISHED = "2022-11-01"  # examples/daraa_al_balad_2022-11-01.expected.json
SECOND = DATA / "dedup_horan_free_league_2022-11-01.ar.txt"
KILLING = DATA / "dedup_daraa_killing_2022-11-01.ar.txt"


def report(event_id: str, doc_id: str, order: str = "1", fatality_reported: bool = False, **fields) -> Report:
    row = {
        "event_date": "2022-11-01", "event_type": "Battles", "sub_event_type": "Armed clash",
        "actor1": "Local Armed Groups (Syria)", "actor2": "Islamic State (Syria)", "assoc_actor_1": "",
        "assoc_actor_2": "", "admin1": "Dara", "location": "Dar'a - Dar'a al Balad", "gazetteer_id": "C6317",
        "latitude": 32.6104, "longitude": 36.0938, "geo_precision": 1, "time_precision": 1, "fatalities": 0,
        "source": "18 March", "source_scale": "", "timestamp": 1, "confidence": 0.5,
    }
    row.update(fields)
    return Report(event_id, doc_id, row, fatality_reported=fatality_reported, order=order)


def test_same_clash_in_two_reports_matches_with_reasons():
    m = compare(report("a", "d1"), report("b", "d2", source="Horan Free League"))
    assert m.ok
    assert "same day" in m.reasons
    assert any(r.startswith("same place") for r in m.reasons)
    assert any("Islamic State (Syria)" in r for r in m.reasons if r.startswith("shared actors"))


def test_day_window_is_one_day():
    assert compare(report("a", "d1"), report("b", "d2", event_date="2022-11-02")).ok
    m = compare(report("a", "d1"), report("b", "d2", event_date="2022-11-03"))
    assert not m.ok and "2 days apart" in m.reasons[-1]


def test_events_of_one_report_never_merge():
    assert not compare(report("a", "d1"), report("b", "d1")).ok


def test_nearby_point_matches_far_point_does_not():
    near = report("b", "d2", gazetteer_id="X", location="Dar'a - Dar'a al Mahatta", latitude=32.625, longitude=36.10)
    far = report("c", "d3", gazetteer_id="Y", location="Izra'", latitude=32.8569, longitude=36.2497)
    assert compare(report("a", "d1"), near).ok
    m = compare(report("a", "d1"), far)
    assert not m.ok and "km apart" in m.reasons[-1]


def test_region_level_event_matches_within_its_governorate_only():
    region = report("b", "d2", gazetteer_id="R", location="Dar'a", geo_precision=3, latitude=32.62, longitude=36.10)
    assert compare(report("a", "d1"), region).ok
    assert not compare(report("a", "d1"), dict_replace(region, admin1="Quneitra")).ok


def dict_replace(r: Report, **fields) -> Report:
    return Report(r.event_id, r.doc_id, {**r.row, **fields}, r.fatality_reported, r.order)


def test_type_and_sub_event_compatibility():
    assert sub_events_compatible("Shelling/artillery/missile attack", "Air/drone strike")
    assert sub_events_compatible("Armed clash", "Non-state actor overtakes territory")
    assert not sub_events_compatible("Armed clash", "Air/drone strike")
    shelling = report("b", "d2", event_type="Explosions/Remote violence", sub_event_type="Air/drone strike")
    m = compare(report("a", "d1"), shelling)
    assert not m.ok and "event types differ" in m.reasons[-1]


def test_actors_must_overlap_unless_one_side_is_unnamed():
    other = report("b", "d2", actor1="HTS: Hayat Tahrir al Sham", actor2="Military Forces of Syria (2000-2024)")
    m = compare(report("a", "d1"), other)
    assert not m.ok and "no actor in common" in m.reasons[-1]
    unnamed = report("c", "d3", actor1="", actor2="")
    assert compare(report("a", "d1"), unnamed).ok


def test_civilians_alone_do_not_make_actors_overlap():
    base = dict(event_type="Violence against civilians", actor2="Civilians (Syria)")
    isis = report("a", "d1", sub_event_type="Abduction/forced disappearance", actor1="Islamic State (Syria)", **base)
    gunmen = report("b", "d2", sub_event_type="Attack", actor1="Unidentified Armed Group (Syria)", gazetteer_id="M0007",
                    location="Dar'a - Tariq al-Sadd", latitude=32.6091, longitude=36.1173, **base)
    m = compare(isis, gunmen)
    assert not m.ok and "unidentified" in m.reasons[-1]
    # the same place and sub-event type: an unclaimed attack may be the named group's
    same = report("c", "d3", sub_event_type="Abduction/forced disappearance",
                  actor1="Unidentified Armed Group (Syria)", **base)
    assert compare(isis, same).ok


def test_canonical_row_lists_sources_takes_lowest_reported_toll_and_most_precise_fields():
    a = report("a", "d1", order="1", source="18 March", geo_precision=2, fatalities=0)
    b = report("b", "d2", order="2", source="Horan Free League", fatalities=5, fatality_reported=True)
    c = report("c", "d3", order="3", source="SOHR; Horan Free League", fatalities=3, fatality_reported=True,
               timestamp=9)
    row = canonical_row("a", [c, a, b])
    assert row["event_id_cnty"] == "a"
    assert row["source"] == "18 March; Horan Free League; SOHR"
    assert row["fatalities"] == 3  # lowest figure among reports giving one; a report without a toll is not 0
    assert row["representative_id"] == "b"  # geo_precision 1 beats 2; then the first stored
    assert row["n_reports"] == 3 and row["n_sources"] == 3 and row["timestamp"] == 9


def test_clustering_is_complete_linkage_and_blocks_by_day():
    reports = [report(f"e{i}", f"d{i}", order=str(i)) for i in range(5)]
    reports.append(report("x", "dx", order="9", event_date="2022-11-05"))
    c = cluster_reports(reports)
    sizes = sorted(len(cl.members) for cl in c.clusters.values())
    assert sizes == [1, 5]
    assert len(c.merges) == 4
    assert set(c.candidates(report("y", "dy", event_date="2022-12-01"))) == set()


def _ingest(store: Store, path, source: str) -> None:
    from marsad.extract import extract

    doc = Document(text=path.read_text(encoding="utf-8"), published=PUBLISHED, source=source)
    store.add(doc, extract(doc))


def test_acceptance_two_outlets_one_clash_and_a_separate_killing(db):
    store = Store(db)
    _ingest(store, REPO_EXAMPLE_TXT, "18 March")
    _ingest(store, SECOND, "Horan Free League")
    _ingest(store, KILLING, "Daraa 24")
    _, rows = store.query_events(limit=None)
    clashes = [r for r in rows if r["sub_event_type"] == "Armed clash"]
    assert len(clashes) == 1
    clash = clashes[0]
    assert clash["source"] == "18 March; Horan Free League"
    assert clash["n_sources"] == 2 and clash["location"] == "Dar'a - Dar'a al Balad"
    attacks = [r for r in rows if r["sub_event_type"] == "Attack"]
    assert len(attacks) == 1 and attacks[0]["source"] == "Daraa 24"
    assert attacks[0]["actor1"] == "Unidentified Armed Group (Syria)"
    assert attacks[0]["event_id_cnty"] != clash["event_id_cnty"]
    # explainable: the merge says which events and why; evidence from both reports is kept
    detail = store.event_detail(clash["event_id_cnty"])
    assert len(detail["merges"]) == 1 and "same day" in detail["merges"][0]["reasons"]
    assert len({s["doc_id"] for s in detail["evidence"]["sub_event_type"]}) == 2
    assert len(detail["documents"]) == 2
    # a full re-run gives the same grouping, and re-ingesting changes nothing
    before = store.counts()
    store.dedup()
    _ingest(store, SECOND, "Horan Free League")
    assert store.counts() == before
    _, again = store.query_events(limit=None)
    assert sorted((r["event_id_cnty"], r["source"]) for r in again) == sorted((r["event_id_cnty"], r["source"]) for r in rows)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_merge_does_not_depend_on_arrival_order(tmp_path, order):
    store = Store(str(tmp_path / "m.sqlite"))
    files = [(REPO_EXAMPLE_TXT, "18 March"), (SECOND, "Horan Free League")]
    for i in order:
        _ingest(store, *files[i])
    _, rows = store.query_events(limit=None)
    clash = [r for r in rows if r["sub_event_type"] == "Armed clash"]
    assert len(clash) == 1 and set(clash[0]["source"].split("; ")) == {"18 March", "Horan Free League"}


def test_dedup_command_reports_and_explains_merges(tmp_path):
    import json

    from click.testing import CliRunner

    from marsad.cli import main

    db = str(tmp_path / "m.sqlite")
    runner = CliRunner()
    for path, source in ((REPO_EXAMPLE_TXT, "18 March"), (SECOND, "Horan Free League")):
        res = runner.invoke(main, ["ingest", str(path), "--db", db, "--published", PUBLISHED, "--source", source])
        assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["dedup", "--db", db, "--show"])
    assert res.exit_code == 0, res.output
    merges = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(merges) == 1 and "same day" in merges[0]["reasons"]
    assert "(1 merged)" in res.stderr
    csv_out = runner.invoke(main, ["export", "--db", db, "--format", "csv"]).stdout
    assert "18 March; Horan Free League" in csv_out


class _CoarseBlocking:
    """The clustering as first written: candidates are every cluster with a member in the same
    (day, admin1) block or a neighbouring (day, 0.1-degree cell) block, and every member of each
    is compared. The optimised ``Clusterer`` must give exactly its clusters and merge records."""

    def __init__(self) -> None:
        from collections import defaultdict

        self.clusters: dict = {}
        self.by_admin: dict = defaultdict(set)
        self.by_cell: dict = defaultdict(set)
        self.merges: list = []

    @staticmethod
    def cells(r: Report, spread: int) -> list:
        import math

        p = r.point()
        if p is None:
            return []
        cy, cx = math.floor(p[0] / 0.1), math.floor(p[1] / 0.1)
        return [(cy + dy, cx + dx) for dy in range(-spread, spread + 1) for dx in range(-spread, spread + 1)]

    def index(self, cid: str, r: Report) -> None:
        day = r.row.get("event_date") or ""
        self.by_admin[(day, r.row.get("admin1") or "")].add(cid)
        for cell in self.cells(r, 0):
            self.by_cell[(day, cell)].add(cid)

    def assign(self, r: Report) -> None:
        import datetime as dt

        from marsad.dedup import Cluster, MergeRecord

        out: set = set()
        if r.date is not None:
            for k in (-1, 0, 1):
                day = (r.date + dt.timedelta(days=k)).isoformat()
                out |= self.by_admin.get((day, r.row.get("admin1") or ""), set())
                for cell in self.cells(r, 1):
                    out |= self.by_cell.get((day, cell), set())
        best = None
        for cid in sorted(out):
            cluster = self.clusters[cid]
            matches = [(m, compare(r, m)) for m in cluster.members]
            if not matches or not all(x.ok for _, x in matches):
                continue
            score = sum(x.score for _, x in matches) / len(matches)
            top_member, top = max(matches, key=lambda mx: mx[1].score)
            if best is None or score > best[0]:
                best = (score, cluster, top_member, top)
        if best is None:
            self.clusters[r.event_id] = Cluster(r.event_id, [r])
            self.index(r.event_id, r)
            return
        score, cluster, member, match = best
        cluster.members.append(r)
        self.index(cluster.canonical_id, r)
        self.merges.append(MergeRecord(cluster.canonical_id, r.event_id, member.event_id, round(score, 3), match.reasons))


def _random_reports(n: int, seed: int) -> list[Report]:
    """Dense, varied reports in a small area: every branch of ``compare`` and of the blocking."""
    import random

    rnd = random.Random(seed)
    places = [(f"G{i}", f"place {i}", 32.5 + rnd.uniform(0, 0.5), 36.0 + rnd.uniform(0, 0.5), rnd.choice(["Dara", "Quneitra"]))
              for i in range(12)]
    subs = [("Battles", "Armed clash"), ("Battles", "Government regains territory"),
            ("Explosions/Remote violence", "Air/drone strike"),
            ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
            ("Explosions/Remote violence", "Remote explosive/landmine/IED"), ("Violence against civilians", "Attack"),
            ("Violence against civilians", "Abduction/forced disappearance"), ("Strategic developments", "Other")]
    actors = ["Islamic State (Syria)", "Local Armed Groups (Syria)", "Unidentified Armed Group (Syria)",
              "Military Forces of Syria (2000-2024)", "Civilians (Syria)", ""]
    out = []
    for i in range(n):
        gid, loc, lat, lon, admin1 = rnd.choice(places)
        etype, sub = rnd.choice(subs)
        gp = rnd.choice([1, 1, 1, 2, 2, 3, None])
        point = rnd.random() > 0.1
        out.append(report(
            f"e{i:05d}", f"d{rnd.randrange(n // 2)}", order=f"{rnd.randrange(10**6):07d}",
            fatality_reported=rnd.random() < 0.3, event_date=rnd.choice(["2022-11-01", "2022-11-02", "2022-11-03", "", "x"]),
            event_type=etype, sub_event_type=sub, actor1=rnd.choice(actors), actor2=rnd.choice(actors),
            assoc_actor_1=rnd.choice(["", "", "Islamic State (Syria); Civilians (Syria)"]),
            admin1=rnd.choice([admin1, admin1, admin1, ""]), location=rnd.choice([loc, loc, ""]),
            gazetteer_id=rnd.choice([gid, gid, ""]), geo_precision=gp,
            latitude=lat + rnd.uniform(-0.08, 0.08) if point else None,
            longitude=lon + rnd.uniform(-0.08, 0.08) if point else None,
            fatalities=rnd.randrange(5), confidence=rnd.random()))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimised_blocking_gives_the_clusters_of_the_coarse_blocking(seed):
    reports = _random_reports(1500, seed)
    ref = _CoarseBlocking()
    for r in sorted(reports, key=lambda r: (r.order, r.event_id)):
        ref.assign(r)
    fast = cluster_reports(reports)
    assert len(ref.merges) > 150  # a dense set: many merges, many near misses
    assert {cid: [m.event_id for m in c.members] for cid, c in fast.clusters.items()} == \
        {cid: [m.event_id for m in c.members] for cid, c in ref.clusters.items()}
    assert fast.merges == ref.merges


def test_points_near_but_two_grid_cells_apart_still_merge():
    # 9 km apart east-west at 36°N, precision 2 (limit 10 km): grid cells 360 and 362 are not neighbours
    a = report("a", "d1", gazetteer_id="X", location="west", geo_precision=2, latitude=36.05, longitude=36.0999)
    b = report("b", "d2", gazetteer_id="Y", location="east", geo_precision=2, latitude=36.05, longitude=36.2001)
    assert compare(a, b).ok
    c = cluster_reports([a, b])
    assert len(c.clusters) == 1 and len(c.merges) == 1


def test_canonical_ids_stay_with_the_surviving_reports():
    """A from-scratch dedup names each event after the old id its earliest surviving report carried."""
    far = {"gazetteer_id": "Y", "location": "Izra'", "latitude": 32.8569, "longitude": 36.2497}

    def named(*reports, retired=()):
        c = cluster_reports(reports)
        merged = keep_canonical_ids(c, retired)
        return {cid: sorted(r.event_id for r in cl.members) for cid, cl in c.clusters.items()}, merged, c

    # the first report (whose id the event had) is gone: the next one keeps the id
    ids, merged, _ = named(report("b1", "d2", "2", canonical_id="a1"), report("c1", "d3", "3", canonical_id="a1"))
    assert ids == {"a1": ["b1", "c1"]} and merged == {}
    # an event that splits: the part with the earliest report keeps the id, the other is new
    ids, merged, _ = named(report("a1", "d1", "1", canonical_id="a1"), report("b1", "d2", "2", canonical_id="a1", **far))
    assert ids == {"a1": ["a1"], "b1": ["b1"]} and merged == {}
    # two events that become one: the earliest keeps its id, the other is merged into it (and the
    # merge records name the kept id)
    ids, merged, c = named(report("b1", "d2", "2", canonical_id="b1"), report("a1", "d1", "1", canonical_id="x"))
    assert ids == {"x": ["a1", "b1"]} and merged == {"b1": "x"}
    assert [m.canonical_id for m in c.merges] == ["x"]
    # a new event is named after its first report whose id is neither kept nor retired
    ids, _, _ = named(report("a1", "d1", "1"), report("b1", "d2", "2"), retired={"a1"})
    assert ids == {"b1": ["a1", "b1"]}
