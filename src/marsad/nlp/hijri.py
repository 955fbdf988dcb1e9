"""The Hijri (Islamic) calendar: month names and their Gregorian days.

Arab news pages print Hijri dates beside or instead of Gregorian ones ("1437 / 5 / 19 هـ",
"الأحد 12 ربيع الأول 1439 هـ"). The month names and the era marker ("هـ") are in
``kb/hijri_calendar.csv``; days convert by the Umm al-Qura calendar (``hijridate``), which
covers 1343-1500 AH (1924-2077). A date outside it, or no date at all ("31 رمضان"), is None.
A country that sights the moon may be a day off Umm al-Qura: where a page prints both dates,
its Gregorian one is preferred (``pubdate``).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from hijridate import Gregorian, Hijri

#: A 4-digit number read as a Hijri year (with a month name or the era marker next to it).
HIJRI_YEAR = re.compile(r"^(1[34]\d\d)(ه)?$")


@cache
def _table() -> tuple[dict[tuple[str, ...], int], frozenset[str]]:
    from ..kb import load_json

    months: dict[tuple[str, ...], int] = {}
    era: set[str] = set()
    for row in load_json("hijri_calendar.json"):
        for name in row["phrase_norm"]:
            if row["kind"] == "month":
                months[tuple(name.split())] = int(row["month"])
            elif row["kind"] == "era":
                era.add(name)
    return months, frozenset(era)


def month_names() -> dict[tuple[str, ...], int]:
    """Normalised Hijri month names, as word tuples ("ربيع", "الاول"), with their number."""
    return _table()[0]


@cache
def month_first_words() -> frozenset[str]:
    """The first word of every Hijri month name: a token that can start a Hijri date."""
    return frozenset(name[0] for name in month_names())


def era_markers() -> frozenset[str]:
    """Normalised words that mark a Hijri year: "ه" (هـ), "هجري", "للهجره" ..."""
    return _table()[1]


def to_gregorian(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian day of a Hijri date (Umm al-Qura), or None.

    A 30th where Umm al-Qura's month has 29 days is the day after its 29th (a sighted month may
    be a day longer)."""
    try:
        if day == 30 and Hijri(year, month, 1).month_length() == 29:
            g = Hijri(year, month, 29).to_gregorian()
            return dt.date(g.year, g.month, g.day) + dt.timedelta(days=1)
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError, TypeError):
        return None
    return dt.date(g.year, g.month, g.day)


def from_gregorian(date: dt.date) -> tuple[int, int, int] | None:
    """(year, month, day) of a Gregorian day in the Hijri calendar, or None out of range."""
    try:
        return Gregorian(date.year, date.month, date.day).to_hijri().datetuple()
    except (ValueError, OverflowError):
        return None


def infer_year(month: int, day: int, anchor: dt.date) -> dt.date | None:
    """A year-less Hijri day ("12 ربيع الأول"): the latest one not after ``anchor`` (2 days' grace)."""
    hijri = from_gregorian(anchor)
    if hijri is None:
        return None
    for year in (hijri[0], hijri[0] - 1):
        cand = to_gregorian(year, month, day)
        if cand is None:
            return None
        if (cand - anchor).days <= 2:
            return cand
    return None


def month_middle(year: int, month: int, edge: str = "") -> dt.date | None:
    """The Gregorian day standing for a whole Hijri month: its 15th, its 1st (``edge`` "start")
    or its last day (``edge`` "end")."""
    if edge == "end":
        try:
            day = Hijri(year, month, 1).month_length()
        except (ValueError, OverflowError, TypeError):
            return None
        return to_gregorian(year, month, day)
    return to_gregorian(year, month, 1 if edge == "start" else 15)
