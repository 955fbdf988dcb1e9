"""Comparing marsad's events with an ACLED export (``marsad compare``, ``POST /api/compare``).

marsad's stored canonical events are aligned with the rows of an ACLED export by the matching
rules of ``marsad evaluate`` (``evaluate.match_events``: dates within 2 days, points within 50 km,
best pairs first: same event type, same sub-event type, then nearest in space and time). ACLED is
the reference. The report counts matched pairs, marsad-only events (what local Arabic reporting
adds), ACLED-only events (what marsad missed), the disagreements per field on matched pairs, and
the same counts by event type and by governorate (admin1).

Only ACLED rows in Syria and inside the compared window are compared: the window the caller gives,
else the dates of marsad's events (else those of the ACLED rows when marsad has none). Rows and
events up to 2 days outside the window still take part in the matching so that a pair straddling
its edge is found, but an unmatched one outside the window is left out.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from .evaluate import DATE_WINDOW_DAYS, MATCH_KM, actor_key, match_events
from .geo.distance import haversine_km
from .model import Event

#: Columns without which a file is not an ACLED export we can compare.
ESSENTIAL = ("event_date", "event_type", "latitude", "longitude")
#: A matched pair whose points are further apart than this disagrees on location.
LOCATION_KM = 5.0
#: Fields compared on matched pairs, in report order.
FIELDS = ("event_type", "sub_event_type", "event_date", "location", "admin1", "fatalities", "actors")
#: Values of both sides written for every aligned pair or unmatched event.
VALUES = ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin2", "location",
          "latitude", "longitude", "fatalities", "notes")
STATUSES = ("matched", "marsad_only", "acled_only")
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%Y/%m/%d")
MAX_SKIP_MESSAGES = 20


class AcledError(ValueError):
    """A file that cannot be read as an ACLED export (the message is one line)."""


@dataclass
class AcledRow:
    line: int  # line of the file the row starts on
    values: dict[str, str]  # every column, stripped
    date: dt.date
    latitude: float
    longitude: float
    fatalities: int | None

    def get(self, name: str) -> str:
        return self.values.get(name) or ""

    def as_reference(self) -> dict[str, Any]:
        """The row in the shape ``evaluate.match_events`` takes its references in."""
        return {"event_date": self.date.isoformat(), "latitude": self.latitude, "longitude": self.longitude,
                "admin1_en": self.get("admin1"), "event_type": self.get("event_type"),
                "sub_event_type": self.get("sub_event_type")}


@dataclass
class AcledFile:
    rows: list[AcledRow]
    columns: list[str]
    skipped: int = 0  # rows with a bad value
    skip_messages: list[str] = field(default_factory=list)  # "line 12: latitude 'x' is not a number", the first ones


def parse_date(value: str) -> dt.date | None:
    """An ACLED event date: "2022-11-01" or "01 November 2022" (also "1 Nov 2022", "01-November-2022")."""
    value = (value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def decode(data: bytes, name: str = "ACLED file") -> str:
    """The text of an uploaded or read file: UTF-8 (a byte-order mark is dropped), else an AcledError."""
    if b"\x00" in data[:65536]:
        raise AcledError(f"{name}: binary data, not a CSV file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AcledError(f"{name}: not UTF-8 text (byte {exc.start}); save the ACLED export as UTF-8 CSV") from None


def _delimiter(header: str) -> str:
    if "," not in header:
        for d in (";", "\t", "|"):
            if d in header:
                return d
    return ","


def read_acled(text: str, name: str = "ACLED file") -> AcledFile:
    """Parse an ACLED export. A file without the essential columns (event_date, event_type,
    latitude, longitude) is an AcledError; a row with a bad value in them (or in fatalities) is
    skipped and counted."""
    if not text.strip():
        raise AcledError(f"{name}: empty file")
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header))
    try:
        columns = [c.strip().lower() for c in next(reader)]
    except csv.Error as exc:
        raise AcledError(f"{name}: not a CSV file ({exc})") from None
    missing = [c for c in ESSENTIAL if c not in columns]
    if missing:
        raise AcledError(f"{name}: not an ACLED export: no column {', '.join(missing)} "
                         f"(needs {', '.join(ESSENTIAL)}; found {', '.join(c for c in columns[:8] if c) or 'none'}"
                         f"{' ...' if len(columns) > 8 else ''})")
    out = AcledFile(rows=[], columns=columns)

    def skip(line: int, why: str) -> None:
        out.skipped += 1
        if len(out.skip_messages) < MAX_SKIP_MESSAGES:
            out.skip_messages.append(f"line {line}: {why}")

    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise AcledError(f"{name}: line {line}: malformed CSV ({exc})") from None
        if not any(c.strip() for c in cells):
            continue
        values = {c: v.strip() for c, v in zip(columns, cells, strict=False) if c}
        date = parse_date(values.get("event_date", ""))
        if date is None:
            skip(line, f"event_date {_show(values.get('event_date'))} is not a date (YYYY-MM-DD or 01 November 2022)")
            continue
        if not values.get("event_type"):
            skip(line, "no event_type")
            continue
        lat, lon = _float(values.get("latitude")), _float(values.get("longitude"))
        if lat is None or not -90 <= lat <= 90:
            skip(line, f"latitude {_show(values.get('latitude'))} is not a latitude")
            continue
        if lon is None or not -180 <= lon <= 180:
            skip(line, f"longitude {_show(values.get('longitude'))} is not a longitude")
            continue
        fatalities = None
        if values.get("fatalities"):
            fatalities = _int(values["fatalities"])
            if fatalities is None or fatalities < 0:
                skip(line, f"fatalities {_show(values['fatalities'])} is not a number of people")
                continue
        out.rows.append(AcledRow(line, values, date, lat, lon, fatalities))
    return out


def _show(value: str | None) -> str:
    value = value or ""
    return repr(value if len(value) <= 40 else value[:40] + "...") if value else "(empty)"


def _float(value: str | None) -> float | None:
    try:
        x = float(value or "")
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _int(value: str) -> int | None:
    x = _float(value)
    return int(x) if x is not None and x == int(x) else None


# -- scope: country, window and the filters of /api/events -----------------------------------------

@dataclass
class Scope:
    """What is compared. ``start``/``end``: the window (ISO dates) the caller gives; the other
    filters are those of ``/api/events`` that ACLED rows have too (marsad's confidence, review
    status and text search apply to marsad's side only)."""

    start: str | None = None
    end: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    bbox: tuple[float, float, float, float] | None = None


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (s or "").lower())


