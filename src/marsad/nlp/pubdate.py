"""The publication date of a page that carries none in its metadata: from its URL or its text.

Scraped archives seldom keep a ``published`` field, but the page itself usually says when it was
written: a date in the URL (``/2017/06/22/``, ``20171227-``, ``22.06.2017``, a unix timestamp), a
stamp after the title ("نشر بتاريخ 5 كانون الأول 2017", "2017 / 12 / 8 الساعة 22 : 20"). A page also
shows dates that are not its publication date; they are told apart, with the words of
``kb/page_dates.csv`` and three rules:

- a date after an update stamp, a site's "today" header, a copyright line or a photo caption is
  not the publication date (``kind`` of the cue before it), and a listing or archive page has
  none of its own;
- when the text says which day "today" is ("اليوم الأربعاء"), a date on another weekday is the
  day the page was saved or updated, not written;
- of several dates in the page's opening, the earliest is taken: a page is updated and saved
  after it is written, never before.

A Hijri stamp ("1439 / 3 / 20 ه", "الأحد 4 جمادى الأولى 1439 ه") counts as its Gregorian day (Umm
al-Qura, ``hijri``); beside a Gregorian date of the same stamp (one it matches to a day or two: a
sighted month may be a day off Umm al-Qura; or any joined to it by "الموافق") it gives way to it.

A publication stamp ("نشر في ...") wins over the URL, the URL over the other dates of the opening.
The result says where the date came from (``url`` or the evidence span) and why; with no date
anywhere, ``None`` and the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cache
from urllib.parse import unquote, urlparse

from ..model import Evidence
from . import hijri
from .dates import MONTHS, MONTHS_TWO_WORD, WEEKDAYS

#: Dates are looked for in the page's opening (title, header, dateline) ...
OPENING_CHARS = 1000
#: ... and anywhere after a publication stamp; a cue applies to a date this close after it.
CUE_REACH = 40
#: A Hijri date this close to a Gregorian one is the same stamp's ("2018 / 01 / 21 م 1439 / 05 / 05 ه")
HIJRI_PAIR_CHARS = 60
EARLIEST_YEAR = 1995

# One-to-one character folding (offsets stay those of the original text).
_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": " ",
    **{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
})


def fold(text: str) -> str:
    return text.translate(_FOLD).lower()


@dataclass(frozen=True)
class PageDate:
    date: str  # YYYY-MM-DD
    source: str  # "url" or "text"
    evidence: Evidence | None  # the words of the text (source "text")
    reason: str


@cache
def _cues() -> list[tuple[str, str]]:
    from ..kb import load_json

    rows = [(fold(r["phrase"]), r["kind"]) for r in load_json("page_dates.json")]
    return sorted(rows, key=lambda r: -len(r[0]))


@cache
def _patterns() -> list[re.Pattern]:
    names = sorted(_month_names(), key=len, reverse=True)
    month = "(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")\b"
    # "ديسمبر / كانون الأول", "تموز ( يوليو )": two names of one month
    mgroup = rf"(?P<mn>{month})(?:\s*[/(\-]\s*{month}\s*\)?)?"
    year = r"(?P<y>(?:19|20)\d\d)(?!\d(?!\d?\s*:))"  # "201714 : 39": a year glued to the hour
    return [
        re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<d>\d{1,2})(?!\d)"),
        re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?P<s>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=s)\s*{year}"),
        re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?{mgroup}\s*[,،]?\s*(?:عام\s+)?{year}"),
        re.compile(rf"{mgroup}\s+(?P<d>\d{{1,2}})\s*[,،]?\s*{year}"),
    ]


@cache
def _month_names() -> dict[str, int]:
    """Arabic month names (the date parser's) and English ones, folded, with their number."""
    out = {fold(k): v for k, v in MONTHS.items()}
    out.update({fold(" ".join(k)): v for k, v in MONTHS_TWO_WORD.items()})
    for n in range(1, 13):
        out[calendar.month_name[n].lower()] = n
        out[calendar.month_abbr[n].lower()] = n
    return out


@cache
def _weekday_names() -> str:
    """The weekday names as a regex alternation (folded, longest first)."""
    return "|".join(sorted((fold(w) for w in WEEKDAYS), key=len, reverse=True))


@cache
def _weekday_pattern() -> re.Pattern:
    """A weekday, a day and a month with no year after it: "الخميس 18 مايو"."""
    names = _weekday_names()
    month = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(_month_names(), key=len, reverse=True))
    return re.compile(rf"(?P<w>{names})\s*[,،]?\s*(?P<d>\d{{1,2}})\s*(?P<mn>{month})\b(?!\s*[,،/(-]?\s*\(?\s*(?:19|20)\d\d)")


