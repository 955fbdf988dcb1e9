"""Serialisation of events: JSON lines, JSON, CSV (ACLED columns first) and a readable table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import TextIO

from .model import ACLED_COLUMNS, EXTRA_COLUMNS, Event
from .nlp.normalize import scrub_surrogates

CSV_COLUMNS = ACLED_COLUMNS + EXTRA_COLUMNS


# Characters JSON leaves unescaped that line-oriented readers (Python's str.splitlines, older
# JavaScript) take for line ends: escaped, so one event stays one line whatever the source text.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_text(obj: object, **kwargs: object) -> str:
    """``json.dumps`` with Arabic kept readable (not \\u-escaped), no bare line separators and no
    lone surrogates (U+FFFD instead: an Event built by hand may carry them; UTF-8 cannot)."""
    return scrub_surrogates(json.dumps(obj, ensure_ascii=False, **kwargs).translate(_LINE_BREAKS))


def write_jsonl(events: Iterable[Event], out: TextIO) -> None:
    for e in events:
        out.write(json_text(e.to_dict()) + "\n")


def write_json(events: Iterable[Event], out: TextIO) -> None:
    out.write(json_text([e.to_dict() for e in events], indent=2))
    out.write("\n")


#: A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text that starts like a formula gets a leading ``'``
    (OWASP's advice; the quote shows in the cell and tells a reader the text was altered).
    Numbers are left alone."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """CSV with the 31 ACLED columns in ACLED order, then marsad's own columns. Text cells that a
    spreadsheet would read as a formula are neutralised (``safe_cell``)."""

    def __init__(self, out: TextIO, header: bool = True) -> None:
        self.writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
        if header:
            self.writer.writeheader()

    def write(self, events: Iterable[Event]) -> None:
        for e in events:
            row = e.to_dict()
            self.writer.writerow({k: safe_cell(row.get(k)) for k in CSV_COLUMNS})


def write_csv(events: Iterable[Event], out: TextIO) -> None:
    CsvWriter(out).write(events)


TABLE_FIELDS = (
    ("event_date", "date"), ("sub_event_type", "sub-event type"), ("actor1", "actor 1"),
    ("actor2", "actor 2"), ("location", "location"), ("geo_precision", "gp"), ("fatalities", "fat."),
    ("confidence", "conf."),
)


def write_table(events: Iterable[Event], out: TextIO) -> None:
    """A readable fixed-width table, one event per block with its note."""
    events = list(events)
    if not events:
        out.write("(no events)\n")
        return
    widths = {"event_date": 10, "sub_event_type": 32, "actor1": 40, "actor2": 32, "location": 26,
              "geo_precision": 2, "fatalities": 4, "confidence": 5}
    head = "  ".join(label.ljust(widths[k]) for k, label in TABLE_FIELDS)
    out.write(head + "\n" + "-" * len(head) + "\n")
    for e in events:
        row = e.to_dict()
        cells = []
        for k, _ in TABLE_FIELDS:
            value = "" if row.get(k) is None else str(row.get(k))
            if k == "confidence" and row.get(k) is not None:
                value = f"{row[k]:.2f}"
            w = widths[k]
            cells.append((value[: w - 1] + "…") if len(value) > w else value.ljust(w))
        out.write("  ".join(cells) + "\n")
        if e.assoc_actor_1:
            out.write(f"    with: {e.assoc_actor_1}\n")
        out.write(f"    {e.notes}\n")
        if e.reasons.get("dropped"):
            out.write(f"    NOT EMITTED: {e.reasons['dropped']}\n")
    emitted = sum(1 for e in events if not e.reasons.get("dropped"))
    dropped = len(events) - emitted
    out.write(f"{emitted} event(s)" + (f", {dropped} candidate(s) not emitted\n" if dropped else "\n"))


def write_records(rows: list[dict], fmt: str, out: TextIO) -> None:
    """Plain records (deletions, review history) as CSV (their own columns), JSON lines, JSON, or
    a tab-separated table."""
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns)
        if columns:
            writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in r.items()} for r in rows)
    elif fmt == "jsonl":
        out.writelines(json_text(r) + "\n" for r in rows)
    elif fmt == "json":
        out.write(json_text(rows, indent=2) + "\n")
    else:
        out.writelines("\t".join("" if v is None else str(v) for v in r.values()) + "\n" for r in rows)


WRITERS = {"jsonl": write_jsonl, "json": write_json, "csv": write_csv, "table": write_table}


def dumps(events: Iterable[Event], fmt: str) -> str:
    buf = io.StringIO()
    WRITERS[fmt](events, buf)
    return buf.getvalue()
