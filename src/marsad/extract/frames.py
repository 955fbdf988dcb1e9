"""Event frames: a trigger with its roles, place, time and casualty figures.

A frame is built per trigger that survives the modality filters (negation, threat, plan,
demand, conditional, denial, undated background). Roles are linked inside the sentence with
the cue words of kb/cues.csv (بين ... و، ضد، بمساندة، على يد، من قبل); the place, date and
casualties come from the sentence, else from the paragraph, else from the document.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate

from spacy.tokens import Doc, Span

from ..geo.geocoder import DIRECTION_NOUNS, DIRECTIONS, QUOTE_MARKS, PlaceMention, resolve_places
from ..kb import Actor, KnowledgeBase, Trigger, function_words
from ..model import Evidence
from ..nlp.dates import DateMention
from ..nlp.normalize import normalize
from ..nlp.pipeline import doc_text, sentence_bounds
from .ner_link import apply as apply_ner
from .ner_link import persons
from .tolls import CLAUSE_MARKS, DATE_IN_SENTENCE, HARM, SPLIT_EVENLY, TollRules

# Modality cues that cancel a trigger when they precede it in its clause.
BLOCKING_CUES = ("negation", "denial", "future", "threat", "plan", "demand", "conditional", "anniversary", "accusation")
NEGATION_WINDOW = 3  # tokens before the trigger
#: An anniversary named in this many first characters (a headline, a lead) makes the report one of history.
ANNIVERSARY_LEAD_CHARS = 300
VIOLENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
MODALITY_WINDOW = 8
ROLE_WINDOW = 4
#: "استعادت الفصائل قرية النيرب في ريف إدلب من قوات النظام": the loser of ground is named
#: within this many tokens after the word for taking it.
TAKEN_FROM_WINDOW = 10
#: The priority of the generic bombardment words ("قصف"), which the words after them may make an air strike.
GENERIC_BOMBARDMENT_PRIORITY = 4
# An explicitly dated event this many days before publication is background, not news.
MAX_REPORT_LAG_DAYS = 10
TERRITORY = ("Non-state actor overtakes territory", "Government regains territory")
#: How many words before a protest word may tell that it was fired on ("النار على متظاهرين").
FIRED_AT_WORDS = 2
#: How many words before a protest word an assault word may stand and still take it as its object
#: ("هاجمت عناصر هيئة تحرير الشام المتظاهرين": the verb, its subject, the object).
ASSAULT_WORDS = 6
#: How many sentences back an event word after a demonstrative ("هذه المواجهات") may refer.
ANAPHOR_REACH = 3
#: Words after a control verb searched for its preposition ("على") and the place it governs.
CONTROL_OBJECT_WINDOW = 20


@dataclass
class ActorMention:
    actor: Actor  # resolved (persons -> their group)
    mention: Actor  # as named in the text
    start: int  # token index
    end: int
    evidence: Evidence
    role: str = ""  # assoc | target | agent | between1 | between2 | member
    negated: bool = False
    person: Evidence | None = None  # the group's member the text names ("القيادي أبو X التابع لـ")


#: ``date_reason`` of a frame dated by its document's publication date.
DATE_FROM_PUBLICATION = "no date in the text near the event; publication date used"
#: How far before publication an earlier paragraph's date can be the day of the news a later
#: paragraph follows up (a report covers the last days; an older date is background).
STORY_DAYS = 7
STORY_AHEAD_CHARS = 400
#: The day of the news is stated in the headline or the lead: a date this many characters or more
#: into the text belongs to its own paragraph (an item of a roundup: "أمس" in one item is not the
#: day of the next). Chosen on the development and train articles (450 to 1,500 did as well).
STORY_LEAD_CHARS = 800
#: How many sentences after an event's may tell its toll (when they report nothing else).
FOLLOW_UP_SENTENCES = 2
#: The most words an unplaced item of a comma-separated list of places may have.
LIST_ITEM_WORDS = 3
FOLLOW_UP_TOLL = "toll told in a following sentence that reports no other event"
ADJECTIVE_CUE = "actor_adjective:"
#: kb/cues.csv: a country's name right after an attack verb is its forces ("قصفت تركيا").
COUNTRY_CUE = "actor_country:"
DATE_FROM_STORY = "no date near the event; the day of the report's latest recent date in an earlier paragraph"


@dataclass
class Frame:
    trigger: Trigger
    trigger_span: Span
    sentence: Span
    event_type: str
    sub_event_type: str
    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    assoc1: list[ActorMention] = field(default_factory=list)
    assoc2: list[ActorMention] = field(default_factory=list)
    date: dt.date | None = None
    time_precision: int | None = None
    date_evidence: Evidence | None = None
    date_reason: str = ""
    date_kind: str = ""  # the DateMention kind of the date read (absolute, relative, ...)
    place: PlaceMention | None = None
    place_reason: str = ""
    continues: Frame | None = None  # the event of the sentence before that this fragment tells more of
    abroad_country: str = ""  # the country of a place abroad named in the sentence, if any
    date_until: dt.date | None = None  # last day of a multi-day operation
    fatalities: int = 0
    fatality_evidence: Evidence | None = None
    fatalities_vague: bool = False  # the toll is a vague count ("عدد من", "عشرات"), not a figure
    # the killing and wounding words of its sentence that tell this frame's victims (None: all of them)
    killing_words: frozenset[int] | None = None
    civilian_victims: bool = False
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def own_date(self) -> bool:
        """Whether the date was read near the event (its sentence or paragraph), not taken from an
        earlier paragraph's news or the publication date."""
        return self.date_evidence is not None and not self.date_reason.startswith(DATE_FROM_STORY)




#: A battle needs two sides, or an exchange of fire: a fighting word (اشتباكات، معارك) or a capture
#: (priority 6 and up in kb/triggers.csv). A one-sided attack or raid word (هجوم، تسلل، أغارت، تصدت،
#: استهدف) is not a clash; with a weapon named in its sentence it is that weapon's event.
STRONG_BATTLE_PRIORITY = 5


#: The opening of an item of a roundup that lost its line breaks: ". - دخل الجيش ...".
ITEM_MARK = re.compile(r"[.:] +- +(?=\S)")

#: Quotation marks, which a toll's figure may stand beyond (not words).
QUOTE_TOKENS = QUOTE_MARKS
QUOTE_CHARS = "".join(QUOTE_TOKENS)

#: A casualty-only trigger of this priority or more names the shooting itself (kb/triggers.csv
#: "إطلاق النار", "النار على", "قنص"), not only the dead ("قتل", priority 2).
FIRING_PRIORITY = 3
#: How far after a death word ("قتل عنصر من قسد") the victims' group may be named.
VICTIM_GAP = 4

#: A sentence about shelling lends its weapon to a town targeted in the next event sentence
#: when that one starts within this many characters of its end.
STORY_WEAPON_CHARS = 300
#: How far after a targeting word its object (a town: kb/function_words.csv ``settlement``) may be named.
TOWN_OBJECT_WORDS = 10

#: How many words before a control word an attempt word ("محاولات", "حاولت") may stand.
ATTEMPT_WINDOW = 5

#: How far back ("هذه القوات") the armed group a demonstrative stands for may be named.
ANAPHOR_CHARS = 300

#: Who flies warplanes (ACLED inter codes): an air strike's author is one of them.
AIR_FORCES = frozenset({"State forces", "External/Other forces"})


def _gap_words(gap: str) -> list[str]:
    """The normalised words of a stretch of text (a bidi mark, a zero-width space or a quotation
    mark alone is no word: "مدينة “كفرنبل” وبلدات “حاس وكفرومة”" lists three places)."""
    return [n for w in gap.replace(",", " , ").replace("،", " ، ").split() if (n := normalize(w.strip(QUOTE_CHARS)))]


#: Role cue (kb/cues.csv) -> the role it gives the actor after it.
ROLE_CUES = (("support", "assoc"), ("against", "target"), ("agent", "agent"), ("between", "between1"),
             ("member", "member"))


def _nearest_role(cues: dict[str, int]) -> str:
    """The role of the nearest role cue before an actor (``cues``: cue -> token index), or ""."""
    found = [(cues[cue], -k, role) for k, (cue, role) in enumerate(ROLE_CUES) if cue in cues]
    return max(found)[2] if found else ""  # nearest first; on one token, the first of ROLE_CUES


@cache
def _qualifier_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words a qualifier of a list item may hold (``FrameBuilder._qualifier_gap``), and among
    them those for a kind or part of a place."""
    words = function_words()
    place_words = words.get("place_word", frozenset()) | frozenset(DIRECTIONS)
    allowed = place_words | words.get("preposition", frozenset()) | words.get("coordination", frozenset()) | {"ل", "و"}
    return allowed, place_words


def place_key(f: Frame) -> str:
    """The gazetteer id of a frame's point ("" with none): frames at one place share it."""
    point = f.place.point if f.place is not None else None
    return point["id"] if point else ""


def _ev(span: Span) -> Evidence:
    return Evidence.of(span)


