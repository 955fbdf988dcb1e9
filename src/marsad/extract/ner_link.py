"""The NER model in extraction: names the knowledge base does not know become candidates.

The lexicons know the gazetteer's places and the actor table's groups; the statistical NER model
(:mod:`marsad.ner`) finds names they miss. It runs on the words around each event trigger, within
its sentence (frames are built from those sentences only; this keeps it cheap), and adds:

- **places** (LOC) that no gazetteer name matched: the name goes to the geocoder's name lookup
  (proclitics stripped, article toggled, spaces ignored) and every candidate joins
  ``doc.spans["places"]``, so the mention is disambiguated in its context like any other; a name
  the gazetteer does not have is kept as an unresolved mention with its reason;
- **armed groups** (ORG) whose name starts with a group word of ``kb/group_words.csv`` ("لواء",
  "جيش", "كتائب", "قوات" ...): a new actor with an ACLED-style romanised English name
  (:func:`romanise`) and the inter type of its head word;
- **persons** (PERS) followed by "التابع ل" / "قائد" + a group: the group takes the role cues that
  precede the person ("على يد القيادي أبو X التابع للواء ..." makes the brigade the perpetrator),
  and the person's words join the actor's evidence.

Switch it off with ``MARSAD_NER=0`` (or ``extract(doc, ner=False)``, ``--no-ner``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span

from ..env import env_flag
from ..geo.geocoder import (
    CUES,
    DIRECTIONS,
    REGION_CUES,
    SPELLING_VARIANT,
    common_words,
    country_names,
    gazetteer_index,
    lookup,
    name_index,
    name_skeleton,
    normalize_phrase,
    skeleton_index,
)
from ..kb import Actor, function_words, load_json
from ..model import Evidence
from ..nlp.normalize import normalize
from ..nlp.pipeline import add_span_ids, doc_text, sentence_bounds

ENV = "MARSAD_NER"
#: Longest token run given to the tagger at once (its training sentences are shorter).
MAX_PIECE = 200
#: Tokens either side of a trigger given to the tagger (roles are linked within ~a dozen tokens).
WINDOW = 15
NER_ACTOR_PREFIX = "ner:"
#: "الجيش اللبناني", "القوات التركية": a state's forces, which the actor table names.
STATE_HEADS = {"الجيش", "القوات", "الشرطه", "وحدات", "الوحدات"}
#: Words that leave a head word generic: "قوات الأمن", "ميليشيات النظام", "فصائل المعارضة".
GENERIC_WORDS = {
    "الامن", "الشرطه", "النظام", "الحكومه", "الحكوميه", "المعارضه", "الاحتلال", "الجيش", "الاسد", "الحكومي",
    "الامن الداخلي", "الداخلي", "الخاصه", "النظاميه", "المسلحه", "الموالیه", "الموالية", "المواليه", "الايرانيه",
    "الروسيه", "الامريكيه", "الاميركيه", "التركيه", "الكرديه", "الاجنبيه", "الطايفيه", "الشيعيه", "المحليه",
    "الحدود", "حرس", "الحرس", "التحالف", "الدوليه", "الدولي", "المدعومه", "التابعه", "الشعبيه",
    "قوات", "القوات", "المتشددين", "المسلحين", "المعارضين", "الثوار", "العشرات", "المقاتلين", "الارهابيين",
    # an army unit named by its arm ("كتيبة الصواريخ", "كتيبة الدفاع الجوي"), or a vague plural
    "الصواريخ", "المدفعيه", "الرادار", "الدفاع", "الجوي", "الدبابات", "المشاه", "الهندسه", "الاسناد", "الاشاره",
    "المهجوره", "الاخري", "الاخرى", "اسلاميه", "الاسلاميه", "مسلحه", "عسكريه", "محليه", "اخري", "عده", "عديده",
    "الريف", "المنطقه", "المدينه",
}
#: Heads that, before a bare place name, name an army position ("كتيبة تل عجار"), not a group.
SITE_HEADS = {"كتيبه", "سريه"}
_PROCLITICS = ("وب", "ول", "وال", "و", "ف", "ب", "ل", "ك")


def ner_enabled(flag: bool | None = None) -> bool:
    """``flag`` when given, else the MARSAD_NER environment variable (on unless 0/false/off/no)."""
    if flag is not None:
        return flag
    return env_flag(ENV, default=True)


@dataclass
class NerMention:
    label: str  # PERS | LOC | ORG | MISC
    start: int  # token indices into the spaCy doc
    end: int
    start_char: int
    end_char: int
    text: str

    def evidence(self) -> Evidence:
        return Evidence(self.start_char, self.end_char, self.text)


@dataclass
class NerActor:
    span: Span
    actor: Actor


# -- group words and romanisation ----------------------------------------------------------------


@cache
def group_words() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(head word norm -> (latin, inter), word norm -> latin) from kb/group_words.csv."""
    heads: dict[str, tuple[str, str]] = {}
    glossary: dict[str, str] = {}
    for exact in (True, False):  # a word's own row before another row's article variant
        for r in load_json("group_words.json"):
            own = normalize(r["phrase"])
            for v in r["phrase_norm"]:
                if (v == own) != exact:
                    continue
                if r["inter"]:  # "اللواء" / "لواء" both head the name: Liwa
                    heads.setdefault(v, (r["latin"], r["inter"]))
                glossary.setdefault(v, r["latin"] if exact or not v.startswith("ال") else "al-" + r["latin"])
    return heads, glossary


