"""Date expressions in Arabic news, resolved against the publication date.

Handles absolute dates (1 تشرين الثاني 2022, الأول من نوفمبر, 1/11/2022, 2022-11-01), Levantine
and standard month names, relative days (اليوم، أمس، أول أمس، فجر اليوم، مساء أمس، الثلاثاء
الماضي، قبل ثلاثة أيام), the day of an ongoing operation ("لليوم الثاني على التوالي" is the
publication day), weeks (time_precision 2) and months (time_precision 3).
Works on the normalised token sequence; returns token ranges.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .numbers import find_numbers

MONTHS_TWO_WORD = {
    ("كانون", "الثاني"): 1, ("تشرين", "الاول"): 10, ("تشرين", "الثاني"): 11, ("كانون", "الاول"): 12,
}
MONTHS = {
    "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8, "ايلول": 9,
    "يناير": 1, "كانون2": 1, "فبراير": 2, "فبراي": 2, "مارس": 3, "ابريل": 4, "افريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "جوان": 6, "يوليو": 7, "يوليه": 7, "جويليه": 7, "اغسطس": 8, "اوت": 8,
    "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
# Month words that are also common words: accepted only next to a day number, a year or "شهر".
AMBIGUOUS_MONTHS = {"اب", "مارس", "تموز", "ايار"}
WEEKDAYS = {"الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4,
            "السبت": 5, "الاحد": 6}
ORDINALS = {
    "الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6, "السابع": 7,
    "الثامن": 8, "التاسع": 9, "العاشر": 10,
}
DAY_PARTS = {"فجر", "صباح", "ظهر", "عصر", "مساء", "ليله", "ليل", "منتصف", "ظهيره", "فجرا", "صباحا", "مساءا"}
EDGE_OF_MONTH = ("مطلع", "اواخر", "منتصف", "اوايل", "بدايه", "نهايه")  # normalised forms
#: "قبل 4 سنوات" / "قبل شهرين": months or years ago (month precision; an old date is background)
AGO_UNITS = {"سنوات": "year", "سنه": "year", "عاما": "year", "اعوام": "year", "عام": "year",
             "اشهر": "month", "شهور": "month", "شهرا": "month", "شهر": "month"}
#: duals only: "قبل عام 2011" / "قبل شهر رمضان" is "before", not "ago"
AGO_ONE = {"عامين": (2, "year"), "سنتين": (2, "year"), "شهرين": (2, "month")}
#: "آذار الماضي": a month named as the last one of that name, without "شهر" or a year
PAST_MONTH = ("الماضي", "المنصرم", "الفايت")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$")


@dataclass(frozen=True)
class DateMention:
    start: int  # token index
    end: int  # token index, exclusive
    date: dt.date
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month
    kind: str  # absolute | relative | ongoing | week | month | range | anniversary (this day of a past year)
    until: dt.date | None = None  # last day of a range ("منذ يوم الجمعة", "بين 3 و5 آذار")


def _skip(norms: list[str], i: int, step: int = 1) -> int | None:
    """Next non-space token index from i (exclusive) in direction ``step``."""
    j = i + step
    while 0 <= j < len(norms) and not norms[j].strip():
        j += step
    return j if 0 <= j < len(norms) else None


def _year(norms: list[str], i: int | None) -> tuple[int, int] | None:
    """(year, index) if token i is a plausible year (optionally 'عام/سنة' before it)."""
    if i is None:
        return None
    if norms[i] in ("عام", "العام", "سنه"):
        i = _skip(norms, i)
        if i is None:
            return None
    tok = norms[i]
    if tok.isascii() and tok.isdigit() and len(tok) == 4 and 1990 <= int(tok) <= 2100:
        return int(tok), i
    return None


def _infer_year(month: int, day: int, anchor: dt.date) -> dt.date | None:
    for year in (anchor.year, anchor.year - 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            return None
        if (cand - anchor).days <= 2:
            return cand
    return None


def _month_at(norms: list[str], i: int) -> tuple[int, int] | None:
    """(month, last token index) if a month name starts at token i."""
    tok = norms[i]
    j = _skip(norms, i)
    if j is not None and (tok, norms[j]) in MONTHS_TWO_WORD:
        return MONTHS_TWO_WORD[(tok, norms[j])], j
    if tok in MONTHS:
        return MONTHS[tok], i
    return None


def find_dates(norms: list[str], published: dt.date | None, numbers: list | None = None) -> list[DateMention]:
    """Find date expressions in normalised tokens; relative ones need ``published``.
    ``numbers``: ``find_numbers(norms)`` when the caller already has it."""
    out: list[DateMention] = []
    n = len(norms)
    used: set[int] = set()
    nums = {m.start: m for m in (find_numbers(norms) if numbers is None else numbers) if not m.vague}

    def add(start: int, end: int, date: dt.date | None, precision: int, kind: str) -> None:
        if date is None:
            return
        if any(k in used for k in range(start, end)):
            return
        out.append(DateMention(start, end, date, precision, kind))
        used.update(range(start, end))

    for i in range(n):
        tok = norms[i]
        if not tok.strip() or i in used:
            continue
        # numeric dates
        m = _ISO.match(tok)
        if m:
            add(i, i + 1, _safe(int(m[1]), int(m[2]), int(m[3])), 1, "absolute")
            continue
        m = _DMY.match(tok)
        if m:
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            add(i, i + 1, _safe(year, int(m[2]), int(m[1])), 1, "absolute")
            continue
        # day-number (or ordinal) + optional "من" + month (+ year)
        day = None
        if i in nums and 1 <= nums[i].value <= 31 and tok.isdigit():
            day = nums[i].value
        elif tok in ORDINALS:
            day = ORDINALS[tok]
        if day is not None:
            j = _skip(norms, i)
            if j is not None and norms[j] in ("من", "شهر"):
                j = _skip(norms, j)
            if j is not None and norms[j] in ("شهر",):
                j = _skip(norms, j)
            mm = _month_at(norms, j) if j is not None else None
            if mm:
                month, last = mm
                yr = _year(norms, _skip(norms, last))
                if yr:
                    date, last = _safe(yr[0], month, day), yr[1]
                elif published:
                    date = _infer_year(month, day, published)
                else:
                    date = None
                add(i, last + 1, date, 1, "absolute")
                continue
        # "شهر" + month (+ year) / month + year: month precision
        mm = _month_at(norms, i)
        if mm:
            month, last = mm
            prev = _skip(norms, i, -1)
            yr = _year(norms, _skip(norms, last))
            has_shahr = prev is not None and norms[prev] in ("شهر", "خلال", *EDGE_OF_MONTH)
            after = _skip(norms, last)
            past = not has_shahr and after is not None and norms[after] in PAST_MONTH
            has_shahr = has_shahr or past
            if tok in AMBIGUOUS_MONTHS and not (yr or has_shahr):
                continue
            if yr or has_shahr:
                year = yr[0] if yr else (published.year if published else None)
                if year is None:
                    continue
                if not yr and published and month > published.month:
                    year -= 1
                day = 15
                start = prev if has_shahr and not past else i
                qualifier = prev
                if prev is not None and norms[prev] == "شهر":
                    before = _skip(norms, prev, -1)
                    if before is not None and norms[before] in EDGE_OF_MONTH:
                        qualifier = start = before
                if qualifier is not None and norms[qualifier] in ("مطلع", "اوايل", "بدايه"):
                    day = 1
                elif qualifier is not None and norms[qualifier] in ("اواخر", "نهايه"):
                    day = _last_day(year, month)
                add(start, (yr[1] if yr else after if past else last) + 1, _safe(year, month, day), 3, "month")
            continue
        if published is None:
            continue
        # relative expressions
        if tok == "اليوم":
            before = _skip(norms, i, -1)
            before2 = _skip(norms, before, -1) if before is not None else None
            if before2 is not None and norms[before] == "هذا" and norms[before2] == "مثل":
                # "في مثل هذا اليوم من عام 1982": this day in an earlier year, not today
                j = _skip(norms, i)
                if j is not None and norms[j] == "من":
                    j = _skip(norms, j)
                if j is not None and norms[j] in ("عام", "العام", "سنه"):
                    j = _skip(norms, j)
                if j is not None and norms[j].isascii() and norms[j].isdigit() and len(norms[j]) == 4:
                    add(before2, j + 1, _safe(int(norms[j]), published.month, published.day), 1, "anniversary")
                continue
            # "لليوم الثاني على التوالي": the publication day of an ongoing operation
            j = _skip(norms, i)
            if j is not None and norms[j] in ORDINALS:
                k = _skip(norms, j)
                end = k + 1 if k is not None and norms[k] in ("علي", "على") else j + 1
                k2 = _skip(norms, k) if k is not None else None
                if k2 is not None and norms[k2] == "التوالي":
                    end = k2 + 1
                add(i, end, published, 1, "ongoing")
                continue
            prev = _skip(norms, i, -1)
            start = prev if prev is not None and norms[prev] in DAY_PARTS else i
            add(start, i + 1, published, 1, "relative")
            continue
        if tok in ("امس", "الامس", "البارحه"):
            prev = _skip(norms, i, -1)
            nxt = _skip(norms, i)
            days = 1
            start, end = i, i + 1
            if prev is not None and norms[prev] == "اول":  # أول أمس
                days, start = 2, prev
            elif nxt is not None and norms[nxt] == "الاول":  # أمس الأول
                days, end = 2, nxt + 1
            elif prev is not None and norms[prev] in DAY_PARTS:
                start = prev
            add(start, end, _shift(published, -days), 1, "relative")
            continue
        if tok in WEEKDAYS:
            nxt = _skip(norms, i)
            prev = _skip(norms, i, -1)
            back = (published.weekday() - WEEKDAYS[tok]) % 7
            end = i + 1
            if nxt is not None and norms[nxt] in ("الماضي", "المنصرم", "الفايت"):
                back = back or 7
                end = nxt + 1
            elif nxt is not None and norms[nxt] in ("المقبل", "القادم"):
                continue
            start = prev if prev is not None and norms[prev] in ("يوم", *DAY_PARTS) else i
            add(start, end, _shift(published, -back), 1, "relative")
            continue
        if tok in ("قبل", "منذ"):
            j = _skip(norms, i)
            if j is None:
                continue
            if norms[j] in ("يومين",):
                add(i, j + 1, _shift(published, -2), 1, "relative")
                continue
            if tok == "قبل" and norms[j] in AGO_ONE:  # "قبل عامين", "قبل شهر"
                n, unit = AGO_ONE[norms[j]]
                add(i, j + 1, _ago(published, n, unit), 3, "relative")
                continue
            if j in nums:
                k = _skip(norms, nums[j].end - 1)
                if k is not None and norms[k] in ("ايام", "يوما", "يوم"):
                    add(i, k + 1, _shift(published, -nums[j].value), 1, "relative")
                elif tok == "قبل" and k is not None and norms[k] in AGO_UNITS:  # "قبل 4 سنوات"
                    add(i, k + 1, _ago(published, nums[j].value, AGO_UNITS[norms[k]]), 3, "relative")
            continue
        if tok in ("الاسبوع",):
            nxt = _skip(norms, i)
            if nxt is not None and norms[nxt] in ("الماضي", "المنصرم"):
                add(i, nxt + 1, _shift(published, 3 - published.weekday() - 7), 2, "week")
            elif nxt is not None and norms[nxt] in ("الجاري", "الحالي"):
                mid = _shift(published, 3 - published.weekday())
                add(i, nxt + 1, min(mid, published) if mid else None, 2, "week")
    out.sort(key=lambda d: d.start)
    return _ranges(norms, out, nums, published)


MAX_RANGE_DAYS = 14


def _ranges(norms: list[str], dates: list[DateMention], nums: dict, published: dt.date | None) -> list[DateMention]:
    """Day ranges: "منذ يوم الجمعة" (that day to publication), "بين 3 و5 آذار" / "من 3 إلى 5 آذار"
    (a day number joined to a full date of the same month). Each becomes one mention with ``until``;
    ranges longer than MAX_RANGE_DAYS stay single dates."""
    out: list[DateMention] = []
    for m in dates:
        if m.precision != 1:
            out.append(m)
            continue
        prev = _skip(norms, m.start, -1)
        if prev is not None and norms[prev] == "منذ" and m.kind in ("relative", "absolute") and published:
            if 0 < (published - m.date).days <= MAX_RANGE_DAYS:
                out.append(DateMention(prev, m.end, m.date, 1, "range", published))
                continue
        joiner = prev
        if joiner is not None and norms[joiner] in ("و", "الي", "الى", "حتي", "حتى") and m.kind == "absolute":
            first = _skip(norms, joiner, -1)
            if first is not None and first in nums and norms[first].isdigit():
                opener = _skip(norms, first, -1)
                day = nums[first].value
                if opener is not None and norms[opener] in ("بين", "من") and 1 <= day < m.date.day:
                    start = _safe(m.date.year, m.date.month, day)
                    if start and (m.date - start).days <= MAX_RANGE_DAYS:
                        out.append(DateMention(opener, m.end, start, 1, "range", m.date))
                        continue
        out.append(m)
    return out


#: Years a date written in a report may have ("0001-01-01" or "31/12/9999" in a page is not an
#: event's date); a document's publication date must lie in the same span (``check_document``).
MIN_YEAR, MAX_YEAR = 1900, 2100


def _safe(year: int, month: int, day: int) -> dt.date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _ago(date: dt.date, n: int, unit: str) -> dt.date | None:
    """The middle of the month ``n`` months or years before ``date`` ("قبل 4 سنوات": 4 years ago)."""
    months = date.year * 12 + date.month - 1 - (n * 12 if unit == "year" else n)
    return _safe(months // 12, months % 12 + 1, 15)


def _shift(date: dt.date, days: int) -> dt.date | None:
    """``date`` moved by ``days``, or None past the calendar's ends (years 1 and 9999)."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]  # any year, even outside 1..9999


def parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
