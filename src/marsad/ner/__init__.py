"""Arabic named-entity recognition: PERS, LOC, ORG and MISC in BIO tags.

Two linear-chain CRFs (python-crfsuite) over whitespace/punctuation tokens as they appear in news
text, proclitics attached ("والرئيس", "بدمشق"). The first pass sees the normalised word, the word
with the proclitics و ف ب ل ك and the article ال stripped, character prefixes and suffixes, word
shape, the neighbouring words, membership in name lists (ANERgazet and the marsad knowledge base),
and word clusters and statistics learnt from unlabelled Arabic news. The second pass adds the
first pass's tags and how the same word was tagged in the sentences around it, so that a name
given in full once is recognised when it comes back alone. Sentences tagged together
(``tag_sentences``, ``entities``, ``marsad ner``) are read as one document.

Trained by ``scripts/train_ner.py`` and shipped in ``marsad/data/ner/`` (see its MODEL_CARD.md);
nothing is downloaded at run time.

>>> from marsad import ner
>>> ner.tag(["قال", "الرئيس", "الفرنسي", "جاك", "شيراك", "في", "باريس"])  # doctest: +SKIP
['O', 'O', 'O', 'B-PERS', 'I-PERS', 'O', 'B-LOC']
>>> ner.entities("زار جاك شيراك دمشق.")  # doctest: +SKIP
[(4, 13, 'PERS', 'جاك شيراك'), (14, 18, 'LOC', 'دمشق')]
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

LABELS = ("PERS", "LOC", "ORG", "MISC")
#: Tokens that end a sentence in the training data (ANERcorp has no sentence breaks of its own).
SENTENCE_END = frozenset({".", "!", "?", "\u061f"})
MODEL_FILE = "model.crfsuite"
SECOND_FILE = "context.crfsuite"
RESOURCES_FILE = "resources.json.gz"

__all__ = [
    "LABELS",
    "NerModel",
    "entities",
    "load_model",
    "repair_bio",
    "spans",
    "tag",
    "tag_sentences",
    "tokenize",
]

# -- normalisation and proclitics ----------------------------------------------------------

# Diacritics, Quranic marks, tatweel, and format characters (LRM/RLM, ZWNJ, ZWJ, BOM) that
# scraped text and ANERcorp carry inside tokens.
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_TABLE = str.maketrans(
    {
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u06a9": "\u0643",
        "\u0629": "\u0647",
        "\u0624": "\u0648",
        "\u0626": "\u064a",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u060c": ",",
        "\u061b": ";",
        "\u061f": "?",
    }
)
_ARABIC = re.compile("[\u0621-\u064a]")
_LATIN = re.compile("[A-Za-z]")
_DIGIT = re.compile("[0-9]")


def normalize(token: str) -> str:
    """The form features and lexicons compare: hamza seats, ى/ي, ة/ه, no diacritics or marks."""
    token = unicodedata.normalize("NFC", token)
    return _DROP.sub("", token).translate(_TABLE).lower()


def strip_proclitics(norm: str, known: frozenset[str] | set[str] = frozenset()) -> tuple[str, str, str]:
    """(prefix, with_article, stem) of a normalised word.

    ``prefix`` is the conjunction/preposition/article sequence removed ("و+ب+ال"),
    ``with_article`` the word without conjunction and preposition but with its article
    ("وللامم" -> "الامم"), ``stem`` the word without any of them ("امم"). Stripping stops
    when too little would remain or when the word is already in ``known`` (so that names such
    as "بغداد" or "لبنان" keep their first letter).
    """
    parts = []
    w = norm
    if w not in known and len(w) > 3 and w[0] in "وف":
        parts.append(w[0])
        w = w[1:]
    if w not in known and len(w) > 3 and w[0] in "بلك":
        parts.append(w[0])
        w = "ا" + w[1:] if w[:2] == "لل" else w[1:]  # لل = ل + ال
    with_article = w
    if w.startswith("ال") and len(w) > 4:
        parts.append("ال")
        w = w[2:]
    return "+".join(parts), with_article, w


def _shape(token: str) -> str:
    if _ARABIC.search(token):
        return "ar" if not _DIGIT.search(token) else "ar9"
    if _DIGIT.search(token):
        return "9" if token.isdigit() else "9x"
    if _LATIN.search(token):
        if token.isupper():
            return "AA"
        return "Aa" if token[:1].isupper() else "aa"
    return "p:" + token[:2]


# -- resources -------------------------------------------------------------------------------


@dataclass
class Resources:
    """Lexicons, clusters and word statistics the features look up (shipped beside the CRF)."""

    words: dict[str, list[str]] = field(default_factory=dict)  # normalised form -> lexicon types
    stems: dict[str, list[str]] = field(default_factory=dict)  # article-stripped form -> types
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)  # multi-word entry -> type
    max_phrase: int = 1
    clusters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stem -> cluster ids, coarse to fine
    stats: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stem -> frequency/article buckets
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Resources:
        phrases = {tuple(p.split(" ")): t for p, t in data.get("phrases", {}).items()}
        names = data.get("cluster_levels", [])
        clusters = {
            word: tuple(f"{n}:{i}" for n, i in zip(names, ids, strict=True))
            for word, ids in zip(data.get("cluster_words", []), data.get("cluster_ids", []), strict=True)
        }
        stats = {
            word: (f"fq:{f}", f"ar:{a}")
            for word, (f, a) in zip(data.get("stat_words", []), data.get("stat_values", []), strict=True)
        }
        return cls(
            words=data.get("words", {}),
            stems=data.get("stems", {}),
            phrases=phrases,
            max_phrase=max((len(p) for p in phrases), default=1),
            clusters=clusters,
            stats=stats,
            meta=data.get("meta", {}),
        )

    @staticmethod
    def to_json(
        words: dict[str, list[str]],
        stems: dict[str, list[str]],
        phrases: dict[str, str],
        cluster_levels: list[str],
        clusters: dict[str, list[int]],
        stats: dict[str, list[int]],
        meta: dict,
    ) -> dict:
        ordered = sorted(clusters)
        stat_words = sorted(stats)
        return {
            "words": words,
            "stems": stems,
            "phrases": phrases,
            "cluster_levels": cluster_levels,
            "cluster_words": ordered,
            "cluster_ids": [clusters[w] for w in ordered],
            "stat_words": stat_words,
            "stat_values": [stats[w] for w in stat_words],
            "meta": meta,
        }


# -- features --------------------------------------------------------------------------------

# (norm, stem, prefix, shape, lexicon features, clusters, with_article, raw, stats)
_BOS = ("__BOS__", "__BOS__", "", "BOS", (), (), "__BOS__", "__BOS__", ())
_EOS = ("__EOS__", "__EOS__", "", "EOS", (), (), "__EOS__", "__EOS__", ())
_RARE = ("fq:0", "ar:-")
_MARKS = _DROP


class Featurizer:
    """Token features for the CRF; per-word parts are cached (news text repeats its words)."""

    def __init__(self, res: Resources, cache_limit: int = 200_000) -> None:
        self.res = res
        self.known = frozenset(res.words)
        self._cache: dict[str, tuple] = {}
        self._limit = cache_limit

    def word_info(self, token: str) -> tuple:
        """(norm, stem, prefix, shape, lexicon features, clusters, with_article, raw, stats) of one token."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        res = self.res
        n = normalize(token) or token
        prefix, art, stem = strip_proclitics(n, self.known)
        gaz = set()
        for t in res.words.get(n, ()):
            gaz.add("gw=" + t)
        if art != n:
            for t in res.words.get(art, ()):
                gaz.add("ga=" + t)
        for t in res.stems.get(stem, ()):
            gaz.add("gs=" + t)
        clusters = res.clusters.get(stem) or res.clusters.get(n) or ()
        stats = res.stats.get(stem) or (_RARE if _ARABIC.search(n) else ())
        raw = _MARKS.sub("", token)  # keeps ى/ي, ة/ه and hamza seats apart ("على" vs "علي")
        info = (n, stem, prefix, _shape(n), tuple(sorted(gaz)), clusters, art, raw, stats)
        if len(self._cache) < self._limit:
            self._cache[token] = info
        return info

    def phrase_tags(self, infos: Sequence[tuple]) -> list[str]:
        """BIO tags of the longest multi-word lexicon matches ("" where none)."""
        res = self.res
        n = len(infos)
        out = [""] * n
        if res.max_phrase < 2:
            return out
        phrases = res.phrases
        i = 0
        while i < n:
            hit = 0
            for length in range(min(res.max_phrase, n - i), 1, -1):
                key = (infos[i][6], *(infos[j][0] for j in range(i + 1, i + length)))
                typ = phrases.get(key)
                if typ is not None:
                    out[i] = "B-" + typ
                    for j in range(i + 1, i + length):
                        out[j] = "I-" + typ
                    hit = length
                    break
            i += hit or 1
        return out

    def sentence_list(self, sentences: Iterable[Sequence[str]]) -> list[list[list[str]]]:
        return [self.sentence(s) for s in sentences]

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """One list of feature strings per token."""
        infos = [self.word_info(t) for t in tokens]
        phr = self.phrase_tags(infos)
        feats = []
        n = len(infos)
        for i, (w, s, p, sh, gaz, cl, _, raw, st) in enumerate(infos):
            pw = infos[i - 1] if i > 0 else _BOS
            nw = infos[i + 1] if i + 1 < n else _EOS
            f = [
                "b",
                "w=" + w,
                "r=" + raw,
                "s=" + s,
                "p=" + p,
                "sh=" + sh,
                "l=" + str(min(len(s), 8)),
                "s1=" + s[:1],
                "s2=" + s[:2],
                "s3=" + s[:3],
                "e1=" + s[-1:],
                "e2=" + s[-2:],
                "e3=" + s[-3:],
                "re1=" + raw[-1:],
                "w2=" + w[:2],
                "-1w=" + pw[0],
                "+1w=" + nw[0],
                "-1s=" + pw[1],
                "+1s=" + nw[1],
                "-1p=" + pw[2],
                "+1p=" + nw[2],
                "-1sh=" + pw[3],
                "+1sh=" + nw[3],
                "-1w|w=" + pw[0] + "|" + w,
                "w|+1w=" + w + "|" + nw[0],
                "-1e2=" + pw[1][-2:],
                "+1e2=" + nw[1][-2:],
            ]
            f.extend(gaz)
            f.extend(cl)
            f.extend(st)
            if pw[4]:
                f.extend("-1" + g for g in pw[4])
            if nw[4]:
                f.extend("+1" + g for g in nw[4])
            if pw[5]:
                f.append("-1" + pw[5][0])
                f.append("-1" + pw[5][-1])
            if nw[5]:
                f.append("+1" + nw[5][0])
                f.append("+1" + nw[5][-1])
            if pw[8]:
                f.append("-1" + pw[8][0])
            if nw[8]:
                f.append("+1" + nw[8][0])
            if i > 1:
                f.append("-2w=" + infos[i - 2][0])
                f.append("-2s=" + infos[i - 2][1])
            else:
                f.append("-2w=__BOS__")
            if i + 2 < n:
                f.append("+2w=" + infos[i + 2][0])
                f.append("+2s=" + infos[i + 2][1])
            else:
                f.append("+2w=__EOS__")
            if phr[i]:
                f.append("ph=" + phr[i])
                f.append("pht=" + phr[i][2:])
            feats.append(f)
        return feats


