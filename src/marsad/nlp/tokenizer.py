"""A spaCy tokenizer for Arabic news text that splits proclitics and keeps offsets.

Arabic attaches the conjunctions و/ف, the prepositions ب/ل/ك and the article ال to the next
word ("وبمساندة", "بدرعا", "للجيش"). A lexicon entry is only found if those are split off, but
splitting blindly breaks names that begin with the same letters ("بصرى", "كفرنبل"). So a word is
split only when the remainder is a word the knowledge base knows. Every token is a substring of
the original text (``Doc.text == text``), so character offsets are those of the source; the
normalised form, with the article restored after "لل", goes to ``token.norm_``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc
from spacy.vocab import Vocab

from .normalize import FORMAT_CHARS, normalize, scrub_surrogates

_FORMAT = re.compile(f"[{FORMAT_CHARS}]")

# Arabic letters with their combining marks, tatweel and format characters (bidi marks,
# zero-width joiners, ...: part of the word they touch and dropped from its norm; alone they make
# a token whose norm is empty, which later stages step over like a space); digits (any script)
# with separators; Latin words; anything else is one token per character. Whitespace is handled
# separately.
_TOKEN = re.compile(
    r"[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff\u0640\u064b-\u065f\u0670" + FORMAT_CHARS + "]+"
    r"|[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c/][0-9\u0660-\u0669\u06f0-\u06f9]+)*"
    r"|[A-Za-z\u00c0-\u024f]+(?:['\u2019-][A-Za-z]+)*"
    r"|\S"
)
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")

# Proclitic sequences tried, shortest first (normalised spellings): "وبروما" is و + the village
# "بروما", not و + ب + "روما"; a glued form is never a known word itself (see kb._without_glued),
# so "وبدرعا" still falls through to و + ب + "درعا".
_PROCLITICS = sorted(
    {c + p for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك")} - {""},
    key=len,
)

_CACHE_LIMIT = 200_000


class ArabicTokenizer:
    """Whitespace/punctuation tokenizer with knowledge-base-driven proclitic splitting."""

    def __init__(self, vocab: Vocab, known_words: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.known: set[str] = set(known_words)
        self._cache: dict[str, list[tuple[str, str]]] = {}

    def add_known(self, words: Iterable[str]) -> None:
        self.known.update(words)
        self._cache.clear()

    # -- splitting ------------------------------------------------------------------------
    def split_word(self, word: str) -> list[tuple[str, str]]:
        """Split one surface word into (surface, norm) pieces."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        norm = normalize(word)
        pieces = [(word, norm)]
        if norm not in self.known and _ARABIC_LETTER.match(_FORMAT.sub("", word)) and len(norm) > 2:
            pieces = self._split(word, norm) or pieces
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = pieces
        return pieces

    def _split(self, word: str, norm: str) -> list[tuple[str, str]] | None:
        known = self.known
        for prefix in (*_PROCLITICS, ""):
            if not norm.startswith(prefix):
                continue
            rest = norm[len(prefix) :]
            if len(rest) < 2:
                continue
            if prefix and rest in known:
                return self._cut(word, prefix, rest)
            # "لل" = ل + ال with the alef dropped: "للجيش" -> ل + (ال)جيش
            if prefix.endswith("ل") and rest.startswith("ل") and "ا" + rest in known:
                return self._cut(word, prefix, "ا" + rest)
            # the article before a stem the knowledge base knows bare: "والمدنيين" -> و ال مدنيين
            if rest.startswith("ال") and len(rest) > 4 and rest[2:] in known:
                return self._cut(word, prefix + "ال", rest[2:])
        return None

    @staticmethod
    def _cut(word: str, prefix: str, rest_norm: str) -> list[tuple[str, str]]:
        """Cut ``word`` after the surface characters that spell ``prefix`` letter by letter."""
        pieces: list[tuple[str, str]] = []
        pos = 0
        letters = list(prefix.removesuffix("ال")) + (["ال"] if prefix.endswith("ال") else [])
        for letter in letters:
            start = pos
            while pos < len(word) and normalize(word[pos]) == "":  # format characters before it
                pos += 1
            pos += len(letter)
            # keep any diacritics/tatweel/format characters attached to the clitic letter
            while pos < len(word) and normalize(word[pos]) == "":
                pos += 1
            pieces.append((word[start:pos], normalize(letter)))
        pieces.append((word[pos:], rest_norm))
        return pieces

    # -- spaCy interface ------------------------------------------------------------------
    def __call__(self, text: str) -> Doc:
        text = scrub_surrogates(text)  # spaCy hashes every word as UTF-8; one code point for one
        words: list[str] = []
        spaces: list[bool] = []
        norms: list[str] = []
        pos = 0
        n = len(text)
        for match in _TOKEN.finditer(text):
            start, end = match.span()
            if start > pos:
                self._whitespace(text[pos:start], words, spaces, norms)
            for surface, norm in self.split_word(match.group()):
                words.append(surface)
                spaces.append(False)
                norms.append(norm)
            pos = end
        if pos < n:
            self._whitespace(text[pos:], words, spaces, norms)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        for i, (word, norm) in enumerate(zip(words, norms, strict=True)):
            if norm != word:
                doc[i].norm_ = norm
        # plain lists for the later stages (iterating spaCy tokens in Python is slow)
        doc.user_data["marsad_words"] = words
        doc.user_data["marsad_norms"] = [n if w.strip() else "" for w, n in zip(words, norms, strict=True)]
        return doc

    @staticmethod
    def _whitespace(gap: str, words: list[str], spaces: list[bool], norms: list[str]) -> None:
        if words and gap[0] == " " and not spaces[-1]:
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)
            norms.append(gap)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # spaCy serialisation hooks (the vocabulary is rebuilt from the knowledge base)
    def to_bytes(self, **kwargs: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: object) -> ArabicTokenizer:
        return self