class FrameBuilder(TollRules):
    """Builds the frames of one analysed document."""

    def __init__(self, doc: Doc, kb: KnowledgeBase, published: dt.date | None, ner: bool = False) -> None:
        self.doc = doc
        self.kb = kb
        self.published = published
        self.text = doc_text(doc)
        self.norms: list[str] = doc.user_data["marsad_norms"]
        self.cue_at: dict[int, set[str]] = {}
        self._belonging = kb.cues.get("belonging", set())  # "أبناء درعا": where people come from
        self._killed_end: dict[int, int] = {}  # where a killing phrase that starts at a token ends ("لقي حتفه")
        for span in doc.spans.get("cues", []):
            for cue in span._.kb_ids:
                self.cue_at.setdefault(span.start, set()).add(cue)
                if cue == "killed":
                    self._killed_end[span.start] = max(span.end, self._killed_end.get(span.start, 0))
        # tokens of a hedge ("ما لا يقل عن", "أكثر من") that may stand between a killing word and its figure
        self.hedged: set[int] = {j for span in doc.spans.get("cues", []) if "quantifier" in span._.kb_ids
                                 for j in range(span.start, span.end)}
        # ... and quotation marks around a name ("أعدمت فصائل \" درع الفرات \" 4 مسؤولين")
        words = doc.user_data.get("marsad_words") or [t.text for t in doc]
        self.hedged.update(i for i, w in enumerate(words) if w in QUOTE_TOKENS)
        self.dates: list[Span] = sorted(doc.spans.get("dates", []), key=lambda d: d.start)
        self._date_starts = [d.start for d in self.dates]
        self.dated: set[int] = {j for d in self.dates for j in range(d.start, d.end)}
        self._anniversary: bool | None = None  # _anniversary_lead, read once
        self._date_chars = [d.start_char for d in self.dates]
        # the lead: the first STORY_LEAD_CHARS characters, and no further than a roundup's first item
        first_item = ITEM_MARK.search(self.text, 0, STORY_LEAD_CHARS)
        self._lead_end = first_item.start() if first_item is not None else STORY_LEAD_CHARS
        self.kept = self._kept_triggers()
        if ner:  # names the lexicons missed, around the triggers that survived the filters
            apply_ner(doc, [span for _, group in self.kept for span, _ in group])
        self.persons = persons(doc)
        # a person's name is not a place, even when a village has that name ("محمد الحسين")
        person_chars = sorted((p.start_char, p.end_char) for p in self.persons if len(p.text.split()) >= 2)
        person_starts = [lo for lo, _ in person_chars]
        reach = list(accumulate((hi for _, hi in person_chars), max))  # the furthest end of a name so far

        settlement = kb.words("settlement")

        def in_person(m: PlaceMention) -> bool:
            # ... but a name after a settlement word ("ببلدة خان أرنبة") is that settlement's
            if m.cue in settlement:
                return False
            k = bisect_right(person_starts, m.start_char)
            return k > 0 and reach[k - 1] >= m.end_char

        self.places = [m for m in resolve_places(doc) if not in_person(m)]
        for u in doc.user_data.get("marsad_ner_unplaced", []):
            self.places.append(PlaceMention(
                u.start_char, u.end_char, u.text, doc[sentence_bounds(doc, u.start)[0]].idx, None, 0.0, 0,
                f"'{u.text}' was recognised as a place name (NER) but is in no gazetteer"))
        self.numbers: list[Span] = sorted(doc.spans.get("numbers", []), key=lambda n: n.start)
        self._number_starts = [n.start for n in self.numbers]
        # indexes by position: a frame looks only at its sentence and paragraph, so a long
        # document costs time in proportion to its length, not its square
        self.places.sort(key=lambda m: m.start_char)
        self._place_starts = [m.start_char for m in self.places]
        self._place_word_end: dict[str, int] = {}  # word of a place name -> end of its first mention
        for m in self.places:
            for w in normalize(m.text).split():
                self._place_word_end[w] = min(self._place_word_end.get(w, m.end_char), m.end_char)
        self.actors = self._actor_mentions()
        self._actor_starts = [a.start for a in self.actors]
        self.focus = self._focus_place()
        self._told: list[list[Frame]] = []  # the located frames of the last sentences that told events (frames())
        self._here: list[Frame] = []  # the frames of the sentence being read (frames())

    # -- helpers ------------------------------------------------------------------------
    def _places_from(self, lo_char: int, hi_char: int) -> list[PlaceMention]:
        """Place mentions starting in [lo_char, hi_char), in text order."""
        return self.places[bisect_left(self._place_starts, lo_char) : bisect_left(self._place_starts, hi_char)]

    def _dates_from(self, lo: int, hi: int) -> list[Span]:
        """Date spans starting at tokens [lo, hi)."""
        return self.dates[bisect_left(self._date_starts, lo) : bisect_left(self._date_starts, hi)]

    def _prev_tokens(self, i: int, k: int, floor: int = 0) -> list[int]:
        out, j = [], i - 1
        while j >= floor and len(out) < k:
            if self.norms[j]:
                out.append(j)
            j -= 1
        return out

    def _idiom_after(self, j: int) -> bool:
        """"لا تزال" (still) and "لا سيما" (especially) contain لا but negate nothing."""
        nxt = next((k for k in range(j + 1, min(j + 3, len(self.norms))) if self.norms[k]), None)
        return nxt is not None and self.norms[nxt] in self.kb.words("not_negating")

    def _cues_before(self, i: int, k: int, floor: int) -> dict[str, int]:
        """Cue -> token index, for cues starting in the k tokens before token i."""
        found: dict[str, int] = {}
        for j in self._prev_tokens(i, k, floor):
            for cue in self.cue_at.get(j, ()):
                found.setdefault(cue, j)
        return found

    def _clause_start(self, i: int, floor: int) -> int:
        """Start of the clause holding token i: after the last comma/colon before it."""
        j = i - 1
        while j > floor:
            if self.doc[j].text in {",", "،", ":", "(", "«"}:
                return j + 1
            j -= 1
        return floor

    def _paragraph_start(self, char: int) -> int:
        """Start of the paragraph holding ``char``: after a line break, or at an item of a
        roundup whose line breaks were lost (". - " opens each item: ITEM_MARK)."""
        line = self.text.rfind("\n", 0, char) + 1
        start = line
        for m in ITEM_MARK.finditer(self.text, line, char + 3):  # the sentence may start at the dash
            if m.start() < char:
                start = m.end()
        return start

    # -- actors ---------------------------------------------------------------------------
    def _actor_mentions(self) -> list[ActorMention]:
        out: list[ActorMention] = []
        pub = self.published.isoformat() if self.published else None
        found: list[tuple[Span, Actor, Actor]] = []
        for span in self.doc.spans.get("actors", []):
            mention = self.kb.pick(span._.kb_ids, pub)
            found.append((span, mention, self.kb.resolve_actor(mention.actor_id, pub)))
        # armed groups only the NER model found (extract/ner_link.py)
        found.extend((na.span, na.actor, na.actor) for na in self.doc.user_data.get("marsad_ner_actors", []))
        found.sort(key=lambda x: (x[0].start, x[0].end))
        found = self._with_anaphors(found)
        for span, mention, resolved in found:
            m = ActorMention(resolved, mention, span.start, span.end, _ev(span))
            sent_start = sentence_bounds(self.doc, span.start)[0]
            before = self._cues_before(span.start, NEGATION_WINDOW, sent_start)
            m.negated = "negation" in before
            roles = self._cues_before(span.start, ROLE_WINDOW, sent_start)
            # the nearest role cue wins
            m.role = _nearest_role(roles) or m.role
            if m.role == "member":
                self._link_person(m, roles["member"], sent_start)
            out.append(m)
        # list continuation: "بمساندة X، و Y" / "بين X و Y"
        for prev, cur in zip(out, out[1:], strict=False):
            if cur.role or prev.evidence.end > cur.evidence.start:
                continue
            gap = [self.norms[j] for j in range(prev.end, cur.start) if self.norms[j]]
            if len(gap) <= 4 and gap and gap[0] in {",", "و"}:
                if prev.role == "between1":
                    cur.role = "between2"
                elif prev.role in ("assoc", "target"):
                    cur.role = prev.role
        return out

    def _with_anaphors(self, found: list[tuple[Span, Actor, Actor]]) -> list[tuple[Span, Actor, Actor]]:
        """"وسيطرت هذه القوات على قرى الرشيد وأبو قبرة": a demonstrative and a noun for armed men
        (kb/function_words.csv ``demonstrative``, ``force_noun``) name the armed group named last
        before it, within ANAPHOR_CHARS; ``found`` and the result are sorted by position."""
        demonstratives, nouns = self.kb.words("demonstrative"), self.kb.words("force_noun")
        if demonstratives.isdisjoint(self.norms):  # most documents: no scan in Python
            return found
        covered = {i for span, _, _ in found for i in range(span.start, span.end)}
        starts = [span.start for span, _, _ in found]
        extra = []
        for j in range(len(self.doc) - 1):
            if self.norms[j] not in demonstratives or self.norms[j + 1] not in nouns or j in covered or j + 1 in covered:
                continue
            k = bisect_left(starts, j) - 1
            while k >= 0 and (found[k][1].is_generic or found[k][1].inter in ("Civilians", "Protesters")):
                k -= 1
            if k < 0 or self.doc[j].idx - found[k][0].end_char > ANAPHOR_CHARS:
                continue
            extra.append((self.doc[j : j + 2], found[k][1], found[k][2]))
        return sorted(found + extra, key=lambda x: (x[0].start, x[0].end)) if extra else found

    def _link_person(self, m: ActorMention, cue: int, sent_start: int) -> None:
        """"على يد القيادي أبو X التابع للواء ...": a person the NER model found right before the
        membership cue ties the group to the role cues that precede the person."""
        person = next((p for p in self.persons if sent_start <= p.start and 0 <= cue - p.end <= 1), None)
        if person is None:
            return
        m.person = person.evidence()
        roles = self._cues_before(person.start, ROLE_WINDOW, sent_start)
        roles.pop("member", None)  # the person's own membership cue is not the group's role
        m.role = _nearest_role(roles) or m.role

    def _focus_place(self) -> PlaceMention | None:
        """The place the document is about: the most often named precise place."""
        counts: Counter[str] = Counter()
        first: dict[str, PlaceMention] = {}
        for m in self.places:
            if m.place is None:
                continue
            weight = 2 if m.geo_precision == 1 else 1
            counts[m.place["id"]] += weight
            first.setdefault(m.place["id"], m)
        if not counts:
            return None
        best_id, _ = counts.most_common(1)[0]
        return first[best_id]

    # -- frames ---------------------------------------------------------------------------
    def _kept_triggers(self) -> list[tuple[Span, list[tuple[Span, Trigger]]]]:
        """(sentence, its triggers that survive the modality filters), in text order."""
        out = []
        triggers = sorted(self.doc.spans.get("triggers", []), key=lambda s: s.start)
        by_sentence: dict[tuple[int, int], list[Span]] = {}
        for span in triggers:
            by_sentence.setdefault(sentence_bounds(self.doc, span.start), []).append(span)
        for (s_start, s_end), spans in by_sentence.items():
            sentence = self.doc[s_start:s_end]
            kept: list[tuple[Span, Trigger]] = []
            for span in spans:
                trig = max((self.kb.triggers[i] for i in span._.kb_ids), key=lambda t: t.priority)
                if self._blocked(span, trig, sentence):
                    continue
                kept.append((span, trig))
            if kept:
                out.append((sentence, kept))
        return out

    def frames(self) -> list[Frame]:
        frames: list[Frame] = []
        story_weapon: tuple[Span, Trigger] | None = None  # the last weapon of the sentence before
        story_end = -1
        self._told = []
        for sentence, kept in self.kept:
            has_strong = any(t.needs != "passive" for _, t in kept)
            weapons = [(s, t) for s, t in kept if t.event_type == "Explosions/Remote violence"]
            if story_weapon is not None and sentence.start_char - story_end > STORY_WEAPON_CHARS:
                story_weapon = None
            # "قتل مدني نتيجة قصف لطائرات حربية": the killing of civilians by a weapon the sentence
            # names is that weapon's toll, not an attack of its own
            weapon_rank = max((t.priority for _, t in weapons), default=0)
            casualties_only = [
                (trig.needs == "passive"
                 and (has_strong or (weapons and trig.event_type != "Explosions/Remote violence")))
                or (trig.sub_event_type == "Attack" and trig.priority < weapon_rank)
                for _, trig in kept
            ]
            # the event words whose tolls are told apart: not a one-sided word that reports a
            # weapon's attack, nor a bare death word ("قتل": what the tolls count) beside others
            words = [(sp, t) for (sp, t), skip in zip(kept, casualties_only, strict=True)
                     if not skip and not (weapons and t.event_type == "Battles" and t.priority < STRONG_BATTLE_PRIORITY)]
            reported = ([sp.start for sp, t in words if not (t.needs == "passive" and t.priority < FIRING_PRIORITY)]
                        or [sp.start for sp, _ in words])
            owned = self._killing_words_by_event(sentence, reported)
            here: list[Frame] = []  # this sentence's frames
            self._here = here
            for (span, trig), skip in zip(kept, casualties_only, strict=True):
                if skip:
                    continue  # casualties of another event in the same sentence (an explosion's too)
                weapon = None
                if weapons and trig.event_type == "Battles" and trig.priority < STRONG_BATTLE_PRIORITY:
                    # "القصف المدفعي ... استهدفت عدة مدن": the targeting word is the shelling's
                    weapon = min(weapons, key=lambda w: abs(w[0].start - span.start))
                elif (story_weapon is not None and not weapons and trig.event_type == "Battles" and trig.needs != "passive"
                      and trig.priority < STRONG_BATTLE_PRIORITY and self._targets_a_town(span, sentence)):
                    # "القصف المدفعي على بلدات ريف إدلب ... واستهدفت قوات النظام بلدة كنصفرة": a town
                    # targeted right after a sentence about shelling is shelled
                    weapon = story_weapon
                here.extend(self._frame(span, trig, sentence, weapon, owned.get(span.start)))
            self._fold_into_capture(here)
            frames.extend(here)
            told = [f for f in here if f.place is not None]
            if told:
                self._told = [*self._told[-(ANAPHOR_REACH - 1):], told]
            if weapons:
                story_weapon = weapons[-1]
            if weapons or story_weapon is not None:
                story_end = sentence.end_char
        self._follow_up_tolls(frames)
        return frames

    @staticmethod
    def _fold_into_capture(here: list[Frame]) -> None:
        """"سيطرت قوات سوريا الديمقراطية على قرية وسيحة بعد اشتباكات مع داعش": the fighting that
        won a town is that capture (the CODEBOOK hierarchy), so a clash of the same sentence
        (``here``: the sentence's frames), with no side the capture lacks, takes the capture's place
        and day and joins its event."""
        captures = [f for f in here if f.sub_event_type in TERRITORY and f.place is not None]
        if len(captures) != 1:
            return
        cap = captures[0]
        sides = {m.actor.actor_id for m in (cap.actor1, cap.actor2) if m is not None}
        for f in here:
            if f is cap or f.sub_event_type != "Armed clash":
                continue
            mine = {m.actor.actor_id for m in (f.actor1, f.actor2) if m is not None}
            if mine <= sides or not sides:
                f.place, f.place_reason = cap.place, cap.place_reason
                f.date, f.time_precision, f.date_until = cap.date, cap.time_precision, cap.date_until

    def _follow_up_tolls(self, frames: list[Frame]) -> None:
        """"انفجرت سيارة مفخخة في عفرين ... وقالت مصادر إن التفجير أوقع 34 قتيلا": a toll told in
        one of the next FOLLOW_UP_SENTENCES sentences that report no event of their own is the toll
        of the violent event just before them. The next sentence is no follow-up when it reports an
        event (a frame), names another day or another place, tells an earlier event (a blocked
        trigger), or names an event word that is not a casualty word or a definite noun of the
        event's own type ("الاشتباكات التي توسعت ... أسفرت عن مقتل 37 شخصا"); a negated event word
        ("دون قتال") reports none."""
        starts = self.doc.user_data["marsad_sent_starts"]
        by_sentence: dict[int, list[Frame]] = {}
        for f in frames:
            by_sentence.setdefault(f.sentence.start, []).append(f)
        triggers = sorted(self.doc.spans.get("triggers", []), key=lambda t: t.start)
        trigger_starts = [t.start for t in triggers]
        for s_start, group in by_sentence.items():
            f = group[0]
            if (any(g.fatalities or g.fatality_evidence is not None or g.event_type not in VIOLENT_TYPES for g in group)
                    or len({(g.date, place_key(g)) for g in group}) > 1):
                continue
            k = bisect_left(starts, s_start)
            for j in range(k + 1, min(k + 1 + FOLLOW_UP_SENTENCES, len(starts))):
                lo, hi = starts[j], starts[j + 1] if j + 1 < len(starts) else len(self.doc)
                if lo in by_sentence:
                    break
                sentence = self.doc[lo:hi]
                if not self._follows_up(f, sentence, triggers[bisect_left(trigger_starts, lo):bisect_left(trigger_starts, hi)]):
                    break
                probe = Frame(f.trigger, f.trigger_span, sentence, f.event_type, f.sub_event_type)
                self._fatalities(probe)
                if probe.fatality_evidence is not None:
                    f.fatalities, f.fatality_evidence = probe.fatalities, probe.fatality_evidence
                    f.fatalities_vague = probe.fatalities_vague
                    f.reasons["fatalities"] = FOLLOW_UP_TOLL
                    break

    def _follows_up(self, f: Frame, sentence: Span, triggers: list[Span]) -> bool:
        """Whether ``sentence`` (which yielded no frame) can only be telling more of ``f``."""
        if self._dates_from(sentence.start, sentence.end):
            return False
        point = place_key(f)
        if any(m.place is not None and not m.region and (m.point or {}).get("id") != point
               for m in self._places_from(sentence.start_char, sentence.end_char)):
            return False
        for span in triggers:
            if self._negated(span, sentence):
                continue  # "سلم عدد من عناصره أنفسهم دون قتال": a negated event word reports no other event
            trig = max((self.kb.triggers[i] for i in span._.kb_ids), key=lambda t: t.priority)
            if self._blocked(span, trig, sentence):
                return False
            casualty = trig.needs == "passive" and trig.event_type != "Explosions/Remote violence"
            anaphora = self.norms[span.start].startswith("ال") and trig.event_type == f.trigger.event_type
            if not (casualty or anaphora):
                return False
        return True

    def _negation_in(self, cues: dict[str, int]) -> bool:
        """Whether cues found before a word (``_cues_before``) hold a negation, not an idiom."""
        return "negation" in cues and not self._idiom_after(cues["negation"])

    def _negated(self, span: Span, sentence: Span) -> bool:
        """A negation right before the event word in its clause ("دون قتال", "لم تشهد اشتباكات")."""
        clause = self._clause_start(span.start, sentence.start)
        return self._negation_in(self._cues_before(span.start, NEGATION_WINDOW, clause))

    def _blocked(self, span: Span, trig: Trigger, sentence: Span) -> bool:
        clause = self._clause_start(span.start, sentence.start)
        near = self._cues_before(span.start, NEGATION_WINDOW, clause)
        if self._negation_in(near):
            return True
        if "denial" in near:
            return True
        prev2 = [self.norms[j] for j in self._prev_tokens(span.start, 2, clause)]
        # "لم تشهد الجبهات أي اشتباكات" / "لم يتعرض الحي لأي قصف": "any" under a negation in the clause
        if any(self.norms[j] in self.kb.words("any") for j in self._prev_tokens(span.start, 4, clause)):
            if self._negation_in(self._cues_before(span.start, 12, clause)):
                return True
        # "دعا إلى وقف القصف" / "لمنع الاشتباكات": a call to stop violence is not violence
        if trig.event_type in VIOLENT_TYPES and any(w in self.kb.words("stop") for w in prev2):
            return True
        # "نقاط الاشتباك", "خطوط القتال", "قواعد الاشتباك": a front line, a battlefield or the rules
        # of engagement name no fight
        if trig.event_type == "Battles" and prev2 and prev2[0].removeprefix("و") in self.kb.words("front_word"):
            return True
        # "وكانت البلدة قد شهدت اشتباكات": the pluperfect tells earlier, already reported events
        if not self._dates_from(sentence.start, sentence.end):
            opening = [self.norms[j] for j in range(sentence.start, min(span.start, sentence.start + 7))
                       if self.norms[j] and self.norms[j] not in ("و", "ف")]
            if opening and opening[0] in self.kb.words("past_auxiliary") and "قد" in opening:
                return True
        # "حملة لاستعادة مدينة الرقة", "محاولة للسيطرة عليها", "الخاضعة لسيطرة": the proclitic
        # "ل" before a control word makes it a purpose or a state, not a capture
        if trig.sub_event_type in TERRITORY and span.start > sentence.start and self._purpose_clitic(span.start - 1):
            return True
        # "المناطق التي سيطر عليها": a relative clause describes control, it does not report it
        prev = self._prev_tokens(span.start, 1, sentence.start)
        if prev and self.norms[prev[0]] in self.kb.words("relative_pronoun") and trig.sub_event_type in TERRITORY:
            return True
        wide = self._cues_before(span.start, MODALITY_WINDOW, sentence.start)
        if any(c in wide for c in BLOCKING_CUES[1:]):
            return True
        has_date = bool(self._dates_from(sentence.start, sentence.end))
        if not has_date:
            # a background cue ("سابقا", "منذ بداية العام") before the event word or in its clause;
            # not one in a later clause that describes the place ("وهو الانفجار الثاني الذي تشهده
            # المدينة منذ بداية العام")
            clause_end = next((j for j in range(span.end, sentence.end) if self.doc[j].text in CLAUSE_MARKS), sentence.end)
            if any("background" in self.cue_at.get(i, ()) for i in range(sentence.start, clause_end)):
                return True
            # "نفت الوزارة ما تردده واشنطن بشأن أن الغارات الروسية تستهدف ...": an undated claim
            # denied anywhere before the event word reports nothing
            if any("denial" in self.cue_at.get(i, ()) for i in range(sentence.start, span.start)):
                return True
            # "عمليات الاغتيال" / "سلسلة تفجيرات": a habitual or generic mention
            heads = [span.start, *self._prev_tokens(span.start, 2, sentence.start)]
            if any(self.norms[j].removeprefix("و").removeprefix("ف") in self.kb.words("generic_head") for j in heads):
                return True
        # "كانت تتمركز": a past habitual state, not an event
        prev = self._prev_tokens(span.start, 1, sentence.start)
        if prev and self.norms[prev[0]].removeprefix("و") in self.kb.words("habitual"):
            return True
        return False

    def _shooting_between_armed_sides(self, frame: Frame, span: Span, trig: Trigger, sentence: Span,
                                      actors: list[ActorMention]) -> bool:
        """"قتل عنصر من قسد بعد أن فتح مسلحان من خلايا داعش النار على سيارة عسكرية": a firing or
        assassination word (a casualty-only trigger of FIRING_PRIORITY or more, not a bare death
        word) in a sentence that names two armed sides and someone hurt (an assassination word
        tells the killing itself). The side named as the agent ("على يد", "برصاص") fired (actor1);
        else the side named right after a death or wounding word, or as the target, was fired on
        (actor2) and the other fired. Failing that, the side named last before the firing word fired."""
        if trig.priority < FIRING_PRIORITY or trig.event_type not in ("Battles", "Violence against civilians"):
            return False
        armed: dict[str, ActorMention] = {}
        for m in actors:
            if m.role != "assoc" and m.actor.inter not in ("Civilians", "Protesters"):
                armed.setdefault(m.actor.actor_id, m)
        if len(armed) != 2:
            return False
        hurt = [i for i in range(sentence.start, sentence.end) if self.cue_at.get(i, set()) & {"killed", "injured"}]
        if not hurt and trig.event_type == "Battles":  # an assassination word tells the killing itself
            return False
        first, second = sorted(armed.values(), key=lambda m: m.start)

        # after an active killing verb ("اغتال مجهولون ...") comes the killer, not the victim
        passive_hurt = [i for i in hurt if "killer_verb" not in self.cue_at.get(i, ())]

        def victim(m: ActorMention) -> bool:  # "قتل عنصر من قسد", "النار على عناصر الأمن"
            return m.role == "target" or any(0 < m.start - i <= VICTIM_GAP for i in passive_hurt)

        if (first.role == "agent") != (second.role == "agent"):  # "على يد مجهولين", "برصاص مسلحي داعش"
            shooter, target = (first, second) if first.role == "agent" else (second, first)
        elif victim(first) != victim(second):
            shooter, target = (second, first) if victim(first) else (first, second)
        else:
            shooter, target = (second, first) if second.start < span.start else (first, second)
        frame.actor1, frame.actor2 = shooter, target
        return True

    def _targets_a_town(self, span: Span, sentence: Span) -> bool:
        """A one-sided attack word whose object, a few words on in its clause, is a town or
        village ("استهدفت قوات النظام ... بلدة كنصفرة"), not people or a vehicle."""
        after = []
        for j in range(span.end, min(span.end + TOWN_OBJECT_WORDS, sentence.end)):
            if self.doc[j].text in CLAUSE_MARKS:
                break
            after.append(self.norms[j].removeprefix("و").removeprefix("ب"))
        return any(w in self.kb.words("settlement") for w in after)

    def _purpose_clitic(self, j: int) -> bool:
        """Token ``j`` is the proclitic "ل" split off the next word ("لتحرير" -> "ل" + "تحرير")."""
        tok = self.doc[j]
        return tok.text in ("ل", "لل") and not tok.whitespace_

    def _frame(self, span: Span, trig: Trigger, sentence: Span,
               weapon: tuple[Span, Trigger] | None = None, killing_words: frozenset[int] | None = None) -> list[Frame]:
        frame = Frame(trig, span, sentence, trig.event_type, trig.sub_event_type, killing_words=killing_words)
        if weapon is not None:
            frame.event_type, frame.sub_event_type = weapon[1].event_type, weapon[1].sub_event_type
            frame.reasons["sub_event_type"] = (
                f"the one-sided word {span.text!r} reports the attack its sentence names ({weapon[0].text!r})"
            )
        lo, hi = bisect_left(self._actor_starts, sentence.start), bisect_left(self._actor_starts, sentence.end)
        actors = [a for a in self.actors[lo:hi] if not a.negated]
        civilians_cue = any(
            "civilian" in self.cue_at.get(i, ()) for i in range(sentence.start, sentence.end)
        )
        if trig.needs == "actor" and not actors:
            return []
        if trig.needs == "act" and not (
                any("gathering" in self.cue_at.get(i, ()) for i in range(sentence.start, sentence.end))
                or (trig.event_type == "Protests" and (self._assaulted(span, sentence)
                                                       or self._fire_before(span, sentence)))):
            # a word for participants ("المتظاهرين") reports nothing, unless they gathered or were
            # assaulted or fired on ("هاجمت قوات الأمن المتظاهرين")
            return []
        self._assign_roles(frame, actors)
        if frame.actor1 is None and trig.event_type in VIOLENT_TYPES:
            self._author_by_nationality(frame, span, sentence)
        blast = trig.event_type == "Explosions/Remote violence"
        if trig.needs == "passive":
            # a generic explosion word that hurt someone or was set off by unknown men is an event
            blast_event = blast and any(self.cue_at.get(i, set()) & {"killed", "injured", "unknown_actor"}
                                        for i in range(sentence.start, sentence.end))
            civilians = civilians_cue or any(a.actor.inter == "Civilians" for a in actors)
            if not civilians and self._shooting_between_armed_sides(frame, span, trig, sentence, actors):
                # also an assassination word ("اغتال مجهولون أربعة مقاتلين من الجيش الوطني")
                frame.event_type, frame.sub_event_type = "Battles", "Armed clash"
                frame.reasons["sub_event_type"] = ("armed men fired on another armed group's men, who were hurt: "
                                                   "an armed clash (ACLED codes an attack on an armed actor so)")
            elif not (civilians or blast_event):
                # deaths of fighters with no event word: part of some battle, not codable alone
                return []
            else:
                if not blast:  # an explosion stays one (ACLED)
                    frame.event_type, frame.sub_event_type = "Violence against civilians", "Attack"
                frame.civilian_victims = civilians or not blast
        if trig.event_type == "Explosions/Remote violence":
            disrupt = self._cues_before(span.start, 6, self._clause_start(span.start, sentence.start))
            # "فكك عناصر اللواء عبوة ناسفة", "أسقطت الدفاعات طائرة مسيرة"; but "أسقطت الطائرات
            # براميل" drops bombs: downing counts only when the trigger names the aircraft
            verb = self.norms[disrupt["disrupt"]] if "disrupt" in disrupt else ""
            aircraft = any(w.removeprefix("ال") in self.kb.words("aircraft_noun") for w in self.norms[span.start:span.end])
            if verb and (aircraft or verb not in self.kb.words("downing")):
                frame.event_type, frame.sub_event_type = "Strategic developments", "Disrupted weapons use"
                frame.reasons["sub_event_type"] = "the device or aircraft was defused, seized or downed before it did harm"
        self._date(frame)
        if frame.date is not None and self.published is not None and frame.date_evidence is not None:
            # a dated entry of a chronology ("1 يناير 2015 م : - مقتل ...") is an event however
            # old; a date inside the sentence that far back is background
            # ("في مثل هذا اليوم من عام 1982" opens a recollection, not a chronology's entry)
            heading = frame.date_evidence.start - sentence.start_char <= 3 and frame.date_kind != "anniversary"
            if (self.published - frame.date).days > MAX_REPORT_LAG_DAYS and not heading:
                return []  # an explicitly dated past event told as background
        if frame.event_type in VIOLENT_TYPES and frame.date_reason != DATE_IN_SENTENCE and self._anniversary_lead():
            # "تفاعل سوريون مع الذكرى السنوية لمجزرة الحولة": a report on an anniversary tells the
            # remembered violence; what no date of its own sentence puts on the day is that history
            # (the demonstrations that mark it are the day's events)
            return []
        self._place(frame)
        in_sentence = frame.place_reason.startswith("place named in the sentence")
        abroad = frame.place is None and any(
            m.foreign for m in self._places_from(sentence.start_char, sentence.end_char)
        )
        harm = frame.event_type in VIOLENT_TYPES and any(
            self.cue_at.get(i, set()) & {"killed", "injured"} for i in range(sentence.start, sentence.end))
        if frame.actor1 is None and frame.actor2 is None and not (in_sentence or abroad or harm):
            return []  # nothing ties this trigger to a who or a where, and it reports no one hurt
        if frame.event_type == "Strategic developments" and not (frame.actor1 and in_sentence):
            return []  # coded only when significant: a named actor at a named place
        self._fatalities(frame)
        self._territory(frame)
        self._air_bombardment(frame)
        self._air_strike_author(frame, weapon[0] if weapon is not None else span, sentence)
        if trig.needs == "passive" and self._injury_only(span) and not self._harm_told_how(sentence):
            # "وأصيب طفلان آخران كانا برفقته بجروح": people hurt, told with no attacker, no fire and
            # no weapon, are the wounded of an event told elsewhere (a blast, a battle), not one of their own
            return []
        if (frame.event_type == "Battles" and trig.priority < STRONG_BATTLE_PRIORITY and frame.actor2 is None
                and self._civilians_hurt(sentence, civilians_cue)):
            # "قتل الشاب ... إثر استهدافه بالرصاص": a one-sided attack that killed or hurt a
            # civilian is violence against civilians, not half a battle
            frame.event_type, frame.sub_event_type = "Violence against civilians", "Attack"
            frame.civilian_victims = True
            frame.reasons["sub_event_type"] = "a one-sided attack word with a civilian killed or hurt: an attack"
        if frame.sub_event_type == "Peaceful protest" and any(
                "dispersal" in self.cue_at.get(i, ()) for i in range(sentence.start, sentence.end)):
            frame.sub_event_type = "Protest with intervention"
            frame.reasons["sub_event_type"] = ("the protest was dispersed or its people arrested: an intervention "
                                               "(kb/cues.csv 'dispersal')")
        if frame.sub_event_type == "Peaceful protest" and self._assaulted(span, sentence):
            frame.sub_event_type = "Protest with intervention"
            frame.reasons["sub_event_type"] = ("the protesters were assaulted (an assault word before them, "
                                               "kb/cues.csv 'assault'): an intervention")
        intervention = frame.sub_event_type == "Protest with intervention"
        # "أطلقت عناصر الهيئة النار على متظاهرين": the protesters were fired on, no dispersal word needed
        fired_at = frame.sub_event_type == "Peaceful protest" and self._fire_before(span, sentence)
        if (intervention or fired_at) and ((intervention and frame.fatalities) or self._live_fire(sentence)):
            frame.sub_event_type = "Excessive force against protesters"
            frame.reasons["sub_event_type"] = ("protesters dispersed with live fire or killed: excessive force "
                                               "(kb/cues.csv 'live_fire', 'fire_verb')")
        if frame.event_type == "Explosions/Remote violence" and frame.actor2 is None:
            # civilians, or people not said to be fighters ("قتل شخص إثر انفجار لغم"), killed or
            # wounded by the strike: actor2
            # "قصفت بلدة بليون، ما أسفر عن إصابة مدنيين اثنين، كما طال القصف بلدات كفرعويد ...": the
            # people hurt are the victims of the event word of their clause, not of every strike told
            if self._civilians_hurt(sentence, civilians_cue, frame.killing_words):
                frame.civilian_victims = True
        by_toll = self._places_by_toll(frame)  # each place with its own toll
        placed = by_toll or [frame, *self._more_places(frame)]
        if len(placed) > 1 and frame.fatalities and not by_toll:
            self._split_among_places(placed)
        return [day for f in placed for day in self._per_day(f)]

    def _injury_only(self, span: Span) -> bool:
        """The event word only says someone was hurt ("أصيب", "أصيبت": kb cues 'injured', no killing)."""
        cues = [self.cue_at.get(j, ()) for j in range(span.start, span.end)]
        return any("injured" in c for c in cues) and not any("killed" in c for c in cues)

    def _harm_told_how(self, sentence: Span) -> bool:
        """The sentence says who or what hurt people: an agent marker ("برصاص", "بنيران", "على يد":
        kb cues 'agent') or live fire ("إطلاق النار")."""
        return any(("agent" in (c := self.cue_at.get(i, ())) or "live_fire" in c) for i in range(sentence.start, sentence.end))

    def _civilians_hurt(self, sentence: Span, civilians_cue: bool, owned: frozenset[int] | None = None) -> bool:
        """Whether the sentence tells of someone killed or hurt who is a civilian (``civilians_cue``)
        or a person not said to be a fighter ("قتل عشرة أشخاص بإطلاق نار من مسلحين"; kb/cues.csv
        person_victim, combatant). ``owned``: the killing and wounding words that tell this event's
        victims when the sentence tells several events (``Frame.killing_words``); None: all."""
        cues = {c for i in range(sentence.start, sentence.end) for c in self.cue_at.get(i, ())}
        people = "person_victim" in cues and "combatant" not in cues
        # "خسائر مادية في ممتلكات المدنيين، دون إصابات": a harm word under a negation hurts no one
        hurt = not HARM.isdisjoint(cues) and any(
            not HARM.isdisjoint(self.cue_at.get(i, ())) and (owned is None or i in owned) and not self._negation_in(
                self._cues_before(i, NEGATION_WINDOW, self._clause_start(i, sentence.start)))
            for i in range(sentence.start, sentence.end))
        return (civilians_cue or people) and hurt

    def _per_day(self, frame: Frame) -> list[Frame]:
        """A multi-day operation ("منذ يوم الجمعة", "بين 3 و5 آذار") is one event per day; a toll
        counted over the period ("أحصى المرصد مقتل 52 مدنيا منذ الثلاثاء") is not."""
        if frame.date is None or frame.date_until is None or frame.date_until <= frame.date:
            return [frame]
        sent = frame.sentence
        cumulative = any("cumulative" in self.cue_at.get(i, ()) for i in range(sent.start, sent.end))
        if frame.trigger.needs == "passive" or cumulative or frame.event_type not in VIOLENT_TYPES:
            frame.date, frame.date_until = frame.date_until, None  # the report's last day
            return [frame]
        days = (frame.date_until - frame.date).days + 1
        share, rest = divmod(frame.fatalities, days)  # CODEBOOK: split evenly, the remainder on the first day
        out = []
        for k in range(days):
            f = replace(frame, date=frame.date + dt.timedelta(days=k), date_until=None, reasons=dict(frame.reasons),
                        fatalities=share + (rest if k == 0 else 0))
            f.date_reason = f"{frame.date_reason}; day {k + 1} of {days} of a multi-day operation (one event per day)"
            if frame.fatalities:
                f.reasons["fatalities"] = f"{frame.fatalities} killed over {days} days, {SPLIT_EVENLY}"
            out.append(f)
        return out

    def _more_places(self, frame: Frame) -> list[Frame]:
        """One event per place of a coordinated list: "غارات على مدينة العشارة وقرية درنج" is two."""
        if frame.place is None or not frame.place_reason.startswith("place named in the sentence"):
            return []
        sent = frame.sentence
        # "الطريق الواصل بين بصرى الشام ومعربة": a place between two towns is one place
        before = _gap_words(self.text[max(sent.start_char, frame.place.start_char - 25) : frame.place.start_char])
        if any(w.removeprefix("و") in ("بين", "وبين") for w in before[-3:]):
            return []
        out = []
        seen = {frame.place.point["id"]}
        last_end = frame.place.end_char
        for m in self._places_from(last_end, sent.end_char):
            gap = self.text[last_end : m.start_char]
            qualifier = self._qualifier_gap(gap)
            if qualifier is None and not self._list_gap(gap, last_end, m.start_char):
                break  # the list ended
            last_end = m.end_char
            if qualifier or m.place is None or m.region or m.point["id"] in seen:
                continue  # a qualifier's governorate ("في الريف الشمالي لحماة") is no item of the list
            seen.add(m.point["id"])
            out.append(replace(frame, place=m, reasons=dict(frame.reasons)))
        return out

    def _author_by_nationality(self, frame: Frame, span: Span, sentence: Span) -> None:
        """"القصف التركي", "غارات روسية": a nationality right after the attack word names its
        author, that state's forces (kb/cues.csv 'actor_adjective:<actor id>')."""
        found = self._nationality_author(span, sentence)
        if found is not None:
            frame.actor1 = found
            frame.reasons["actor1"] = f"the attack is called {self.doc[found.end - 1].text!r}: that state's forces"

    def _nationality_author(self, span: Span, sentence: Span) -> ActorMention | None:
        for j in range(span.start, min(span.end + 2, sentence.end)):
            # "قصفت تركيا محطة": a country names the author only as the subject right after the
            # verb (not "انفجار في تركيا", where it is the place)
            prefixes = (ADJECTIVE_CUE, COUNTRY_CUE) if j == span.end else (ADJECTIVE_CUE,)
            for cue in self.cue_at.get(j, ()):
                prefix = next((p for p in prefixes if cue.startswith(p)), None)
                if prefix is not None and (actor := self.kb.actors.get(cue[len(prefix):])):
                    return ActorMention(actor, actor, j, j + 1, _ev(self.doc[span.start : j + 1]))
        return None

    def _air_strike_author(self, frame: Frame, span: Span, sentence: Span) -> None:
        """Warplanes belong to states: an air strike's actor1 is a state's forces (or an
        international force), never an armed group named beside it, which is its target
        ("غارات روسية على قرية تقع تحت سيطرة تنظيم داعش", "غارات لطائرات أمريكية"). The
        nationality of the strike, else a state's forces named as its other side, carried it out.
        Drones ("طائرة مسيرة": kb/function_words.csv ``drone_word``) may be an armed group's own.
        ``span``: the words that name the strike (the weapon's, when a one-sided word reports it)."""
        first = frame.actor1
        if frame.sub_event_type != "Air/drone strike" or first is None or first.actor.inter in AIR_FORCES:
            return
        near = range(max(span.start - 2, sentence.start), min(span.end + 3, sentence.end))
        nationality = self._nationality_author(span, sentence)
        if nationality is None and any(self.norms[j].removeprefix("ال") in self.kb.words("drone_word") for j in near):
            return
        second = frame.actor2
        if nationality is not None and nationality.actor.actor_id != first.actor.actor_id:
            frame.actor1 = nationality
            if second is None or second.actor.actor_id == nationality.actor.actor_id:
                frame.actor2 = first
            frame.reasons["actor1"] = (f"the air strike is called {self.doc[nationality.end - 1].text!r}: that "
                                       f"state's forces; {first.actor.name_en} is no air force")
        elif second is not None and second.actor.inter in AIR_FORCES:
            frame.actor1, frame.actor2 = second, first
            frame.reasons["actor1"] = f"an air strike is a state's: {first.actor.name_en} is its target"
        elif second is None:
            frame.actor1, frame.actor2 = None, first
            frame.reasons["actor1"] = f"an air strike is a state's: {first.actor.name_en} is its target"

    def _list_gap(self, gap: str, lo: int, hi: int) -> bool:
        """Whether the text between two places continues a list of places: coordination words only
        ("، و", "وقرية"), or comma-separated items of at most LIST_ITEM_WORDS words that name no
        event or actor (villages the gazetteer lacks: "أورم الكبرى، وباشنطرة، وجمعية المعري")."""
        words = gap.split()
        norms = _gap_words(gap)
        if len(words) <= 3 and all(w in self.kb.words("coordination") for w in norms):
            return True
        if not self._and_items(norms):
            items = gap.replace("،", ",").split(",")
            if len(items) < 3 or len(words) > 4 * LIST_ITEM_WORDS or any(len(x.split()) > LIST_ITEM_WORDS for x in items):
                return False
        events = any(lo <= t.start_char < hi for t in self.doc.spans.get("triggers", []))
        return not events and not any(lo <= a.evidence.start < hi for a in self.actors)

    def _qualifier_gap(self, gap: str) -> bool | None:
        """Whether the words between two places tell where the first item is and go on with the list:
        "اللطامنة في الريف الشمالي لحماة، وقرية الزيارة بالريف الجنوبي والمنصورة". True when the
        next place is the qualifier's governorate ("لحماة"), False when it is the next item ("،
        وقرية الزيارة"), None when the gap is no such qualifier. Words: kb families place_word,
        preposition and coordination and kb/directions.csv, with their clitics."""
        norms = _gap_words(gap)
        allowed, place_words = _qualifier_words()

        def bare(w: str) -> str:
            for clitic in ("وبال", "بال", "وال", "ول", "وب", "ال", "ب", "و", "ل"):
                if w.startswith(clitic) and (w[len(clitic):] in allowed or "ال" + w[len(clitic):] in allowed):
                    return w[len(clitic):] if w[len(clitic):] in allowed else "ال" + w[len(clitic):]
            return w

        words = [bare(w) for w in norms]
        if not words or not any(w in place_words for w in words) or not all(w in allowed for w in words):
            return None
        return not (norms[-1] in self.kb.words("coordination") or norms[-1].startswith("و"))

    def _and_items(self, norms: list[str]) -> bool:
        """Whether the words between two places are items of a list joined by و, each of one or two
        words the gazetteer lacks: "في تل رفعت ومنغ وعين دقنة" (Menagh is no OCHA community). No
        word that ends a list (kb family ``list_breaker``: "في", "على", "نحو" ...) may stand in it."""
        if not norms or not norms[0].startswith("و"):
            return False
        items: list[list[str]] = []
        for w in norms:
            if w.startswith("و"):
                items.append([w])
            elif items and len(items[-1]) < 2:
                items[-1].append(w)
            else:
                return False
        breakers = self.kb.words("list_breaker")
        return len(items) <= 3 and not any(w in breakers or w.removeprefix("و") in breakers
                                           for item in items for w in item)

    def _arrested(self, frame: Frame, a: ActorMention) -> bool:
        """"إلقاء القبض على قادة من فلول النظام": the group named after على a few words past an
        arrest word is who was arrested, not who arrested."""
        span = frame.trigger_span
        if frame.sub_event_type != "Arrests" or not 0 <= a.start - span.end <= ROLE_WINDOW:
            return False
        return any(self.norms[j] == "علي" for j in range(span.start, a.start))  # "على", normalised

    def _taken_from(self, frame: Frame, a: ActorMention) -> bool:
        """"استعادت الفصائل قرية النيرب من قوات النظام": the group named right after "من", past a
        word for taking ground, is who lost it, not who took it (kb/function_words.csv
        ``taken_from``)."""
        span = frame.trigger_span
        if frame.sub_event_type not in TERRITORY or a.role or not 0 <= a.start - span.end <= TAKEN_FROM_WINDOW:
            return False
        j = a.start - 1
        while j > span.end and not self.norms[j]:
            j -= 1
        return self.norms[j] in self.kb.words("taken_from")

    def _assign_roles(self, frame: Frame, actors: list[ActorMention]) -> None:
        # "عناصر/مسلحون تابعون للفرقة الرابعة": the group is who the generic fighters are
        members = [a for a in actors if a.role == "member"]
        if members:
            actors = [a for a in actors if not (a.actor.is_generic and a.actor.inter not in ("Civilians", "Protesters")
                                                and any(0 <= m.start - a.end <= ROLE_WINDOW for m in members))]
        primary: list[ActorMention] = []
        for a in actors:
            if a.role == "assoc":
                continue
            if primary and any(p.actor.actor_id == a.actor.actor_id for p in primary):
                continue
            primary.append(a)
        between = [a for a in primary if a.role in ("between1", "between2")]
        agent = next((a for a in primary if a.role == "agent"), None)
        target = next((a for a in primary if a.role == "target" or self._arrested(frame, a) or self._taken_from(frame, a)), None)
        civil = next((a for a in primary if a.actor.inter == "Civilians"), None)
        armed = [a for a in primary if a.actor.inter not in ("Civilians", "Protesters")]
        if frame.event_type == "Violence against civilians" or frame.trigger.needs == "passive":
            frame.actor2 = civil or target
            frame.actor1 = agent or next((a for a in armed if a is not frame.actor2), None)
        elif frame.event_type == "Protests" or frame.event_type == "Riots":
            protesters = next((a for a in primary if a.actor.inter in ("Protesters", "Rioters")), None)
            frame.actor1 = protesters
            others = [a for a in armed if a is not protesters]
            frame.actor2 = others[0] if others else None
        elif len(between) >= 2:
            frame.actor1, frame.actor2 = between[0], between[1]
        else:
            first = agent or next((a for a in armed if a.role != "target" and a is not target), None)
            frame.actor1 = first
            second = target or next((a for a in armed if a is not first), None)
            if second is first:
                second = None
            frame.actor2 = second
        # associated actors go with the side they support (the nearest preceding primary actor)
        for a in actors:
            if a.role != "assoc" or a.actor.actor_id in self._ids(frame.actor1, frame.actor2):
                continue
            side = frame.assoc1
            if frame.actor2 is not None and frame.actor2.start < a.start and (
                    frame.actor1 is None or frame.actor1.start > a.start or frame.actor2.start > frame.actor1.start):
                # "تظاهرة ضد قسد المدعومة أمريكيا": the supporter of the side named before it, even
                # when the other side is not named (protesters are coded generic)
                side = frame.assoc2
            if all(x.actor.actor_id != a.actor.actor_id for x in side):
                side.append(a)

    @staticmethod
    def _ids(*mentions: ActorMention | None) -> set[str]:
        return {m.actor.actor_id for m in mentions if m is not None}

    def _date(self, frame: Frame) -> None:
        sent = frame.sentence
        latest = self.published + dt.timedelta(days=1) if self.published and self.published < dt.date.max else None

        def valid(d: Span) -> bool:  # a date after publication is a page header or a crawl date
            return latest is None or d._.value.date <= latest

        inside = [d for d in self._dates_from(sent.start, sent.end) if valid(d)]
        chosen = None
        if inside:
            before = [d for d in inside if d.start <= frame.trigger_span.start]
            chosen = before[-1] if before else inside[0]
            frame.date_reason = DATE_IN_SENTENCE
        else:
            para = self._paragraph_start(sent.start_char)
            lo = bisect_left(self._date_chars, para)
            earlier = [d for d in self.dates[lo : bisect_left(self._date_chars, sent.start_char)] if valid(d)]
            if earlier:
                chosen = earlier[-1]
                frame.date_reason = "date expression earlier in the paragraph"
            else:
                chosen = self._story_date(sent, valid)
                if chosen is not None:
                    frame.date_reason = DATE_FROM_STORY
        if chosen is not None:
            m: DateMention = chosen._.value
            frame.date, frame.time_precision = m.date, m.precision
            frame.date_until = m.until
            frame.date_evidence = _ev(chosen)
            frame.date_kind = m.kind
            if m.kind in ("relative", "ongoing"):
                frame.date_reason += f" ({m.kind}, resolved against the publication date)"
            return
        if self.published is not None:
            frame.date, frame.time_precision = self.published, 1
            frame.date_reason = DATE_FROM_PUBLICATION
        else:
            frame.date_reason = "no date in the text and no publication date given"

    def _anniversary_lead(self) -> bool:
        """Whether the document opens on an anniversary (kb/cues.csv 'anniversary' in its first
        ANNIVERSARY_LEAD_CHARS characters: a headline or a lead)."""
        if self._anniversary is None:
            lead = self.doc.char_span(0, min(ANNIVERSARY_LEAD_CHARS, len(self.text)), alignment_mode="contract")
            end = lead.end if lead is not None else 0
            self._anniversary = any("anniversary" in self.cue_at.get(i, ()) for i in range(end))
        return self._anniversary

    def _story_date(self, sent: Span, valid) -> Span | None:
        """The day of the news a sentence with no date of its own follows up: the last day-precise
        date in an earlier paragraph within STORY_DAYS before publication when it stands in the
        lead (the first STORY_LEAD_CHARS characters, up to a roundup's first item), else (a headline or a
        lead before the dated sentence) the first such date in the next STORY_AHEAD_CHARS. An
        older date (background, an anniversary) or a vaguer one (a month, a year) is not it, nor a
        stated date of the publication day itself (a page stamp: the publication date says as much)."""
        if self.published is None:
            return None
        floor = self.published - dt.timedelta(days=STORY_DAYS)

        def news(d: Span) -> bool:
            m: DateMention = d._.value
            stamp = m.kind == "absolute" and m.date == self.published
            return valid(d) and m.precision == 1 and m.until is None and m.date >= floor and not stamp

        for d in reversed(self.dates[: bisect_left(self._date_chars, sent.start_char)]):
            if news(d):
                if d.start_char >= self._lead_end:
                    break  # the latest news date is an item's own, past the lead: not the story's
                return d
        ahead = self.dates[bisect_left(self._date_chars, sent.end_char):
                           bisect_left(self._date_chars, sent.end_char + STORY_AHEAD_CHARS)]
        return next((d for d in ahead if news(d)), None)

    def _place(self, frame: Frame) -> None:
        sent = frame.sentence
        trig_char = frame.trigger_span.start_char
        named = self._places_from(sent.start_char, sent.end_char)
        inside = [m for m in named if m.place is not None]
        abroad = [m for m in named if m.foreign and m.country and not self._is_origin(m)
                  and (not m.names_country or self._inside_country(m))]
        if inside and abroad and all(self._is_origin(m) for m in inside):
            # "مقتل شابين من أبناء السويداء في غارة على مدينة صور": the Syrian place is where the
            # people come from, the town abroad is where it happened
            inside = []
        if inside:
            # prefer the most precise mention, not an origin ("مجموعات من مدينة جاسم"), then the
            # first one after the trigger
            inside.sort(key=lambda m: (m.region, self._is_origin(m), self._is_reference(m),
                                       m.start_char < trig_char, abs(m.start_char - trig_char)))
            frame.place = inside[0]
            frame.place_reason = "place named in the sentence"
            return
        if abroad:
            # the sentence has a town of its own abroad ("هجوم على فندق وسط كابول"): it does not
            # continue the Syrian event told before it (a country's name is often an actor or a
            # border: "حدود روسيا" is no place of the event)
            frame.abroad_country = abroad[0].country
            frame.place_reason = (f"{abroad[0].text!r} is outside Syria ({abroad[0].country}) and the sentence "
                                  "names no Syrian place")
            return
        para = self._paragraph_start(sent.start_char)
        earlier = [m for m in self._places_from(para, sent.start_char) if m.place is not None]
        if earlier:
            frame.place = max(earlier, key=lambda m: (not m.region, m.start_char))
            frame.place_reason = "place named earlier in the paragraph"
            return
        if self.focus is not None:
            # instead of the document's main place, the place of the event the word refers back to
            before = self._event_referred_to(frame)
            if before is not None:
                frame.place, frame.continues = before.place, before
                frame.place_reason = (f"{frame.trigger_span.text!r} refers back to the event told just before: "
                                      "its place")
                return
            # ... or of an event of its type told earlier in its own sentence ("دفعهم للاحتجاج، قبل أن
            # يقدم الجنود على إطلاق الغاز المسيل للدموع لتفريق المحتجين")
            mate = next((f for f in reversed(self._here) if f.place is not None and f.event_type == frame.event_type
                         and f.sentence.start == frame.sentence.start), None)
            if mate is not None:
                frame.place, frame.continues = mate.place, mate
                frame.place_reason = "no place of its own; the place of the event told earlier in its sentence"
                return
            frame.place = self.focus
            frame.place_reason = "no place in the paragraph; the document's main place used"
            return
        unresolved = list(self._places_from(sent.start_char, sent.end_char))
        unresolved.sort(key=lambda m: not m.foreign)
        frame.abroad_country = next((m.country for m in unresolved if m.foreign and m.country), "")
        frame.place_reason = (
            unresolved[0].reason if unresolved else "no Syrian place found in the text (outside Syria or unnamed)"
        )

    def _event_referred_to(self, frame: Frame) -> Frame | None:
        """"سيارة مفخخة انفجرت على حاجز تل أرقم. وأدى الانفجار إلى مقتل ستة": a definite event word
        of a sentence with no place of its own, right after a sentence that told an event of its
        type at one place, refers back to that event (issue 12: a fragment takes the place of the
        event it continues, not the document's main place). After a demonstrative ("خلال هذه
        المواجهات") it refers to the last such event up to ANAPHOR_REACH sentences back."""
        if not self.norms[frame.trigger_span.start].removeprefix("و").startswith("ال"):
            return None
        starts = self.doc.user_data["marsad_sent_starts"]
        k = bisect_left(starts, frame.sentence.start)
        before = self._prev_tokens(frame.trigger_span.start, 1, frame.sentence.start)
        reach = ANAPHOR_REACH if before and self.norms[before[0]] in self.kb.words("demonstrative") else 1
        for told in reversed(self._told):
            if k - bisect_left(starts, told[0].sentence.start) > reach:
                return None
            same = [f for f in told if f.event_type == frame.event_type]
            if same:
                # told at one place; at several, the word refers to them all
                return same[-1] if len({place_key(f) for f in same}) == 1 else None
        return None

    def _word_before(self, m: PlaceMention) -> str:
        """The normalised word right before a place mention ("" at the start of the text)."""
        words = _gap_words(self.text[max(0, m.start_char - 20) : m.start_char])
        return words[-1] if words else ""

    def _is_reference(self, m: PlaceMention) -> bool:
        """A place named after a direction word ("قرية علما شرقي درعا", "حسياء جنوب حمص"): the
        point the event's place is told from, not the place itself when the sentence names another."""
        return self._word_before(m).removeprefix("و").removeprefix("ب") in DIRECTION_NOUNS

    def _inside_country(self, m: PlaceMention) -> bool:
        """A country's name right after "في" ("محتجين في ميانمار"): the place of what is told, not
        an actor or a border (kb/function_words.csv 'locative')."""
        return self._word_before(m) in self.kb.words("locative")

    def _is_origin(self, m: PlaceMention) -> bool:
        """A place introduced by "من" (where people come from) or by a noun of belonging ("أبناء
        درعا", "أهالي", "بأخبار درعا"), through a list of places."""
        if m.outlet:
            return True  # "شبكة السويداء 24": who reports, not where
        words = _gap_words(self.text[max(0, m.start_char - 60) : m.start_char])
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in ("من", "ومن"):
                # "طال القصف كلاً من مدينة كفرنبل": "each of" lists the places hit
                return not (k > 0 and words[k - 1] in self.kb.words("enumerator"))
            if w.removeprefix("و").removeprefix("ل").removeprefix("ب") in self._belonging:
                return True
            if w in self.kb.words("coordination") or w in self.kb.words("place_word"):
                continue
            if self._place_word_end.get(w, m.start_char + 1) <= m.start_char:
                continue
            return False
        return False

    def _live_fire(self, sentence: Span) -> bool:
        """"الرصاص الحي", or a firing verb with النار or الرصاص a few words on ("أطلقت قوات
        النظام الأمنية النار"): firearms were used on the people. Shots in the air count only when
        the sentence also reports people hurt ("إطلاق النار في الهواء، دون تسجيل إصابات" does not)."""
        fired = warning = hurt = False
        for i in range(sentence.start, sentence.end):
            cues = self.cue_at.get(i, ())
            if "live_fire" in cues or ("fire_verb" in cues and any(
                    "fire_object" in self.cue_at.get(j, ()) for j in range(i + 1, min(i + 6, sentence.end)))):
                fired = True
            warning = warning or "warning_shot" in cues
            if "injured" in cues and "negation" not in self._cues_before(i, 3, sentence.start):
                hurt = True
        return fired and (hurt or not warning)

    def _cue_just_before(self, span: Span, sentence: Span, words: int, cues: set[str]) -> bool:
        """Whether one of the ``words`` words before ``span`` in its sentence carries one of ``cues``."""
        return any(self.cue_at.get(j, set()) & cues for j in self._prev_tokens(span.start, words, sentence.start))

    def _fire_before(self, span: Span, sentence: Span) -> bool:
        """The words right before the protest word fire on it: "النار على متظاهرين", "الرصاص الحي على
        المحتجين" (a fire object or live fire a preposition before it)."""
        return self._cue_just_before(span, sentence, FIRED_AT_WORDS, {"fire_object", "live_fire"})

    def _assaulted(self, span: Span, sentence: Span) -> bool:
        """The protesters are the object of an assault word right before them ("هاجمت المتظاهرين",
        "اعتدت على المحتجين", "ضربت متظاهرين"); in the subject form ("وهاجم المحتجون مركزا")
        they attacked."""
        return (not self.norms[span.start].endswith("ون")
                and self._cue_just_before(span, sentence, ASSAULT_WORDS, {"assault"}))

    def _air_bombardment(self, frame: Frame) -> None:
        """"قصف طائرات التحالف", "قصف جو ي روسي", "قصف سوري روسي": a generic bombardment word
        (no more than GENERIC_BOMBARDMENT_PRIORITY), or a raid verb ("أغار": kb/function_words.csv
        ``air_raid_verb``), whose next words name aircraft (kb/cues.csv 'aircraft') reports an air
        strike."""
        raid = self.norms[frame.trigger_span.start] in self.kb.words("air_raid_verb")
        if not raid and (frame.sub_event_type != "Shelling/artillery/missile attack"
                         or frame.trigger.priority > GENERIC_BOMBARDMENT_PRIORITY):
            return
        end = frame.trigger_span.end
        if any("aircraft" in self.cue_at.get(j, ()) for j in range(end, min(end + 3, frame.sentence.end))):
            # "أغار الطيران الحربي على بلدة": a raid by aircraft is an air strike, not a ground raid
            frame.event_type, frame.sub_event_type = "Explosions/Remote violence", "Air/drone strike"
            frame.reasons["sub_event_type"] = (f"a {'raid' if raid else 'bombardment'} word with aircraft after it: "
                                               "an air strike")

    def _territory(self, frame: Frame) -> None:
        """Control words code a territorial change only when a whole town or village is taken."""
        if frame.sub_event_type not in TERRITORY:
            return
        end = frame.trigger_span.end
        tokens = [j for j in range(end, min(end + CONTROL_OBJECT_WINDOW, frame.sentence.end)) if self.norms[j]]
        after = [self.norms[j] for j in tokens]
        clause_end = next((k for k, w in enumerate(after) if w in (",", ".", ":")), len(after))
        # the place taken: the words right after the verb ("استعاد الجيش مدينة تدمر"), or the object of
        # its preposition after the words that name who took it ("سيطر مسلحو قسد ضمن المرحلة الثالثة
        # من العملية على قرية ...", "على عدد من القرى"); either may name a whole town, and either may
        # name only part of one
        objects = [(after[: min(clause_end, 8)], 4, frame.trigger_span.end_char)]
        prep = next((k for k, w in enumerate(after[:clause_end]) if w in self.kb.words("control_preposition")), None)
        if prep is not None:
            head = self.doc[tokens[prep]]
            objects.append((after[prep + 1 : min(clause_end, prep + 9)], 3, head.idx + len(head)))
        partial = any(w in self.kb.words("partial_object") for obj, _, _ in objects for w in obj[:3])
        whole = any(
            any(w.removeprefix("و") in self.kb.words("settlement") for w in obj[:heads])
            or any(m.place is not None and not m.region and m.geo_precision == 1 and m.start_char < frame.sentence.end_char
                   for m in self._places_from(start_char, start_char + 80))
            for obj, heads, start_char in objects
        )
        attempt = "attempt" in self._cues_before(frame.trigger_span.start, ATTEMPT_WINDOW,
                                                 self._clause_start(frame.trigger_span.start, frame.sentence.start))
        if attempt:
            # "تستمر محاولات الحر السيطرة على قرية السفلانية": an attempt to take a place is fighting
            frame.sub_event_type = "Armed clash"
            frame.reasons["sub_event_type"] = "an attempt to take a place (kb/cues.csv 'attempt'): coded as Armed clash"
        elif partial or not whole:
            frame.sub_event_type = "Armed clash"
            frame.reasons["sub_event_type"] = (
                "control of part of a place, or no named town taken: coded as Armed clash"
            )
        elif (frame.actor1 is not None and frame.actor1.actor.inter == "State forces"
              and frame.actor1.actor.kind != "foreign"):
            frame.sub_event_type = "Government regains territory"
        else:
            # a foreign army taking Syrian villages (Turkey's, with the factions it backs) regains
            # nothing for Syria's government: ACLED codes the takeover by who is not that government
            frame.sub_event_type = "Non-state actor overtakes territory"
