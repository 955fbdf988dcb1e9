"""Re-coding a stored archive with the current coder, keeping the dataset stable (``marsad reextract``).

Each stored document is extracted again. A new event that is still the same event as one the
document had (matched by the rules of ``marsad evaluate``: same event type first, dates within 2
days, points within 50 km or the same governorate) keeps that event's id; the others get new ids
that were never used for the document. The events are then deduplicated again from scratch
(``Store.dedup``): a canonical event keeps its id as long as any of its reports survives (the
earliest-ingested one that carried the id decides, whichever report the id was first taken from),
and analysts' reviews are applied again (flagging a conflict where the machine now says something
else). A canonical event that no longer exists is recorded as a deletion (its id, its date, its
review status, when and why), as ACLED publishes deletions: either none of its reports is left, or
they are now deduplicated into another event (then its review moves there, unless that event has
one of its own). A review is never dropped: one whose event is gone stays in the ``reviews`` table
under the old id, and the summary names it.

The summary counts canonical events added, deleted, kept, and modified per field, and names the
deleted events merged into others, the reviews moved, and the reviewed events deleted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from .evaluate import match_events
from .model import ACLED_COLUMNS, Document, Event
from .store import Store, canonical_events, documents, events

#: Columns whose change is a modification of an event (not the bookkeeping of its sources).
COMPARED = tuple(c for c in ACLED_COLUMNS if c not in ("event_id_cnty", "timestamp", "source", "source_scale"))


@dataclass
class Summary:
    documents: int = 0
    failed: list[str] = field(default_factory=list)  # "doc_id: why" of documents left as they were
    reports_kept: int = 0  # per-report events that kept their id
    reports_new: int = 0
    reports_removed: int = 0
    added: int = 0  # canonical events
    deleted: int = 0
    kept: int = 0
    modified: Counter = field(default_factory=Counter)  # field -> canonical events whose value changed
    merged: dict[str, str] = field(default_factory=dict)  # deleted id -> the event its reports are now in
    reviews_moved: dict[str, str] = field(default_factory=dict)  # deleted id -> the event its review moved to
    deleted_reviewed: list[str] = field(default_factory=list)  # deleted reviewed events whose review stays behind


def _as_reference(row: dict[str, Any]) -> dict[str, Any]:
    """A stored event in the shape ``evaluate.match_events`` takes its references in."""
    return {"event_date": row.get("event_date") or None, "latitude": row.get("latitude"),
            "longitude": row.get("longitude"), "admin1_en": row.get("admin1"), "event_type": row.get("event_type"),
            "sub_event_type": row.get("sub_event_type")}


def _number(event_id: str) -> int:
    m = re.search(r"-(\d+)$", event_id or "")
    return int(m.group(1)) if m else 0


def keep_ids(doc_id: str, old: list[dict[str, Any]], new: list[Event], used: set[str]) -> tuple[int, int]:
    """Give each new event the id of the old event it is still (``match_events``), the others
    fresh ids never used for this document (``used``: every id it ever had). Returns (kept, new)."""
    pairs = match_events([_as_reference(r) for r in old], new)
    matched = {j: old[i]["event_id_cnty"] for i, j in pairs}
    top = max([_number(i) for i in used] + [0])
    fresh = 0
    for j, e in enumerate(new):
        if j in matched:
            e.event_id_cnty = matched[j]
        else:
            top += 1
            fresh += 1
            e.event_id_cnty = f"SYR-{doc_id[:10]}-{top}"
    return len(matched), fresh


def _stored_document(row: dict[str, Any]) -> Document:
    # a date the caller or the page's metadata gave is kept; one found in the URL or text is found again
    given = row.get("published") if row.get("published_source") in ("given", "metadata", None) else None
    doc = Document(text=row["text"], url=row.get("url"), title=row.get("title"), source=row.get("source"),
                   published=given, id=row.get("id"), language=row.get("language"),
                   published_source=row.get("published_source") if given else None)
    doc.__dict__["doc_id"] = row["doc_id"]  # the stored id, whatever the hashing of this version
    return doc


def reextract(store: Store, extract_fn: Callable[[Document], list[Event]],
              progress: Callable[[Iterator, int], Iterator] | None = None) -> Summary:
    """Re-code every stored document with ``extract_fn`` and deduplicate again (see the module)."""
    summary = Summary()
    with store.engine.connect() as conn:
        before = {r.event_id_cnty: dict(r._mapping) for r in conn.execute(select(canonical_events))}
        doc_ids = list(conn.execute(select(documents.c.doc_id).order_by(documents.c.ingested_at, documents.c.doc_id))
                       .scalars())
    ever = set(before) | {d["event_id_cnty"] for d in store.list_deletions()}
    items: Iterator = iter(doc_ids)
    if progress is not None:
        items = progress(items, len(doc_ids))
    for doc_id in items:
        summary.documents += 1
        with store.engine.connect() as conn:
            row = dict(conn.execute(select(documents).where(documents.c.doc_id == doc_id)).one()._mapping)
            old = [dict(r._mapping) for r in conn.execute(select(events).where(events.c.doc_id == doc_id)
                                                          .order_by(events.c.event_id_cnty))]
        try:
            new = extract_fn(_stored_document(row))
        except Exception as exc:  # one document that fails is left as it was, and said
            summary.failed.append(f"{doc_id}: {exc}")
            continue
        prefix = f"SYR-{doc_id[:10]}-"
        used = {r["event_id_cnty"] for r in old} | {i for i in ever if i.startswith(prefix)}
        kept, fresh = keep_ids(doc_id, old, new, used)
        summary.reports_kept += kept
        summary.reports_new += fresh
        summary.reports_removed += len(old) - kept
        store.replace_events(doc_id, [r["event_id_cnty"] for r in old], new)
    result = store.dedup()
    with store.engine.connect() as conn:
        after = {r.event_id_cnty: dict(r._mapping) for r in conn.execute(select(canonical_events))}
    gone = [cid for cid in before if cid not in after]
    merged_into, moved = result["merged_into"], result["reviews_moved"]
    for cid in gone:
        if cid in merged_into:
            summary.merged[cid] = merged_into[cid]
        if cid in moved:
            summary.reviews_moved[cid] = moved[cid]
        elif (before[cid].get("review_status") or "machine") != "machine":
            summary.deleted_reviewed.append(cid)
    store.record_deletions([{"event_id_cnty": cid, "event_date": before[cid].get("event_date") or None,
                             "review_status": before[cid].get("review_status"),
                             "reason": _why_gone(before[cid], merged_into.get(cid), cid in moved)}
                            for cid in gone])
    summary.deleted = len(gone)
    summary.added = sum(1 for cid in after if cid not in before)
    for cid, new_row in after.items():
        if cid in before:
            summary.kept += 1
            for c in COMPARED:
                if (before[cid].get(c) or None) != (new_row.get(c) or None):
                    summary.modified[c] += 1
    return summary


def _why_gone(row: dict[str, Any], into: str | None = None, moved: bool = False) -> str:
    status = row.get("review_status") or "machine"
    reviewed = f" (it had been {status} by an analyst)" if status != "machine" else ""
    if into is None:
        kept = "; the review is kept under this id" if reviewed else ""
        return f"re-extraction: the current coder no longer codes this event from its reports{reviewed}{kept}"
    why = f"re-extraction: its reports are now deduplicated into {into}, the same event (a duplicate){reviewed}"
    if moved:
        return f"{why}; the review moved to {into}"
    return f"{why}; the review is kept under this id ({into} has a review of its own)" if reviewed else why


def summary_text(s: Summary) -> str:
    mods = ", ".join(f"{f} {n}" for f, n in s.modified.most_common()) or "none"
    lines = [f"re-extracted {s.documents} document(s): canonical events {s.added} added, {s.deleted} deleted, "
             f"{s.kept} kept; per-report events {s.reports_kept} kept their id, {s.reports_new} new, "
             f"{s.reports_removed} removed",
             f"modified (canonical events per field): {mods}"]
    if s.merged:
        lines.append(f"{len(s.merged)} deleted event(s) now part of another (duplicates): "
                     + _pairs(s.merged))
    if s.reviews_moved:
        lines.append(f"{len(s.reviews_moved)} review(s) moved with their reports: " + _pairs(s.reviews_moved))
    if s.deleted_reviewed:
        lines.append(f"{len(s.deleted_reviewed)} reviewed event(s) deleted, their reviews kept under the old ids "
                     "(marsad export --deletions): " + _listed(s.deleted_reviewed))
    if s.failed:
        lines.append(f"{len(s.failed)} document(s) left as they were: " + "; ".join(s.failed[:5]))
    return "\n".join(lines)


def _pairs(ids: dict[str, str]) -> str:
    return _listed([f"{a} -> {b}" for a, b in ids.items()])


def _listed(items: list[str], most: int = 10) -> str:
    """The first ``most`` items, comma-separated, and "..." when there are more."""
    return ", ".join(items[:most]) + (" ..." if len(items) > most else "")