@cache
def _hijri_patterns() -> list[re.Pattern]:
    """Hijri stamps: numeric with the era marker ("1439 / 3 / 20 ه", "19 / 7 / 1438 هـ"), or a day,
    a month name and a year ("السبت - 25 ذو الحجة 1438 ه", "4 جمادى الأولى 1439"); a weekday before
    the day is kept (it settles a day's difference with Umm al-Qura)."""
    alt = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(
        (" ".join(k) for k in hijri.month_names()), key=len, reverse=True))
    era = "(?:" + "|".join(re.escape(e) for e in sorted(hijri.era_markers(), key=len, reverse=True)) + r")(?![\u0621-\u064a])"
    year = r"(?P<y>1[34]\d\d)(?!\d)"
    wday = rf"(?:(?P<w>{_weekday_names()})\s*[-,،]?\s*)?"
    return [
        re.compile(rf"(?<!\d){year}\s*(?P<s>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=s)\s*(?P<d>\d{{1,2}})(?!\d)\s*{era}"),
        re.compile(rf"{wday}(?<!\d)(?P<d>\d{{1,2}})\s*(?P<s>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=s)\s*{year}\s*{era}"),
        re.compile(rf"{wday}(?<!\d)(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<mn>{alt})\s*[,،]?\s*(?:عام\s+|سنه\s+)?{year}"
                   rf"(?:\s*{era})?"),
    ]


def _hijri_month_number(name: str) -> int | None:
    return hijri.month_names().get(tuple(name.split()))


def _month_number(name: str) -> int | None:
    return _month_names().get(re.sub(r"\s+", " ", name))


def _make(y: int, m: int, d: int, today: dt.date) -> dt.date | None:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= y and day <= today + dt.timedelta(days=1) else None


def _make_hijri(y: int, m: int, d: int, weekday: str | None, today: dt.date) -> dt.date | None:
    """The Gregorian day of a Hijri stamp; a weekday printed with it that is a day off Umm al-Qura's
    moves it that day."""
    day = hijri.to_gregorian(y, m, d)
    if day is None:
        return None
    if weekday in WEEKDAYS:
        day = _on_weekday(day, WEEKDAYS[weekday])
    return _make(day.year, day.month, day.day, today)


def _on_weekday(day: dt.date, weekday: int) -> dt.date:
    """A Hijri date's Gregorian ``day`` moved onto ``weekday`` when that is the day after or before
    (a sighted month may start a day off Umm al-Qura); unchanged otherwise."""
    return day + dt.timedelta(days={1: 1, 6: -1}.get((weekday - day.weekday()) % 7, 0))


#: A date that ends its line but for a credit in brackets ("تشييع عنصرين ... - 15 من كانون الثاني
#: 2023 (الوطن)") is a photo caption's: the day the picture was taken, often long before the page.
_CREDIT_AFTER = re.compile(r"[ \t]*\([^()\n]{1,60}\)[ \t]*(?:\n|$)")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    date: dt.date
    cue: str  # the kind of the cue before it, or ""
    timed: bool = False  # a clock time next to it: a stamp ("2017 / 12 / 8 الساعة 22 : 20")
    from_hijri: bool = False  # read from a Hijri date


