"""Analysts' review of canonical events: statuses, corrections and the rules that keep them.

A reviewer confirms an event, rejects it (with a reason) or corrects coded fields. The store keeps
one ``reviews`` row per reviewed event (its status, the reviewed values and the machine's values
at review time) and one ``audit`` row per change. This module holds what does not touch the
database: which fields can be corrected and how a correction is checked and applied to an event
row, and how a later machine coding is compared with the one the reviewer saw.

- A correction is checked before anything is written: an ACLED sub-event type (its event type
  follows), a date ``YYYY-MM-DD``, a toll of 0 or more, a place by its gazetteer id (its name,
  admin1-3 and point follow), actor names (their inter code follows when marsad knows the actor).
- Reviewed values win: every time the canonical event is rewritten (a new report merged in, a
  full dedup), the reviewed values are applied again.
- A conflict is flagged, never resolved silently: when the machine's value of a reviewed field
  (or, for a confirmed event, of any field the reviewer saw) differs from the one the reviewer
  saw, the review records the conflict and the audit log says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Review statuses; "machine" is an event nobody has reviewed.
STATUSES = ("machine", "confirmed", "corrected", "rejected")
#: Statuses a reviewer can set (a correction sets "corrected").
REVIEW_ACTIONS = ("confirmed", "rejected", "corrected")
#: Pseudo-status of filters: confirmed or corrected.
REVIEWED = "reviewed"
#: Fields a reviewer can correct. ``gazetteer_id`` sets the place (location, admin1-3, point).
EDITABLE = ("event_type", "sub_event_type", "event_date", "fatalities", "actor1", "actor2", "assoc_actor_1",
            "assoc_actor_2", "gazetteer_id", "notes")
#: Every field a reviewer sees and implicitly accepts on confirming (the machine's snapshot).
SNAPSHOT = ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2",
            "location", "admin1", "admin2", "admin3", "latitude", "longitude", "fatalities")
PLACE_FIELDS = ("location", "admin1", "admin2", "admin3", "latitude", "longitude", "geo_precision", "gazetteer_id")


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown event, field or value); nothing was written."""


class UnknownEvent(ReviewError):
    """The event to review is not stored."""


def parse_statuses(value: str | list[str] | None) -> list[str] | None:
    """Statuses of a filter ("confirmed,corrected", "reviewed"), checked; None for no filter."""
    if not value:
        return None
    items = value.split(",") if isinstance(value, str) else [s for v in value for s in v.split(",")]
    out: list[str] = []
    for s in (x.strip().lower() for x in items):
        if not s:
            continue
        if s == REVIEWED:
            out.extend(["confirmed", "corrected"])
        elif s in STATUSES:
            out.append(s)
        else:
            raise ReviewError(f"unknown review status {s!r}: use {', '.join((*STATUSES, REVIEWED))}")
    return list(dict.fromkeys(out)) or None


def check_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The corrections, checked and completed with the fields that follow from them
    (``sub_event_type`` -> ``event_type`` and ``disorder_type``; ``gazetteer_id`` -> the place;
    ``event_date`` -> ``year``; an actor -> its inter code). Raises ReviewError."""
    from ..kb import get_kb

    kb = get_kb()
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ReviewError(f"field(s) {', '.join(unknown)} cannot be corrected; editable: {', '.join(EDITABLE)}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("event_type", "sub_event_type"):
            continue  # below: the pair is checked together
        if name == "event_date":
            try:
                day = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ReviewError(f"event_date must be a date YYYY-MM-DD, not {value!r}") from None
            out["event_date"], out["year"] = day.isoformat(), day.year
        elif name == "fatalities":
            if isinstance(value, bool) or not str(value).strip().isdigit():
                raise ReviewError(f"fatalities must be a whole number 0 or more, not {value!r}")
            out["fatalities"] = int(str(value).strip())
        elif name == "gazetteer_id":
            from ..geo.geocoder import gazetteer_index

            place = gazetteer_index().get(str(value))
            if place is None:
                raise ReviewError(f"no place {value!r} in the gazetteer (give its id, e.g. C1001 for Damascus)")
            out.update(location=place["location"], admin1=place["admin1"], admin2=place["admin2"],
                       admin3=place["admin3"], latitude=round(place["lat"], 4), longitude=round(place["lon"], 4),
                       geo_precision=1, gazetteer_id=place["id"])
        elif name in ("actor1", "actor2"):
            actor = str(value or "").strip()
            if name == "actor1" and not actor:
                raise ReviewError("actor1 cannot be empty")
            out[name] = actor
            known = next((a for a in kb.actors.values() if a.name_en == actor), None)
            if known is not None:
                out["inter1" if name == "actor1" else "inter2"] = known.inter
            elif not actor:
                out["inter2"] = ""
        else:
            out[name] = str(value or "").strip()
    if "sub_event_type" in changes or "event_type" in changes:
        sub = str(changes.get("sub_event_type") or "")
        category = kb.categories.get(sub)
        if category is None:
            raise ReviewError(f"unknown sub_event_type {sub!r}: give one of ACLED's 25 sub-event types")
        if changes.get("event_type") and changes["event_type"] != category["event_type"]:
            raise ReviewError(f"{sub!r} is a sub-event type of {category['event_type']!r}, not {changes['event_type']!r}")
        from ..extract.coding import disorder_type

        out.update(event_type=category["event_type"], sub_event_type=sub, disorder_type=disorder_type(kb, sub))
    return out


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The machine's values a reviewer saw."""
    return {f: row.get(f) for f in SNAPSHOT}


def conflicts(seen: dict[str, Any], now: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose machine value now differs from the one the reviewer saw: {field: {"seen", "now"}}."""
    out = {}
    for f, was in seen.items():
        value = now.get(f)
        if isinstance(was, float) or isinstance(value, float):
            same = was is not None and value is not None and abs(float(was) - float(value)) < 1e-6
            same = same or (was is None and value is None)
        else:
            same = (was or None) == (value or None)
        if not same:
            out[f] = {"seen": was, "now": value}
    return out


def apply(row: dict[str, Any], status: str, values: dict[str, Any]) -> dict[str, Any]:
    """``row`` (a canonical event row) with the reviewed values and status."""
    row.update(values)
    row["review_status"] = status
    if "inter1" in values or "inter2" in values:
        from ..extract.coding import interaction

        row["interaction"] = interaction(row.get("inter1") or "", row.get("inter2") or "")
    return row