# -- BIO helpers -----------------------------------------------------------------------------


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Make a tag sequence valid BIO: an I-X that does not continue an X entity becomes B-X."""
    out = []
    prev = "O"
    for t in tags:
        if t.startswith("I-") and prev[2:] != t[2:]:
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans (start, end exclusive, type) of a BIO sequence, as seqeval reads them.

    An I-X that follows O or another type starts a new entity (conlleval/seqeval default mode).
    """
    out = []
    start, typ = None, None
    for i, t in enumerate([*tags, "O"]):
        kind, _, label = t.partition("-")
        if kind == "I" and typ == label and start is not None:
            continue
        if start is not None:
            out.append((start, i, typ))
            start, typ = None, None
        if kind in ("B", "I") and label:
            start, typ = i, label
    return out


# -- document context (second pass) --------------------------------------------------------

CONTEXT_WINDOW = 10  # sentences either side whose first-pass tags the second pass sees
_CHUNK = 1000  # sentences featurised at a time


def split_at_sentence_ends(tokens: Sequence[str]) -> list[list[str]]:
    """Cut a token sequence after . ! ? ؟ (as the training data was cut)."""
    out: list[list[str]] = []
    cur: list[str] = []
    for tok in tokens:
        cur.append(tok)
        if tok in SENTENCE_END:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def context_features(
    feats: list[list[list[str]]], keys: list[list[str]], first: list[list[str]], window: int = CONTEXT_WINDOW
) -> list[list[list[str]]]:
    """Second-pass features: the first pass's tags of the token and its neighbours, and how the
    first pass tagged the same word (proclitic-stripped) elsewhere within ``window`` sentences.

    News text names a person in full once and then by a single name; the second pass lets the
    clear mentions vote for the unclear ones.
    """
    n = len(feats)
    per: list[dict[str, Counter]] = []
    for ks, ps in zip(keys, first, strict=True):
        c: dict[str, Counter] = {}
        for k, p in zip(ks, ps, strict=True):
            c.setdefault(k, Counter())[p[2:] or "O"] += 1
        per.append(c)
    win: dict[str, Counter] = {}

    def add(j: int, sign: int) -> None:
        for k, c in per[j].items():
            w = win.setdefault(k, Counter())
            for t, v in c.items():
                w[t] += sign * v

    for j in range(min(n, window + 1)):
        add(j, 1)
    out = []
    for si in range(n):
        ps = first[si]
        sent = []
        last = len(ps) - 1
        for i, (fx, k) in enumerate(zip(feats[si], keys[si], strict=True)):
            g = [*fx, "f=" + ps[i], "f-1=" + (ps[i - 1] if i else "BOS"), "f+1=" + (ps[i + 1] if i < last else "EOS")]
            c = Counter(win.get(k, ()))
            c[ps[i][2:] or "O"] -= 1
            c = +c
            if c:
                g.append("dm=" + c.most_common(1)[0][0])
                g.extend("da=" + t for t in c if t != "O")
                total = sum(c.values())
                g.append(f"dr={min(4, 4 * (total - c['O']) // total)}")
            sent.append(g)
        out.append(sent)
        if si + window + 1 < n:
            add(si + window + 1, 1)
        if si - window >= 0:
            add(si - window, -1)
    return out


