"""What the event scorer knows about one candidate event: the rules' findings and its sentences.

A candidate is a group of frames that the rules would code as one event (``coding.Group``).
Its features are what the rules found (trigger, type, roles and where they came from, place and
date found in the sentence or inherited, modality and casualty cues, position in the document,
quotation) plus the text of its sentences, which the scorer's sentence model reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..model import Event
from ..nlp.normalize import normalize
from .coding import Group
from .frames import DATE_FROM_STORY
from .ner_link import NER_ACTOR_PREFIX
from .tolls import DATE_IN_SENTENCE

#: Cue families of kb/cues.csv whose presence in the event's sentences the scorer weighs.
CUE_FEATURES = (
    "civilian", "report", "killed", "background", "combatant", "injured", "ongoing", "non_conflict",
    "attempt", "hostage", "unknown_actor", "captured", "cumulative", "yesterday", "today", "month", "week",
    "former", "near", "region",
)
QUOTE_MARKS = ("«", "»", '"', "“", "”")
#: A text of at most this many sentences is short (a lone sentence, a Telegram post): that it
#: shows no date says nothing of whether it reports an event, unlike a page with no date at all.
SHORT_TEXT_SENTENCES = 3


@dataclass
class Candidate:
    """One candidate event: the coded event, the frames behind it, the rules' verdict, its score."""

    event: Event
    group: Group
    rule_ok: bool
    rule_reason: str = ""
    features: dict[str, float] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)  # normalised text of its sentences
    score: float = 0.0
    dropped: str = ""  # why it is not emitted ("" when emitted)
    short_text: bool = False  # its document is short (SHORT_TEXT_SENTENCES): the scorer's other operating point


def located_abroad(ev: Event) -> bool:
    """An event placed in another country (its place abroad, no Syrian location)."""
    return not ev.location and bool(ev.country) and ev.country != "Syria"


def sentence_text(text: str) -> str:
    """The form the sentence model reads: normalised letters, digits collapsed."""
    norm = normalize(text)
    return "".join("0" if c.isdigit() else c for c in norm)


def is_short_text(builder) -> bool:
    """A document of at most SHORT_TEXT_SENTENCES sentences (a lone sentence, a short post)."""
    return len(builder.doc.user_data.get("marsad_sent_starts", ())) <= SHORT_TEXT_SENTENCES


def candidate_features(cand: Candidate, builder, per_sentence: dict | None = None) -> None:
    """Fill ``cand.features`` and ``cand.sentences`` (``builder``: the document's FrameBuilder;
    ``per_sentence``: a cache of what each sentence holds, shared by a document's candidates).

    Nothing here describes the document as a whole (its length, its number of candidates): such
    features learn how the gold set was sampled, not what makes an event, and would rate a short
    single-event report (a Telegram post) by the roundups of the training pages."""
    group, ev = cand.group, cand.event
    head = group.head
    f: dict[str, float] = {"bias": 1.0}
    f[f"type={ev.event_type}"] = 1.0
    f[f"sub={ev.sub_event_type}"] = 1.0
    f[f"needs={head.trigger.needs}"] = 1.0
    f["priority"] = max(fr.trigger.priority for fr in group.frames) / 10
    f["rule_ok"] = float(cand.rule_ok)
    # roles and where they came from
    f["actor1"] = float(bool(ev.actor1))
    f["actor2"] = float(bool(ev.actor2))
    f["actor1_named"] = float(any(fr.actor1 is not None for fr in group.frames))
    f["actor2_named"] = float(any(fr.actor2 is not None for fr in group.frames))
    mentions = [m for fr in group.frames for m in (fr.actor1, fr.actor2) if m is not None]
    f["actor_ner"] = float(any(m.actor.actor_id.startswith(NER_ACTOR_PREFIX) for m in mentions))
    f["actor_generic_only"] = float(bool(mentions) and all(m.actor.is_generic for m in mentions))
    f["assoc"] = float(bool(ev.assoc_actor_1 or ev.assoc_actor_2))
    # place
    reasons = [fr.place_reason for fr in group.frames]
    f["place_sentence"] = float(any(r.startswith("place named in the sentence") for r in reasons))
    f["place_paragraph"] = float(not f["place_sentence"] and any(r.startswith("place named earlier") for r in reasons))
    f["place_document"] = float(not f["place_sentence"] and not f["place_paragraph"] and bool(ev.location))
    f["place_none"] = float(not ev.location)
    f["abroad"] = float(located_abroad(ev))
    f["geo_precision1"] = float(ev.geo_precision == 1)
    # date
    date_reasons = [fr.date_reason for fr in group.frames]
    f["date_sentence"] = float(any(r.startswith(DATE_IN_SENTENCE) for r in date_reasons))
    f["date_paragraph"] = float(not f["date_sentence"] and any(r.startswith("date expression earlier") for r in date_reasons))
    f["date_published"] = float(not f["date_sentence"] and not f["date_paragraph"] and bool(ev.event_date))
    short = is_short_text(builder)
    f["date_none"] = float(not ev.event_date and not short)
    f["date_none_short"] = float(not ev.event_date and short)
    # a date taken from an earlier paragraph stands in for the publication date: same features
    f["date_relative"] = float(any("relative" in r and not r.startswith(DATE_FROM_STORY) for r in date_reasons))
    f["multi_day"] = float(any("multi-day" in r for r in date_reasons))
    # size, position, quotation
    sentences = {(fr.sentence.start_char, fr.sentence.end_char): fr.sentence for fr in group.frames}
    f["frames_log"] = math.log1p(len(group.frames))
    f["sentences_log"] = math.log1p(len(sentences))
    first = min(sentences)
    length = max(len(builder.text), 1)
    f["position"] = first[0] / length
    f["lead"] = float(first[0] < 400)
    f["fatalities"] = float(ev.fatalities > 0)
    cache = per_sentence if per_sentence is not None else {}
    cues: set[str] = set()
    quoted = False
    texts = []
    for key, sent in sorted(sentences.items()):
        if key not in cache:
            held: set[str] = set()
            for i in range(sent.start, sent.end):
                held.update(builder.cue_at.get(i, ()))
            cache[key] = (held, any(q in sent.text for q in QUOTE_MARKS), sentence_text(sent.text))
        held, has_quote, text = cache[key]
        cues |= held
        quoted = quoted or has_quote
        texts.append(text)
    for cue in CUE_FEATURES:
        if cue in cues:
            f[f"cue={cue}"] = 1.0
    f["quoted"] = float(quoted)
    cand.features = f
    cand.sentences = texts
    cand.short_text = short