def _text_dates(folded: str, today: dt.date) -> list[_Found]:
    out: dict[tuple[int, int], _Found] = {}
    for i, pat in enumerate(_patterns()):
        for m in pat.finditer(folded):
            g = m.groupdict()
            y, d = int(g["y"]), int(g["d"])
            if g.get("mn"):
                mo = _month_number(g["mn"])
            else:
                mo = int(g["m"])
                if i == 1 and mo > 12 and d <= 12:  # "05 / 14 / 2017": month first
                    mo, d = d, mo
            date = _make(y, mo, d, today) if mo else None
            if date is not None and not any(s <= m.start() < e for s, e in out):
                cue = "caption" if _CREDIT_AFTER.match(folded, m.end()) else _cue_before(folded, m.start())
                out[(m.start(), m.end())] = _Found(m.start(), m.end(), date, cue, _timed(folded, m.start(), m.end()))
    gregorian = list(out.values())
    for pat in _hijri_patterns():
        for m in pat.finditer(folded):
            mo = _hijri_month_number(re.sub(r"\s+", " ", m["mn"])) if m.groupdict().get("mn") else int(m["m"])
            date = _make_hijri(int(m["y"]), mo or 0, int(m["d"]), m.groupdict().get("w"), today)
            if date is None or any(s <= m.start() < e or m.start() <= s < m.end() for s, e in out):
                continue
            # the same stamp's Gregorian date (a day or two apart, or joined by "الموافق" however far
            # apart) is the one to keep, or to set aside with it
            if any(g.start - HIJRI_PAIR_CHARS <= m.start() <= g.end + HIJRI_PAIR_CHARS
                   and (abs((g.date - date).days) <= 2 or "الموافق" in folded[min(g.end, m.end()):max(g.start, m.start())])
                   for g in gregorian):
                continue
            out[(m.start(), m.end())] = _Found(m.start(), m.end(), date, _cue_before(folded, m.start()),
                                               _timed(folded, m.start(), m.end()), from_hijri=True)
    years = sorted({f.date.year for f in out.values()} | {int(y) for y in _YEAR.findall(folded[:OPENING_CHARS])})
    for m in _weekday_pattern().finditer(folded):
        if any(s <= m.start() < e for s, e in out):
            continue
        weekday, mo, d = WEEKDAYS.get(m.group("w")), _month_number(m.group("mn")), int(m.group("d"))
        # the year is the one, among those the page names, on which that day is that weekday
        fits = [day for y in years if (day := _make(y, mo or 0, d, today)) and day.weekday() == weekday]
        if len(fits) == 1:
            out[(m.start(), m.end())] = _Found(m.start(), m.end(), fits[0], _cue_before(folded, m.start()),
                                               _timed(folded, m.start(), m.end()))
    return sorted(out.values(), key=lambda f: f.start)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*:\s*\d\d(?!\d)")


def _timed(folded: str, start: int, end: int) -> bool:
    return bool(_CLOCK.search(folded[end:end + 20]) or _CLOCK.search(folded[max(0, start - 20):start]))


def _cue_before(folded: str, start: int) -> str:
    window = folded[max(0, start - CUE_REACH):start]
    cut = max(window.rfind("\n"), window.rfind("|"))  # a cue on another line or block is not this date's
    window = window[cut + 1:]
    best, at = "", -1
    for phrase, kind in _cues():
        pos = window.rfind(phrase)
        if pos > at:
            best, at = kind, pos
    return best


_URL_PATTERNS = [
    re.compile(r"(?<![\d])((?:19|20)\d\d)[/_-](\d{1,2})[/_-](\d{1,2})(?![\d])"),  # /2017/12/05/, 2017-12-05
    re.compile(r"(?<![\d])(\d{1,2})[._-](\d{1,2})[._-]((?:19|20)\d\d)(?![\d])"),  # 22.06.2017
    re.compile(r"(?:^|[/_-])((?:19|20)\d\d)(\d\d)(\d\d)(?=[/_.-]|$)"),  # /20171227-
]
_UNIX = re.compile(r"(?:^|[/=_-])(1\d{9})(?=[/_.&-]|$)")