@cache
def pattern_heads() -> frozenset[str]:
    """Head words specific enough to open a group's name the tagger missed (no article)."""
    return frozenset(normalize(r["phrase"]) for r in load_json("group_words.json") if r.get("pattern") == "1")


@cache
def pattern_forms() -> frozenset[str]:
    """Every word that opens a group name the tagger missed: a pattern head, bare or with a
    proclitic ("ولواء", "بكتيبة"), exactly the words ``_strip_proclitic`` maps to one."""
    heads = group_words()[0]
    candidates = {p + h for h in pattern_heads() for p in ("", *_PROCLITICS)}
    return frozenset(w for w in candidates if _strip_proclitic(w, heads) in pattern_heads())


_ENGLISH_HEADS = {"Forces", "Militia", "Clan", "Tribe", "Operations Room", "Military Council", "Faction"}


def _strip_proclitic(norm: str, known: dict) -> str:
    if norm in known:
        return norm
    for p in _PROCLITICS:
        rest = norm[len(p):]
        if norm.startswith(p) and len(rest) > 2:
            if rest in known:
                return rest
            if p.endswith("ل") and rest.startswith("ل") and "ال" + rest[1:] in known:  # "للجيش" -> "الجيش"
                return "ال" + rest[1:]
    return norm


@cache
def _name_romaniser():
    try:
        from arabic_name_romanizer import transliterate
    except Exception:  # the library or its ONNX runtime is unavailable: letter-by-letter fallback
        return None
    return transliterate


_LETTERS = str.maketrans({
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a",
})


def _romanise_word(word: str) -> str:
    translit = _name_romaniser()
    out = ""
    if translit is not None:
        try:
            out = str(translit(word))
        except Exception:
            out = ""
    if not out or not re.search("[A-Za-z]", out):
        out = word.translate(_LETTERS)
    out = re.sub(r"^(?i:al|el)[- ]", "", out)  # the article is written by the caller
    return out[:1].upper() + out[1:]


def romanise(name: str) -> str:
    """An ACLED-style English name for an Arabic group name the knowledge base does not know.

    Words of ``kb/group_words.csv`` take their curated spelling ("لواء" Liwa, "الإسلام"
    al-Islam); other words go to the offline name romaniser (arabic-name-romanizer, MIT, no
    network), with the article written "al-". English head words follow the name ("قوات
    الصناديد" -> "Al-Sanadid Forces").
    """
    heads, glossary = group_words()
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    parts: list[str] = []
    trailing = ""
    for k, word in enumerate(words):
        if not word:
            continue
        norm = normalize(word)
        key = _strip_proclitic(norm, glossary) if k == 0 else norm
        if k == 0:
            pair = _strip_proclitic(" ".join(normalize(w) for w in words[:2]), heads)
            single = _strip_proclitic(norm, heads)
            if pair in heads or single in heads:
                latin = heads[pair if pair in heads else single][0]
                if latin in _ENGLISH_HEADS:
                    trailing = latin
                else:
                    parts.append(latin)
                if pair in heads and len(words) > 1:
                    words[1] = ""  # consumed
                continue
        if key in glossary:
            latin = glossary[key]
            if k == 0 and latin in _ENGLISH_HEADS:
                trailing = latin
                continue
            parts.append(latin)
            continue
        place = _place_name(key)
        if place:  # a place in the name takes its gazetteer spelling ("جيش إدلب الحر": Idleb)
            parts.append(place)
            continue
        article = key.startswith("ال") and len(key) > 3  # written "al-", the rest romanised
        latin = _romanise_word(re.sub(r"^[وفبلك]?ال", "", word) if article else word)
        parts.append("al-" + latin if article else latin)
    text = " ".join(p for p in parts if p)
    if trailing:
        text = f"{text} {trailing}".strip()
    return text[:1].upper() + text[1:] if text else name


