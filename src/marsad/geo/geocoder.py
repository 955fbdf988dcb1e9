"""Resolve place mentions to gazetteer entries with ACLED admin names, point and precision.

Each mention found by the lexicon stage gets candidates (every gazetteer entry with that
normalised name), scored by: the cue word before it (حي، بلدة، مدينة، ريف، محافظة ...), the
admin areas the document names, feature type, and whether the name is also an ordinary word.
Every resolution carries its score, precision and a readable reason.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache

from spacy.tokens import Doc, Span

from ..kb import function_words, get_kb, load_json
from ..nlp.normalize import normalize_phrase
from ..nlp.pipeline import FOREIGN_PREFIX, sentence_bounds
from .distance import haversine_km


def _directions(rows: list[dict[str, str]], position: str) -> dict[str, str]:
    """kb/directions.csv: the direction words of one position (after or before a place name) -> bearing name."""
    return {r["word_norm"]: r["direction"] for r in rows if r["position"] == position}


# cue word -> the feature types it announces
CUES: dict[str, tuple[str, ...]] = {
    "حي": ("neighbourhood", "community"),
    "احياء": ("neighbourhood", "community"),
    "حيي": ("neighbourhood", "community"),
    "مخيم": ("camp", "idp_camp_parent_coords", "neighbourhood", "community"),
    "مدينه": ("community", "geonames_populated_place"),
    "بلده": ("community", "geonames_populated_place"),
    "قريه": ("community", "geonames_populated_place"),
    "قري": ("community",),
    "بلدات": ("community",),
    "مزرعه": ("community",),
    "ناحيه": ("admin3",),
    "منطقه": ("admin2", "admin3", "community"),
    "محافظه": ("admin1",),
    "ريف": ("admin1", "admin2", "community"),
    "باديه": ("admin1",),
    "مطار": ("landmark_airport", "landmark_airbase"),
    "سجن": ("landmark_prison",),
    "حقل": ("landmark_oilfield", "landmark_gasfield"),
    "معبر": ("landmark_crossing",),
    "سد": ("landmark_dam",),
    "طريق": ("landmark_road", "community"),
    "اوتوستراد": ("landmark_road",),
    "حاجز": ("community", "landmark_base"),
    "قاعده": ("landmark_base", "landmark_airbase"),
}
REGION_CUES = function_words()["region_cue"]
#: "ريف", its plural and dual ("أرياف مدينة إدلب", "ريفي حلب وإدلب"): the countryside of a place.
COUNTRYSIDE = function_words()["countryside_word"]
CUES.update({w: CUES["ريف"] for w in COUNTRYSIDE if w not in CUES})
#: "4 قرى جديدة": a count, then a plural word for places; the word after them describes, it names none.
PLACE_COUNTS, PLURAL_PLACES = function_words()["place_count_word"], function_words()["plural_place_word"]
_DIRECTION_ROWS = load_json("directions.json")
DIRECTIONS = _directions(_DIRECTION_ROWS, "after")  # "ريف درعا الغربي", "البادية الشرقية"
DIRECTION_NOUNS = _directions(_DIRECTION_ROWS, "before")  # "شرق دير الزور", "شمال غربي حماة"
BEARINGS = {
    "north": 0, "north-east": 45, "east": 90, "south-east": 135, "south": 180,
    "south-west": 225, "west": 270, "north-west": 315,
}
PREPOSITIONS = function_words()["preposition"]
TYPE_RANK = {
    "neighbourhood": 5, "community": 6, "camp": 5, "admin1": 4, "admin2": 3, "admin3": 2,
    "geonames_populated_place": 1, "idp_camp_parent_coords": 1, "region": 5,
}


@dataclass
class PlaceMention:
    """A place mention in a document, resolved (or not) to a gazetteer entry."""

    start_char: int
    end_char: int
    text: str
    sent_start: int  # char offset of the sentence, to group mentions by sentence
    place: dict | None
    score: float
    geo_precision: int
    reason: str
    candidates: list[tuple[str, float]] = field(default_factory=list)
    cue: str = ""
    region: bool = False
    foreign: bool = False  # a place outside Syria
    country: str = ""  # its country, when known ("Egypt")
    direction: str = ""  # "west" for "ريف درعا الغربي" / "غرب درعا"
    anchor_id: str = ""  # the community a directional region is coded to
    outlet: bool = False  # inside a news outlet's name ("شبكة السويداء 24"): who reports, not where

    @property
    def names_country(self) -> bool:
        """The mention is a country's name ("تركيا", "العراق"), not a town or a region."""
        name = normalize_phrase(self.text)
        return name in country_names() or name.removeprefix("ال") in country_names()

    @property
    def point(self) -> dict | None:
        """The entry whose point and location label the event takes (capital for a region)."""
        if self.place is None:
            return None
        index = gazetteer_index()
        if self.anchor_id:
            return index[self.anchor_id]
        if self.region and self.place.get("capital_id"):
            return index.get(self.place["capital_id"], self.place)
        if self.place["feature_type"] == "region" and self.place.get("parent_pcode") in index:
            return index[self.place["parent_pcode"]]  # a named region is coded to its representative town
        # ACLED codes to the OCHA community point: a quarter inside a community that is itself a
        # city district ("Dar'a - Dar'a al Balad") is coded to that district.
        parent = index.get(self.place.get("city_pcode") or "")
        if parent is not None and " - " in parent.get("location", "") and self.place["id"].startswith("M"):
            return parent
        return self.place


@cache
def gazetteer_index() -> dict[str, dict]:
    return {p["id"]: p for p in get_kb().places}


@cache
def seats() -> dict[str, dict]:
    """Community id -> the admin area it is the capital of (governorate before district before
    sub-district)."""
    out: dict[str, dict] = {}
    for level in ("admin3", "admin2", "admin1"):
        for a in gazetteer_index().values():
            if a["feature_type"] == level and a.get("capital_id"):
                out[a["capital_id"]] = a
    return out


