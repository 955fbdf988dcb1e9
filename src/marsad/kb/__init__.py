"""The packaged knowledge base: gazetteer, actors, triggers and cues.

Built by ``scripts/build_kb.py`` from ``../shared/data`` and the curated files in ``kb/``;
loaded once, lazily, from the package data.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from ..nlp.numbers import splittable_words

#: Fall of the Assad government: state actor names change on this day (kb/actors.csv periods).
REGIME_CHANGE = "2024-12-08"


def _data_file(name: str):
    return resources.files("marsad").joinpath("data", name)


def load_json(name: str) -> Any:
    path = _data_file(name)
    if name.endswith(".gz"):
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    with path.open("r", encoding="utf-8") as fh:
        return json.load(fh)


@cache
def function_words() -> dict[str, frozenset[str]]:
    """kb/function_words.csv by family: the closed-class words the extraction rules and the
    geocoder read (normalised), loaded once."""
    families: dict[str, set[str]] = {}
    for r in load_json("function_words.json"):
        families.setdefault(r["family"], set()).add(r["word_norm"])
    return {k: frozenset(v) for k, v in families.items()}


@dataclass
class Actor:
    actor_id: str
    name_en: str
    inter: str
    kind: str
    parent_id: str
    valid_from: str
    valid_to: str
    names_norm: list[str]
    aliases_en: list[str]
    note: str = ""

    @property
    def is_generic(self) -> bool:
        return self.kind == "generic"


@dataclass
class Trigger:
    row: int
    phrase: str
    event_type: str
    sub_event_type: str
    priority: int
    needs: str
    variants: list[str]


@dataclass
class KnowledgeBase:
    places: list[dict]
    actors: dict[str, Actor]
    triggers: list[Trigger]
    cues: dict[str, set[str]]  # cue -> normalised phrases
    cue_phrases: list[tuple[str, str]]  # (normalised phrase, cue)
    categories: dict[str, dict[str, str]]  # sub_event_type -> row of the ACLED table
    known_words: set[str] = field(default_factory=set)
    foreign_places: dict[str, str] = field(default_factory=dict)  # name -> country (English)

    @staticmethod
    def words(family: str) -> frozenset[str]:
        """The closed-class words of a family of kb/function_words.csv (normalised)."""
        return function_words().get(family, frozenset())

    def valid_on(self, actor: Actor, on_date: str | None) -> bool:
        """Whether ``actor``'s name applies on ``on_date`` (valid_to is exclusive)."""
        if not on_date:  # undated: the names in use since the fall of the Assad regime
            return not actor.valid_to or actor.valid_to > REGIME_CHANGE
        return (not actor.valid_from or actor.valid_from <= on_date) and (
            not actor.valid_to or on_date < actor.valid_to
        )

    def pick(self, actor_ids: list[str], on_date: str | None) -> Actor:
        """Among the actors a name may refer to, the one whose period covers ``on_date``."""
        actors = [self.actors[i] for i in actor_ids]
        for a in actors:
            if self.valid_on(a, on_date):
                return a
        return actors[0]

    def name_on(self, name_en: str, on_date: str | None) -> tuple[str, str]:
        """The ACLED name of ``name_en``'s actor in the period that covers ``on_date`` (a name of
        another period of the same actor, kb/actors.csv), with a reason when it changes; with no
        date, or no period covering it, the name without its period."""
        family = self.period_families.get(period_free(name_en))
        if not family:
            return name_en, ""
        if on_date:
            for a in family:
                start, end = _period_of(a)
                if start <= on_date < end:
                    return a.name_en, "" if a.name_en == name_en else f"the name of the period of {on_date}"
            return period_free(name_en), f"no period of this actor covers {on_date}: the name without its period"
        return period_free(name_en), "no date for the event or its document: the name without its period"

    @cached_property
    def period_families(self) -> dict[str, list[Actor]]:
        """Period-free name -> the rows of that actor's periods ("Military Forces of Syria" ->
        "(2000-2024)", "(2024-)")."""
        out: dict[str, dict[str, Actor]] = {}
        for a in self.actors.values():
            if PERIOD.search(a.name_en):
                out.setdefault(period_free(a.name_en), {}).setdefault(a.name_en, a)
        return {k: list(v.values()) for k, v in out.items()}

    def resolve_actor(self, actor_id: str, on_date: str | None = None) -> Actor:
        """Persons are coded to their group, units stay themselves; dated names pick the period row."""
        actor = self.actors[actor_id]
        seen = set()
        while actor.kind == "person" and actor.parent_id and actor.parent_id not in seen:
            seen.add(actor.actor_id)
            actor = self.actors[actor.parent_id]
        return actor


