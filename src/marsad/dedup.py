"""Cross-source deduplication: the same event told by several outlets becomes one canonical event.

Two report events are the same event when all of these hold (``compare`` says which and why):

- **different reports**: events from one document were already kept apart by the extractor;
- **day**: event dates at most one day apart (outlets date a night clash either side of midnight);
- **place**: the same gazetteer place or location name, or points within ``NEAR_KM`` (5 km when
  both are coded to a named town or district, ``NEAR_KM_APPROX`` = 10 km when one is only "near"
  a place, geo_precision 2); a region-level event (geo_precision 3) matches within its admin1;
- **type**: the same event type, and sub-event types that are the same or listed together in
  ``COMPATIBLE_SUB_EVENTS`` (outlets call the same attack differently: shelling vs air strike,
  a clash vs the capture it ended in, an abduction vs the killing of the abductee);
- **actors**: the named armed actors (actor1, actor2 and associated actors, without the generic
  Civilians/Protesters/Rioters) overlap, or one side names none. "Unidentified Armed Group" is
  not a wildcard: it matches a named group only at the very same place with the same sub-event
  type, so that an unclaimed killing in one quarter is not folded into a named group's attack in
  the next one.

A new event joins the existing canonical event whose every member it matches (complete linkage,
so chains of near-matches cannot drift into one blob), with the best mean score; otherwise it
founds a canonical event of its own, named after that report. Candidates come from blocks keyed
by day and admin1 and by a 0.1-degree grid cell (about 11 km), looked up for the day before, the
day and the day after, so the work grows with the number of events times the (small) size of a
block. A deduplication from scratch (``Store.dedup``, ``marsad reextract``) keeps the ids the
events had: ``keep_canonical_ids`` gives each cluster the id its earliest surviving report was in,
so an event whose first report is gone keeps its id.

The canonical record takes its fields from the most precise report (geo_precision, then
time_precision, then the most actors named, then confidence, then the first stored); ``source``
and ``source_scale`` list every outlet once ("18 March; Horan Free League"); fatalities follow
ACLED's rule: the lowest figure among the reports that give one (a report that gives no toll does
not count as reporting zero); ``timestamp`` is the latest member's.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .geo.distance import haversine_km
from .model import ACLED_COLUMNS

NEAR_KM = 5.0
NEAR_KM_APPROX = 10.0
MAX_DAYS = 1
GRID_DEG = 0.1

#: Sub-event types that reports of one event may disagree on (symmetric; identity is implied).
COMPATIBLE_SUB_EVENTS: tuple[frozenset[str], ...] = (
    # a clash and the capture it ended in, told by two outlets
    frozenset({"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}),
    # outlets confuse artillery, missiles and aircraft; shelling + air strike is one Air/drone strike
    frozenset({"Shelling/artillery/missile attack", "Air/drone strike"}),
    # a car bomb is an IED to one outlet and a suicide attack to another
    frozenset({"Remote explosive/landmine/IED", "Suicide bomb", "Grenade"}),
    # abducted then killed is one Attack; first reports often only know of the abduction
    frozenset({"Attack", "Abduction/forced disappearance"}),
    frozenset({"Peaceful protest", "Protest with intervention", "Excessive force against protesters"}),
    frozenset({"Mob violence", "Violent demonstration"}),
)

GENERIC_ACTORS = frozenset({"Civilians (Syria)", "Protesters (Syria)", "Rioters (Syria)"})
UNIDENTIFIED = "Unidentified Armed Group (Syria)"


def sub_events_compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    return any(a in group and b in group for group in COMPATIBLE_SUB_EVENTS)


def split_list(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


@dataclass
class Report:
    """One event as one report tells it (a row of the ``events`` table), with what dedup needs."""

    event_id: str
    doc_id: str
    row: dict[str, Any]  # the ACLED columns (+ gazetteer_id, confidence)
    fatality_reported: bool = False
    order: str = ""  # ingest order (ingested_at of the document): earlier reports found canonical events

    # dedup compares each report with several others: the parsed date, actor set and point are
    # cached, keyed by the values they are computed from (so a changed row is recomputed)

    @property
    def date(self) -> dt.date | None:
        raw = self.row.get("event_date") or ""
        cached = self.__dict__.get("_date")
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            value = None
        self.__dict__["_date"] = (raw, value)
        return value

    def armed_actors(self) -> frozenset[str]:
        row = self.row
        raw = (row.get("actor1"), row.get("actor2"), row.get("assoc_actor_1"), row.get("assoc_actor_2"))
        cached = self.__dict__.get("_actors")
        if cached is not None and cached[0] == raw:
            return cached[1]
        names = {raw[0] or "", raw[1] or ""}
        names.update(split_list(raw[2]))
        names.update(split_list(raw[3]))
        value = frozenset(n for n in names if n and n not in GENERIC_ACTORS)
        self.__dict__["_actors"] = (raw, value)
        return value

    def point(self) -> tuple[float, float] | None:
        lat, lon = self.row.get("latitude"), self.row.get("longitude")
        return (float(lat), float(lon)) if lat is not None and lon is not None else None


@dataclass
class Match:
    ok: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def _same_place(a: Report, b: Report) -> bool:
    ga, gb = a.row.get("gazetteer_id"), b.row.get("gazetteer_id")
    if ga and gb:
        return ga == gb
    return bool(a.row.get("location")) and a.row.get("location") == b.row.get("location")


def compare(a: Report, b: Report) -> Match:
    """Are ``a`` and ``b`` the same event? The reasons say why (or the first reason why not)."""
    if a.doc_id == b.doc_id:
        return Match(False, reasons=["same report: its events were kept apart by the extractor"])
    da, db = a.date, b.date
    if da is None or db is None:
        return Match(False, reasons=["no event date"])
    days = abs((da - db).days)
    if days > MAX_DAYS:
        return Match(False, reasons=[f"{days} days apart"])
    reasons = ["same day" if days == 0 else f"{days} day apart ({da} / {db})"]
    score = 1.0 - 0.25 * days

    ra, rb = a.row, b.row
    same_place = _same_place(a, b)
    pa, pb = a.point(), b.point()
    prec = max(ra.get("geo_precision") or 3, rb.get("geo_precision") or 3)
    if same_place:
        reasons.append(f"same place ({ra.get('location') or ra.get('gazetteer_id')})")
    elif prec >= 3:
        if not ra.get("admin1") or ra.get("admin1") != rb.get("admin1"):
            return Match(False, reasons=[*reasons, "region-level place in another admin1"])
        reasons.append(f"region-level place, same admin1 ({ra.get('admin1')})")
        score -= 0.3
    elif pa and pb:
        km = haversine_km(pa[0], pa[1], pb[0], pb[1])
        limit = NEAR_KM if prec == 1 else NEAR_KM_APPROX
        if km > limit:
            return Match(False, reasons=[*reasons, f"{km:.1f} km apart (limit {limit:g} km)"])
        reasons.append(f"{km:.1f} km apart ({ra.get('location')} / {rb.get('location')})")
        score -= 0.03 * km
    else:
        return Match(False, reasons=[*reasons, "different places, no coordinates to compare"])

    if ra.get("event_type") != rb.get("event_type"):
        return Match(False, reasons=[*reasons, f"event types differ ({ra.get('event_type')} / {rb.get('event_type')})"])
    sa, sb = ra.get("sub_event_type") or "", rb.get("sub_event_type") or ""
    if not sub_events_compatible(sa, sb):
        return Match(False, reasons=[*reasons, f"sub-event types differ ({sa} / {sb})"])
    reasons.append(f"same sub-event type ({sa})" if sa == sb else f"compatible sub-event types ({sa} / {sb})")
    if sa != sb:
        score -= 0.1

    xa, xb = a.armed_actors(), b.armed_actors()
    named_a, named_b = xa - {UNIDENTIFIED}, xb - {UNIDENTIFIED}
    shared = xa & xb
    if shared:
        reasons.append("shared actors: " + "; ".join(sorted(shared)))
    elif not xa or not xb:
        reasons.append("actors unnamed on one side")
        score -= 0.1
    elif (UNIDENTIFIED in xa and not named_a) or (UNIDENTIFIED in xb and not named_b):
        if not (same_place and sa == sb):
            return Match(False, reasons=[*reasons, "unidentified actor vs a named group at another place or sub-event type"])
        reasons.append("unidentified actor in one report, same place and sub-event type")
        score -= 0.2
    else:
        return Match(False, reasons=[*reasons, "no actor in common (" + "; ".join(sorted(xa)) + " / "
                                     + "; ".join(sorted(xb)) + ")"])
    return Match(True, round(max(score, 0.05), 3), reasons)


# ---------------------------------------------------------------------------------------------
# canonical records


def representative(members: list[Report]) -> Report:
    """The most precise report: its fields become the canonical event's fields."""

    def key(r: Report) -> tuple:
        row = r.row
        named = sum(1 for c in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2") if row.get(c))
        return (row.get("geo_precision") or 9, row.get("time_precision") or 9, -named,
                -(row.get("confidence") or 0.0), r.order, r.event_id)

    return min(members, key=key)


def _union(values: Iterable[str | None]) -> str:
    seen: dict[str, None] = {}
    for v in values:
        for part in split_list(v):
            seen.setdefault(part, None)
    return "; ".join(seen)


def canonical_row(canonical_id: str, members: list[Report]) -> dict[str, Any]:
    """The canonical event's row (ACLED columns + counts) built from its member reports."""
    ordered = sorted(members, key=lambda r: (r.order, r.event_id))
    rep = representative(ordered)
    row = {c: rep.row.get(c) for c in ACLED_COLUMNS}
    row["event_id_cnty"] = canonical_id
    row["source"] = _union(r.row.get("source") for r in ordered)
    row["source_scale"] = _union(r.row.get("source_scale") for r in ordered)
    figures = [r.row.get("fatalities") or 0 for r in ordered if r.fatality_reported]
    row["fatalities"] = min(figures) if figures else (rep.row.get("fatalities") or 0)
    stamps = [r.row.get("timestamp") for r in ordered if r.row.get("timestamp")]
    row["timestamp"] = max(stamps) if stamps else None
    row["doc_ref"] = _union(r.row.get("doc_ref") for r in ordered) or None
    row["gazetteer_id"] = rep.row.get("gazetteer_id")
    row["confidence"] = max((r.row.get("confidence") or 0.0) for r in ordered)
    row["n_reports"] = len(ordered)
    row["n_sources"] = len({r.doc_id for r in ordered})
    row["representative_id"] = rep.event_id
    return row


# ---------------------------------------------------------------------------------------------
# clustering with blocking


@dataclass
class Cluster:
    canonical_id: str
    members: list[Report]
    dirty: bool = False  # changed since loaded: its canonical row must be rewritten


@dataclass
class MergeRecord:
    canonical_id: str
    event_id: str
    matched_event_id: str
    score: float
    reasons: list[str]


def _day_keys(r: Report) -> list[str]:
    d = r.date
    if d is None:
        return []
    return [(d + dt.timedelta(days=k)).isoformat() for k in range(-MAX_DAYS, MAX_DAYS + 1)]


def _cells(r: Report, spread: int) -> list[tuple[int, int]]:
    p = r.point()
    if p is None:
        return []
    cy, cx = math.floor(p[0] / GRID_DEG), math.floor(p[1] / GRID_DEG)
    return [(cy + dy, cx + dx) for dy in range(-spread, spread + 1) for dx in range(-spread, spread + 1)]


class Clusterer:
    """Assigns reports to clusters, looking only at clusters in the same blocks.

    The blocks are those described above ((day, admin1) and (day, 0.1-degree cell), for the day
    before, the day and the day after), split further by what a match needs, so that a dense
    block (many events in one governorate on one day) does not make every new report compare
    with every event of the block: the event type (a match needs the same one) and, inside a
    (day, admin1) block, the way two reports can be at the same place (the same gazetteer id or
    location name; points within ``NEAR_KM_APPROX``; a region-level event, which then also needs
    an armed actor in common or one side naming none, as ``compare`` does). The candidates are
    always a subset of the clusters in the coarse blocks and include every cluster all of whose
    members match (one member of such a cluster is in a block and matches), so the clusters are
    exactly those of the coarse blocking; the work per report stays about constant as a block
    fills up.
    """

    def __init__(self) -> None:
        self.clusters: dict[str, Cluster] = {}
        # (day, 0.1-degree cell, event type) -> canonical ids
        self._by_cell: dict[tuple, set[str]] = defaultdict(set)
        # (day, admin1, event type) -> canonical ids; then the same key + how the place can match
        self._by_admin: dict[tuple, set[str]] = defaultdict(set)
        # (key, actor) and (key, None: no armed actor) of every member, and of region-level members
        self._actor: dict[tuple, set[str]] = defaultdict(set)
        self._region: dict[tuple, set[str]] = defaultdict(set)
        self._region_all: dict[tuple, set[str]] = defaultdict(set)  # (day, admin1, type) of region-level members
        self._gaz: dict[tuple, set[str]] = defaultdict(set)  # (key, gazetteer id)
        self._loc: dict[tuple, set[str]] = defaultdict(set)  # (key, location)
        self._loc_no_gaz: dict[tuple, set[str]] = defaultdict(set)  # (key, location) of members without gazetteer id
        self._point: dict[tuple, set[str]] = defaultdict(set)  # (key, cell) of members with a point, precision 1-2
        self.merges: list[MergeRecord] = []

    def _index(self, cluster: Cluster, r: Report) -> None:
        cid = cluster.canonical_id
        row = r.row
        day = row.get("event_date") or ""
        etype = _type_key(row)
        key = (day, row.get("admin1") or "", etype)
        self._by_admin[key].add(cid)
        p = r.point()
        if p is not None:
            self._by_cell[(day, _cell(p), etype)].add(cid)
        actors = r.armed_actors() or (None,)
        region = _region_level(row)
        for a in actors:
            self._actor[(key, a)].add(cid)
            if region:
                self._region[(key, a)].add(cid)
        if region:
            self._region_all[key].add(cid)
        elif p is not None:
            self._point[(key, _cell(p))].add(cid)
        gid, loc = row.get("gazetteer_id"), row.get("location")
        if gid:
            self._gaz[(key, gid)].add(cid)
        if loc:
            self._loc[(key, loc)].add(cid)
            if not gid:
                self._loc_no_gaz[(key, loc)].add(cid)

    def add_cluster(self, cluster: Cluster) -> None:
        self.clusters[cluster.canonical_id] = cluster
        for r in cluster.members:
            self._index(cluster, r)

    def candidates(self, r: Report) -> set[str]:
        """Clusters with a member in ``r``'s blocks that ``r`` may match."""
        # a neighbourhood of 1 cell covers NEAR_KM_APPROX in every direction
        out: set[str] = set()
        row = r.row
        admin1 = row.get("admin1") or ""
        etype = _type_key(row)
        p = r.point()
        region = _region_level(row)
        gid, loc = row.get("gazetteer_id"), row.get("location")
        near = None if region or p is None else _near_cells(p)
        xa = r.armed_actors()
        # (None: members naming no armed actor) + r's actors; r naming none can match any member
        keys_of_actors = [None, *xa] if xa else None
        around = _cells(r, 1) if p is not None else ()
        by_cell = self._by_cell
        for day in _day_keys(r):
            for cell in around:
                found = by_cell.get((day, cell, etype))
                if found:
                    out |= found
            key = (day, admin1, etype)
            if key not in self._by_admin:
                continue
            if admin1:
                # a region-level report (either side) matches within its governorate, if the actors
                # allow: one in common, or one side names none (else only at the same place, below)
                if keys_of_actors is None:
                    out |= self._by_admin[key] if region else self._region_all.get(key, _EMPTY)
                else:
                    by_actor = self._actor if region else self._region
                    for a in keys_of_actors:
                        found = by_actor.get((key, a))
                        if found:
                            out |= found
            if gid:
                out |= self._gaz.get((key, gid), _EMPTY)
                if loc:
                    out |= self._loc_no_gaz.get((key, loc), _EMPTY)
            elif loc:
                out |= self._loc.get((key, loc), _EMPTY)
            if near is None:
                continue
            if near is _ALL_CELLS:
                out |= self._by_admin[key]
                continue
            point = self._point
            for cell in near:
                found = point.get((key, cell))
                if found:
                    out |= found
        return out

    def assign(self, r: Report) -> Cluster:
        """Put ``r`` in the best matching cluster (recording why), or in a new one."""
        best: tuple[float, Cluster, Report, Match] | None = None
        for cid in sorted(self.candidates(r)):
            cluster = self.clusters[cid]
            matches = []
            for m in cluster.members:  # complete linkage: stop at the first member it does not match
                x = compare(r, m)
                if not x.ok:
                    break
                matches.append((m, x))
            else:
                if not matches:
                    continue
                score = sum(x.score for _, x in matches) / len(matches)
                top_member, top = max(matches, key=lambda mx: mx[1].score)
                if best is None or score > best[0]:
                    best = (score, cluster, top_member, top)
        if best is None:
            cluster = Cluster(r.event_id, [r], dirty=True)
            self.add_cluster(cluster)
            return cluster
        score, cluster, member, match = best
        cluster.members.append(r)
        cluster.dirty = True
        self._index(cluster, r)
        self.merges.append(MergeRecord(cluster.canonical_id, r.event_id, member.event_id, round(score, 3), match.reasons))
        return cluster


def _sub_event_groups() -> dict[str, int] | None:
    """Sub-event type -> its group in COMPATIBLE_SUB_EVENTS, or None if the groups overlap (then
    compatibility is not an equivalence and only the event type splits the blocks)."""
    out: dict[str, int] = {}
    for i, group in enumerate(COMPATIBLE_SUB_EVENTS):
        for sub in group:
            if sub in out:
                return None
            out[sub] = i
    return out


_SUB_GROUP = _sub_event_groups()


def _type_key(row: dict[str, Any]) -> tuple:
    """Equal for two reports exactly when ``compare`` lets their types match: the same event type
    and compatible sub-event types."""
    etype = row.get("event_type")
    if _SUB_GROUP is None:
        return (etype,)
    sub = row.get("sub_event_type") or ""
    group = _SUB_GROUP.get(sub)
    return (etype, sub) if group is None else (etype, group)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: clustering makes millions of small acyclic objects,
    and each full collection walks them all (super-linear time without it)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_EMPTY: frozenset[str] = frozenset()
_ALL_CELLS: list = []  # sentinel of _near_cells: look at every member of the block
_EARTH_KM = 6371.0  # the radius haversine_km uses


def _region_level(row: dict[str, Any]) -> bool:
    """Coded to a region only (geo_precision 3 or unknown): matches within its admin1 (``compare``)."""
    gp = row.get("geo_precision")
    return not (gp and gp < 3)


def _cell(p: tuple[float, float]) -> tuple[int, int]:
    return math.floor(p[0] / GRID_DEG), math.floor(p[1] / GRID_DEG)


def _near_cells(p: tuple[float, float]) -> list[tuple[int, int]]:
    """Every grid cell holding a point within ``NEAR_KM_APPROX`` of ``p`` (a safe over-estimate),
    or ``_ALL_CELLS`` near a pole or the antimeridian."""
    km = max(NEAR_KM, NEAR_KM_APPROX) * 1.01
    dlat = math.degrees(km / _EARTH_KM)
    lat, lon = p
    top = abs(lat) + dlat
    if top >= 89.0:
        return _ALL_CELLS
    # haversine: hav(d) >= cos(lat1) cos(lat2) hav(dlon), and |lat2| <= |lat1| + dlat
    s = math.sin(km / (2 * _EARTH_KM)) / math.sqrt(math.cos(math.radians(abs(lat))) * math.cos(math.radians(top)))
    if s >= 1.0:
        return _ALL_CELLS
    dlon = math.degrees(2 * math.asin(s))
    if lon - dlon <= -180.0 or lon + dlon >= 180.0:
        return _ALL_CELLS
    ys = range(math.floor((lat - dlat) / GRID_DEG), math.floor((lat + dlat) / GRID_DEG) + 1)
    xs = range(math.floor((lon - dlon) / GRID_DEG), math.floor((lon + dlon) / GRID_DEG) + 1)
    return [(y, x) for y in ys for x in xs]


def cluster_reports(reports: Iterable[Report]) -> Clusterer:
    """Deduplicate a whole set of reports from scratch (in ingest order)."""
    c = Clusterer()
    with no_gc():
        for r in sorted(reports, key=lambda r: (r.order, r.event_id)):
            c.assign(r)
    return c


def keep_canonical_ids(clusterer: Clusterer, retired: Iterable[str] = ()) -> dict[str, str]:
    """Name the clusters of a deduplication from scratch (``cluster_reports``) after the canonical
    events their reports were in before (each report's ``row["canonical_id"]``), so that an event
    keeps its id as long as one of its reports survives, whichever report it was first named after.

    Each old id goes to the cluster of the earliest-ingested report that carried it (ingest order,
    then report id), one old id per cluster, the earliest claims first: when an event splits, the
    part with its earliest report keeps the id; when two events become one, the one with the
    earliest report keeps its id and the other's is merged into it. A cluster with no old id left is
    a new event, named after its first report whose id is no old id (kept or merged) and not one
    of ``retired`` (ids deleted before: not used again while another is free).

    The clusters, ``clusterer.clusters`` and the merge records are renamed in place (the blocks of
    ``clusterer`` are not: no report is assigned after this). Returns {old id: the id it was merged
    into} for each old id no cluster keeps though reports that carried it survive."""
    clusters = sorted(clusterer.clusters.values(), key=lambda c: min((r.order, r.event_id) for r in c.members))
    claims = sorted(((r.order, r.event_id), r.row.get("canonical_id"), i)
                    for i, c in enumerate(clusters) for r in c.members if r.row.get("canonical_id"))
    names: dict[int, str] = {}
    holder: dict[str, int] = {}  # old id -> the cluster that keeps it
    first_claim: dict[str, int] = {}  # old id -> the cluster of its earliest surviving report
    for _, old, i in claims:
        first_claim.setdefault(old, i)
        if old not in holder and i not in names:
            holder[old] = i
            names[i] = old
    taken = set(first_claim) | set(retired)  # every old id still carried, kept or merged
    for i, c in enumerate(clusters):
        if i not in names:
            ordered = sorted(c.members, key=lambda r: (r.order, r.event_id))
            name = next((r.event_id for r in ordered if r.event_id not in taken), c.canonical_id)
            names[i] = name
            taken.add(name)
    renamed = {c.canonical_id: names[i] for i, c in enumerate(clusters)}
    for i, c in enumerate(clusters):
        c.canonical_id = names[i]
    clusterer.clusters = {c.canonical_id: c for c in clusters}
    for m in clusterer.merges:
        m.canonical_id = renamed.get(m.canonical_id, m.canonical_id)
    return {old: names[i] for old, i in first_claim.items() if old not in holder}