#: A place name followed, across at most LOCAL_ADMIN_GAP words of kb/function_words.csv
#: ``admin_glue`` (prepositions, region words), direction words and these marks, by a governorate's
#: name is in that governorate: its candidates there gain LOCAL_ADMIN_BONUS, more than the
#: document's context (at most 1) can give another one.
LOCAL_ADMIN_GAP = 4
QUOTE_MARKS = frozenset({'"', "“", "”", "«", "»"})
LOCAL_ADMIN_MARKS = QUOTE_MARKS | {","}
LOCAL_ADMIN_BONUS = 1.2
#: The cue of kb/cues.csv that names a news outlet whose name holds a place ("السويداء 24").
NEWS_OUTLET = "news_outlet"
#: A village told from a place ("قرية تل شنان شمال شرق ناحية تل تمر") lies within this distance of it.
REFERENCE_KM = 50.0

#: Candidates scoring within this of the best, and further than TIE_KM from it, tie with it.
TIE_MARGIN = 0.05
TIE_KM = 10.0
SEAT_BONUS = {"admin1": 0.0, "admin2": 0.3, "admin3": 0.15}  # a bare governorate name stays the governorate
#: How a place the NER found under a spelling of its name the gazetteer lacks was looked up
#: (``skeleton_index``); the label of its span says so, and the geocoder holds it to the document.
SPELLING_VARIANT = "spelling variant"
#: The label the NER linker gives such a span ("places\x1fner:<how>:<name>", extract/ner_link.py).
SPELLING_VARIANT_LABEL = f"places\x1fner:{SPELLING_VARIANT}:"
#: A spelling variant is read as a village whose name is one letter apart from it and that lies
#: within this distance of a place the document names unambiguously or of the capital of a
#: governorate the text or the document names, or in that governorate.
VARIANT_KM = 30.0
#: How much a candidate gains for spelling its name like the text (difflib's ratio, 0 to 1).
VARIANT_SPELLING_WEIGHT = 0.5


def _proximity_bonus(dist: float) -> float:
    return 0.8 if dist < 10 else 0.5 if dist < 25 else 0.2 if dist < 50 else 0.0


@cache
def near_cues() -> frozenset[str]:
    """'near/around' words and direction nouns (kb/cues.csv, cue "near"): geo_precision 2."""
    # function words and "بعد" (also "after") only count inside their phrase ("على بعد")
    skip = PREPOSITIONS | {"ال", "عن", "بعد"}
    words = {w for phrase in get_kb().cues.get("near", ()) for w in phrase.split()}
    return frozenset(w for w in words if w not in skip and w.removeprefix("ال") not in skip)


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial compass bearing in degrees from point 1 to point 2."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


@cache
def directional_anchor(area_id: str, direction: str) -> tuple[str, str]:
    """(community id, explanation) for the given part of an admin area.

    The communities of the area that lie in that direction (within 45 degrees) from its capital
    are averaged; the sub-district seat nearest that centre stands for the part, as a human coder
    would pick the main town of "the western countryside".
    """
    index = gazetteer_index()
    area = index[area_id]
    capital = index.get(area.get("capital_id") or "")
    level = area["feature_type"] + "_pcode"
    members = [p for p in get_kb().places if p["feature_type"] == "community" and p.get(level) == area["pcode"]]
    if not members:
        return "", ""
    # from the capital, or from the middle of the area when it has none (Rural Damascus)
    if capital is not None:
        clat, clon = capital["lat"], capital["lon"]
    else:
        clat, clon = sum(p["lat"] for p in members) / len(members), sum(p["lon"] for p in members) / len(members)
    want = BEARINGS[direction]
    sector = [
        p for p in members
        if haversine_km(clat, clon, p["lat"], p["lon"]) > 3
        and abs((_bearing(clat, clon, p["lat"], p["lon"]) - want + 180) % 360 - 180) <= 45
    ]
    if not sector:
        return "", ""
    lat = sum(p["lat"] for p in sector) / len(sector)
    lon = sum(p["lon"] for p in sector) / len(sector)
    seats = {index[a["capital_id"]]["id"] for a in index.values()
             if a["feature_type"] == "admin3" and a.get("capital_id") and a.get(level) == area["pcode"]}
    pool = [p for p in sector if p["id"] in seats] or sector
    best = min(pool, key=lambda p: haversine_km(lat, lon, p["lat"], p["lon"]))
    why = (f"{direction} part of {area['name_en']}: {best['name_en']}, the sub-district seat nearest the centre "
           f"of its {len(sector)} communities in that direction")
    return best["id"], why


def _direction(prev: list[str], nxt: list[str]) -> tuple[str, str]:
    """(direction, "after"|"before") from the words around a place name."""
    two = " ".join(nxt[:2])
    if two in DIRECTIONS:
        return DIRECTIONS[two], "after"
    if nxt and nxt[0] in DIRECTIONS:
        return DIRECTIONS[nxt[0]], "after"
    # "الريف الغربي لدرعا" / "بالريف الشرقي لمحافظة دير الزور"
    words = [w for w in prev[:4] if w not in ("ل", "لل", "محافظه", "مدينه")]
    if len(words) >= 2 and words[1] in ("الريف", "الباديه") and words[0] in DIRECTIONS:
        return DIRECTIONS[words[0]], "countryside"
    if prev and prev[0] in DIRECTION_NOUNS:
        first = DIRECTION_NOUNS[prev[0]]
        second = DIRECTION_NOUNS.get(prev[1], "") if len(prev) > 1 else ""
        if first in ("east", "west") and second in ("north", "south"):
            return f"{second}-{first}", "before"
        return first, "before"
    return "", ""