#: The period in an ACLED actor name: "Military Forces of Syria (2000-2024)", "(2024-)".
PERIOD = re.compile(r"\s*\((\d{4})-(\d{4})?\)")


def period_free(name: str) -> str:
    return PERIOD.sub("", name, count=1).strip()


def _period_of(actor: Actor) -> tuple[str, str]:
    """[from, to) of an actor's name: the row's dates, else the years its name gives."""
    m = PERIOD.search(actor.name_en)
    start = actor.valid_from or (f"{m.group(1)}-01-01" if m else "")
    end = actor.valid_to or (f"{int(m.group(2)) + 1}-01-01" if m and m.group(2) else "9999-12-31")
    return start, end


_GLUE = ("و", "ف", "ب", "ل", "ك")


def _without_glued(words: set[str], places: list[dict], actors) -> set[str]:
    """Drop words that are a proclitic glued to another known word ("لدرعا" from "اللجنة المركزية
    لدرعا البلد"), so that the tokenizer splits them in text and in phrases alike; a word that is
    a whole name by itself ("بصرى") stays."""
    whole = {n for p in places for n in p["names_norm"] if " " not in n}
    whole.update(n for a in actors for n in a.names_norm if " " not in n)
    glued = set()
    for w in words:
        if w in whole or len(w) < 4:
            continue
        rest = w
        while rest[:1] in _GLUE and len(rest) > 3:
            rest = rest[1:]
            if rest in words or (rest.startswith("ل") and "ا" + rest in words):
                glued.add(w)
                break
    return words - glued


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


@cache
def get_kb() -> KnowledgeBase:
    """The packaged knowledge base (loaded once per process)."""
    places = load_json("gazetteer.json.gz")
    actors = {}
    for r in load_json("actors.json"):
        actors[r["actor_id"]] = Actor(
            actor_id=r["actor_id"],
            name_en=r["name_en"],
            inter=r["inter"],
            kind=r.get("kind", ""),
            parent_id=r.get("parent_id", ""),
            valid_from=r.get("valid_from", ""),
            valid_to=r.get("valid_to", ""),
            names_norm=r.get("names_ar_norm", []),
            aliases_en=_split(r.get("aliases_en", "")),
            note=r.get("note", ""),
        )
    triggers = [
        Trigger(
            row=r["line"],
            phrase=r["phrase"],
            event_type=r["event_type"],
            sub_event_type=r["sub_event_type"],
            priority=int(r.get("priority") or 1),
            needs=(r.get("needs") or "none").strip(),
            variants=r["phrase_norm"],
        )
        for r in load_json("triggers.json")
    ]
    cues: dict[str, set[str]] = {}
    cue_phrases: list[tuple[str, str]] = []
    for r in load_json("cues.json"):
        for v in r["phrase_norm"]:
            cues.setdefault(r["cue"], set()).add(v)
            cue_phrases.append((v, r["cue"]))
    categories = {c["sub_event_type"]: c for c in load_json("categories.json")}
    kb = KnowledgeBase(places, actors, triggers, cues, cue_phrases, categories)
    kb.foreign_places = load_json("foreign_places.json")
    words: set[str] = set()
    for p in places:
        # a form build_kb.add_article_variants derived ("تل الابيض", "بصر الحرير") adds no word: the
        # tokenizer cuts "الابيض" into ال + "ابيض" in the name as in the text, and a whole "الجبين"
        # would stop the cut that lets the village "جبين" match
        derived = set(p.get("derived_forms", ()))
        for n in p["names_norm"]:
            if n not in derived:
                words.update(n.split())
    for a in actors.values():
        for n in a.names_norm:
            words.update(n.split())
    for t in triggers:
        for n in t.variants:
            words.update(n.split())
    for phrase, _ in cue_phrases:
        words.update(phrase.split())
    for name in kb.foreign_places:
        words.update(name.split())
    words.update(splittable_words())
    # weekday names are whole words: "السبت" is not ال + "سبت" (a word of other lexicon entries);
    # imported here, not at the top: `import marsad.kb` should not load the date parser
    from ..nlp.dates import WEEKDAYS

    words.update(WEEKDAYS)
    kb.known_words = _without_glued(words, places, actors.values())
    return kb