def in_syria(row: AcledRow) -> bool:
    """Rows of another country are out (an export of the whole region); a row that does not say is in."""
    if row.get("country"):
        return _norm(row.get("country")) == "syria"
    if row.get("iso"):
        return row.get("iso").lstrip("0") == "760"
    return True


def row_in_filters(row: AcledRow, scope: Scope) -> bool:
    for name in ("admin1", "admin2", "admin3"):
        want = getattr(scope, name)
        if want and _norm(row.get(name)) != _norm(want):
            return False
    for name in ("event_type", "sub_event_type"):
        want = getattr(scope, name)
        if want and row.get(name).lower() != want.lower():
            return False
    if scope.actor:
        needle = scope.actor.lower()
        if not any(needle in row.get(n).lower() for n in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")):
            return False
    if scope.bbox:
        min_lon, min_lat, max_lon, max_lat = scope.bbox
        if not (min_lon <= row.longitude <= max_lon and min_lat <= row.latitude <= max_lat):
            return False
    return True


# -- actors ---------------------------------------------------------------------------------------

@cache
def _actor_aliases() -> dict[str, frozenset[str]]:
    """Actor name key -> the keys of every name of that actor in marsad's actor table (its English
    name and aliases)."""
    from .kb import load_json

    groups: dict[str, set[str]] = {}
    for a in load_json("actors.json"):
        names = [a.get("name_en") or "", *(x for x in (a.get("aliases_en") or "").split("|"))]
        keys = {k for k in map(actor_key, names) if k}
        for k in list(keys):
            groups.setdefault(k, set()).update(keys)
    return {k: frozenset(v) for k, v in groups.items()}


def actor_keys(name: str) -> frozenset[str]:
    key = actor_key(name)
    return _actor_aliases().get(key, frozenset({key} if key else ()))


def actors_agree(acled_actors: Iterable[str], marsad_actors: Iterable[str]) -> bool:
    """Whether both sides name the same actors (actor1 and actor2, in either order), an actor
    being the same under any name marsad's actor table gives it."""
    a = [actor_keys(x) for x in acled_actors if x]
    m = [actor_keys(x) for x in marsad_actors if x]
    return all(any(x & y for y in m) for x in a) and all(any(y & x for x in a) for y in m)


# -- alignment ------------------------------------------------------------------------------------

def _day(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(s)[:10]) if s else None
    except ValueError:
        return None


#: Degrees of latitude beyond which two points are surely further apart than ``MATCH_KM``
#: (a great circle is at least as long as its north-south part; 1% to spare).
_LAT_SPAN = MATCH_KM / (6371 * math.pi / 180) * 1.01


def align(rows: list[AcledRow], events: list[Event]) -> list[tuple[int, int]]:
    """(row index, event index) pairs matched by ``evaluate.match_events`` (ACLED the reference).
    Only pairs within its date window and its distance in latitude are tried: the others cannot
    match (an ACLED row has a point, so an event without one cannot match it either)."""
    by_day: dict[dt.date, list[tuple[float, int]]] = {}
    for j, e in enumerate(events):
        d = _day(e.event_date)
        if d is not None and e.latitude is not None and e.longitude is not None:
            by_day.setdefault(d, []).append((e.latitude, j))
    for day in by_day.values():
        day.sort()

    def candidates() -> Iterable[tuple[int, int]]:
        for i, r in enumerate(rows):
            for k in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1):
                day = by_day.get(r.date + dt.timedelta(days=k))
                if day:
                    lo = bisect.bisect_left(day, (r.latitude - _LAT_SPAN, -1))
                    hi = bisect.bisect_right(day, (r.latitude + _LAT_SPAN, len(events)))
                    for _, j in day[lo:hi]:
                        yield i, j

    return match_events([r.as_reference() for r in rows], events, candidates())