#: The mark of a hashtag, a token of its own ("#الباب" -> "#", "الباب").
HASHTAG = "#"


@cache
def common_words() -> frozenset[str]:
    return frozenset(load_json("common_words.json"))


#: Cue families whose one-word phrases are casualty words, not places.
CASUALTY_CUES = ("killed", "killed_one", "killed_two", "injured")


@cache
def event_words() -> frozenset[str]:
    """One-word event and casualty phrases of the knowledge base (kb/triggers.csv, kb/cues.csv):
    a village named like one ("مقتله", "Maqtala"; "الخطف") is that word in a news sentence ("أدت
    إلى مقتله") unless a place cue (قرية، بلدة، حي ...) or "في" says otherwise."""
    kb = get_kb()
    words = {v for t in kb.triggers for v in t.variants if " " not in v}
    words.update(p for p, cue in kb.cue_phrases if " " not in p and cue in CASUALTY_CUES)
    return frozenset(words)


@cache
@cache
def country_names() -> dict[str, str]:
    """Normalised Arabic country names -> English ("تركيا" -> "Turkey")."""
    from ..kb import load_json

    return load_json("countries.json")


@cache
def nationality_adjectives() -> frozenset[str]:
    """Words that name a state's forces as an adjective ("تركية", "الروسي"; kb/cues.csv
    ``actor_adjective:<actor id>``), some of which are also spellings of a country's name."""
    return frozenset(phrase for phrase, cue in get_kb().cue_phrases if cue.startswith("actor_adjective:"))


def _is_foreign(kb_id: str) -> bool:
    return kb_id.startswith(FOREIGN_PREFIX)


def _prev_norms(norms: list[str], span: Span, k: int = 3) -> list[str]:
    out: list[str] = []
    i = span.start - 1
    while i >= 0 and len(out) < k:
        if norms[i] and norms[i] != HASHTAG:  # "منطقة #الباب": the tag mark is no word
            out.append(norms[i])
        i -= 1
    return out


def _next_norms(norms: list[str], span: Span, k: int = 2) -> list[str]:
    out: list[str] = []
    i = span.end
    while i < len(norms) and len(out) < k:
        if norms[i]:
            out.append(norms[i])
        i += 1
    return out


def _unresolved(span: Span, sent_start: int, reason: str, candidates: list[tuple[str, float]],
                foreign: bool = False) -> PlaceMention:
    """A mention left without a place, with the reason and the candidates it had."""
    country = ""
    if foreign:
        names = get_kb().foreign_places
        country = next((names.get(i[len(FOREIGN_PREFIX):], "") for i in span._.kb_ids if _is_foreign(i)), "")
    return PlaceMention(span.start_char, span.end_char, span.text, sent_start, None, 0.0, 0, reason, candidates,
                        foreign=foreign, country=country)


LIST_GLUE = function_words()["list_glue"]


def _in_place_list(doc: Doc, spans: list[Span], span: Span, near_anchor: bool,
                   starts: list[int] | None = None) -> bool:
    """True when the mention sits in a list of places ("نوى، والحراك، وجاسم، والطيبة") next to
    another place mention, with only commas/و between, and lies near a place named in the
    document: an ordinary word there is a place name."""
    if not near_anchor:
        return False
    words = doc.user_data["marsad_norms"]
    if starts is not None:  # ``spans`` sorted by start: only mentions within 8 tokens can list with it
        spans = spans[bisect_left(starts, span.start - 40) : bisect_right(starts, span.end + 8)]
    for other in spans:
        if other is span:
            continue
        lo, hi = (other.end, span.start) if other.end <= span.start else (span.end, other.start)
        if not 0 < hi - lo <= 8:  # adjacent or far apart: not a list
            continue
        gap = [words[i] for i in range(lo, hi) if words[i]]
        # at least a comma or و between: "إدلب الشرقي" is a direction, not a list
        if gap and len(gap) <= 3 and all(w in LIST_GLUE for w in gap):
            return True
    return False


@cache
def outlet_labels() -> frozenset[str]:
    """The lexicon labels of the news outlets' names (kb/cues.csv ``news_outlet``)."""
    return frozenset(f"cues\x1f{phrase}" for phrase, cue in get_kb().cue_phrases if cue == NEWS_OUTLET)


