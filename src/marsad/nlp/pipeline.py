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
from collections import defaultdict
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..kb import KnowledgeBase, get_kb
from .dates import find_dates
from .numbers import find_numbers
from .tokenizer import ArabicTokenizer

if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)
if not Span.has_extension("kb_ids"):
    Span.set_extension("kb_ids", default=None)
if not Span.has_extension("value"):
    Span.set_extension("value", default=None)

SENTENCE_END = {".", "!", "?", "؟", ";", "؛", "…"}
LEXICON_GROUPS = ("places", "actors", "triggers", "cues")


@Language.component(
    "marsad_sentencizer", assigns=["token.is_sent_start"], requires=["token.norm"]
)
def marsad_sentencizer(doc: Doc) -> Doc:
    start_next = True
    for token in doc:
        token.is_sent_start = start_next
        text = token.text
        start_next = text in SENTENCE_END or ("\n" in text and not text.strip())
    return doc


class LexiconMatcher:
    """One PhraseMatcher over the normalised names of places, actors, triggers and cues."""

    def __init__(self, nlp: Language, kb: KnowledgeBase) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.ids: dict[str, list] = defaultdict(list)
        entries: dict[str, list[str]] = defaultdict(list)
        for p in kb.places:
            for name in p["names_norm"]:
                self._add(entries, "places", name, p["id"])
        for a in kb.actors.values():
            for name in a.names_norm:
                self._add(entries, "actors", name, a.actor_id)
        for i, t in enumerate(kb.triggers):
            for v in t.variants:
                self._add(entries, "triggers", v, i)
        for phrase, cue in kb.cue_phrases:
            self._add(entries, "cues", phrase, cue)
        tokenizer = nlp.tokenizer
        for group, phrases in entries.items():
            for label in phrases:
                self.matcher.add(label, [tokenizer(label.split("\x1f", 1)[1])])
        self.vocab = nlp.vocab

    def _add(self, entries: dict[str, list[str]], group: str, phrase: str, kb_id: object) -> None:
        label = f"{group}\x1f{phrase}"
        if label not in self.ids:
            entries[group].append(label)
        if kb_id not in self.ids[label]:
            self.ids[label].append(kb_id)

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, list[Span]] = {g: [] for g in LEXICON_GROUPS}
        strings = self.vocab.strings
        for match_id, start, end in self.matcher(doc):
            label = strings[match_id]
            group = label.split("\x1f", 1)[0]
            span = Span(doc, start, end, label=group)
            span._.kb_ids = self.ids[label]
            found[group].append(span)
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
    return [t.norm_ if t.text.strip() else "" for t in doc]


@Language.component("marsad_numbers", assigns=["doc.spans"], requires=["token.norm"])
def marsad_numbers(doc: Doc) -> Doc:
    spans = []
    for m in find_numbers(_norms(doc)):
        span = Span(doc, m.start, m.end, label="NUMBER")
        span._.value = m
        spans.append(span)
    doc.spans["numbers"] = spans
    return doc


@Language.component("marsad_dates", assigns=["doc.spans"], requires=["token.norm"])
def marsad_dates(doc: Doc) -> Doc:
    published = doc._.published
    if isinstance(published, str):
        published = dt.date.fromisoformat(published[:10])
    spans = []
    for m in find_dates(_norms(doc), published):
        span = Span(doc, m.start, m.end, label="DATE")
        span._.value = m
        spans.append(span)
    doc.spans["dates"] = spans
    return doc


def build_pipeline(kb: KnowledgeBase | None = None) -> Language:
    """A fresh pipeline over the packaged knowledge base (or ``kb``)."""
    kb = kb or get_kb()
    nlp = spacy.blank("ar")
    nlp.tokenizer = ArabicTokenizer(nlp.vocab, kb.known_words)
    nlp.add_pipe("marsad_sentencizer")
    nlp.add_pipe("marsad_lexicon")
    nlp.add_pipe("marsad_numbers")
    nlp.add_pipe("marsad_dates")
    return nlp


@cache
def get_pipeline() -> Language:
    """The shared pipeline over the packaged knowledge base (built once per process)."""
    return build_pipeline()


def analyse(text: str, published: str | dt.date | None = None) -> Doc:
    """Run the pipeline on one text with its publication date."""
    nlp = get_pipeline()
    doc = nlp.make_doc(text)
    doc._.published = published
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc
