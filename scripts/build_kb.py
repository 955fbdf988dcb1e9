#!/usr/bin/env python3
"""Build marsad's packaged knowledge base from ../shared/data and the curated files in kb/.

Outputs (in src/marsad/data/, shipped with the package; never edit them by hand):
  gazetteer.json.gz  every place of syria_places.csv plus kb/places_manual.csv, with ACLED admin
                     spellings, the ACLED ``location`` label and normalised name variants
  actors.json        kb/actors.csv with normalised Arabic names
  triggers.json      kb/triggers.csv with normalised phrases and article variants
  cues.json          kb/cues.csv, likewise
  countries.json     normalised Arabic names of countries -> English (a country's own name is
                     never taken for a Syrian village of that name without a settlement cue)
  page_dates.json    kb/page_dates.csv: words that say what a date on a page is (publication or
                     update stamp, a site's "today", copyright, caption, listing)
  hijri_calendar.json kb/hijri_calendar.csv: Hijri month names (normalised) with their number,
                     and the era marker ("هـ") that makes a year before it a Hijri one
  group_words.json   kb/group_words.csv: head words of armed-group names (inter type) and the
                     ACLED-style romanisation of words common in group names, for actors that
                     only the NER model finds
  function_words.json kb/function_words.csv: closed-class words the extraction rules and the
                     geocoder read (relative pronouns, auxiliaries, settlement, list and region
                     words, prepositions ...), by family
  directions.json    kb/directions.csv: direction words around a place name (the adjective
                     after it, "الغربي", or the noun before it, "شرق") and the bearing they name

Usage: python scripts/build_kb.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from marsad.geo.distance import haversine_km  # noqa: E402
from marsad.nlp.normalize import normalize_phrase  # noqa: E402

OUT = ROOT / "src" / "marsad" / "data"
KB = ROOT / "kb"
ARABIC = re.compile(r"[\u0621-\u064a]")

ACLED_ADMIN1 = {
    "Aleppo", "Al Hasakeh", "Ar Raqqa", "As Sweida", "Dara", "Damascus", "Deir ez Zor", "Hama",
    "Homs", "Idleb", "Lattakia", "Quneitra", "Rural Damascus", "Tartous",
}


def acled_admin(name: str) -> str:
    """OCHA English admin name -> ACLED spelling (apostrophes dropped, hyphens as spaces)."""
    name = name.replace("'", "").replace("\u2019", "").replace("-", " ")
    return " ".join(name.split())


def split_multi(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


# Words that name a kind of place, never a place by themselves.
GENERIC_PLACE_WORDS = {
    normalize_phrase(article + w)
    for w in "حي مخيم مدينة بلدة قرية ريف ناحية منطقة محافظة مركز شارع طريق دوار ساحة سوق".split()
    for article in ("", "ال")
}


class _Everything(frozenset):
    def __contains__(self, item: object) -> bool:
        return True


ALL = _Everything()


ADMIN_WORDS = frozenset(normalize_phrase(w) for w in ("محافظة", "منطقة", "ناحية", "مركز"))
#: "مدينة X" names a town, never the district or governorate of the same name
CITY_WORD = normalize_phrase("مدينة") + " "


@cache
def direction_words() -> frozenset[str]:
    """The direction words of kb/directions.csv ("الشرقي", "الغربية"), normalised."""
    return frozenset(normalize_phrase(r["word"]) for r in csv.DictReader(open(KB / "directions.csv", encoding="utf-8")))


def name_variants(names: list[str], reserved: frozenset[str] = frozenset(), admin: bool = False) -> list[str]:
    """Normalised Arabic variants of place names.

    OCHA writes merged communities as "A_B" (both names are variants). Alternative names of the
    form "A - حي - City" give A only; "حي A" also gives A, unless A is the name of another place
    (``reserved``: "مخيم درعا" must not become a name of the camp "درعا"). A direction word alone
    is no name: Idlib's quarters "الشرقي", "الغربي" are named "حي الشرقي", "حي الغربي" ("ريفي حلب
    الجنوبي والغربي" names no quarter of Idlib).
    """
    directions = direction_words()
    out: list[str] = []
    # an admin area's own "محافظة X" / "منطقة X" is always also X ("ريف دمشق" stays whole)
    admin_words = ADMIN_WORDS if admin else frozenset()
    for name in names:
        if not ARABIC.search(name):
            continue
        parts = [name] if "_" not in name else [name, *name.split("_")]
        if re.search(r"\s-\s|-\s|\s-", name):
            parts = [re.split(r"\s*-\s*", name)[0]]
        for part in parts:
            part = re.sub(r"[()\[\]/]", " ", part)
            norm = normalize_phrase(part)
            first, _, rest = norm.partition(" ")
            if (first in GENERIC_PLACE_WORDS and rest and rest not in directions
                    and (rest not in reserved or first in admin_words)):
                norm = rest  # "حي الفيحاء" -> "الفيحاء": the cue word is matched on its own
            for form in (norm, *spacing_variants(norm)):
                if len(form) >= 2 and form not in GENERIC_PLACE_WORDS and form not in directions and form not in out:
                    out.append(form)
    return out


# First words that Arabic writes both apart and joined: "كفر بطنا" / "كفربطنا", "تل رفعت" / "تلرفعت".
COMPOUND_HEADS = ("كفر", "دير", "تل", "عين", "بيت", "بير", "راس", "ام")


def spacing_variants(norm: str) -> list[str]:
    """The joined or spaced form of a name that starts with a compounding word."""
    first, _, rest = norm.partition(" ")
    if rest and first in COMPOUND_HEADS and " " not in rest and not rest.startswith("ال") and len(rest) >= 3:
        return [first + rest]
    for head in COMPOUND_HEADS:
        tail = norm[len(head):]
        if not rest and norm.startswith(head) and len(tail) >= 3 and not tail.startswith("ال"):
            return [f"{head} {tail}"]
    return []


def without_admin_suffix(name: str, admins: list[str]) -> list[str]:
    """OCHA tells homonyms apart by appending an admin name ("تل بيدر حسكة", "تل بيدر راس العين");
    news writes the bare name, so that is a variant too."""
    norm = normalize_phrase(name)
    for admin in admins:
        a = normalize_phrase(admin).removeprefix("مركز ").strip()
        for suffix in {a, a.removeprefix("ال"), "ال" + a}:
            if suffix and norm.endswith(" " + suffix):
                rest = re.sub(r"[\s\-–]+$", "", norm[: -len(suffix)]).removesuffix(" قرب").strip()
                if " " in rest or len(rest) >= 4:
                    return [rest]
    return []


def build_gazetteer(shared: Path) -> list[dict]:
    rows = list(csv.DictReader(open(shared / "data/gazetteer/syria_places.csv", encoding="utf-8")))
    places: list[dict] = []
    # "ريف دمشق" must not become "دمشق", nor "مخيم درعا" "درعا": a cue word is stripped from a
    # name only when what remains is not itself the name of a place
    reserved = frozenset(normalize_phrase(r["name_ar"]) for r in rows)
    for i, r in enumerate(rows):
        admin1 = acled_admin(r["admin1_en"])
        if admin1 and admin1 not in ACLED_ADMIN1:
            raise SystemExit(f"unexpected admin1 spelling {r['admin1_en']!r} -> {admin1!r}")
        names = [r["name_ar"]] + [a for a in split_multi(r["alt_names"]) if ARABIC.search(a)]
        if r["feature_type"].startswith("admin"):
            # a district is not its city: "مدينة إدلب" among the Idlib district's names is the city's
            names = [n for n in names if not normalize_phrase(n).startswith(CITY_WORD)]
        names += without_admin_suffix(r["name_ar"], [r["admin1"], r["admin2"], r["admin3"]])
        places.append(
            {
                "id": r["pcode"] or f"G{i:05d}",
                "pcode": r["pcode"],
                "name_ar": r["name_ar"],
                "name_en": r["name_en"],
                "aliases_en": [a for a in split_multi(r["alt_names"]) if not ARABIC.search(a)],
                "names_norm": name_variants(names, reserved, r["feature_type"].startswith("admin")),
                "feature_type": r["feature_type"],
                "lat": round(float(r["lat"]), 6),
                "lon": round(float(r["lon"]), 6),
                "admin1": admin1,
                "admin2": acled_admin(r["admin2_en"]),
                "admin3": acled_admin(r["admin3_en"]),
                "admin1_pcode": r["admin1_pcode"],
                "admin2_pcode": r["admin2_pcode"],
                "admin3_pcode": r["admin3_pcode"],
                "parent_pcode": r["parent_pcode"],
                "population": int(float(r["population"])) if r["population"] else 0,
                "source": r["source"].split(" (")[0].split(" - ")[0][:60],
            }
        )
    manual = KB / "places_manual.csv"
    if manual.exists():
        by_pcode = {p["pcode"]: p for p in places if p["pcode"]}
        reserved = reserved | {n for p in places for n in p["names_norm"]}
        for j, r in enumerate(csv.DictReader(open(manual, encoding="utf-8"))):
            parent = by_pcode.get(r["parent_pcode"], {})
            names = [r["name_ar"]] + split_multi(r["aliases_ar"])
            places.append(
                {
                    "id": f"M{j + 1:04d}",
                    "pcode": "",
                    "name_ar": r["name_ar"],
                    "name_en": r["name_en"],
                    "aliases_en": split_multi(r["aliases_en"]),
                    # a region keeps "منطقة": "منطقة درع الفرات" is a place, "درع الفرات" an actor
                    "names_norm": name_variants(names, reserved if r["feature_type"] != "region" else ALL),
                    "feature_type": r["feature_type"],
                    "lat": round(float(r["latitude"]), 6),
                    "lon": round(float(r["longitude"]), 6),
                    "admin1": acled_admin(r["admin1_en"]) or parent.get("admin1", ""),
                    "admin2": acled_admin(r["admin2_en"]) or parent.get("admin2", ""),
                    "admin3": acled_admin(r["admin3_en"]) or parent.get("admin3", ""),
                    "admin1_pcode": parent.get("admin1_pcode", ""),
                    "admin2_pcode": parent.get("admin2_pcode", ""),
                    "admin3_pcode": r.get("admin3_pcode") or parent.get("admin3_pcode", ""),
                    "parent_pcode": r["parent_pcode"],
                    "population": 0,
                    "source": "marsad kb/places_manual.csv: " + r["source_note"][:200],
                }
            )
    add_article_variants(places, set(common_words(shared)))
    assign_locations(places)
    assign_capitals(places)
    return places


def add_article_variants(places: list[dict], ordinary: set[str] = frozenset()) -> None:
    """Forms the news writes that OCHA's spelling misses, added unless already a place's name:

    - a two-word name whose first word heads a construct (kb/function_words.csv
      ``place_construct_head``: "تل", "معرة") with the article on its second word ("تل أبيض" /
      "تل الأبيض", "معارة أتارب" / "معارة الأتارب");
    - a name whose last word is a qualifier (kb ``name_qualifier``) with that word in its other
      gender or with the article ("حبوبه كبيره" / "حبوبة كبير", "كفر جوم غربيه" / "كفر جوم الغربية"),
      and a village's such name by its first word alone ("الجرذي الشرقي" / "الجرذي");
    - a name OCHA glued together, cut before a medial article ("بصرالحرير" / "بصر الحرير",
      "مغرالمير") or after a construct head whose ة is written ت when joined ("معرتحرمه" /
      "معرة حرمة").

    These forms add no words to the tokenizer's known words (``derived_forms``: see kb.get_kb).
    ``ordinary``: words the news mostly uses as ordinary words (``common_words``): a first word
    alone that is one ("الاربعاء", "المرتفع") is no name."""
    rows = list(csv.DictReader(open(KB / "function_words.csv", encoding="utf-8")))
    heads = {normalize_phrase(r["word"]) for r in rows if r["family"] == "place_construct_head"}
    qualifiers = {normalize_phrase(r["word"]) for r in rows if r["family"] == "name_qualifier"}
    ordinary = set(ordinary) | {normalize_phrase(r["word"]) for r in rows if r["family"] == "ordinary_word"}

    def qualifier_forms(word: str) -> set[str]:
        """"كبيره" is also written "كبير", "الكبيره", "الكبير" (the qualifiers of kb name_qualifier)."""
        stem = word.removeprefix("ال").removesuffix("ه")
        return {f for f in (stem, stem + "ه", "ال" + stem, "ال" + stem + "ه") if f in qualifiers} - {word}

    joined_heads = {h[:-1] + "ت": h for h in heads if h.endswith("ه")}
    taken = {n for p in places for n in p["names_norm"]}
    for p in places:
        for name in list(p["names_norm"]):
            forms = []
            first, _, rest = name.partition(" ")
            if first in heads and rest and " " not in rest and not rest.startswith("ال") and len(rest) >= 3:
                forms.append(f"{first} ال{rest}")
            *rest_words, last = name.split(" ")
            if rest_words and last in qualifiers:
                # "حبوبه كبيره" is written "حبوبة كبير", "كفر جوم غربيه" "كفر جوم الغربية"
                forms += [" ".join([*rest_words, q]) for q in sorted(qualifier_forms(last))]
                if len(rest_words) == 1 and p["feature_type"] == "community" and len(rest_words[0]) >= 4:
                    # ... or by its first word alone ("قرية الجرذي" for "الجرذي الشرقي"), when no
                    # place has that name: the villages of that name are its candidates
                    stem = rest_words[0]
                    bare = stem.removeprefix("ال")
                    if not {bare, "ال" + bare} & ordinary:
                        forms += [stem, bare if stem.startswith("ال") else "ال" + stem]
            if " " not in name and "_" not in name and "-" not in name:
                article = "ال" if name.startswith("ال") else ""
                glued = re.match(r"^(.{3,}?)ال(.{3,})$", name[len(article):])
                if glued:
                    forms.append(f"{article}{glued.group(1)} ال{glued.group(2)}")
                for joined, head in joined_heads.items():
                    if name.startswith(joined) and len(name) - len(joined) >= 3:
                        forms.append(f"{head} {name[len(joined):]}")
            for form in forms:
                if form not in taken and form not in p["names_norm"]:
                    p["names_norm"].append(form)
                    p.setdefault("derived_forms", []).append(form)


def assign_locations(places: list[dict]) -> None:
    """Set ACLED's ``location`` label: the OCHA community name, or "City - District".

    A place is a district of a city when it is a neighbourhood/landmark whose parent is a
    community, or a community whose Arabic name extends the name of another community of the same
    sub-district less than 6 km away ("درعا البلد" next to "درعا" -> "Dar'a - Dar'a al Balad").
    """
    communities = [p for p in places if p["feature_type"] == "community"]
    by_pcode = {p["pcode"]: p for p in communities}
    by_name_admin3: dict[tuple[str, str], dict] = {}
    for p in communities:
        by_name_admin3.setdefault((normalize_phrase(p["name_ar"]), p["admin3_pcode"]), p)
    for p in places:
        p["location"] = p["name_en"]
        p["city_pcode"] = ""
        parent = by_pcode.get(p["parent_pcode"])
        if parent is not None and p["feature_type"] == "region":
            p["location"] = parent["name_en"]  # coded to its representative town, as ACLED does
            continue
        if parent is not None and p["feature_type"] != "community":
            p["location"] = f"{parent['name_en']} - {p['name_en']}"
            p["city_pcode"] = parent["pcode"]
            continue
        if p["feature_type"] != "community":
            continue
        words = normalize_phrase(p["name_ar"]).split()
        for k in range(len(words) - 1, 0, -1):
            city = by_name_admin3.get((" ".join(words[:k]), p["admin3_pcode"]))
            if city is not None and city is not p:
                if haversine_km(p["lat"], p["lon"], city["lat"], city["lon"]) < 6:
                    p["location"] = f"{city['name_en']} - {p['name_en']}"
                    p["city_pcode"] = city["pcode"]
                break


def assign_capitals(places: list[dict]) -> None:
    """Admin areas are coded to their capital: the community that bears the area's name.

    Governorate and district rows carry ``capital_id`` so that a region-only mention
    (geo_precision 3) gets the capital's point, as ACLED codes it.
    """
    communities: dict[tuple[str, str], list[dict]] = {}
    for p in places:
        if p["feature_type"] == "community":
            communities.setdefault((normalize_phrase(p["name_ar"]), p["admin1"]), []).append(p)
    for p in places:
        if p["feature_type"] in ("admin1", "admin2", "admin3"):
            name = normalize_phrase(p["name_ar"]).removeprefix("مركز ").strip()
            same = communities.get((name, p["admin1"]), [])
            # a governorate may have two villages of its district's name: take the one inside
            # the area, then the one nearest the area's point
            inside = [c for c in same if c.get(p["feature_type"] + "_pcode") == p["pcode"]] or same
            cap = min(inside, key=lambda c: (haversine_km(c["lat"], c["lon"], p["lat"], p["lon"]), c["id"]), default=None)
            p["capital_id"] = cap["id"] if cap else ""


def build_table(path: Path, phrase_cols: list[str]) -> list[dict]:
    """Read a curated CSV; add ``<col>_norm`` lists of normalised variants for phrase columns."""
    if not path.exists():
        print(f"warning: {path} missing; writing an empty table", file=sys.stderr)
        return []
    rows = []
    for line_no, r in enumerate(csv.DictReader(open(path, encoding="utf-8")), start=2):
        r = {k.strip(): (v or "").strip() for k, v in r.items() if k}
        r["line"] = line_no
        for col in phrase_cols:
            variants: list[str] = []
            for phrase in split_multi(r.get(col, "")):
                norm = normalize_phrase(phrase)
                if not norm:
                    continue
                for v in article_variants(norm):
                    if v not in variants:
                        variants.append(v)
            r[col + "_norm"] = variants
        rows.append(r)
    return rows


def article_variants(norm: str) -> list[str]:
    """The phrase, with/without the article on its first word, and (noun + adjective phrases such
    as "عمليات عسكرية") with the article on every word: "العمليات العسكرية"."""
    words = norm.split()
    if not words or not ARABIC.match(words[0]) or len(words[0]) <= 2:
        return [norm]

    def definite(w: str) -> str:
        return w if w.startswith("ال") or not ARABIC.match(w) else "ال" + w

    def indefinite(w: str) -> str:
        return w[2:] if w.startswith("ال") and len(w) > 4 else w

    out = [norm, " ".join([indefinite(words[0]) if words[0].startswith("ال") else definite(words[0]), *words[1:]])]
    if len(words) == 2:
        out += [" ".join(definite(w) for w in words), " ".join(indefinite(w) for w in words)]
    return list(dict.fromkeys(out))


@cache
def ner_word_counts(shared: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(total, tagged-as-location) counts of normalised words in the NER corpora (read once)."""
    total: dict[str, int] = defaultdict(int)
    loc: dict[str, int] = defaultdict(int)
    files = [shared / "data/ner/ANERcorp_train.txt", shared / "data/ner/NewsFANE_Gold_2014_170K.txt"]
    for path in files:
        for line in open(path, encoding="utf-8", errors="replace"):
            parts = line.strip().replace("\u200e", "").split()
            if len(parts) < 2:
                continue
            word, tag = normalize_phrase(parts[0]), parts[-1]
            is_loc = any(k in tag for k in ("LOC", "Population-Center", "GPE", "Nation", "State-or-Province", "County"))
            # the tokenizer splits proclitics ("بجروح" -> ب + جروح), so count the bare forms too
            forms = {word}
            rest = word
            while rest[:1] in ("و", "ف", "ب", "ل", "ك") and len(rest) > 3:
                rest = rest[1:]
                forms.add(rest)
            for form in forms:
                total[form] += 1
                loc[form] += is_loc
    return total, loc


def common_words(shared: Path, min_count: int = 3, max_loc_share: float = 0.34) -> list[str]:
    """Normalised words that Arabic news mostly uses as ordinary words, not place names.

    Counted on the NER corpora: a word seen at least ``min_count`` times whose share of LOC tags
    is below ``max_loc_share``. A gazetteer name equal to one of these ("الغربي", "جديدة",
    "المدينة", "آذار") is a place only with a cue word (حي، بلدة، في مدينة ...).
    """
    total, loc = ner_word_counts(shared)
    return sorted(w for w, c in total.items() if c >= min_count and loc[w] / c < max_loc_share)


#: ANERgazet's towns of fewer letters than this are often ordinary Arabic words ("خفي", "روج",
#: "الشفا"): they are taken as in their country only where kb/countries.csv says short_town_names
#: (the Arab world and the neighbours, whose small towns Syrian reporting names).
SHORT_TOWN_NAME = 5


@cache
def country_rows() -> tuple[dict[str, str], ...]:
    return tuple(csv.DictReader(open(KB / "countries.csv", encoding="utf-8")))


def countries() -> dict[str, str]:
    """kb/countries.csv: normalised Arabic names of countries (those written with the article also
    without it) -> English. They name the country of a place abroad and the generic actors of
    events there ("Protesters (Egypt)"); a place of a country not listed keeps an empty country."""
    out: dict[str, str] = {}
    for r in country_rows():
        for name in [r["name_ar"], *split_multi(r["aliases_ar"])]:
            out.setdefault(normalize_phrase(name), r["name_en"])
            if name.startswith("ال"):  # "العراق", "عراق" ("لعراق" is not: "ألمانيا" keeps its alif)
                out.setdefault(normalize_phrase(name[2:]), r["name_en"])
    return out