def resolve_places(doc: Doc) -> list[PlaceMention]:
    """Resolve every place mention of an analysed document."""
    index = gazetteer_index()
    common = common_words()
    kb = get_kb()
    news_tags, admin_titles = kb.words("news_tag"), kb.words("admin_title")
    norms = doc.user_data["marsad_norms"]
    # a place inside an actor's name ("لواء شهداء اليرموك", "مجلس دير الزور العسكري") is not a place
    # the text puts anything at; one after a preposition in a description is ("المجموعات العاملة
    # في درعا البلد")
    actors = sorted((a.start, a.end) for a in doc.spans.get("actors", []))
    actor_starts = [a for a, _ in actors]
    longest = max((b - a for a, b in actors), default=0)

    def in_actor_name(s: Span) -> bool:
        lo = bisect_left(actor_starts, s.start - longest)
        return any(a <= s.start and s.end <= b and b - a > s.end - s.start
                   and not any(n in PREPOSITIONS or n in COUNTRYSIDE for n in norms[a : s.start])
                   for a, b in actors[lo : bisect_right(actor_starts, s.start)])

    # a month's name inside a date ("في 6 تشرين الثاني") is no village of that name
    date_tokens = {i for d in doc.spans.get("dates", []) for i in range(d.start, d.end)}

    def in_date(s: Span) -> bool:
        return s.start in date_tokens and s.end - 1 in date_tokens

    # a place inside a news outlet's name ("شبكة السويداء 24", "مراسل حلب اليوم": kb/cues.csv
    # news_outlet) names who reports, not where: it is marked (``outlet``), and an event takes it only
    # when its sentence names no other place
    # ... when a word for a source comes right before it (kb/function_words.csv ``outlet_word``:
    # "شبكة", "مراسل", "بحسب"), or a quotation mark: "قصفت قوات النظام مدينة حلب اليوم" is Aleppo today
    outlet_words = function_words()["outlet_word"]

    def announced(c: Span) -> bool:
        j = c.start - 1
        while j >= 0 and not norms[j]:
            j -= 1
        return j >= 0 and (norms[j] in QUOTE_MARKS or norms[j] in outlet_words)

    outlet_hashes = {doc.vocab.strings[label] for label in outlet_labels()}  # no lookup per cue span
    outlet_tokens = {i for c in doc.spans.get("cues", []) if c.label in outlet_hashes and announced(c)
                     for i in range(c.start, c.end)}

    spans = sorted((s for s in doc.spans.get("places", []) if not in_actor_name(s) and not in_date(s)),
                   key=lambda s: (s.start, s.end))
    outlet_chars = {(s.start_char, s.end_char) for s in spans if s.start in outlet_tokens and s.end - 1 in outlet_tokens}
    span_starts = [s.start for s in spans]
    # Pass 1: admin context from unambiguous or cue-backed mentions.
    # (counted once per distinct name, so a repeated name does not vouch for itself)
    context: Counter[str] = Counter()
    own: dict[str, str] = {}
    cities: set[str] = set()
    anchors: list[tuple[str, float, float, str]] = []
    grid: dict[tuple[int, int], list[tuple[str, float, float, str]]] = {}  # 1-degree cells
    abroad: Counter[str] = Counter()  # country -> distinct names only of places there ("الموصل", "كركوك")
    abroad_seen: set[str] = set()
    foreign_names = get_kb().foreign_places
    for span in spans:
        if span.label_.startswith(SPELLING_VARIANT_LABEL):
            continue  # a guess at a spelling sets no context: the context judges it
        # quarters and ordinary words are too weak to set the document's context
        key = " ".join(norms[span.start : span.end])
        cands = [index[i] for i in span._.kb_ids if not _is_foreign(i) and index[i]["feature_type"] != "neighbourhood"]
        if key in common:
            cands = []
        countries = {foreign_names.get(i[len(FOREIGN_PREFIX):], "") for i in span._.kb_ids if _is_foreign(i)}
        if len(countries) == 1 and not any(not _is_foreign(i) for i in span._.kb_ids) and key not in abroad_seen:
            abroad_seen.add(key)
            abroad[next(iter(countries))] += 1
        admin1s = {c["admin1"] for c in cands if c["admin1"]}
        # a governorate or district name ("الرقة", "ريف إدلب") vouches for its governorate
        admin_areas = {c["admin1"] for c in cands if c["feature_type"] in ("admin1", "admin2")}
        if len(admin_areas) == 1:
            admin1s = admin_areas
        if len(admin1s) == 1 and key not in own:
            own[key] = next(iter(admin1s))
            context[own[key]] += 1
        cities.update(c["id"] for c in cands if c["feature_type"] == "community")
        # an unambiguous town or village is a fixed point that nearby homonyms are judged by
        points = [c for c in cands if c["feature_type"] not in ("admin1", "admin2", "admin3", "region")]
        before = _prev_norms(norms, span, 1)
        backed = span.end - span.start > 1 or (before and (before[0] in CUES or before[0] in ("في", "ب")))
        if len(points) == 1 and backed:
            anchors.append((key, points[0]["lat"], points[0]["lon"], span.text))  # repeats dropped below
    context_total = sum(context.values())
    abroad_total = sum(abroad.values())  # distinct names only of places abroad, any country
    for anchor in dict.fromkeys(anchors):  # a name repeated 100 times is one anchor
        grid.setdefault((int(anchor[1] // 1), int(anchor[2] // 1)), []).append(anchor)

    def anchors_near(lat: float, lon: float) -> list[tuple[str, float, float, str]]:
        """Anchors in the cell of (lat, lon) and its neighbours: every one within 50 km."""
        ci, cj = int(lat // 1), int(lon // 1)
        return [a for di in (-1, 0, 1) for dj in (-1, 0, 1) for a in grid.get((ci + di, cj + dj), ())]

    glue = function_words()["admin_glue"]
    # the words between each place name and the next one, read by local_admin1, inside_local and told_from
    gaps = [[n for n in norms[a.end : b.start] if n] for a, b in zip(spans, spans[1:], strict=False)] + [[]]

    def local_admin1(k: int) -> str:
        """The governorate the words right after a place name put it in ("قرية أرزة في ريف حماة",
        "بلدة سويدان بريف دير الزور", "قرية علما شرقي درعا"): the next place name, reached across
        prepositions, region words and direction words only, when it names one governorate (an
        admin area or its seat)."""
        if k + 1 >= len(spans):
            return ""
        after, gap = spans[k + 1], gaps[k]
        if len(gap) > LOCAL_ADMIN_GAP or not all(n in glue or n in LOCAL_ADMIN_MARKS or n in DIRECTION_NOUNS for n in gap):
            return ""
        if not gap or not any(n in REGION_CUES or n in DIRECTION_NOUNS or n in ("في", "ب") for n in gap):
            return ""
        areas = set()
        for i in after._.kb_ids:
            if _is_foreign(i):
                continue
            c = index[i]
            seat = seats().get(c["id"])
            if c["feature_type"] in ("admin1", "admin2") or (seat is not None and seat["feature_type"] in ("admin1", "admin2")):
                areas.add(c["admin1"])
        return next(iter(areas)) if len(areas) == 1 else ""

    place_words = function_words()["place_word"] | function_words()["settlement"]

    def inside_local(k: int) -> bool:
        """The words that lead to the governorate a name is put in say it is inside ("في", "ب",
        "ريف"), not only beside it ("جرمانا جنوب دمشق" lies in Rural Damascus)."""
        return any(n in ("في", "ب") or n in REGION_CUES for n in gaps[k])

    def told_from(k: int) -> list[dict]:
        """The candidates of the place a name is told from, when the words right after it are
        direction words and at most two words for a kind of place, then that place ("قرية تل شنان
        شمال شرق ناحية تل تمر": Tal Tamr), none otherwise."""
        if k + 1 >= len(spans):
            return []
        gap = gaps[k]
        j = 1 if len(gap) > 1 and gap[0] not in DIRECTION_NOUNS else 0  # "تل شنان الآشورية شمال ..."
        directions = 0
        while j < len(gap) and directions < 2 and gap[j] in DIRECTION_NOUNS:
            j, directions = j + 1, directions + 1
        if not directions or len(gap) - j > 2 or not all(n in place_words for n in gap[j:]):
            return []
        ref = [index[i] for i in spans[k + 1]._.kb_ids if not _is_foreign(i)]
        # a governorate or district and its seat span too much land to bound a village told from them
        # ("الباغوز شرق دير الزور" lies 120 km from the city)
        wide = any(c["feature_type"] in ("admin1", "admin2", "region")
                   or (seats().get(c["id"]) or {}).get("feature_type") in ("admin1", "admin2") for c in ref)
        return [] if wide else ref

    attack_ends = {t.end - 1 for t in doc.spans.get("triggers", [])}
    demonstratives = kb.words("demonstrative")
    buildings = kb.words("building_word")
    mentions: list[PlaceMention] = []
    for k_span, span in enumerate(spans):
        local = local_admin1(k_span)
        prev = _prev_norms(norms, span, 5)
        nxt = _next_norms(norms, span)
        cue = prev[0] if prev and prev[0] in CUES else ""
        if len(prev) >= 2 and prev[1] in COUNTRYSIDE and prev[0] in admin_titles:
            cue = "ريف"  # "ريف العاصمة دمشق", "ريف مدينة حلب": the countryside still
        direction, where = _direction(prev, nxt)
        near = any(p in near_cues() for p in prev[:3]) or where == "before"
        key = " ".join(norms[span.start : span.end])
        is_common = key in common or normalize_phrase(span.text) in common
        # a glued ب is too weak for an ordinary word: "بجروح" is "with wounds", not "in Jruh"
        has_prep = bool(prev) and prev[0] in PREPOSITIONS and prev[0] != "ب"
        # a hashtag ("#الباب", "#درعا") tags a place or a party in a post: as strong as a preposition
        # ... except a tag for the kind of news ("#عاجل", kb family news_tag)
        hashtag = span.start > 0 and norms[span.start - 1] == HASHTAG and key not in news_tags
        has_prep = has_prep or hashtag
        # "حررت القوات 4 قرى جديدة": after a count and a plural word for places, a word describes
        # them ("جديدة", new), it names none (kb families place_count_word, plural_place_word)
        if len(prev) >= 2 and prev[0] in PLURAL_PLACES and (prev[1].isdigit() or prev[1] in PLACE_COUNTS):
            mentions.append(_unresolved(span, doc[sentence_bounds(doc, span.start)[0]].idx,
                                        f"'{span.text}' describes counted places, it names none", []))
            continue
        # a word with the article after a demonstrative points back to something named before ("في
        # هذا التل الاستراتيجي"); after a word for a building, quote marks aside, it names the
        # building ("أمام مبنى "السرايا"", the government house of any town): no village either way
        # (kb/function_words.csv demonstrative, building_word)
        if key.startswith("ال"):
            word_before = next((p for p in prev if any(c.isalpha() for c in p)), "")
            follows = ("a demonstrative: it points back, it names no place" if prev and prev[0] in demonstratives
                       else "a word for a building: it names the building" if word_before in buildings else "")
            if follows:
                mentions.append(_unresolved(span, doc[sentence_bounds(doc, span.start)[0]].idx,
                                            f"'{span.text}' follows {follows}", []))
                continue
        # a city quarter needs the "حي" cue or its city named in the document
        foreign = any(_is_foreign(i) for i in span._.kb_ids)
        cands = [
            index[i] for i in span._.kb_ids
            if not _is_foreign(i) and (
                index[i]["feature_type"] != "neighbourhood" or cue in ("حي", "احياء")
                or index[i].get("city_pcode") in cities
            )
        ]
        qualified: set[str] = set()
        if (local or context_total) and cands and span.end - span.start == 1:
            # the governorate the text puts the name in, else the document's, holds no place of
            # this exact name: its villages named with a qualifier ("مشيرفة الشرقية" for "المشيرفة"
            # in "ريف حمص", "سويدان جزيرة" for "بلدة سويدان بريف دير الزور") are candidates
            lead, lead_n = (local, 1) if local else context.most_common(1)[0]
            if (local or lead_n * 2 > context_total) and not any(c["admin1"] == lead for c in cands):
                extra = [index[i] for i in qualified_names().get(key.removeprefix("ال"), ()) if index[i]["admin1"] == lead]
                qualified = {c["id"] for c in extra}
                cands = cands + extra
        variant = span.label_.startswith(SPELLING_VARIANT_LABEL)
        if variant:
            # another spelling of a village's name: one in the governorate the text or the
            # document names, or near a place the document names, else none
            admins = {local} if local else {a for a, n in context.items() if n}
            points = [(a["lat"], a["lon"]) for a in admin1_areas() if a["admin1"] in admins]
            points += [(la, lo) for k, la, lo, _ in anchors if k != key]
            spelling = {c["id"]: _spelling(key, c) for c in cands}
            cands = [c for c in cands if spelling[c["id"]] > 0 and (c["admin1"] in admins or any(
                haversine_km(c["lat"], c["lon"], la, lo) <= VARIANT_KM for la, lo in points))]
            if not cands:
                mentions.append(_unresolved(span, doc[sentence_bounds(doc, span.start)[0]].idx,
                                            f"'{span.text}' may spell a village's name another way, but no "
                                            "village so spelt lies where the document's places are", []))
                continue
        scored: list[tuple[float, dict, str]] = []
        for c in cands:
            score = TYPE_RANK.get(c["feature_type"], 3) / 10
            why = [c["feature_type"]]
            if variant:
                # the closest spelling first: "حمورية" is "حمورة" before "الحميرة"
                score += VARIANT_SPELLING_WEIGHT * spelling[c["id"]]
                why.append(f"'{span.text}' read as another spelling of '{c['name_ar']}'")
            if cue and c["feature_type"] in CUES[cue]:
                score += 1.0
                why.append(f"cue '{cue}'")
            if local and c["admin1"] == local and c["feature_type"] not in ("admin1", "admin2"):
                score += LOCAL_ADMIN_BONUS
                why.append(f"the text places it in {local}")
            if c["admin1"] and context_total:
                share = context[c["admin1"]] / context_total
                score += share
                if share:
                    why.append(f"document names {c['admin1']} ({share:.0%})")
            if c.get("population"):
                score += min(c["population"], 500_000) / 2_000_000
            if c["feature_type"].startswith("landmark") or c["id"].startswith("M"):
                score += 0.3
            seat = seats().get(c["id"])
            if seat is not None:
                score += SEAT_BONUS[seat["feature_type"]]
                why.append(f"seat of {seat['feature_type']} {seat['name_en']}")
            if c["feature_type"] == "neighbourhood" and c.get("city_pcode") in cities:
                score += 0.3
                why.append("its city is named in the document")
            others_near = [(haversine_km(c["lat"], c["lon"], la, lo), t)
                           for k, la, lo, t in anchors_near(c["lat"], c["lon"]) if k != key]
            if others_near and c["feature_type"] not in ("admin1", "admin2", "admin3"):
                dist, name = min(others_near)
                bonus = _proximity_bonus(dist)
                if bonus:
                    score += bonus
                    why.append(f"{dist:.0f} km from '{name}' named in the document")
            if c["id"] in qualified:
                why.append(f"'{c['name_ar']}': the name with a qualifier")
            scored.append((score, c, ", ".join(why)))
        scored.sort(key=lambda x: (-x[0], x[1]["id"]))
        sent_start = doc[sentence_bounds(doc, span.start)[0]].idx
        top = [(c["id"], round(s, 3)) for s, c, _ in scored[:5]]
        reference = told_from(k_span)
        if reference and scored and scored[0][1]["feature_type"] not in ("admin1", "admin2", "admin3"):
            # a village told from a place lies near it: a namesake far away is not it
            near_ref = [x for x in scored if min(haversine_km(x[1]["lat"], x[1]["lon"], r["lat"], r["lon"])
                                                  for r in reference) <= REFERENCE_KM]
            if not near_ref:
                reason = (f"'{span.text}' is told from '{spans[k_span + 1].text}', and no place of this name lies "
                          f"within {REFERENCE_KM:.0f} km of it")
                mentions.append(_unresolved(span, sent_start, reason, top))
                continue
            scored = near_ref

        if foreign and key in nationality_adjectives() and span.start - 1 in attack_ends:
            # "طائرة حربية تركية", "غارة جوية تركية": right after a word for an attack, a nationality
            # word says whose it is (kb/cues.csv actor_adjective), not where it fell ("ريحانلي
            # الحدودية التركية" stays the country)
            reason = f"'{span.text}' says whose the attack is, it names no place"
            mentions.append(_unresolved(span, sent_start, reason, top))
            continue
        if not scored:
            if foreign:
                mentions.append(_unresolved(span, sent_start, f"'{span.text}' is a place outside Syria", top, True))
            continue
        near_anchor = "km from" in scored[0][2]
        if is_common and not cue and not has_prep and not _in_place_list(doc, spans, span, near_anchor, span_starts):
            reason = f"'{span.text}' is also an ordinary word and no place cue precedes it"
            mentions.append(_unresolved(span, sent_start, reason, top))
            continue
        if key in event_words() and not cue and not (prev and prev[0] in ("في", "وفي")):
            reason = f"'{span.text}' is also an event or casualty word and no place cue precedes it"
            mentions.append(_unresolved(span, sent_start, reason, top))
            continue
        best_score, best, why = scored[0]
        if local and inside_local(k_span) and not foreign and all(c["admin1"] != local for _, c, _ in scored) and \
                best["feature_type"] not in ("admin1", "admin2", "admin3", "region"):
            # "قرية السكرية بريف البوكمال": the text puts it in Deir ez Zor, where no place has the name
            reason = f"the text places '{span.text}' in {local}, where no place has this name"
            mentions.append(_unresolved(span, sent_start, reason, top))
            continue
        support = context[best["admin1"]] - (own.get(key) == best["admin1"])
        others = context_total - (key in own)
        # "محافظة القنيطرة": a governorate word before a Syrian governorate's name settles it (Kenitra
        # is a Moroccan province, which Morocco calls no محافظة)
        settled = cue in ("بلده", "قريه", "حي") or (cue == "محافظه" and best["feature_type"] == "admin1")
        if foreign and support <= 0 and not settled:
            reason = f"'{span.text}' is also a place outside Syria and nothing else in the document places it in {best['admin1']}"
            mentions.append(_unresolved(span, sent_start, reason, top, True))
            continue
        country = next((foreign_names.get(i[len(FOREIGN_PREFIX):], "") for i in span._.kb_ids if _is_foreign(i)), "")
        # a town that is also a town abroad is abroad on a page that names more places abroad, in any
        # country, than in its governorate (a world news roundup: "رفح", "الرياض", "الكرك"); a
        # governorate's or district's name is weighed against its own country's places only
        admin_area = best["feature_type"] in ("admin1", "admin2", "admin3")
        elsewhere = abroad[country] if admin_area else abroad_total
        if foreign and elsewhere > support and not settled:
            where = country if admin_area else "outside Syria"
            reason = (f"'{span.text}' is also a place in {country or 'another country'}, and the document names "
                      f"more places only {where} ({elsewhere}) than in {best['admin1']} ({support})")
            mentions.append(_unresolved(span, sent_start, reason, top, True))
            continue
        if foreign and key in country_names() and cue not in ("بلده", "قريه", "حي"):
            # "تركيا" is Turkey, not the Raqqa village Turkeia, unless the text says "قرية تركيا"
            reason = f"'{span.text}' names the country {country_names()[key]} (no settlement cue before it)"
            mentions.append(_unresolved(span, sent_start, reason, top, True))
            continue
        # admin areas, their seats and named landmarks are specific enough to stand alone
        specific = (best["feature_type"] in ("admin1", "admin2", "region") or best["id"] in seats()
                    or best["feature_type"].startswith("landmark"))
        if not cue and support <= 0 and others >= 2 and not specific:
            reason = f"'{span.text}' has no place cue and lies in {best['admin1']}, which nothing else in the document names"
            mentions.append(_unresolved(span, sent_start, reason, top))
            continue
        margin = best_score - scored[1][0] if len(scored) > 1 else 1.0
        region = (cue in REGION_CUES or where == "countryside"
                  or best["feature_type"] in ("admin1", "admin2", "admin3", "region"))
        if region and best["feature_type"] == "community" and (cue in COUNTRYSIDE or where == "countryside"):
            # "ريف حلب" names the governorate's countryside, "ريف معرة النعمان" the district's
            admin = seats().get(best["id"]) or index.get(best["admin1_pcode"])
            if admin is not None:
                best = admin
        precision = 3 if region else (2 if near else 1)
        tied = [c for sc, c, _ in scored if best_score - sc < TIE_MARGIN
                and haversine_km(c["lat"], c["lon"], scored[0][1]["lat"], scored[0][1]["lon"]) > TIE_KM]
        tie_why = ""
        if tied and not region:
            # candidates the text cannot tell apart: reported, not picked silently
            group = [scored[0][1], *tied]
            names = ", ".join(f"{c['name_en']} ({c['admin2']}, {c['admin1']})" for c in group[:4])
            if len({c["admin2"] for c in group}) == 1:
                precision = max(precision, 2)
                tie_why = f"; ambiguous: {len(group)} candidates tie ({names}), all in {best['admin2']} -> geo_precision 2"
            elif len({c["admin1"] for c in group}) == 1 and index.get(best["admin1_pcode"]) is not None:
                best = index[best["admin1_pcode"]]
                precision, region = 3, True  # coded to the governorate's capital
                tie_why = (f"; ambiguous: {len(group)} candidates tie ({names}), all in {best['admin1']} -> "
                           "the governorate, geo_precision 3")
            else:
                precision = 3
                tie_why = f"; ambiguous: {len(group)} candidates tie ({names}) -> geo_precision 3"
        # a part of the countryside ("ريف درعا الغربي", "الريف الشرقي لدير الزور", "ريف دمشق
        # الجنوبي"); a bare "حلب الشرقية" or "شرق حلب" is the city's part or its outskirts
        countryside = where == "countryside" or (
            where == "after" and (cue in COUNTRYSIDE or cue == "باديه" or key.startswith("ريف ")))
        anchor, anchor_why = "", ""
        if region and countryside and best["feature_type"] in ("admin1", "admin2"):
            anchor, anchor_why = directional_anchor(best["id"], direction)
            if anchor:
                precision = 2  # CODEBOOK: a part of a region coded to a representative town
        reason = f"{best['feature_type']} {best['id']} ({why}); margin {margin:.2f} over {len(scored) - 1} other candidates"
        reason += tie_why
        if near and not region:
            reason += "; 'near/around' or direction word -> geo_precision 2"
        if region:
            reason += f"; {anchor_why} -> geo_precision 2" if anchor else "; region only -> geo_precision 3 at its capital"
        mentions.append(
            PlaceMention(span.start_char, span.end_char, span.text, sent_start, best, round(best_score, 3),
                         precision, reason, top, cue, region, direction=direction if anchor else "", anchor_id=anchor)
        )
    for m in mentions:
        m.outlet = (m.start_char, m.end_char) in outlet_chars
    return mentions


def geocode(name: str, context: str | None = None, admin1: str | None = None) -> list[dict]:
    """Candidates for a place name (optionally in a context sentence), best first.

    Without a context this is the fast name lookup (:func:`lookup`); with one, the name is
    resolved inside the analysed sentence (cue words, admin context, directions).
    """
    from ..nlp.pipeline import analyse

    if not context:
        return [{**c, "chosen": i == 0} for i, c in enumerate(lookup(name, admin1))]
    text = context
    doc = analyse(text)
    target = normalize_phrase(name)
    out = []
    for m in resolve_places(doc):
        if target and target not in normalize_phrase(m.text) and normalize_phrase(m.text) not in target:
            continue
        listed = [cid for cid, _ in m.candidates]
        if m.place is not None and m.place["id"] not in listed:  # a tie resolved to its governorate
            listed.insert(0, m.place["id"])
        scores = dict(m.candidates)
        for cid in listed:
            p = gazetteer_index()[cid]
            score = scores.get(cid)
            if m.place is not None and m.place["id"] == cid and m.point is not None:
                p = {**p, "lat": m.point["lat"], "lon": m.point["lon"], "location": m.point["location"]}
            if admin1 and p["admin1"].lower() != admin1.lower():
                continue
            out.append({
                "id": p["id"], "pcode": p["pcode"], "name_ar": p["name_ar"], "name_en": p["name_en"],
                "location": p["location"], "feature_type": p["feature_type"], "admin1": p["admin1"],
                "admin2": p["admin2"], "admin3": p["admin3"], "latitude": p["lat"], "longitude": p["lon"],
                "score": score, "chosen": m.place is not None and m.place["id"] == cid,
                "geo_precision": m.geo_precision if m.place is not None and m.place["id"] == cid else None,
                "reason": m.reason,
            })
    return out


@cache
def qualified_names() -> dict[str, tuple[str, ...]]:
    """A name's first word, without the article -> the communities whose name is that word and a
    qualifier ("مشيرفة الشرقية", "مشيرفة قبلية" under "مشيرفه"; kb/function_words.csv
    ``name_qualifier``): where a text names a village in a governorate that has no village of
    exactly that name, these are what it may mean. A second word that is a name of its own
    ("تلة الغالي", "خان طومان") makes another place, not a variant of the first word."""
    kb = get_kb()
    qualifiers = kb.words("name_qualifier")
    index: dict[str, list[str]] = {}
    for p in kb.places:
        if p["feature_type"] != "community":
            continue
        for name in p["names_norm"]:
            words = name.split()
            if len(words) == 2 and words[1] in qualifiers:
                index.setdefault(words[0].removeprefix("ال"), []).append(p["id"])
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


@cache
def name_index() -> dict[str, tuple[str, ...]]:
    """Normalised name variant -> gazetteer ids (built once, ~0.1 s)."""
    index: dict[str, list[str]] = {}
    for p in get_kb().places:
        for name in p["names_norm"]:
            index.setdefault(name, []).append(p["id"])
    return {k: tuple(v) for k, v in index.items()}


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter added, dropped or changed turns ``a`` into ``b`` (or none)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _spelling(name: str, place: dict) -> float:
    """How alike a text's spelling and the place's closest name are, the article and a glued "و"
    or "ب" aside: difflib's ratio (0 to 1) over the names one letter apart from it, 0 when none is."""
    forms = {name.removeprefix("ال")}
    if name[:1] in ("و", "ب"):
        forms.add(name[1:].removeprefix("ال"))
    names = [n.removeprefix("ال") for n in place["names_norm"]]
    return max((SequenceMatcher(None, f, n).ratio() for f in forms for n in names if _one_letter_apart(f, n)),
               default=0.0)


def name_skeleton(norm: str) -> str:
    """A normalised name without what Arabic spellings of one village disagree on: spaces, the
    article, a final ة/ا/ي and the long vowels after the first letter ("حمورية" and "حمورة",
    "كفروما" and "كفرومة", "باشنطرة" and "بشنطرة", "شبيران" and "شابيران" share one)."""
    s = norm.replace(" ", "")
    if s.startswith("ال") and len(s) > 4:
        s = s[2:]
    if len(s) > 3 and s[-1] in "اهي":
        s = s[:-1]
    return s[:1] + re.sub("[اوي]", "", s[1:])


@cache
def admin1_areas() -> tuple[dict, ...]:
    """The governorates' gazetteer entries (their point is the capital's)."""
    return tuple(p for p in gazetteer_index().values() if p["feature_type"] == "admin1")


@cache
def skeleton_index() -> dict[str, tuple[str, ...]]:
    """Skeleton (``name_skeleton``, at least 3 letters) of a community's name -> its ids."""
    index: dict[str, list[str]] = {}
    for p in get_kb().places:
        if p["feature_type"] != "community":
            continue
        for name in p["names_norm"]:
            key = name_skeleton(name)
            if len(key) >= 3:
                index.setdefault(key, []).append(p["id"])
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


_PROCLITIC_PREFIXES = ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def lookup(name: str, admin1: str | None = None, limit: int = 10) -> list[dict]:
    """Candidates for a bare place name without context, best first (no NLP pipeline: fast).

    The name is normalised (hamza/alef, ة/ه, ى/ي, diacritics); a proclitic (و ف ب ل ك) is
    stripped when the name is otherwise unknown ("بدرعا" -> "درعا"), and the article is
    toggled ("الحراك" / "حراك"). Candidates are ranked by feature type and population; use
    :func:`geocode` with a context sentence to disambiguate.
    """
    names = name_index()
    norm = normalize_phrase(name)
    ids = names.get(norm)
    how = "exact name"
    if ids is None:
        for prefix in _PROCLITIC_PREFIXES:
            rest = norm[len(prefix):]
            if norm.startswith(prefix) and len(rest) > 2:
                ids = names.get(rest) or (names.get("ا" + rest) if prefix.endswith("ل") and rest.startswith("ل") else None)
                if ids:
                    how = f"proclitic '{prefix}' stripped"
                    break
    if ids is None:
        toggled = norm[2:] if norm.startswith("ال") else "ال" + norm
        ids = names.get(toggled)
        how = "article toggled"
    if not ids:
        return []
    index = gazetteer_index()
    out = []
    for pid in ids:
        p = index[pid]
        if admin1 and p["admin1"].lower() != admin1.lower():
            continue
        score = TYPE_RANK.get(p["feature_type"], 3) / 10 + min(p.get("population") or 0, 500_000) / 2_000_000
        out.append((score, p))
    out.sort(key=lambda x: (-x[0], x[1]["id"]))
    return [
        {"id": p["id"], "pcode": p["pcode"], "name_ar": p["name_ar"], "name_en": p["name_en"], "location": p["location"],
         "feature_type": p["feature_type"], "admin1": p["admin1"], "admin2": p["admin2"], "admin3": p["admin3"],
         "latitude": p["lat"], "longitude": p["lon"], "score": round(s, 3),
         "reason": f"{how}; {p['feature_type']}" + (f", population {p['population']}" if p.get("population") else "")}
        for s, p in out[:limit]
    ]