# -- the model -------------------------------------------------------------------------------


class NerModel:
    """A loaded CRF (first pass) with its featurizer and, if present, the second-pass CRF."""

    def __init__(self, model_path: str | Path, res: Resources, second_path: str | Path | None = None) -> None:
        import pycrfsuite

        self.path = Path(model_path)
        self.resources = res
        self.featurizer = Featurizer(res)
        self.window = int(res.meta.get("context_window", CONTEXT_WINDOW))
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self._second = None
        if second_path is not None and Path(second_path).is_file():
            self._second = pycrfsuite.Tagger()
            self._second.open(str(second_path))

    @classmethod
    def from_dir(cls, directory: str | Path) -> NerModel:
        directory = Path(directory)
        with gzip.open(directory / RESOURCES_FILE, "rt", encoding="utf-8") as fh:
            res = Resources.from_json(json.load(fh))
        return cls(directory / MODEL_FILE, res, directory / SECOND_FILE)

    def tag_pieces(self, pieces: list[list[str]], second: bool = True) -> list[list[str]]:
        """Raw CRF tags for sentences that are already cut at sentence ends (one document)."""
        fz = self.featurizer
        feats = [fz.sentence(p) for p in pieces]
        first = [self._tagger.tag(f) if f else [] for f in feats]
        if self._second is None or not second:
            return first
        keys = [[fz.word_info(t)[1] for t in p] for p in pieces]
        return [self._second.tag(f) if f else [] for f in context_features(feats, keys, first, self.window)]

    def tag_sentences(self, sentences: Iterable[Sequence[str]], second: bool = True) -> list[list[str]]:
        """BIO tags for each sentence; the sentences are read together as one document.

        ``second=False`` skips the document-context pass: half the cost, -0.011 dev F1 (MODEL_CARD)."""
        sentences = [[t if t.strip() else "_" for t in s] for s in sentences]
        pieces: list[list[str]] = []
        owner: list[int] = []
        for k, s in enumerate(sentences):
            for p in split_at_sentence_ends(s):
                pieces.append(p)
                owner.append(k)
        raw: list[list[str]] = []
        # In chunks (bounded memory on long documents); each chunk sees the window of sentences
        # around it, so the tags are those of the whole document read at once.
        for start in range(0, len(pieces), _CHUNK):
            lo = max(0, start - self.window)
            hi = min(len(pieces), start + _CHUNK + self.window)
            part = self.tag_pieces(pieces[lo:hi], second)
            raw.extend(part[start - lo : start - lo + min(_CHUNK, len(pieces) - start)])
        out: list[list[str]] = [[] for _ in sentences]
        for k, tags in zip(owner, raw, strict=True):
            out[k].extend(tags)
        return [repair_bio(t) for t in out]

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags (PERS/LOC/ORG/MISC) for a sequence of tokens (a sentence or a whole document).

        The sequence is cut after . ! ? ؟ as the training data was, so a CoNLL file without blank
        lines gets the same tags as its sentences given one by one to ``tag_sentences``.
        """
        return self.tag_sentences([tokens])[0]


def _packaged_dir():
    return resources.files("marsad").joinpath("data", "ner")


_stack = contextlib.ExitStack()


@cache
def load_model(directory: str | None = None) -> NerModel:
    """The NER model (loaded once per process): the packaged one, or the one in ``directory``."""
    if directory is not None:
        return NerModel.from_dir(directory)
    packaged = _packaged_dir()
    if not packaged.joinpath(MODEL_FILE).is_file():
        raise FileNotFoundError(
            "the NER model is missing from marsad/data/ner; build it with scripts/train_ner.py"
        )
    # A real directory for an installed package; extracted to a temporary one from a zip.
    path = _stack.enter_context(resources.as_file(packaged))
    return NerModel.from_dir(path)


def tag(tokens: Sequence[str]) -> list[str]:
    """BIO tags with PERS/LOC/ORG/MISC for a sentence (or a document) of tokens, clitics attached."""
    return load_model().tag(list(tokens))


def tag_sentences(sentences: Iterable[Sequence[str]]) -> list[list[str]]:
    """BIO tags for each sentence; sentences given together are read as one document."""
    return load_model().tag_sentences(sentences)


# -- raw text --------------------------------------------------------------------------------

# Arabic words with their marks and tatweel (and format marks inside them); numbers with their
# separators; Latin words; any other non-space character is a token of its own.
_TOKEN = re.compile(
    r"[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff\u0640\u064b-\u065f\u0670\u200c\u200d]+"
    r"|[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,\u066b\u066c/:][0-9\u0660-\u0669\u06f0-\u06f9]+)*"
    r"|[A-Za-z\u00c0-\u024f]+(?:['\u2019-][A-Za-z\u00c0-\u024f]+)*"
    r"|[^\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SENTENCE_END = {".", "!", "?", "\u061f", "\u06d4", "\n"}
_MAX_SENTENCE = 200


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for every token of ``text``; offsets index the original string."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _sentences(text: str, toks: list[tuple[int, int, str]]) -> Iterable[list[tuple[int, int, str]]]:
    cur: list[tuple[int, int, str]] = []
    prev_end = 0
    for tok in toks:
        if cur and ("\n" in text[prev_end : tok[0]] or len(cur) >= _MAX_SENTENCE):
            yield cur
            cur = []
        cur.append(tok)
        prev_end = tok[1]
        if tok[2] in _SENTENCE_END:
            yield cur
            cur = []
    if cur:
        yield cur


def entities(text: str) -> list[tuple[int, int, str, str]]:
    """Named entities in raw Arabic text as (start, end, label, text) with character offsets.

    The text is split on whitespace and punctuation (proclitics stay on their word, as the model
    was trained) and into sentences at . ! ? ؟ and line breaks, and read as one document;
    ``text[start:end]`` is the mention.
    """
    sents = list(_sentences(text, tokenize(text)))
    out = []
    for sent, tags in zip(sents, load_model().tag_sentences([[t for _, _, t in s] for s in sents]), strict=True):
        for i, j, label in spans(tags):
            start, end = sent[i][0], sent[j - 1][1]
            out.append((start, end, label, text[start:end]))
    return out
