"""Numbers as Arabic news writes casualty figures.

Digits in any script, number words (ثلاثة، خمسة عشر، ثلاثة وعشرين), duals (قتيلين، عنصرين) and
the vague quantities of the CODEBOOK: "عدة/عدد من/بضعة" -> 3, "عشرات" -> 12, "مئات" -> 100.
Works on the normalised token sequence of a document and returns token ranges with values.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = {
    "واحد": 1, "واحده": 1, "احد": 1, "احدي": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
    "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6,
    "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "ثمان": 8, "تسعه": 9, "تسع": 9,
    "عشره": 10, "عشر": 10,
}
TENS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
}
HUNDREDS = {"مئه": 100, "مائه": 100, "مئتين": 200, "مئتان": 200, "مائتين": 200, "مائتان": 200}
THOUSAND = {"الف": 1000, "الاف": 1000, "الفين": 2000}
# "عشرات" (dozens) -> 12, "مئات" (hundreds) -> 100, per the CODEBOOK
VAGUE = {"عشرات": 12, "العشرات": 12, "مئات": 100, "المئات": 100}
# "several": "عدة"/"بضعة" alone, "عدد من"/"العديد من" -> 3
SEVERAL_ALONE = {"عده", "بضعه", "بضع"}
SEVERAL_WITH_MIN = {"عدد", "العديد"}
# Dual nouns common in casualty reports: "قتيلين" = two dead, "عنصرين" = two fighters.
DUALS = {
    "قتيلين", "قتيلان", "جريحين", "جريحان", "شخصين", "شخصان", "عنصرين", "عنصران", "طفلين",
    "طفلان", "شابين", "شابان", "رجلين", "امراتين", "سيدتين", "جنديين", "ضابطين", "شقيقين",
    "اخوين", "مدنيان", "امراتان", "طفلتان", "طفلتين", "سيدتان", "جنديان", "ضابطان", "مقاتلان", "قياديان",
    "مواطنان", "شقيقان", "فتاتان", "فتاتين",
}

_ARTICLE = "ال"


def _normalised_keys(table):
    from .normalize import normalize

    return {normalize(k): v for k, v in table.items()} if isinstance(table, dict) else {normalize(k) for k in table}


UNITS, TENS, HUNDREDS, THOUSAND, VAGUE, DUALS, SEVERAL_ALONE, SEVERAL_WITH_MIN = (
    _normalised_keys(t) for t in (UNITS, TENS, HUNDREDS, THOUSAND, VAGUE, DUALS, SEVERAL_ALONE, SEVERAL_WITH_MIN)
)


def splittable_words() -> set[str]:
    """Number words the tokenizer may cut a proclitic from ("لثلاثة" -> ل + ثلاثة, "بعشرات" ->
    ب + عشرات): the units of four letters or more, tens, hundreds and the vague counts. Not "احد"
    ("لأحد الفصائل": for one of the factions) nor the short forms ("لست": you are not)."""
    units = {w for w in UNITS if len(w) >= 4 and not w.startswith("احد")}
    return units | set(TENS) | set(HUNDREDS) | {w for w in VAGUE if not w.startswith("ال")}


@dataclass(frozen=True)
class NumberMention:
    start: int  # token index
    end: int  # token index (exclusive)
    value: int
    vague: bool = False


def _word_value(norm: str) -> tuple[int, str] | None:
    word = norm[2:] if norm.startswith(_ARTICLE) else norm
    if word in UNITS:
        return UNITS[word], "unit"
    if word in TENS:
        return TENS[word], "tens"
    if word in HUNDREDS:
        return HUNDREDS[word], "hundreds"
    return None


def _digits(norm: str) -> int | None:
    cleaned = norm.replace(",", "")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 7:  # not "²" or other Unicode digits
        return int(cleaned)
    return None


def find_numbers(norms: list[str]) -> list[NumberMention]:
    """Find numbers in a normalised token list (whitespace tokens are skipped over)."""
    out: list[NumberMention] = []
    i, n = 0, len(norms)
    while i < n:
        tok = norms[i]
        value = _digits(tok)
        if value is not None:
            out.append(NumberMention(i, i + 1, value))
            i += 1
            continue
        wv = _word_value(tok)
        if wv is not None:
            start = i
            total, kind = wv
            j = _next(norms, i)
            # "خمسة عشر" (15), "ثلاثة وعشرين" (23), "ثلاث مئة" (300)
            if j is not None and kind == "unit" and norms[j] in ("عشر", "عشره"):
                total += 10
                i = j
                j = _next(norms, i)
            if j is not None and norms[j] == "و":
                k = _next(norms, j)
                if k is not None and (nxt := _word_value(norms[k])) and nxt[1] == "tens":
                    total += nxt[0]
                    i = k
            out.append(NumberMention(start, i + 1, total))
            i += 1
            continue
        if tok in SEVERAL_ALONE:
            out.append(NumberMention(i, i + 1, 3, True))
            i += 1
            continue
        if tok in SEVERAL_WITH_MIN:
            j = _next(norms, i)
            if j is not None and norms[j] == "من":
                out.append(NumberMention(i, j + 1, 3, True))
                i += 1
                continue
        if tok in VAGUE:
            out.append(NumberMention(i, i + 1, VAGUE[tok], True))
        elif tok in DUALS:
            out.append(NumberMention(i, i + 1, 2))
        elif tok in THOUSAND and out and out[-1].end == i:
            last = out.pop()
            out.append(NumberMention(last.start, i + 1, last.value * 1000))
        i += 1
    return out


def _next(norms: list[str], i: int) -> int | None:
    j = i + 1
    while j < len(norms) and not norms[j].strip():
        j += 1
    return j if j < len(norms) else None


def parse_number(text: str) -> int | None:
    """Value of a standalone number expression ("١٢", "ثلاثة وعشرين", "عشرات")."""
    found = find_numbers(_tokens(text))
    return found[0].value if found else None


def _tokens(text: str) -> list[str]:
    from .normalize import normalize

    out: list[str] = []
    for w in normalize(text).split():
        # split a conjunction و glued to a number word ("وعشرين")
        if w.startswith("و") and _word_value(w[1:]):
            out.extend(["و", w[1:]])
        else:
            out.append(w)
    return out