def foreign_places(shared: Path) -> dict[str, str]:
    """Normalised names of places outside Syria -> their country in English ("" when unknown).

    From ANERgazet's location list (Syria's block removed; a country's names come before "****",
    its cities between that and the next "****") and kb/foreign_places.csv. A Syrian community
    that shares its name with a foreign city ("الرياض", "عمان") is taken only with Syrian context in
    the document.
    """
    world = countries()
    short_ok = {r["name_en"] for r in country_rows() if r["short_town_names"] == "yes"}
    lines = [ln.strip() for ln in open(shared / "data/lexicons/anergazet/AlignedLocGazetteer.txt", encoding="utf-8")]
    found: dict[str, str] = {}
    header: list[str] = []
    in_block = False
    country = ""
    for line in lines:
        if line == "====":
            header, in_block = [], False
            continue
        if line == "****":
            if not in_block:
                # a header may list several countries (those without towns of their own come
                # first): each name is its own country, the towns below belong to the last one
                names = [normalize_phrase(h) for h in header]
                known = [world[n] for n in names if n in world]
                country = known[-1] if known else ""
                syrian = names[-1] in ("سوريا", "سوريه") if names else False
                country = "Syria" if syrian else country
                for k, n in enumerate(names):
                    if n not in ("سوريا", "سوريه"):
                        found.setdefault(n, world.get(n, country if k == len(names) - 1 else ""))
                header = []
            in_block = not in_block
            continue
        if not line:
            continue
        if in_block:
            if country != "Syria":
                for v in article_variants(normalize_phrase(line)):
                    short = len(v.removeprefix("ال").replace(" ", "")) < SHORT_TOWN_NAME
                    found.setdefault(v, "" if short and country not in short_ok else country)
        else:
            header.append(line)
    for n, c in world.items():  # every country is a place abroad, listed in ANERgazet or not
        found.setdefault(n, c)
    common = set(common_words(shared, min_count=3, max_loc_share=0.5))
    found = {n: c for n, c in found.items() if len(n) >= 3 and n not in GENERIC_PLACE_WORDS and n not in common}
    # kb/foreign_places.csv: neighbouring-country places that Syria reporting names, curated,
    # so kept even where the word is also ordinary Arabic ("الرمادي"); its country wins
    curated = KB / "foreign_places.csv"
    if curated.exists():
        for r in csv.DictReader(open(curated, encoding="utf-8")):
            for name in [r["name_ar"], *split_multi(r["aliases_ar"])]:
                for v in article_variants(normalize_phrase(name)):
                    found[v] = r["country"]
    return {n: found[n] for n in sorted(found) if len(n) >= 3 and n not in GENERIC_PLACE_WORDS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    places = build_gazetteer(args.shared)
    payload = json.dumps(places, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with open(OUT / "gazetteer.json.gz", "wb") as raw:
        # mtime=0 so that rebuilding from the same sources gives the same bytes
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
            fh.write(payload)

    function_words = build_table(KB / "function_words.csv", [])
    place_names = {n for p in places for n in p["names_norm"]}
    # and the ordinary words kb/function_words.csv lists (family ordinary_word: "سلمية", peaceful)
    curated = {normalize_phrase(r["word"]) for r in function_words if r["family"] == "ordinary_word"}
    ambiguous = sorted(place_names & (set(common_words(args.shared)) | curated))
    with open(OUT / "common_words.json", "w", encoding="utf-8") as fh:
        json.dump(ambiguous, fh, ensure_ascii=False, indent=0)

    with open(OUT / "foreign_places.json", "w", encoding="utf-8") as fh:
        json.dump(foreign_places(args.shared), fh, ensure_ascii=False, indent=0)
    with open(OUT / "countries.json", "w", encoding="utf-8") as fh:
        json.dump(dict(sorted(countries().items())), fh, ensure_ascii=False, indent=0)

    actors = build_table(KB / "actors.csv", ["names_ar"])
    ids = {a["actor_id"] for a in actors}
    for a in actors:
        if a.get("parent_id") and a["parent_id"] not in ids:
            raise SystemExit(f"actors.csv line {a['line']}: unknown parent_id {a['parent_id']!r}")
    triggers = build_table(KB / "triggers.csv", ["phrase"])
    cues = build_table(KB / "cues.csv", ["phrase"])
    group_words = build_table(KB / "group_words.csv", ["phrase"])
    page_dates = build_table(KB / "page_dates.csv", [])
    hijri = build_table(KB / "hijri_calendar.csv", [])
    for r in hijri:  # normalised names only: no article variants ("الصفر" is zero, not a month)
        r["phrase_norm"] = list(dict.fromkeys(normalize_phrase(p) for p in split_multi(r["phrase"])))
    directions = build_table(KB / "directions.csv", [])
    for r in (*function_words, *directions):  # closed-class words the rules read, each as written: no variants
        r["word_norm"] = normalize_phrase(r["word"])
    categories = list(csv.DictReader(open(args.shared / "data/acled/acled_event_categories.csv")))
    valid = {(c["event_type"], c["sub_event_type"]) for c in categories}
    for t in triggers:
        if (t["event_type"], t["sub_event_type"]) not in valid:
            raise SystemExit(f"triggers.csv line {t['line']}: invalid type {t['event_type']}/{t['sub_event_type']}")
    for name, data in (("actors", actors), ("triggers", triggers), ("cues", cues), ("categories", categories),
                       ("group_words", group_words), ("page_dates", page_dates),
                       ("hijri_calendar", hijri), ("function_words", function_words),
                       ("directions", directions)):
        with open(OUT / f"{name}.json", "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=0)
    counts = defaultdict(int)
    for p in places:
        counts[p["feature_type"]] += 1
    print(
        f"gazetteer: {len(places)} places {dict(counts)}; actors: {len(actors)}; "
        f"triggers: {len(triggers)}; cues: {len(cues)}"
    )


if __name__ == "__main__":
    main()
