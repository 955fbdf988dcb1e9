"""Date expressions in Arabic news, resolved against the publication date.

Handles absolute dates (1 تشرين الثاني 2022, الأول من نوفمبر, 1/11/2022, 2022-11-01), Levantine
and standard month names, relative days (اليوم، أمس، أول أمس، فجر اليوم، مساء أمس، الثلاثاء
الماضي، قبل ثلاثة أيام), the day of an ongoing operation ("لليوم الثاني على التوالي" is the
publication day), weeks (time_precision 2) and months (time_precision 3).
Hijri dates (19 جمادى الأولى 1437 هـ, 1437/5/19 هـ, 19 / 7 / 1438 ه, رمضان 1438) are the Gregorian
day (or month) they fall on; their month names are in kb/hijri_calendar.csv (see ``hijri``).
Works on the normalised token sequence; returns token ranges.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass

from . import hijri
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
#: Words that may stand before a year: "عام 2011", "سنة 1438"
YEAR_WORDS = ("عام", "العام", "سنه")
#: "آذار الماضي": a month named as the last one of that name, without "شهر" or a year
PAST_MONTH = ("الماضي", "المنصرم", "الفايت")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$")
#: numeric Hijri dates in one token, the era marker "ه" maybe glued: 1437/5/19, 19/5/1437ه
_HIJRI_YMD = re.compile(r"^(1[34]\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(ه)?$")
_HIJRI_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](1[34]\d\d)(ه)?$")
_NUM_PART = re.compile(r"^(\d{1,4})(ه)?$")


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
    if norms[i] in YEAR_WORDS:
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


#: How many years back from the latest year a page names a weekday may fix the year of a day
#: and month ("الخميس 13 أكتوبر"): a day and month fall on the same weekday again within 6 years
#: (11 around a 29 February).
WEEKDAY_YEARS = 7


def _weekday_before(norms: list[str], i: int) -> int | None:
    """The weekday named right before token ``i`` ("الخميس 13", "الأحد، 21"), or None."""
    prev = _skip(norms, i, -1)
    if prev is not None and norms[prev] in (",", "،"):
        prev = _skip(norms, prev, -1)
    return WEEKDAYS.get(norms[prev]) if prev is not None else None


def _year_of_weekday(month: int, day: int, weekday: int, latest: int) -> dt.date | None:
    """The latest day and month on ``weekday`` in a year not after ``latest``, looking back
    WEEKDAY_YEARS years ("الخميس 13 أكتوبر" in a page of 2022 or later, naming no other year: 2022)."""
    for year in range(latest, latest - WEEKDAY_YEARS, -1):
        date = _safe(year, month, day)
        if date is not None and date.weekday() == weekday:
            return date
    return None


def _latest_year(norms: list[str]) -> int:
    """The latest year a text names (not after this year), else this year: what a year-less
    date with a weekday may be no later than."""
    this_year = dt.date.today().year
    years = [int(t) for t in norms if t.isascii() and t.isdigit() and len(t) == 4 and 1990 <= int(t) <= this_year]
    return max(years, default=this_year)


def _month_at(norms: list[str], i: int) -> tuple[int, int] | None:
    """(month, last token index) if a month name starts at token i; a month named twice, in the
    Levantine and the international name ("كانون الثاني / يناير", "أيار (مايو)"), is one."""
    found = _one_month_at(norms, i)
    if found is None:
        return None
    month, last = found
    j = _skip(norms, last)
    if j is not None and norms[j] in ("/", "(", "-"):
        k = _skip(norms, j)
        again = _one_month_at(norms, k) if k is not None else None
        if again is not None and again[0] == month:
            last = again[1]
            close = _skip(norms, last)
            if norms[j] == "(" and close is not None and norms[close] == ")":
                last = close
    return month, last


def _one_month_at(norms: list[str], i: int) -> tuple[int, int] | None:
    tok = norms[i]
    j = _skip(norms, i)
    if j is not None and (tok, norms[j]) in MONTHS_TWO_WORD:
        return MONTHS_TWO_WORD[(tok, norms[j])], j
    if tok in MONTHS:
        return MONTHS[tok], i
    return None


def _era_after(norms: list[str], i: int) -> int | None:
    """The index of a Hijri era marker ("هـ", "هجري") right after token i."""
    j = _skip(norms, i)
    return j if j is not None and norms[j] in hijri.era_markers() else None


def _hijri_year(norms: list[str], i: int | None) -> tuple[int, int] | None:
    """(Hijri year, last index) if token i is a year 13xx/14xx ('عام/سنة' before it allowed), with
    the era marker after it, if any, taken in."""
    if i is not None and norms[i] in YEAR_WORDS:
        i = _skip(norms, i)
    if i is None or not (m := hijri.HIJRI_YEAR.match(norms[i])):
        return None
    era = None if m[2] else _era_after(norms, i)
    return int(m[1]), i if era is None else era


def _hijri_month_at(norms: list[str], i: int | None) -> tuple[int, int] | None:
    """(Hijri month, last token index) if a Hijri month name starts at token i."""
    if i is None:
        return None
    names = hijri.month_names()
    j = _skip(norms, i)
    if j is not None and (norms[i], norms[j]) in names:
        return names[(norms[i], norms[j])], j
    if (norms[i],) in names:
        return names[(norms[i],)], i
    return None


def _hijri_at(norms: list[str], i: int, published: dt.date | None
              ) -> tuple[dt.date | None, int, int, int, int] | None:
    """(Gregorian date or None, first index, last index, precision, Hijri day) of a Hijri date at
    token i. Month names that are also names or words ("رمضان", "رجب", "صفر") count only with a day
    before them or a Hijri year after them; numeric dates only with the era marker."""
    tok = norms[i]
    for pat in (_HIJRI_YMD, _HIJRI_DMY):  # one token: "1437/5/19" + "ه"
        if m := pat.match(tok):
            era = i if m[4] else _era_after(norms, i)
            if era is None:
                return None
            y, mo, d = (m[1], m[2], m[3]) if pat is _HIJRI_YMD else (m[3], m[2], m[1])
            return hijri.to_gregorian(int(y), int(mo), int(d)), i, era, 1, int(d)
    if tok.isascii() and tok.isdigit() and len(tok) in (1, 2, 4):  # spaced: "1437 / 5 / 19 ه"
        parts, k, sep = [tok], i, None
        while len(parts) < 3:
            s = _skip(norms, k)
            if s is None or norms[s] not in ("/", "-", ".") or norms[s] != (sep or norms[s]):
                break
            sep, k = norms[s], _skip(norms, s)
            if k is None or not _NUM_PART.match(norms[k]) or (len(parts) < 2 and norms[k].endswith("ه")):
                break
            parts.append(norms[k])
        if len(parts) == 3:
            last = _NUM_PART.match(parts[2])
            era = k if last[2] else _era_after(norms, k)
            a, mo, c = int(parts[0]), int(parts[1]), int(last[1])
            if era is not None and hijri.HIJRI_YEAR.match(parts[0]) and len(last[1]) <= 2:
                return hijri.to_gregorian(a, mo, c), i, era, 1, c
            if era is not None and len(tok) <= 2 and hijri.HIJRI_YEAR.match(last[1]):
                return hijri.to_gregorian(c, mo, a), i, era, 1, a
    # a day (number, or ordinal + "من") + month name (+ Hijri year): "19 جمادى الأولى 1437 هـ"
    day = int(tok) if tok.isascii() and tok.isdigit() and len(tok) <= 2 else ORDINALS.get(tok)
    if day:
        j = _skip(norms, i)
        if j is not None and norms[j] in ("من", "شهر"):
            j = _skip(norms, j)
        if j is not None and norms[j] == "شهر":
            j = _skip(norms, j)
        mm = _hijri_month_at(norms, j)
        if mm is None:
            return None
        month, last = mm
        yr = _hijri_year(norms, _skip(norms, last))
        if yr:
            return hijri.to_gregorian(yr[0], month, day), i, yr[1], 1, day
        if tok in ORDINALS:  # "العاشر من رمضان" is also a town and a war: an ordinal needs the year
            return None
        after = _skip(norms, last)
        if after is not None and norms[after] in ("في", "من"):
            after = _skip(norms, after)
        if after is not None and norms[after] in (*YEAR_WORDS, "السنه"):
            return None  # "17 رمضان في السنة الثانية من الهجرة": a year in words, long ago
        # no year: the last such day up to the publication date
        return (hijri.infer_year(month, day, published) if published else None), i, last, 1, day
    # month name + Hijri year: month precision ("رمضان 1438", "مطلع شهر محرم 1439 هـ")
    mm = _hijri_month_at(norms, i)
    if mm is None:
        return None
    month, last = mm
    yr = _hijri_year(norms, _skip(norms, last))
    if yr is None:
        return None
    start, edge = i, ""
    prev = _skip(norms, i, -1)
    if prev is not None and norms[prev] in ("شهر", "خلال", *EDGE_OF_MONTH):
        start = prev
        if norms[prev] == "شهر" and (before := _skip(norms, prev, -1)) is not None and norms[before] in EDGE_OF_MONTH:
            start = before
        if norms[start] in ("مطلع", "اوايل", "بدايه"):
            edge = "start"
        elif norms[start] in ("اواخر", "نهايه"):
            edge = "end"
    return hijri.month_middle(yr[0], month, edge), start, yr[1], 3, 0


def find_dates(norms: list[str], published: dt.date | None, numbers: list | None = None) -> list[DateMention]:
    """Find date expressions in normalised tokens; relative ones need ``published``.
    ``numbers``: ``find_numbers(norms)`` when the caller already has it."""
    out: list[DateMention] = []
    n = len(norms)
    used: set[int] = set()
    nums = {m.start: m for m in (find_numbers(norms) if numbers is None else numbers) if not m.vague}
    hijri_days: dict[int, int] = {}  # start of a Hijri day mention -> its day of the Hijri month
    latest_year: int | None = None  # the latest year the text names, read once when needed

    def add(start: int, end: int, date: dt.date | None, precision: int, kind: str) -> None:
        if date is None:
            return
        if any(k in used for k in range(start, end)):
            return
        out.append(DateMention(start, end, date, precision, kind))
        used.update(range(start, end))

    hijri_starts = hijri.month_first_words()
    for i in range(n):
        tok = norms[i]
        if not tok.strip() or i in used:
            continue
        # Hijri dates, before the Gregorian readings of their numbers (one starts with a number,
        # an ordinal or a month name)
        hd = (_hijri_at(norms, i, published)
              if tok[:1].isdigit() or tok in ORDINALS or tok in hijri_starts else None)
        if hd is not None:
            date, start, last, precision, hday = hd
            if date is None:  # not a day we can place (no year and no publication date, out of range)
                used.update(range(start, last + 1))
            elif not any(k in used for k in range(start, last + 1)):
                add(start, last + 1, date, precision, "absolute" if precision == 1 else "month")
                if precision == 1:
                    hijri_days[start] = hday
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
                weekday = _weekday_before(norms, i)
                if yr:
                    date, last = _safe(yr[0], month, day), yr[1]
                elif published:
                    date = _infer_year(month, day, published)
                elif weekday is not None:
                    # no publication date: the weekday fixes the year ("اليوم الثلاثاء 14 مايو")
                    latest_year = latest_year or _latest_year(norms)
                    date = _year_of_weekday(month, day, weekday, latest_year)
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
                if j is not None and norms[j] in YEAR_WORDS:
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
            day = _skip(norms, nxt) if nxt is not None and norms[nxt] in (",", "،") else nxt
            if (day is not None and norms[day].isdigit() and len(norms[day]) <= 2
                    and (month := _skip(norms, day)) is not None
                    and (_month_at(norms, month) or norms[month] in ("من",) or norms[month] in hijri_starts)):
                # "الأحد 21 كانون الثاني", "الأحد 04 جمادى الأولى 1439": the weekday of the date
                # that follows, not a day back
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
    if hijri_days:
        out = _without_hijri_twins(norms, out, hijri_days)
    return _ranges(norms, out, nums, published, hijri_days)


#: A Hijri date this many words from a Gregorian one is the same stamp's: "2016 / 2 / 26 الساعة
#: 06 : 43 ( مكة المكرمة ) 1437 / 5 / 19 ه"
HIJRI_TWIN_WORDS = 15
_SPACED_DATE = (re.compile(r"(?<![\d/.-])((?:19|20)\d\d) ([-/.]) (\d{1,2}) \2 (\d{1,2})(?![\d/.-])"),
                re.compile(r"(?<![\d/.-])(\d{1,2}) ([-/.]) (\d{1,2}) \2 ((?:19|20)\d\d)(?![\d/.-])"))


def _without_hijri_twins(norms: list[str], dates: list[DateMention], hijri_days: dict[int, int]) -> list[DateMention]:
    """Drop a Hijri day printed beside a Gregorian date it matches to two days (a page's
    "2018/01/21 م 1439/05/05 ه") or is joined to by "الموافق": the Gregorian one is the stamp's day
    (a sighted month may be a day or two off Umm al-Qura), and a page's stamp is not an event date twice."""
    gregorian = [m for m in dates if m.precision == 1 and m.kind == "absolute" and m.start not in hijri_days]
    words = [k for k in range(len(norms)) if norms[k].strip()]
    out = []
    for m in dates:
        if m.start in hijri_days:
            at = bisect_left(words, m.start)
            lo, hi = words[max(0, at - HIJRI_TWIN_WORDS)], words[min(len(words) - 1, at + HIJRI_TWIN_WORDS)]
            near = [g.date for g in gregorian if lo <= g.start <= hi]
            window = " ".join(norms[k] for k in range(lo, hi + 1) if norms[k].strip() and not m.start <= k < m.end)
            for pat in _SPACED_DATE:  # "2016 / 2 / 26": read here only, as words apart
                for g in pat.finditer(window):
                    y, mo, d = (int(g[1]), int(g[3]), int(g[4])) if pat is _SPACED_DATE[0] else (int(g[4]), int(g[3]), int(g[1]))
                    near.append(_safe(y, mo, d) if mo <= 12 else _safe(y, d, mo))  # "01 / 21 / 2018": month first
            # "الأحد 21 يناير 2018 الموافق 13 جمادى الأول 1439": one stamp, even where its two days disagree
            end = bisect_left(words, m.end)
            joined = "الموافق" in {norms[k] for k in words[max(0, at - 3):at] + words[end:end + 3]}
            if any(day is not None and (joined or abs((day - m.date).days) <= 2) for day in near):
                continue
        out.append(m)
    return out


MAX_RANGE_DAYS = 14


def _ranges(norms: list[str], dates: list[DateMention], nums: dict, published: dt.date | None,
            month_days: dict[int, int] | None = None) -> list[DateMention]:
    """Day ranges: "منذ يوم الجمعة" (that day to publication), "بين 3 و5 آذار" / "من 3 إلى 5 آذار"
    (a day number joined to a full date of the same month). Each becomes one mention with ``until``;
    ranges longer than MAX_RANGE_DAYS stay single dates. ``month_days``: the day of the month as
    written, where it is not the Gregorian one (a Hijri date's, by the mention's start)."""
    month_days = month_days or {}
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
                day, last_day = nums[first].value, month_days.get(m.start, m.date.day)
                if opener is not None and norms[opener] in ("بين", "من") and 1 <= day < last_day:
                    start = _shift(m.date, day - last_day)
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