def _marsad_values(e: Event) -> dict[str, Any]:
    return {k: getattr(e, k) for k in VALUES}


def _acled_values(r: AcledRow) -> dict[str, Any]:
    out: dict[str, Any] = {k: r.get(k) for k in VALUES}
    out.update(event_date=r.date.isoformat(), latitude=r.latitude, longitude=r.longitude, fatalities=r.fatalities)
    return out


def disagreements(r: AcledRow, e: Event) -> tuple[list[str], float | None, int | None]:
    """(fields on which a matched pair disagrees, distance in km, days apart)."""
    dist = haversine_km(r.latitude, r.longitude, e.latitude, e.longitude) if e.latitude is not None else None
    day = _day(e.event_date)
    days = (day - r.date).days if day else None
    out = []
    if r.get("event_type") != e.event_type:
        out.append("event_type")
    if r.get("sub_event_type") and r.get("sub_event_type") != e.sub_event_type:
        out.append("sub_event_type")
    if days != 0:
        out.append("event_date")
    if dist is None or dist > LOCATION_KM:
        out.append("location")
    if r.get("admin1") and _norm(r.get("admin1")) != _norm(e.admin1):
        out.append("admin1")
    if r.fatalities is not None and r.fatalities != int(e.fatalities or 0):
        out.append("fatalities")
    if not actors_agree((r.get("actor1"), r.get("actor2")), (e.actor1, e.actor2)):
        out.append("actors")
    return out, dist, days


def _compared(r: AcledRow, name: str) -> bool:
    """Whether the ACLED row has a value to compare ``name`` with."""
    if name == "sub_event_type" or name == "admin1":
        return bool(r.get(name))
    if name == "fatalities":
        return r.fatalities is not None
    return True