def _place_name(norm: str) -> str:
    """The ACLED English name of a Syrian governorate, district or town called ``norm``."""
    for pid in name_index().get(norm, ()):
        p = gazetteer_index()[pid]
        if p["feature_type"] in ("admin1", "admin2", "admin3") or (p["feature_type"] == "community"
                                                                    and (p.get("population") or 0) >= 5000):
            return p["name_en"]
    return ""


def group_head(norms: list[str]) -> tuple[str, str] | None:
    """(latin, inter) when the words start with an armed-group head word, else None."""
    heads, _ = group_words()
    if len(norms) >= 2:
        pair = _strip_proclitic(f"{norms[0]} {norms[1]}", heads)
        if pair in heads:
            return heads[pair]
    if norms:
        first = _strip_proclitic(norms[0], heads)
        if first in heads:
            return heads[first]
    return None


# -- recognising ---------------------------------------------------------------------------------


def trigger_windows(doc: Doc, triggers: list[Span] | None = None) -> list[list[int]]:
    """[start, end) token windows around each trigger inside its sentence (scraped pages have
    sentences of thousands of words), overlapping windows merged."""
    windows: list[list[int]] = []
    triggers = list(doc.spans.get("triggers", [])) if triggers is None else triggers
    for t in sorted(triggers, key=lambda s: s.start):
        lo, hi = sentence_bounds(doc, t.start)
        a, b = max(lo, t.start - WINDOW), min(hi, t.end + WINDOW)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    return windows


def recognise(doc: Doc, triggers: list[Span] | None = None) -> list[NerMention]:
    """NER mentions near ``triggers`` (default: every trigger of ``doc``), token-aligned."""
    from .. import ner

    windows = trigger_windows(doc, triggers)
    pieces: list[list[tuple[int, int, str]]] = []
    text = doc_text(doc)
    for a, b in windows:
        start_char = doc[a].idx
        end_char = doc[b - 1].idx + len(doc[b - 1].text)
        toks = [(s + start_char, e + start_char, t) for s, e, t in ner.tokenize(text[start_char:end_char])]
        for k in range(0, len(toks), MAX_PIECE):
            if toks[k : k + MAX_PIECE]:
                pieces.append(toks[k : k + MAX_PIECE])
    if not pieces:
        return []
    out: list[NerMention] = []
    # the first CRF pass only: the windows are short and scattered, which is what the second,
    # document-context pass needs most; it would double the cost for +0.011 F1
    all_tags = ner.load_model().tag_sentences([[t for _, _, t in p] for p in pieces], second=False)
    for piece, tags in zip(pieces, all_tags, strict=True):
        for i, j, label in ner.spans(tags):
            s, e = piece[i][0], piece[j - 1][1]
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is None or not len(span):
                continue
            out.append(NerMention(label, span.start, span.end, s, e, text[s:e]))
    return out


