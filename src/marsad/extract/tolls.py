"""Death tolls: which figure next to which killing word is an event's toll, by ACLED's rules
(the CODEBOOK's "Fatalities"): the lowest reported figure, a figure's clause, hedges and quotation
marks between a figure and its death word, counts without a figure ("لمقتله", "مقتل شاب"),
and the figures that are no event's toll (years, totals over a period, large recalled tolls).

``TollRules`` is read by the frame builder (``frames.FrameBuilder``), which holds the analysed
document; the attributes and helpers it relies on are declared below.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from ..kb import KnowledgeBase
from ..model import Evidence
from ..nlp.normalize import normalize, strip_article

if TYPE_CHECKING:
    from ..geo.geocoder import PlaceMention
    from .frames import Frame

HARM = frozenset({"killed", "injured"})  # cue families of someone killed or hurt
#: Marks that end a clause, for telling which event a casualty word belongs to.
CLAUSE_MARKS = frozenset({",", "،", ":", ";", "-", "(", "«"})
#: Most words between a figure and the killing word after it when من joins them ("ثلاثة من جنود النظام قتلوا").
PARTITIVE_GAP = 5
#: How far after the figure of "لقي 34 مدنيا ..." its death word ("مصرعهم") may close it.
MET_DEATH_SPAN = 8
#: How far before a passive killing verb its singular victim may stand ("الشاب أحمد عدنان الزامل قتل").
VICTIM_BEFORE_SPAN = 6
#: "مقتل سيدة وإحدى بناتها": victims joined to the first one by "و" are counted within this many tokens.
AND_VICTIMS_SPAN = 6
#: The words of a reason for a toll shared out among days or places (CODEBOOK, Fatalities).
SPLIT_EVENLY = "split evenly (the remainder on the first)"
#: A figure this large is a toll only when its sentence names the event's own day or place.
LARGE_TOLL = 250
#: A toll of this size in a sentence whose dates span more than PERIOD_DAYS counts over that period.
PERIOD_TOLL, PERIOD_DAYS = 20, 31
#: Most words between a killing word and the "في" of the place it happened ("9 قتلى في قرية X", "مقتل طفل في").
TOLL_PLACE_WORDS = 2
#: ... and so at most this many characters between them (a quick bound before the words are read).
TOLL_PLACE_CHARS = 80
#: The date reason of a frame dated by a date expression of its own sentence.
DATE_IN_SENTENCE = "date expression in the sentence"
#: A four-digit figure in this range is a year, not a count ("2017 قتل").
YEARS = (1900, 2100)


def _is_year(n: Span) -> bool:
    """A four-digit figure of the years' range is a year, not a count ("3 مارس 2017 قتل ثمانية")."""
    digits = n.text.strip()
    return digits.isascii() and digits.isdigit() and len(digits) == 4 and YEARS[0] <= int(digits) <= YEARS[1]