@dataclass
class Report:
    window: dict[str, Any]
    acled: dict[str, Any]
    marsad: dict[str, Any]
    records: list[dict[str, Any]]

    def counts(self) -> dict[str, int]:
        c = Counter(r["status"] for r in self.records)
        return {s: c.get(s, 0) for s in STATUSES}

    def fields(self) -> dict[str, dict[str, int]]:
        out = {f: {"compared": 0, "disagree": 0} for f in FIELDS}
        for r in self.records:
            if r["status"] == "matched":
                for f in r["compared"]:
                    out[f]["compared"] += 1
                for f in r["disagreements"]:
                    out[f]["disagree"] += 1
        return out

    def by(self, key: str) -> list[dict[str, Any]]:
        """Counts per event type or governorate (ACLED's value for matched pairs and ACLED-only
        events, marsad's for marsad-only ones), most events first."""
        groups: dict[str, dict[str, Any]] = {}
        for r in self.records:
            side = r["marsad"] if r["status"] == "marsad_only" else r["acled"]
            name = side.get(key) or (r["marsad"] or {}).get(key) or ""
            g = groups.setdefault(name, {key: name, **{s: 0 for s in STATUSES}, "disagreeing": 0,
                                         "disagreements": Counter()})
            g[r["status"]] += 1
            if r["disagreements"]:
                g["disagreeing"] += 1
                g["disagreements"].update(r["disagreements"])
        rows = sorted(groups.values(), key=lambda g: (-(g["matched"] + g["marsad_only"] + g["acled_only"]), g[key]))
        for g in rows:
            g["disagreements"] = {f: g["disagreements"][f] for f in FIELDS if g["disagreements"][f]}
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"window": self.window, "acled": self.acled, "marsad": self.marsad, "counts": self.counts(),
                "fields": self.fields(), "by_event_type": self.by("event_type"), "by_admin1": self.by("admin1"),
                "records": self.records}


def compare(acled: AcledFile, events: list[Event], scope: Scope | None = None) -> Report:
    """Align ``events`` (marsad's canonical events, already filtered and spanning the window plus
    the matching margin when a window is given) with the ACLED rows in scope."""
    scope = scope or Scope()
    margin = dt.timedelta(days=DATE_WINDOW_DAYS)
    dated = [e for e in events if _day(e.event_date)]
    syrian = [r for r in acled.rows if in_syria(r)]
    wanted = [r for r in syrian if row_in_filters(r, scope)]
    start, end = _day(scope.start), _day(scope.end)
    basis = {"start": "given" if start else None, "end": "given" if end else None}
    marsad_days = [_day(e.event_date) for e in dated]
    for name, pick in (("start", min), ("end", max)):
        if basis[name]:
            continue
        source, days = ("marsad", [d for d in marsad_days if d]) if marsad_days else ("acled", [r.date for r in wanted])
        value = pick(days) if days else None
        if name == "start":
            start = value
        else:
            end = value
        basis[name] = source if value else None

    def inside(d: dt.date | None) -> bool:
        return d is not None and (start is None or d >= start) and (end is None or d <= end)

    def near(d: dt.date | None) -> bool:
        return d is not None and (start is None or d >= start - margin) and (end is None or d <= end + margin)

    rows = [r for r in wanted if near(r.date)]
    dated = [e for e in dated if near(_day(e.event_date))]
    pairs = align(rows, dated)
    records: list[dict[str, Any]] = []
    matched_rows, matched_events = set(), set()
    for i, j in pairs:
        r, e = rows[i], dated[j]
        if not (inside(r.date) or inside(_day(e.event_date))):
            continue
        matched_rows.add(i)
        matched_events.add(j)
        diff, dist, days = disagreements(r, e)
        records.append(_record("matched", r, e, diff, dist, days))
    for j, e in enumerate(dated):
        if j not in matched_events and inside(_day(e.event_date)):
            records.append(_record("marsad_only", None, e))
    for i, r in enumerate(rows):
        if i not in matched_rows and inside(r.date):
            records.append(_record("acled_only", r, None))
    order = {s: n for n, s in enumerate(STATUSES)}
    records.sort(key=lambda x: (x["event_date"], order[x["status"]], x["marsad_id"], x["acled_id"]))
    window = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
              "start_from": basis["start"], "end_from": basis["end"]}
    compared = sum(1 for x in records if x["status"] in ("matched", "acled_only"))
    acled_summary = {
        "rows": len(acled.rows) + acled.skipped, "skipped": acled.skipped, "skip_messages": acled.skip_messages,
        "outside_syria": len(acled.rows) - len(syrian), "outside_filters": len(syrian) - len(wanted),
        "outside_window": len(wanted) - compared, "compared": compared,
    }
    marsad_summary = {"events": len(events), "undated": len(events) - len([e for e in events if _day(e.event_date)]),
                      "compared": sum(1 for x in records if x["status"] in ("matched", "marsad_only"))}
    return Report(window, acled_summary, marsad_summary, records)