class _Spans:
    """Spans sorted by start, for "does this mention overlap any of them" in log time."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda sp: sp.start_char)
        self.starts = [sp.start_char for sp in self.spans]
        self.longest = max((sp.end_char - sp.start_char for sp in self.spans), default=0)

    def overlaps(self, m: NerMention) -> bool:
        lo = bisect_left(self.starts, m.start_char - self.longest)
        hi = bisect_left(self.starts, m.end_char)
        return any(sp.start_char < m.end_char and m.start_char < sp.end_char for sp in self.spans[lo:hi])


@cache
def _compact_names() -> dict[str, tuple[str, ...]]:
    """Gazetteer names with their spaces removed ("ديرالزور", "كفربطنا")."""
    out: dict[str, list[str]] = {}
    for name, ids in name_index().items():
        if " " in name:
            out.setdefault(name.replace(" ", ""), []).extend(ids)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def place_candidates(name: str, settlement: bool = False) -> tuple[list[str], str]:
    """Gazetteer ids a name NER found may refer to, and how they were found. A name the text
    calls a town or village (``settlement``: "قرية", "بلدة" right before it) may also be another
    spelling of a gazetteer name."""
    found = lookup(name, limit=50)
    if found:
        return [c["id"] for c in found], found[0]["reason"].split(";")[0]
    compact = normalize_phrase(name).replace(" ", "")
    for key in (compact, compact.removeprefix("ال"), "ال" + compact):
        ids = _compact_names().get(key)
        if ids:
            return list(ids), "spacing ignored"
    if settlement:
        # another spelling of a village ("حمورية" for the gazetteer's "حمورة"): its namesakes across
        # Syria, which the geocoder holds to the places the document names
        for key in (compact, compact[1:] if compact[:1] in ("و", "ب") else ""):
            ids = skeleton_index().get(name_skeleton(key)) if len(key) >= 4 else None
            if ids:
                return list(ids), SPELLING_VARIANT
    return [], ""


def apply(doc: Doc, triggers: list[Span] | None = None) -> list[NerMention]:
    """Run NER around ``triggers`` (default: all) and add what the lexicons missed (see the
    module docstring). Returns every mention; places are added to ``doc.spans["places"]``,
    unknown armed groups to ``doc.user_data["marsad_ner_actors"]``, unplaced names to
    ``doc.user_data["marsad_ner_unplaced"]``."""
    mentions = recognise(doc, triggers)
    doc.user_data["marsad_ner"] = mentions
    places = list(doc.spans.get("places", []))
    actors = list(doc.spans.get("actors", []))
    norms: list[str] = doc.user_data["marsad_norms"]
    new_places: list[Span] = []
    unplaced: list[NerMention] = []
    new_actors: list[NerActor] = []
    known_places, known_actors = _Spans(places), _Spans(actors)
    settlement_words = function_words()["settlement"]
    for m in mentions:
        if m.label == "LOC":
            if known_places.overlaps(m) or known_actors.overlaps(m):
                continue
            ids, how = place_candidates(m.text, m.start > 0 and norms[m.start - 1] in settlement_words)
            if not ids:
                if _is_name(norms[m.start : m.end]):
                    unplaced.append(m)
                continue
            label = f"places\x1fner:{how}:{normalize(m.text)}"
            add_span_ids(doc, label, ids)
            new_places.append(Span(doc, m.start, m.end, label=label))
    # armed groups: the model's organisations, and names its tagger missed that open with a
    # group word ("لواء أسود الجبل", "تجمع أحرار حوران": ANERcorp has few Syrian factions)
    candidates = [(m.start, m.end, "recognised by the NER model") for m in mentions if m.label == "ORG"]
    candidates += [(a, b, "recognised by its group word and the NER model's tags")
                   for a, b in head_chunks(doc, triggers, mentions)]
    taken: list[tuple[int, int]] = []
    place_tokens = {i for p in places for i in range(p.start, p.end)}
    for a, b, how in sorted(candidates, key=lambda c: (c[0], -(c[1] - c[0]))):
        while a < b and norms[a] in _PROCLITICS:  # a proclitic split off by the tokenizer
            a += 1
        words = [w for w in norms[a:b] if w]
        if not words or any(x < b and a < y for x, y in taken) or any(sp.start < b and a < sp.end for sp in actors):
            continue
        head = group_head(words)
        if (head is None or len(words) < 2 or words[0] in STATE_HEADS or set(words[1:]) <= GENERIC_WORDS
                or any(_foreign(w) for w in words[1:]) or GENERIC_WORDS & set(words[1:2])):
            continue  # an agency, a ministry, a state's army ("جيش الفلبين"), "قوات الأمن": not a new armed group
        if _strip_proclitic(words[0], group_words()[0]) in SITE_HEADS and all(i in place_tokens for i in range(a + 1, b)):
            continue  # "كتيبة تل عجار", "كتيبة الأتارب": an army battalion's position
        taken.append((a, b))
        span = Span(doc, a, b, label="ner_actor")
        name_norm = " ".join(words)
        actor = Actor(
            actor_id=NER_ACTOR_PREFIX + name_norm, name_en=romanise(span.text), inter=head[1], kind="group",
            parent_id="", valid_from="", valid_to="", names_norm=[name_norm], aliases_en=[],
            note=f"not in the knowledge base: {how}; name romanised",
        )
        new_actors.append(NerActor(span, actor))
    # a place inside a group's name ("أنصار الفرقان", "لواء شهداء اليرموك") is not where it acted
    # (or in any organisation's: "مجلس دير الزور العسكري", "شبكة حلب نيوز", "تنسيقية حمص")
    # wherever the same name comes back in the document
    orgs = _occurrences(norms, [norms[a.span.start : a.span.end] for a in new_actors]
                        + [norms[m.start : m.end] for m in mentions if m.label == "ORG" and m.end - m.start >= 2])
    ends_at: dict[int, int] = {}  # start token of an organisation's name -> its longest end
    for a, b in orgs:
        ends_at[a] = max(ends_at.get(a, b), b)
    longest = max((b - a for a, b in orgs), default=0)
    inside_group = [p for p in places
                    if any(ends_at.get(a, -1) >= p.end and ends_at[a] - a > p.end - p.start
                           for a in range(p.start - longest, p.start + 1))]
    if new_places or inside_group:
        kept = [p for p in places if p not in inside_group] + new_places
        doc.spans["places"] = sorted(kept, key=lambda s: (s.start, s.end))
    doc.user_data["marsad_ner_actors"] = new_actors
    doc.user_data["marsad_ner_unplaced"] = unplaced
    return mentions


#: Words that never continue a group's name.
NOT_NAME = {"الذي", "التي", "الذين", "الي", "علي", "الا", "الان", "اليوم", "الامس", "الماضي", "الحالي", "الجاري",
            "الاخير", "الاخيره", "المدعوم", "المدعومه", "التابع", "التابعه", "المقرب", "المقربه", "العامله",
            "المنضوي", "المنضويه", "المسيطره", "المتمركزه", "المتواجده", "الموجوده"}


def head_chunks(doc: Doc, triggers: list[Span] | None, mentions: list[NerMention]) -> list[tuple[int, int]]:
    """Token ranges of group names that open with a group word of kb/group_words.csv and go on
    with name-like words: curated words of group names, words the NER model tagged, place names
    ("كتيبة أحرار طفس"), and article-prefixed words that are not function words ("لواء أسود الجبل")."""
    norms: list[str] = doc.user_data["marsad_norms"]
    heads, glossary = group_words()
    tagged = {i for m in mentions for i in range(m.start, m.end)}
    tagged |= {i for p in doc.spans.get("places", []) for i in range(p.start, p.end)}  # "أحرار طفس"
    persons_at = {m.start for m in mentions if m.label == "PERS"}
    out = []
    for a, b in trigger_windows(doc, triggers):
        i = a
        while i < b:
            w = norms[i]
            pair = f"{w} {norms[i + 1]}" if i + 1 < b else ""
            size = 2 if pair in pattern_heads() else (1 if w in pattern_forms() else 0)
            if not size or (size == 1 and _strip_proclitic(w, heads) != w and w.startswith("ال")):
                i += 1  # "اللواء القتيل", "الجيش المصري": with the article it is a description
                continue
            j = i + size
            if j in persons_at:  # "لواء محمد ...": a rank, not a brigade
                i = j
                continue
            while j < min(b, i + size + 4):
                n = norms[j]
                name_like = n in glossary or j in tagged or (
                    n.startswith("ال") and len(n) > 3 and n not in NOT_NAME and n not in GENERIC_WORDS)
                if not n or not name_like:
                    break
                j += 1
            if j > i + size:
                out.append((i, j))
            i = j
    return out


def _is_name(words: list[str]) -> bool:
    """Whether a LOC mention holds a name, not only cue and ordinary words ("بمدينة", "الريف")."""
    ordinary = common_words()
    for w in words:
        if not w or w in _PROCLITICS:
            continue
        bare = _strip_proclitic(w, CUES)
        bare = bare[2:] if bare.startswith("ال") and bare[2:] in REGION_CUES | set(CUES) else bare
        if bare in CUES or bare in REGION_CUES or w in DIRECTIONS or w in ordinary or bare in ordinary:
            continue
        if w.startswith(("ب", "و", "ل")) and (w[1:] in CUES or w[1:] in REGION_CUES or w[1:] in ordinary):
            continue
        return True
    return False


def _foreign(word: str) -> bool:
    """A country or a place abroad ("جيش الفلبين" is the Philippine army)."""
    from ..kb import get_kb

    foreign = get_kb().foreign_places
    return any(w in country_names() or w in foreign for w in (word, word.removeprefix("ال")))


def _occurrences(norms: list[str], names: list[list[str]]) -> list[tuple[int, int]]:
    """(start, end) token ranges where any of the token sequences ``names`` occurs."""
    wanted: dict[str, list[tuple[str, ...]]] = {}
    for name in names:
        if name and name[0]:
            wanted.setdefault(name[0], []).append(tuple(name))
    out = []
    for i, w in enumerate(norms):
        for name in wanted.get(w, ()):
            if tuple(norms[i : i + len(name)]) == name:
                out.append((i, i + len(name)))
    return out


def persons(doc: Doc) -> list[NerMention]:
    return [m for m in doc.user_data.get("marsad_ner", []) if m.label == "PERS"]