def url_date(url: str | None, today: dt.date | None = None) -> dt.date | None:
    """A day the URL's path or query names (the host is left out: "news2017.com" is no date)."""
    if not url:
        return None
    today = today or dt.date.today()
    parts = urlparse(url)
    where = unquote(parts.path + ("?" + parts.query if parts.query else ""))
    for n, pat in enumerate(_URL_PATTERNS):
        for m in pat.finditer(where):
            a, b, c = (int(x) for x in m.groups())
            day = _make(c, b, a, today) if n == 1 else _make(a, b, c, today)
            if day is not None:
                return day
    for m in _UNIX.finditer(where):
        day = dt.datetime.fromtimestamp(int(m.group(1)), dt.UTC).date()
        if dt.date(2005, 1, 1) <= day <= today:
            return day
    return None


@cache
def _today_pattern() -> re.Pattern:
    return re.compile(rf"اليوم\s*[,،]?\s*(?:يوم\s+)?({_weekday_names()})")


def _today_weekday(folded: str) -> int | None:
    """The weekday the text says "today" is ("اليوم الأربعاء", "اليوم، الأربعاء")."""
    m = _today_pattern().search(folded)
    return WEEKDAYS.get(m.group(1)) if m else None


_HIJRI_NOTE = " (a Hijri date: its Umm al-Qura Gregorian day)"


def find_publication_date(text: str, url: str | None = None, today: dt.date | None = None
                          ) -> tuple[PageDate | None, str]:
    """(the page's publication date or None, why)."""
    today = today or dt.date.today()
    folded = fold(text)
    found = _text_dates(folded, today)
    if any(f.cue == "listing" for f in found if f.start < OPENING_CHARS):
        return None, "a listing or archive page: its dates are those of other pages"
    weekday = _today_weekday(folded)
    if weekday is not None:  # a Hijri date a day off the text's "today" is that day (a sighted month)
        found = [replace(f, date=_on_weekday(f.date, weekday)) if f.from_hijri else f for f in found]
    set_aside: list[str] = []

    def usable(f: _Found) -> bool:
        if f.cue in ("updated", "today", "copyright", "caption", "founded"):
            set_aside.append(f"{f.date.isoformat()} ({f.cue})")
            return False
        if weekday is not None and f.date.weekday() != weekday:
            set_aside.append(f"{f.date.isoformat()} (a {calendar.day_name[f.date.weekday()]}; the text says "
                             f"today is a {calendar.day_name[weekday]})")
            return False
        return True

    stamped = [f for f in found if f.cue == "published" and usable(f)]
    if stamped:
        f = stamped[0]
        return PageDate(f.date.isoformat(), "text", Evidence(f.start, f.end, text[f.start:f.end]),
                        "the page's publication stamp" + _HIJRI_NOTE * f.from_hijri), ""
    from_url = url_date(url, today)  # a site's own path: trusted even where the text's "today" differs
    if from_url is not None:
        return PageDate(from_url.isoformat(), "url", None, "the date in the page's URL"), ""
    opening = [f for f in found if f.start < OPENING_CHARS and f.cue != "published" and usable(f)]
    if opening:
        f = min(opening, key=lambda x: (not x.timed, x.date, x.start))
        why = "the date stamped with a time in the page's opening" if f.timed else "the date in the page's opening"
        why += _HIJRI_NOTE * f.from_hijri
        if len(opening) > 1:
            why += " (the earliest such: later ones are when it was updated or saved)"
        if set_aside:
            why += "; set aside: " + ", ".join(set_aside)
        return PageDate(f.date.isoformat(), "text", Evidence(f.start, f.end, text[f.start:f.end]), why), ""
    why = "no publication date in the page's URL or opening"
    if set_aside:
        why += "; set aside: " + ", ".join(set_aside)
    return None, why