def _record(status: str, r: AcledRow | None, e: Event | None, diff: list[str] | None = None,
            dist: float | None = None, days: int | None = None) -> dict[str, Any]:
    acled = _acled_values(r) if r else None
    marsad = _marsad_values(e) if e else None
    return {
        "status": status,
        "event_date": (acled or marsad or {}).get("event_date") or "",
        "marsad_id": e.event_id_cnty if e else "",
        "acled_id": (r.get("event_id_cnty") or f"line {r.line}") if r else "",
        "marsad": marsad,
        "acled": acled,
        "distance_km": None if dist is None else round(dist, 2),
        "days_apart": days,
        "compared": [f for f in FIELDS if _compared(r, f)] if status == "matched" and r else [],
        "disagreements": diff or [],
    }


def compare_store(store, acled: AcledFile, flt=None) -> Report:
    """Compare the store's canonical events that ``flt`` (a ``store.EventFilter``: its date range
    is the window; rejected events are left out unless its status asks for them) keeps."""
    from .store import EventFilter

    flt = flt or EventFilter()
    margin = dt.timedelta(days=DATE_WINDOW_DAYS)
    query = replace(flt)
    if flt.date_from:
        query.date_from = (dt.date.fromisoformat(flt.date_from[:10]) - margin).isoformat()
    if flt.date_to:
        query.date_to = (dt.date.fromisoformat(flt.date_to[:10]) + margin).isoformat()
    _, rows = store.query_events(query, limit=None, with_total=False)
    events = sorted((Event.from_dict(r) for r in rows), key=lambda e: (e.event_date, e.event_id_cnty))
    scope = Scope(start=flt.date_from, end=flt.date_to, admin1=flt.admin1, admin2=flt.admin2, admin3=flt.admin3,
                  event_type=flt.event_type, sub_event_type=flt.sub_event_type, actor=flt.actor, bbox=flt.bbox)
    report = compare(acled, events, scope)
    report.marsad["filters"] = {k: v for k, v in vars(flt).items() if v not in (None, "", [])}
    return report


# -- output ---------------------------------------------------------------------------------------

#: Columns of ``--csv``: one row per aligned pair or unmatched event.
CSV_COLUMNS = ("status", "marsad_id", "acled_id", *(f"{side}_{v}" for v in VALUES for side in ("marsad", "acled")),
               "distance_km", "days_apart", "disagreements")


def csv_rows(report: Report) -> Iterable[dict[str, Any]]:
    for rec in report.records:
        row: dict[str, Any] = {"status": rec["status"], "marsad_id": rec["marsad_id"], "acled_id": rec["acled_id"],
                               "distance_km": rec["distance_km"], "days_apart": rec["days_apart"],
                               "disagreements": ";".join(rec["disagreements"])}
        for side in ("marsad", "acled"):
            values = rec[side] or {}
            for v in VALUES:
                row[f"{side}_{v}"] = values.get(v)
        yield row


def write_csv(report: Report, fh) -> None:
    w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    for row in csv_rows(report):
        w.writerow({k: "" if v is None else v for k, v in row.items()})


