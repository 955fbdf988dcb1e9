"""marsad's spaCy pipeline: named stages over one Doc that keeps the source's offsets.

Stages (in order):
  tokenizer            ArabicTokenizer: proclitic splitting driven by the knowledge base;
                       writes the normalised form of every token to ``token.norm_``
  marsad_sentencizer   sentence boundaries at . ! ? ؟ ; and line breaks
  marsad_lexicon       PhraseMatcher on norms: doc.spans["places" | "actors" | "triggers" | "cues"]
                       (``span._.kb_ids`` lists the knowledge-base ids a span may refer to)
  marsad_numbers       doc.spans["numbers"], ``span._.value`` an int
  marsad_dates         doc.spans["dates"], ``span._.value`` a DateMention (needs doc._.published)
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from collections import defaultdict

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..kb import KnowledgeBase, get_kb
from .dates import find_dates, parse_iso
from .numbers import find_numbers
from .tokenizer import ArabicTokenizer

if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)
# Span values live in doc.user_data keyed by label and token range, because spaCy keys span
# extension values by character offsets only, and spans of different groups may coincide
# ("قتل" is a trigger and a cue; "الاثنين" a number and a weekday).
# The knowledge-base ids a span label stands for live with the document too: the lexicon stage
# puts its own (read-only) table in ``doc.user_data[LEXICON_IDS_KEY]``, and a later stage that
# adds spans of new labels (the NER linker) puts their ids in ``doc.user_data[EXTRA_IDS_KEY]``.
# Nothing module-global is written after import, so pipelines built at the same time in several
# threads, or one after another, are the same.
LEXICON_IDS_KEY = "marsad_lexicon_ids"
EXTRA_IDS_KEY = "marsad_extra_ids"


def _span_value(span: Span) -> object:
    return span.doc.user_data.get(("marsad", span.label_, span.start, span.end))


def set_span_value(span: Span, value: object) -> None:
    span.doc.user_data[("marsad", span.label_, span.start, span.end)] = value


def _kb_ids(span: Span) -> list:
    data = span.doc.user_data
    label = span.label_
    extra = data.get(EXTRA_IDS_KEY)
    if extra and label in extra:
        return extra[label]
    return data.get(LEXICON_IDS_KEY, {}).get(label, [])


def add_span_ids(doc: Doc, label: str, ids: list) -> None:
    """Give spans labelled ``label`` in ``doc`` the knowledge-base ids ``ids`` (``span._.kb_ids``)."""
    doc.user_data.setdefault(EXTRA_IDS_KEY, {}).setdefault(label, ids)


if not Span.has_extension("kb_ids"):
    Span.set_extension("kb_ids", getter=_kb_ids)
if not Span.has_extension("value"):
    Span.set_extension("value", getter=_span_value)

SENTENCE_END = {".", "!", "?", "؟", ";", "؛", "…"}
FOREIGN_PREFIX = "X:"  # kb id of a place outside Syria
LEXICON_GROUPS = ("places", "actors", "triggers", "cues")


@Language.component(
    "marsad_sentencizer", assigns=["token.is_sent_start"], requires=["token.norm"]
)
def marsad_sentencizer(doc: Doc) -> Doc:
    words = doc.user_data.get("marsad_words") or [t.text for t in doc]
    norms = doc.user_data.get("marsad_norms") or [t.norm_ for t in doc]
    breaks_before, breaks_after = _chrome_breaks(norms, words)
    starts = []
    start_next = True
    for i, text in enumerate(words):
        if (start_next or i in breaks_before) and text.strip():
            if not starts or starts[-1] != i:
                starts.append(i)
            start_next = False
        if text in SENTENCE_END or ("\n" in text and not text.strip()) or i in breaks_after:
            start_next = True
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    if len(words):  # an empty text has no tokens to flag
        flags = numpy.full((len(words), 1), -1, dtype="int64")
        flags[starts] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))
    doc.user_data["marsad_sent_starts"] = starts
    return doc


#: Closing brackets that may end a page's time stamp ("( مكة المكرمة )").
CLOSING_BRACKETS = {")", "]", "»"}


def _chrome_breaks(norms: list[str], words: list[str]) -> tuple[set[int], set[int]]:
    """Sentence breaks that scraped pages lost: around a line of page chrome ("حجم الخط",
    kb/function_words.csv ``page_chrome``) and after the time zone that closes a time stamp
    ("الساعة 20 : 24 ( مكة المكرمة )": ``stamp_zone``). Returns (tokens a sentence starts at,
    tokens a sentence ends after)."""
    kb = get_kb()
    chrome, zones = kb.words("page_chrome"), kb.words("stamp_zone")
    if not chrome and not zones:
        return set(), set()
    firsts = {p.split()[0] for p in chrome | zones}
    if firsts.isdisjoint(norms):  # most documents: no scan in Python
        return set(), set()
    longest = max(len(p.split()) for p in chrome | zones)
    content = [i for i, n in enumerate(norms) if n]
    before: set[int] = set()
    after: set[int] = set()
    for k, i in enumerate(content):
        if norms[i] not in firsts:
            continue
        for size in range(1, longest + 1):
            if k + size > len(content):
                break
            phrase = " ".join(norms[j] for j in content[k : k + size])
            last = content[k + size - 1]
            if phrase in chrome:
                before.add(i)
                after.add(last)
            elif phrase in zones:
                nxt = content[k + size] if k + size < len(content) else None
                after.add(nxt if nxt is not None and words[nxt] in CLOSING_BRACKETS else last)
    return before, after


def sentence_bounds(doc: Doc, i: int) -> tuple[int, int]:
    """(start, end) token indices of the sentence holding token ``i``."""
    starts = doc.user_data["marsad_sent_starts"]
    k = bisect_right(starts, i) - 1
    return starts[k], (starts[k + 1] if k + 1 < len(starts) else len(doc))


class LexiconMatcher:
    """One PhraseMatcher over the normalised names of places, actors, triggers and cues."""

    def __init__(self, nlp: Language, kb: KnowledgeBase) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.ids: dict[str, list] = {}  # this matcher's own table: the stage writes nothing global
        entries: dict[str, list[str]] = defaultdict(list)
        for p in kb.places:
            for name in p["names_norm"]:
                self._add(entries, "places", name, p["id"])
        for name in kb.foreign_places:
            self._add(entries, "places", name, FOREIGN_PREFIX + name)
        for a in kb.actors.values():
            for name in a.names_norm:
                self._add(entries, "actors", name, a.actor_id)
        for i, t in enumerate(kb.triggers):
            for v in t.variants:
                self._add(entries, "triggers", v, i)
        for phrase, cue in kb.cue_phrases:
            self._add(entries, "cues", phrase, cue)
        tokenizer = nlp.tokenizer
        for phrases in entries.values():
            for label in phrases:
                self.matcher.add(label, [tokenizer(label.split("\x1f", 1)[1])])
        self.vocab = nlp.vocab

    def _add(self, entries: dict[str, list[str]], group: str, phrase: str, kb_id: object) -> None:
        label = f"{group}\x1f{phrase}"
        if label not in self.ids:
            entries[group].append(label)
            self.ids[label] = []
        if kb_id not in self.ids[label]:
            self.ids[label].append(kb_id)

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, list[Span]] = {g: [] for g in LEXICON_GROUPS}
        strings = self.vocab.strings
        doc.user_data[LEXICON_IDS_KEY] = self.ids
        for match_id, start, end in self.matcher(doc):
            label = strings[match_id]
            group = label.split("\x1f", 1)[0]
            found[group].append(Span(doc, start, end, label=match_id))
        for group, spans in found.items():
            # cues may overlap freely; names and triggers keep the longest match
            doc.spans[group] = spans if group == "cues" else filter_spans(spans)
        return doc


@Language.factory(
    "marsad_lexicon",
    assigns=["doc.spans"],
    requires=["token.norm"],
)
def make_lexicon(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp, get_kb())


def _norms(doc: Doc) -> list[str]:
    norms = doc.user_data.get("marsad_norms")
    return norms if norms is not None else [t.norm_ if t.text.strip() else "" for t in doc]


@Language.component("marsad_numbers", assigns=["doc.spans"], requires=["token.norm"])
def marsad_numbers(doc: Doc) -> Doc:
    spans = []
    found = find_numbers(_norms(doc))
    doc.user_data["marsad_number_mentions"] = found  # the dates stage reads them too
    for m in found:
        span = Span(doc, m.start, m.end, label="NUMBER")
        set_span_value(span, m)
        spans.append(span)
    doc.spans["numbers"] = spans
    return doc


@Language.component("marsad_dates", assigns=["doc.spans"], requires=["token.norm"])
def marsad_dates(doc: Doc) -> Doc:
    published = doc._.published
    if isinstance(published, str):
        published = parse_iso(published)
    spans = []
    for m in find_dates(_norms(doc), published, doc.user_data.get("marsad_number_mentions")):
        span = Span(doc, m.start, m.end, label="DATE")
        set_span_value(span, m)
        spans.append(span)
    doc.spans["dates"] = spans
    return doc


def build_pipeline(kb: KnowledgeBase | None = None) -> Language:
    """A fresh pipeline over the packaged knowledge base (or ``kb``)."""
    kb = kb or get_kb()
    nlp = spacy.blank("ar")
    # spaCy's 1M-character guard is for its parser and NER, which marsad does not use; the
    # document limit is extract.MAX_CHARS
    nlp.max_length = 10_000_000
    nlp.tokenizer = ArabicTokenizer(nlp.vocab, kb.known_words)
    nlp.add_pipe("marsad_sentencizer")
    nlp.add_pipe("marsad_lexicon")
    nlp.add_pipe("marsad_numbers")
    nlp.add_pipe("marsad_dates")
    return nlp


_PIPELINE: Language | None = None
_PIPELINE_LOCK = threading.Lock()


def get_pipeline() -> Language:
    """The shared pipeline over the packaged knowledge base, built once per process: threads
    that ask for it at the same time (the first requests of a server) wait for one build."""
    global _PIPELINE
    if _PIPELINE is None:
        with _PIPELINE_LOCK:
            if _PIPELINE is None:
                _PIPELINE = build_pipeline()
    return _PIPELINE


def doc_text(doc: Doc) -> str:
    """The text ``doc`` was made from (``doc.text`` without rebuilding it from the tokens)."""
    text = doc.user_data.get("marsad_text")
    return text if isinstance(text, str) else doc.text


def analyse(text: str, published: str | dt.date | None = None) -> Doc:
    """Run the pipeline on one text with its publication date."""
    nlp = get_pipeline()
    doc = nlp.make_doc(text)
    doc.user_data["marsad_text"] = text  # Doc.text rebuilds the string from its tokens on every call
    doc._.published = published
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