class TollRules:
    """The toll rules of the frame builder, over the document it analysed."""

    # set by the frame builder
    doc: Doc
    text: str  # the document's text
    norms: list[str]
    kb: KnowledgeBase
    cue_at: dict[int, set[str]]  # token -> the kb cues it starts or belongs to
    hedged: set[int]  # tokens of a hedge ("ما لا يقل عن") or a quotation mark
    dated: set[int]  # tokens of a date mention ("اليوم السبت")
    numbers: list[Span]
    _number_starts: list[int]
    _killed_end: dict[int, int]  # where a killing phrase that starts at a token ends ("لقي حتفه")
    places: list[PlaceMention]  # the document's place mentions, in text order
    _place_starts: list[int]  # ... and where each starts
    _trigger_chars: list[int] | None = None  # where the document's trigger words start, sorted (_places_by_toll)

    # ... and these of its methods
    def _prev_tokens(self, i: int, k: int, floor: int = 0) -> list[int]: ...

    def _dates_from(self, lo: int, hi: int) -> list[Span]: ...

    def _places_from(self, lo_char: int, hi_char: int) -> list[PlaceMention]: ...

    def _clause_starts(self, sentence: Span) -> list[int]:
        """Where the clauses of a sentence start, for casualty words: the sentence start, after a
        comma, colon or dash, and at a clause opener ("كما", "فيما": kb/function_words.csv
        ``clause_opener``)."""
        starts = [sentence.start]
        openers = self.kb.words("clause_opener")
        for j in range(sentence.start + 1, sentence.end):
            if self.doc[j - 1].text in CLAUSE_MARKS or self.norms[j] in openers:
                if starts[-1] != j:
                    starts.append(j)
        return starts

    def _killing_words_by_event(self, sentence: Span, reported: list[int]) -> dict[int, frozenset[int]]:
        """Which killing and wounding words of a sentence tell the victims of which of its event
        words (``reported``: token starts, in order), when it has several: the event word of the
        killing word's clause (the last before it, else the first after), else the last event
        word before the clause ("اشتباكات عنيفة ، أسفرت عن مقتل 5"), else the first one
        ("قتل 27 مدنيا إثر غارات ... ، كما قتل شخصان إثر غارة ...": 27 and 2, not 27 twice)."""
        if len(set(reported)) < 2:
            return {}
        starts = self._clause_starts(sentence)
        owned: dict[int, set[int]] = {r: set() for r in reported}
        for i in range(sentence.start, sentence.end):
            if HARM.isdisjoint(self.cue_at.get(i, ())):  # the wounding words too: whose victims they are
                continue
            k = bisect_right(starts, i)
            lo, hi = starts[k - 1], starts[k] if k < len(starts) else sentence.end
            before = [r for r in reported if lo <= r <= i]
            after = [r for r in reported if i < r < hi]
            earlier = [r for r in reported if r < lo]
            owner = before[-1] if before else after[0] if after else earlier[-1] if earlier else reported[0]
            owned[owner].add(i)
        return {r: frozenset(v) for r, v in owned.items()}

    def _places_by_toll(self, frame: Frame) -> list[Frame]:
        """A toll told place by place: "سقط 9 قتلى في قرية كفر تعال و8 قتلى في قرية كفرنوران
        وقتيلان في قرية جدرايا", "بمقتل ثلاثة مدنيين في كفرنبل ومقتل طفل في بلدة حاس". Each
        killing word followed by "في" (or "ب") and a place, with at most TOLL_PLACE_WORDS words
        before the preposition and only words for a kind of place after it, tells one event at
        that place with its own toll. With two such places or more, the frame becomes one frame per
        place (its own place first when it is one of them); else nothing changes ([])."""
        sent = frame.sentence
        killed = [i for i in range(sent.start, sent.end) if "killed" in self.cue_at.get(i, ())]
        if not killed:
            return []
        pairs: list[tuple[int, PlaceMention]] = []
        kinds = self.kb.words("settlement") | self.kb.words("coordination") | self.kb.words("place_word")
        if self._trigger_chars is None:  # read once per document, not per frame
            self._trigger_chars = sorted(t.start_char for t in self.doc.spans.get("triggers", []))
        starts = self._trigger_chars
        triggers = starts[bisect_left(starts, sent.start_char) : bisect_left(starts, sent.end_char)]
        for k, i in enumerate(killed):
            token = self.doc[i]
            lo = token.idx + len(token.text)
            hi = self.doc[killed[k + 1]].idx if k + 1 < len(killed) else sent.end_char
            m = next((m for m in self._places_from(lo, hi) if m.place is not None), None)
            if m is None or m.region or m.foreign or m.outlet or m.start_char - lo > TOLL_PLACE_CHARS:
                continue
            words = [normalize(w.strip("،,\"“”«»")) for w in self.text[lo : m.start_char].split()]
            words = [w for w in words if w]
            at = next((j for j, w in enumerate(words) if w in ("في", "ب")), None)
            if (at is None or at > TOLL_PLACE_WORDS or not all(w in kinds or strip_article(w) in kinds for w in words[at + 1 :])
                    or any(lo <= c < m.start_char for c in triggers)):
                continue
            pairs.append((i, m))
        ids = {m.point["id"] for _, m in pairs}
        if not pairs or len(ids) < len(pairs):
            return []
        own = frame.place.point["id"] if frame.place is not None and frame.place.point else None
        out = []
        if own is not None and not frame.place.region and own not in ids:
            # "بمقتل ثلاثة مدنيين في قصف على بلدة كفرنبل ومقتل طفل في بلدة حاس": the frame's own town
            # keeps the tolls told of no other place
            if not frame.place_reason.startswith("place named in the sentence"):
                return []
            paired = {i for i, _ in pairs}
            rest = frozenset(i for i in killed if i not in paired)
            if frame.killing_words is not None:
                rest &= frame.killing_words
            f = replace(frame, killing_words=rest, reasons=dict(frame.reasons), fatalities=0, fatality_evidence=None,
                        fatalities_vague=False)
            self._fatalities(f)
            out.append(f)
        elif len(ids) < 2 and (own not in ids or len(killed) < 2):
            return []  # one place with its toll, the frame's own or not, and no other toll to tell apart
        pairs.sort(key=lambda p: p[1].point["id"] != own)
        for i, m in pairs:
            f = replace(frame, place=m, killing_words=frozenset({i}), reasons=dict(frame.reasons), fatalities=0,
                        fatality_evidence=None, fatalities_vague=False)
            f.place_reason = "place named in the sentence, with its own toll"
            self._fatalities(f)
            out.append(f)
        return out

    @staticmethod
    def _split_among_places(placed: list[Frame]) -> None:
        """One toll told of an attack on a list of places is split evenly among them, the
        remainder on the first, as a toll over several days is among the days."""
        total = placed[0].fatalities
        share, rest = divmod(total, len(placed))
        for k, f in enumerate(placed):
            f.fatalities = share + (rest if k == 0 else 0)
            f.reasons["fatalities"] = f"{total} killed in {len(placed)} places named together, {SPLIT_EVENLY}"

    def _fatalities(self, frame: Frame) -> None:
        """The death toll next to a killing word in the sentence: the first figure given
        ("ارتفع عدد القتلى إلى 133 ... بينهم مئة" is 133, not 233). By ACLED's rules a figure is
        not this event's toll when it is a year ("2017 قتل"), when the sentence counts over a
        period (a cumulative, monthly or war-wide total: the ``cumulative`` cues), or when it is
        large (``LARGE_TOLL``) and the sentence ties it to no day or place of its own."""
        sent = frame.sentence
        numbers = self.numbers[bisect_left(self._number_starts, sent.start) : bisect_left(self._number_starts, sent.end)]
        cumulative = next((i for i in range(sent.start, sent.end) if "cumulative" in self.cue_at.get(i, ())), None)
        figure_tokens = {k for n in numbers for k in range(n.start, n.end)}
        set_aside = ""
        for i in range(sent.start, sent.end):
            if "killed" not in self.cue_at.get(i, ()) or (frame.killing_words is not None and i not in frame.killing_words):
                continue
            if self._attempted(i, sent.start):
                continue  # "محاولة اغتيال قيادي": an attempt on a life kills no one
            near = [n for n in numbers if (0 < self._gap(i, n.start) <= 4 or 0 < self._back_gap(n, i) <= 2
                                           or (0 < i - n.end + 1 <= PARTITIVE_GAP and self._partitive(n, i))
                                           or self._met_death(n, i))
                    and not _is_year(n) and not self._counts_wounded(n) and not self._in_place_name(n)
                    and not any(k in self.dated for k in range(n.start, n.end)) and not self._in_numeric_date(n)]
            if len(near) > 1:
                # "34 مدنيا من بينهم 5 أطفال": a figure after "بينهم" counts part of another one
                near = [n for n in near if not self._subcount(n)] or near
            n = min(near, key=lambda n: abs(n.start - i)) if near else None
            if n is not None and any("injured" in self.cue_at.get(j, ())
                                     for j in range(min(i, n.start) + 1, max(i, n.start))):
                n = None  # "مقتل شخص وإصابة عدد من المدنيين": the figure counts the wounded
            if n is not None:
                value = n._.value.value
                why = self._not_a_toll(frame, n, value, cumulative, i)
                if why:
                    set_aside = set_aside or f"{n.text!r} is not this event's toll: {why}"
                    continue
                frame.fatalities = value
                frame.fatality_evidence = Evidence.of(self.doc[min(i, n.start) : max(i + 1, n.end)])
                frame.fatalities_vague = bool(getattr(n._.value, "vague", False))
                return
            if cumulative is None:
                counted = self._counted_victims(i, sent.end)
                if counted is not None:
                    frame.fatalities, end = counted
                    frame.fatality_evidence = Evidence.of(self.doc[i:end])
                    return
                victim = self._victim_before(i, sent.start, figure_tokens)
                if victim is not None:
                    frame.fatalities = 1
                    frame.fatality_evidence = Evidence.of(self.doc[victim : i + 1])
                    return
        frame.reasons["fatalities"] = set_aside or "no death toll reported in the sentence"

    def _attempted(self, i: int, floor: int) -> bool:
        """A killing word right after an attempt cue ("محاولة اغتيال", "في محاولة لاغتياله")."""
        return any("attempt" in self.cue_at.get(j, ()) for j in self._prev_tokens(i, 2, floor))

    def _back_gap(self, n: Span, i: int) -> int:
        """Token distance from the end of a figure to a later killing word at ``i``, not counting
        the words of a hedge in between ("26 شخصا على الأقل مصرعهم")."""
        return i - n.end + 1 - sum(1 for k in range(n.end, i) if k in self.hedged) if i >= n.end else 0

    def _met_death(self, n: Span, i: int) -> bool:
        """"لقي نحو 34 مدنيا ... مصرعهم": the figure right after the verb "لقي" (a hedge
        between allowed), closed by the death word at ``i`` a few words on."""
        if not 0 < i - n.end + 1 <= MET_DEATH_SPAN:
            return False
        j = n.start - 1
        while j >= 0 and j in self.hedged:
            j -= 1
        return j >= 0 and self.norms[j] in self.kb.words("death_meeting")

    def _in_place_name(self, n: Span) -> bool:
        """A figure inside a place's name ("الفوج 46", "اللواء 52") counts no one."""
        k = bisect_right(self._place_starts, n.start_char) - 1  # the last place mention starting at or before it
        return k >= 0 and n.start_char < self.places[k].end_char

    def _in_numeric_date(self, n: Span) -> bool:
        """A figure joined by "-", "/" or "." to other digits is part of a written date or stamp
        ("2026-01-25 قُتل شابان": 25 is the day), not a count."""
        text = self.text  # the builder's copy: spaCy's Doc.text joins the whole document each time
        a, b = n.start_char, n.end_char
        before = a >= 2 and text[a - 1] in "-/." and text[a - 2].isdigit()
        after = b + 1 < len(text) and text[b] in "-/." and text[b + 1].isdigit()
        return before or after

    def _counts_wounded(self, n: Span) -> bool:
        """A figure whose next word is a wounding word: it counts the wounded ("مقتل شاب وعدد من
        الجرحى", "سقوط قتيل و5 جرحى"), not the dead. Not when that word opens a clause of its own
        with "و" ("قتل شخصان وجرح 4 آخرون": two killed, and four wounded)."""
        j = n.end
        while j < len(self.norms) and not self.norms[j]:
            j += 1
        return j < len(self.norms) and "injured" in self.cue_at.get(j, ()) and not self.norms[j].startswith("و")

    def _subcount(self, n: Span) -> bool:
        """A figure right after "بينهم" / "منهم" (kb/function_words.csv ``subcount``)."""
        return n.start > 0 and self.norms[n.start - 1] in self.kb.words("subcount")

    def _partitive(self, n: Span, i: int) -> bool:
        """"لثلاثة من جنود النظام قتلوا": the figure, then من and the group it counts, then the
        killing word (no wounding word in between)."""
        return (n.end < i and self.norms[n.end] == "من"
                and not any("injured" in self.cue_at.get(j, ()) for j in range(n.end, i)))

    def _counted_victims(self, i: int, end: int) -> tuple[int, int] | None:
        """The deaths a killing word at ``i`` counts with no figure beside it, and where its
        evidence ends: a death word that counts them itself ("لمقتله", "سقوط قتيلين": the
        ``killed_one`` and ``killed_two`` cues), or a victim noun right after it, singular
        ("مقتل شاب", "قتل القيادي": ``victim_one``; a dual one, "مقتل عنصرين", is a figure of
        ``nlp.numbers``). None when the dead and the wounded are counted together."""
        here = self.cue_at.get(i, ())
        after = self._killed_end.get(i, i + 1)
        before = self._prev_tokens(i, 1, 0)
        if before and self.norms[before[0]] == "بين":
            return None  # "بين قتيل وجريح": killed or wounded, not a count of the dead
        nxt = next((j for j in range(after, min(after + 2, end)) if self.norms[j]), None)
        if nxt is not None:
            word = self.norms[nxt]
            if word == "كل" and nxt + 1 < end and self.norms[nxt + 1] == "من":
                return self._each_of(nxt + 2, end)
            if self._victim_one(word):
                return self._and_victims(nxt, end)
        if any("injured" in self.cue_at.get(j, ()) for j in range(after, min(after + 2, end))):
            return None  # "مقتل وإصابة", "قتيل وجريح": the dead and the wounded counted together
        if "killed_two" in here:
            return 2, after
        if "killed_one" in here:
            return 1, after
        return None

    def _victim_before(self, i: int, floor: int, figure_tokens: set[int]) -> int | None:
        """Where the singular victim of a passive killing verb at ``i`` stands before it, in the
        same clause ("أن مدنياً آخر من النازحين قتل", "الشاب أحمد الزامل قتل": one death), or
        None. Not after a relative pronoun ("الشاب الذي قتل": who killed), nor when a figure,
        another death word or a wounding word comes between, nor when a figure counts the noun
        ("15 عنصراً ... قتلوا" is the figure's toll; ``figure_tokens``: the tokens of the sentence's
        figures)."""
        if self.norms[i] not in self.kb.words("killed_subject_verb"):
            return None
        before = self._prev_tokens(i, 1, floor)
        if before and self.norms[before[0]] in self.kb.words("relative_pronoun"):
            return None
        for j in range(i - 1, max(floor, i - 1 - VICTIM_BEFORE_SPAN), -1):
            cues = self.cue_at.get(j, ())
            if self.doc[j].text in CLAUSE_MARKS or j in figure_tokens or "killed" in cues or "injured" in cues:
                return None
            word = self.norms[j]
            if word and (self._victim_one(word) or (word.endswith("ا") and self._victim_one(word[:-1]))):
                prev = self._prev_tokens(j, 1, floor)
                return None if prev and prev[0] in figure_tokens else j
        return None

    def _each_of(self, j: int, end: int) -> tuple[int, int] | None:
        """"بمقتل كل من العقيد "مجدي ..." والمجند "محمد ..."، وإصابة عنصرين": the people listed
        after "كل من", each a singular victim noun (the first, and each after "و"), up to the end
        of the clause: two deaths here. None when the list starts with no victim noun."""
        if j >= end or not self._victim_one(self.norms[j]):
            return None
        return self._joined_victims(j, end, end, frozenset({"injured"}))

    def _and_victims(self, j: int, end: int) -> tuple[int, int]:
        """The victims joined to the singular victim noun at ``j`` by "و" within AND_VICTIMS_SPAN
        tokens, each another singular victim noun or "one of" ("مقتل سيدة وإحدى بناتها", "مقتل
        رجل وطفل"): two here. The list ends at a clause mark, a wounding or a killing word."""
        return self._joined_victims(j, min(end, j + 1 + AND_VICTIMS_SPAN), end, frozenset({"injured", "killed"}),
                                    self.kb.words("one_of"))

    def _joined_victims(self, j: int, stop: int, end: int, stop_cues: frozenset[str],
                        one_of: frozenset[str] = frozenset()) -> tuple[int, int]:
        """The victim noun at ``j`` and those joined to it by "و" (glued or cut off by the
        tokenizer) before token ``stop``, a clause mark or a cue of ``stop_cues``: their count, and
        where the evidence ends. An item is a singular victim noun, or a word of ``one_of``."""
        count, last = 1, j
        for k in range(j + 1, stop):
            w = self.norms[k]
            if self.doc[k].text in CLAUSE_MARKS or not stop_cues.isdisjoint(self.cue_at.get(k, ())):
                break
            item = w[1:] if w.startswith("و") and len(w) > 1 else (self.norms[k + 1] if w == "و" and k + 1 < end else "")
            if item and (self._victim_one(item) or item in one_of):
                count, last = count + 1, k + (1 if w == "و" else 0)
        return count, last + 1

    def _victim_one(self, word: str) -> bool:
        """A singular victim noun, with or without the article or a possessive ending ("سائقها",
        "its driver": kb/function_words.csv ``possessive_ending``)."""
        singular = self.kb.cues.get("victim_one", ())
        bare = strip_article(word)
        if word in singular or bare in singular:
            return True
        return any(bare.endswith(e) and bare[: -len(e)] in singular for e in self.kb.words("possessive_ending"))

    def _gap(self, i: int, j: int) -> int:
        """Token distance from i to a later j, not counting the words of a hedge or a date in
        between ("اغتال مجهولون اليوم السبت أربعة مقاتلين")."""
        return j - i - sum(1 for k in range(i + 1, j) if k in self.hedged or k in self.dated) if j > i else 0

    def _not_a_toll(self, frame: Frame, n: Span, value: int, cumulative: int | None, kill: int) -> str:
        """Why the figure ``n`` next to the killing word at ``kill`` is not the event's death toll ("" if it is)."""
        if cumulative is not None:
            return f"the sentence counts over a period ({self.doc[cumulative].text!r}: a cumulative total)"
        days = sorted(d._.value.date for d in self._dates_from(frame.sentence.start, frame.sentence.end))
        if value >= PERIOD_TOLL and days and (days[-1] - days[0]).days > PERIOD_DAYS:
            # "مقتل 801 مدني بين أغسطس آب 2014 وأكتوبر تشرين الأول 2017": a count over that period
            return f"the sentence spans {(days[-1] - days[0]).days} days ({days[0]} to {days[-1]}): a total over a period"
        before = self._prev_tokens(kill, 1, frame.sentence.start)
        if value >= LARGE_TOLL and before and self.norms[before[0]] in self.kb.words("relative_pronoun"):
            # "الهجوم الكيماوي الذي قتل 1400": a relative clause recalls a past attack's toll
            return f"a toll of {LARGE_TOLL} or more in a relative clause ({self.doc[before[0]].text!r}) describing an attack"
        # "تتعرض ... الغوطة الشرقية منذ ثلاثة أسابيع لقصف كثيف، تسبب بمقتل أكثر من 630 مدنيًا": a
        # region is no place of one event's own
        own_place = (frame.place_reason.startswith("place named in the sentence")
                     and frame.place is not None and frame.place.geo_precision < 3)
        if value >= LARGE_TOLL and not (frame.date_reason.startswith(DATE_IN_SENTENCE) or own_place):
            return f"a toll of {LARGE_TOLL} or more with no day or town of its own in the sentence"
        return ""