def _cell(text: Any, width: int) -> str:
    text = " ".join(str("" if text is None else text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(report: Report, name: str = "ACLED", limit: int = 20) -> str:
    d = report.to_dict()
    w, a, m, c = d["window"], d["acled"], d["marsad"], d["counts"]
    basis = {"given": "given", "marsad": "marsad's events", "acled": "the ACLED rows", None: "open"}
    lines = [f"marsad compared with {name}",
             f"window: {w['start'] or '-'} to {w['end'] or '-'} (start: {basis[w['start_from']]}; "
             f"end: {basis[w['end_from']]})",
             f"ACLED rows: {a['rows']} read, {a['skipped']} skipped (bad values), {a['outside_syria']} outside Syria, "
             f"{a['outside_filters']} outside the filters, {a['outside_window']} outside the window, "
             f"{a['compared']} compared",
             f"marsad events: {m['compared']} compared"
             + (f" (filters: {', '.join(f'{k}={v}' for k, v in m['filters'].items())})" if m.get("filters") else ""),
             "",
             f"{'':<28}{'matched':>9}{'marsad only':>13}{'ACLED only':>12}",
             f"{'events':<28}{c['matched']:>9}{c['marsad_only']:>13}{c['acled_only']:>12}"]
    for msg in a["skip_messages"][:5]:
        lines.insert(3, f"  skipped {msg}")
    lines += ["", f"disagreements on the {c['matched']} matched pair(s):",
              f"  {'field':<20}{'compared':>9}{'disagree':>10}"]
    labels = {"location": f"location (>{LOCATION_KM:g} km)", "event_date": "event_date (exact)"}
    for f, t in d["fields"].items():
        lines.append(f"  {labels.get(f, f):<20}{t['compared']:>9}{t['disagree']:>10}")
    for key, title in (("event_type", "by event type"), ("admin1", "by governorate (admin1)")):
        lines += ["", f"{title:<28}{'matched':>9}{'marsad only':>13}{'ACLED only':>12}  disagreeing pairs"]
        for g in d[f"by_{key}"]:
            fields = ", ".join(f"{f} {n}" for f, n in g["disagreements"].items())
            lines.append(f"  {_cell(g[key] or '(none)', 26):<26}{g['matched']:>9}{g['marsad_only']:>13}"
                         f"{g['acled_only']:>12}  {g['disagreeing']}" + (f" ({fields})" if fields else ""))
    sections = (
        ("matched pairs that disagree", [r for r in d["records"] if r["status"] == "matched" and r["disagreements"]]),
        ("marsad only (not in ACLED)", [r for r in d["records"] if r["status"] == "marsad_only"]),
        ("ACLED only (not in marsad)", [r for r in d["records"] if r["status"] == "acled_only"]),
    )
    for title, recs in sections:
        if not recs:
            continue
        lines += ["", f"{title}: {len(recs)}"]
        for r in recs[:limit]:
            lines.append("  " + _describe(r))
        if len(recs) > limit:
            lines.append(f"  ... and {len(recs) - limit} more (--csv PATH or --format json lists every one)")
    return "\n".join(lines)


def _describe(r: dict[str, Any]) -> str:
    if r["status"] == "matched":
        parts = []
        for f in r["disagreements"]:
            if f == "location":
                parts.append(f"location {r['distance_km'] if r['distance_km'] is not None else '?'} km apart "
                             f"({_cell(r['marsad']['location'], 30)} / {_cell(r['acled']['location'], 30)})")
            elif f == "actors":
                parts.append(f"actors {_cell(' & '.join(x for x in (r['marsad']['actor1'], r['marsad']['actor2']) if x), 60)}"
                             f" / {_cell(' & '.join(x for x in (r['acled']['actor1'], r['acled']['actor2']) if x), 60)}")
            else:
                parts.append(f"{f} {_cell(r['marsad'][f], 40)} / {_cell(r['acled'][f], 40)}")
        return f"{r['marsad_id']} = ACLED {r['acled_id']}: " + "; ".join(parts) + "  (marsad / ACLED)"
    v = r["marsad"] if r["status"] == "marsad_only" else r["acled"]
    ident = r["marsad_id"] if r["status"] == "marsad_only" else r["acled_id"]
    actors = " & ".join(x for x in (v["actor1"], v["actor2"]) if x)
    return (f"{v['event_date']}  {_cell(ident, 24)}  {_cell(v['sub_event_type'] or v['event_type'], 34)}  "
            f"{_cell(v['location'], 28)} ({_cell(v['admin1'], 16)})  {_cell(actors, 60)}  fatalities {v['fatalities']}")
