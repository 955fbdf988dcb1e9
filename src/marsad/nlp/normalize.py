"""Arabic orthographic normalisation.

Lexicons and text are compared on normalised forms so that the spelling variants Arabic
writers use interchangeably (hamza seats, alef maqsura, ta marbuta, diacritics, tatweel,
Arabic-Indic digits) do not hide a match. Normalisation is applied per token: the original
text is never rewritten, so character offsets stay those of the source.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible format characters that pasted and scraped text carries inside and between words:
# bidi marks, embeddings and isolates, zero-width space and (non-)joiners, word joiner, BOM,
# soft hyphen. Dropped like diacritics, so "قص\u200cف" is "قصف" (the tokenizer keeps them in
# the word they touch).
FORMAT_CHARS = "\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"

# Diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks), tatweel and
# format characters.
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640" + FORMAT_CHARS + "]")

_TABLE = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0672": "\u0627",
        "\u0673": "\u0627",
        "\u0649": "\u064a",  # ى -> ي
        "\u06cc": "\u064a",  # Farsi yeh -> ي
        "\u06a9": "\u0643",  # keheh -> ك
        "\u0629": "\u0647",  # ة -> ه
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
        # Arabic-Indic and Eastern Arabic-Indic digits -> ASCII
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        "\u060c": ",",  # Arabic comma
        "\u061b": ";",
        "\u061f": "?",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(value: str) -> str:
    """``value`` with every lone surrogate code point replaced by U+FFFD.

    A Python string can hold surrogates (JSON ``"\\ud800"``, undecodable bytes in file names or
    arguments) that no UTF-8 writer accepts: the store, JSON output and hashing would fail on them.
    One code point for one keeps every character offset.
    """
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (used for tokens and lexicon entries).

    >>> normalize("الإشتباكاتُ")
    'الاشتباكات'
    >>> normalize("مدرسةٌ")
    'مدرسه'
    >>> normalize("٢٠٢٢")
    '2022'
    """
    text = unicodedata.normalize("NFC", text)
    text = _DROP.sub("", text)
    return text.translate(_TABLE)


def strip_article(norm: str) -> str:
    """Drop a leading definite article from a normalised word (for variant generation)."""
    if norm.startswith("ال") and len(norm) > 3:
        return norm[2:]
    return norm


def normalize_phrase(text: str) -> str:
    """Normalise a multi-word phrase and collapse whitespace."""
    return " ".join(normalize(text).split())
