#!/usr/bin/env python3
"""Train marsad's Arabic NER model from ../shared/data/ner and write it to src/marsad/data/ner/.

Steps (all deterministic: fixed seeds, fixed split, sorted inputs):

1. Read every corpus and map its types to ANERcorp's PERS/LOC/ORG/MISC (readers repair the
   malformed lines the files carry): ANERcorp (training part), NewsFANE Gold (fine-grained,
   re-annotated ANERcorp text with clitics split off), the Wojood sample (21 nested types) and
   AQMAR (Wikipedia).
2. Hold out a development split: ANERcorp_train cut into sentences at . ! ? ؟, grouped into
   blocks of 50 consecutive sentences; every 10th block (index % 10 == 9) is dev. Auxiliary
   corpora lose every sentence that shares text with the dev split (NewsFANE is the same news
   text re-annotated, so without this the dev figure would be inflated).
3. Build the feature resources: name lists (ANERgazet, the marsad KB's places and actors) and
   distributional word clusters from unlabelled text (the Baly et al. corpus plus the non-dev
   training text; dev text never enters them).
4. Train and score on dev, by entity-level exact-span micro P/R/F1 (seqeval's default reading
   of BIO): (a) the CRF with rich features, with training-data ablations, and (b) spaCy's
   trainable NER (spacy.blank("ar") + ner), CPU, best epoch on dev within a time budget.
5. Refit the chosen model (the CRF) with the same settings on all of ANERcorp_train (dev
   included) plus the auxiliary data chosen on dev, and write model.crfsuite,
   resources.json.gz and MODEL_CARD.md to src/marsad/data/ner/.

Usage:
    python scripts/train_ner.py                   # full run (< 30 min on 2 cores)
    python scripts/train_ner.py --quick           # CRF only, no ablations, no spaCy (smoke test)
    python scripts/train_ner.py --families crf    # skip spaCy
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OUT_DIR = ROOT / "src" / "marsad" / "data" / "ner"
sys.path.insert(0, str(ROOT / "src"))

from marsad.ner import (  # noqa: E402
    LABELS,
    MODEL_FILE,
    RESOURCES_FILE,
    Featurizer,
    NerModel,
    Resources,
    normalize,
    repair_bio,
    spans,
    strip_proclitics,
    tokenize,
)

SEED = 13
BLOCK = 50  # sentences per block in the dev split
DEV_EVERY = 10  # every 10th block is dev
SENT_END = {".", "!", "?", "\u061f"}
CRF_PARAMS = {
    "c1": 0.05,
    "c2": 0.02,
    "max_iterations": 250,
    "feature.possible_transitions": True,
    "feature.minfreq": 1,
}


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]
    source: str
    block: int = -1


# -- readers -------------------------------------------------------------------------------------

_TAG = re.compile(r"^(?:O|[BI]-[A-Za-z_\-]+)$")
_CF = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _clean_token(token: str) -> str:
    return _CF.sub("", token)


def _bio(prefix: str, label: str | None) -> str:
    return "O" if label is None else f"{prefix}-{label}"


def _fix_sequence(tags: list[str]) -> list[str]:
    return repair_bio(tags)


def read_anercorp(path: Path) -> list[Sentence]:
    """ANERcorp: 'token TAG' per line, no sentence breaks (sentences end at . ! ? ؟).

    Repairs: lines without a token (" O") are dropped; a line with extra fields
    ("الأمن\\u200f1706 \\u200f I-ORG") keeps its first field as the token; format characters
    (LRM/RLM) are left in the token (features ignore them) unless the token is nothing else.
    """
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) < 2 or not _TAG.match(fields[-1]):
                continue
            token = fields[0]
            if not _clean_token(token):
                continue
            toks.append(token)
            tags.append(fields[-1])
            if token in SENT_END:
                sents.append(Sentence(toks, _fix_sequence(tags), "anercorp"))
                toks, tags = [], []
    if toks:
        sents.append(Sentence(toks, _fix_sequence(tags), "anercorp"))
    for i, s in enumerate(sents):
        s.block = i // BLOCK
    return sents


# NewsFANE's 50 fine-grained types -> ANERcorp's four. Chosen by aligning NewsFANE with the
# ANERcorp text it re-annotates: nationalities/groups (Group) and governments are O there,
# buildings, vehicles and works are MISC.
NEWSFANE_MAP = {
    **dict.fromkeys(
        ["Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Businessperson", "Police",
         "Lawyer", "Engineer"], "PERS"),
    **dict.fromkeys(
        ["Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent", "Water-Body",
         "County-or-District", "Land-Region-Natural", "Celestial"], "LOC"),
    **dict.fromkeys(
        ["Non-Governmental", "Sports", "Media", "Commercial", "Educational", "Medical-Science", "Entertainment",
         "Religious_ORG"], "ORG"),
    **dict.fromkeys(
        ["Book", "Movie", "Software", "Hardware", "Food", "Drug", "Projectile", "Water", "Shooting", "Building-Grounds",
         "Land", "Path", "Air", "Airport", "Subarea-Facility", "Sound", "Plant", "Chemical", "Nuclear", "Exploding",
         "Blunt", "Sharp", "Biological", "Progam", "Program"], "MISC"),
    **dict.fromkeys(["Group", "Government"], None),
}
_PROCLITIC_TOKENS = {"و", "ف", "ب", "ل", "ك", "س"}
_ENCLITIC_TOKENS = {"ه", "ها", "هم", "هما", "هن", "كم", "كما", "كن", "نا", "ني", "ي"}


def _map_tag(tag: str, mapping: dict[str, str | None]) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    return _bio(prefix, mapping.get(label, "MISC"))


def _rejoin_clitics(tokens: list[str], tags: list[str]) -> tuple[list[str], list[str]]:
    """Glue NewsFANE's split clitics back onto their words, as whitespace-tokenised news has them."""
    out_t: list[str] = []
    out_g: list[str] = []
    pending = ""
    pending_tag = None
    for tok, tag in zip(tokens, tags, strict=True):
        if tok in _PROCLITIC_TOKENS:
            pending += tok
            pending_tag = pending_tag or tag
            continue
        if tok in _ENCLITIC_TOKENS and out_t and not pending and re.match("[\u0621-\u064a]", out_t[-1][-1:]):
            prev = out_t[-1]
            if prev.endswith("ة"):
                prev = prev[:-1] + "ت"
            elif prev.endswith("ى"):
                prev = prev[:-1] + "ا"
            out_t[-1] = prev + tok
            continue
        if pending:
            if pending.endswith("ل") and tok.startswith("ال"):
                tok = pending + tok[1:]
            else:
                tok = pending + tok
            if pending_tag and pending_tag.startswith("B-") and tag.startswith("I-"):
                tag = pending_tag
            pending, pending_tag = "", None
        out_t.append(tok)
        out_g.append(tag)
    if pending:
        out_t.append(pending)
        out_g.append("O")
    return out_t, out_g


def read_newsfane(path: Path) -> list[Sentence]:
    """NewsFANE Gold: 'token<TAB>TAG' (LRM-prefixed tokens, clitics split), blank line between sentences."""
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        nonlocal toks, tags
        if toks:
            t, g = _rejoin_clitics(toks, [_map_tag(x, NEWSFANE_MAP) for x in tags])
            sents.append(Sentence(t, _fix_sequence(g), "newsfane"))
        toks, tags = [], []

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if not fields:
                flush()
                continue
            token = _clean_token(fields[0])
            if not token:
                continue
            tag = fields[-1] if len(fields) >= 2 and _TAG.match(fields[-1]) else "O"
            toks.append(token)
            tags.append(tag)
    flush()
    return sents


WOJOOD_MAP = {
    "PERS": "PERS",
    "GPE": "LOC",
    "LOC": "LOC",
    "ORG": "ORG",
    "FAC": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "CURR": "MISC",
    "LAW": "MISC",
    "WEBSITE": "ORG",
    "LANGUAGE": "MISC",
}


def read_wojood(directory: Path) -> list[Sentence]:
    """Wojood (nested): 'token TAG [TAG...]', one tag per nesting layer; '$#$' marks a segment end.

    Each layer is read as its own BIO sequence; the mapped entities are kept outermost first,
    and an inner entity only where no kept entity covers it (so OCC "سكرتير اللجنة ... في نابلس"
    gives way to the ORG and GPE inside it).
    """
    sents: list[Sentence] = []
    for path in sorted(directory.glob("*.txt")):
        rows: list[list[str]] = []

        def flush() -> None:
            if not rows:
                return
            n = len(rows)
            depth = max(len(r) - 1 for r in rows)
            kept = ["O"] * n
            for layer in range(depth):
                layer_tags = [r[1 + layer] if len(r) > 1 + layer and _TAG.match(r[1 + layer]) else "O" for r in rows]
                for i, j, label in spans(layer_tags):
                    mapped = WOJOOD_MAP.get(label)
                    if mapped and all(k == "O" for k in kept[i:j]):
                        kept[i] = "B-" + mapped
                        for k in range(i + 1, j):
                            kept[k] = "I-" + mapped
            sents.append(Sentence([r[0] for r in rows], kept, "wojood"))
            rows.clear()

        with path.open(encoding="utf-8") as fh:
            for line in fh:
                fields = line.split()
                if not fields or fields[0] == "$#$":
                    flush()
                    continue
                token = _clean_token(fields[0])
                if token:
                    rows.append([token, *fields[1:]])
        flush()
    return sents


def _aqmar_tag(tag: str) -> str:
    """AQMAR tags with their typos ('OO', 'IO', 'I--ORG', 'B-MIS1`', 'B-MISS1') -> BIO over four types."""
    tag = tag.strip("`'")
    if not tag or tag[0] not in "BI" or "-" not in tag:
        return "O"
    prefix, label = tag[0], tag[1:].strip("-").upper()
    if label.startswith("PER"):
        return prefix + "-PERS"
    if label.startswith("LOC"):
        return prefix + "-LOC"
    if label.startswith("ORG"):
        return prefix + "-ORG"
    return prefix + "-MISC"


def read_aqmar(directory: Path) -> list[Sentence]:
    """AQMAR: 'token TAG' per line, blank line between sentences; MIS0-3 (article-specific) -> MISC."""
    sents: list[Sentence] = []
    for path in sorted(directory.glob("*.txt")):
        toks: list[str] = []
        tags: list[str] = []
        with path.open(encoding="utf-8") as fh:
            for line in [*fh, ""]:
                fields = line.split()
                if not fields:
                    if toks:
                        sents.append(Sentence(toks, _fix_sequence(tags), "aqmar"))
                    toks, tags = [], []
                    continue
                token = _clean_token(fields[0])
                if token:
                    toks.append(token)
                    tags.append(_aqmar_tag(fields[-1]) if len(fields) >= 2 else "O")
    return sents


def split_dev(sents: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    train = [s for s in sents if s.block % DEV_EVERY != DEV_EVERY - 1]
    dev = [s for s in sents if s.block % DEV_EVERY == DEV_EVERY - 1]
    return train, dev


_GRAM = 20


def _squash(tokens: list[str]) -> str:
    """Text without spaces, clitic boundaries or spelling variants, for overlap tests."""
    return re.sub(r"[^\u0621-\u064a0-9a-z]", "", "".join(normalize(t) for t in tokens))


def drop_overlap(aux: list[Sentence], held_out: list[Sentence]) -> tuple[list[Sentence], int]:
    """Remove auxiliary sentences sharing any 20-character stretch of text with ``held_out``."""
    grams = set()
    for s in held_out:
        text = _squash(s.tokens)
        grams.update(text[i : i + _GRAM] for i in range(max(1, len(text) - _GRAM + 1)))
    kept = []
    for s in aux:
        text = _squash(s.tokens)
        if len(text) < _GRAM:
            hit = text in grams
        else:
            hit = any(text[i : i + _GRAM] in grams for i in range(0, len(text) - _GRAM + 1, 4))
        if not hit:
            kept.append(s)
    return kept, len(aux) - len(kept)


# -- scoring -------------------------------------------------------------------------------------


def score(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Entity-level exact-span micro P/R/F1, overall and per type (seqeval default mode)."""
    tp: Counter = Counter()
    n_gold: Counter = Counter()
    n_pred: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs = set(spans(g))
        ps = set(spans(p))
        for _, _, t in gs:
            n_gold[t] += 1
        for _, _, t in ps:
            n_pred[t] += 1
        for _, _, t in gs & ps:
            tp[t] += 1

    def prf(t: int, np_: int, ng: int) -> dict:
        p = t / np_ if np_ else 0.0
        r = t / ng if ng else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": ng}

    out = {"micro": prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))}
    for label in LABELS:
        out[label] = prf(tp[label], n_pred[label], n_gold[label])
    return out


# -- feature resources ---------------------------------------------------------------------------

ANERGAZET = {"AlignedLocGazetteer.txt": "LOC", "AlignedPersGazetteer.txt": "PER", "AlignedOrgGazetteer.txt": "ORG"}
_ARABIC = re.compile("[\u0621-\u064a]")


def build_lexicon(shared: Path) -> tuple[dict, dict, dict]:
    """(words, stems, phrases): normalised lexicon entries -> types.

    LOC/PER/ORG come from ANERgazet; KLOC from the marsad gazetteer (Syrian places), KPER and
    KORG from the marsad actor table (generic actors left out).
    """
    from marsad.kb import get_kb

    entries: list[tuple[str, str]] = []
    for name, typ in ANERGAZET.items():
        with (shared / "data" / "lexicons" / "anergazet" / name).open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if _ARABIC.search(line):
                    entries.append((line, typ))
    kb = get_kb()
    for p in kb.places:
        for n in p["names_norm"]:
            entries.append((n, "KLOC"))
    for a in kb.actors.values():
        if a.is_generic:
            continue
        typ = "KPER" if a.kind == "person" else "KORG"
        for n in a.names_norm:
            entries.append((n, typ))
    words: dict[str, set] = defaultdict(set)
    stems: dict[str, set] = defaultdict(set)
    phrases: dict[str, str] = {}
    for text, typ in entries:
        toks = [normalize(t) for t in text.split()]
        toks = [t for t in toks if t]
        if not toks:
            continue
        if len(toks) == 1:
            w = toks[0]
            if len(w) < 2:
                continue
            words[w].add(typ)
            stems[strip_proclitics(w)[2] if w.startswith("ال") else w].add(typ)
        elif len(toks) <= 6:
            phrases.setdefault(" ".join(toks), typ)
    return ({k: sorted(v) for k, v in sorted(words.items())}, {k: sorted(v) for k, v in sorted(stems.items())},
            dict(sorted(phrases.items())))


def unlabelled_text(shared: Path, extra: list[Sentence], limit_articles: int | None = None):
    """Token lists of unlabelled text: the Baly et al. corpus (tokenised like marsad.ner.entities) + ``extra``."""
    path = shared / "data" / "corpus" / "baly2018" / "articles.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                if limit_articles is not None and k >= limit_articles:
                    break
                try:
                    text = json.loads(line).get("text") or ""
                except json.JSONDecodeError:
                    continue
                for para in text.split("\n"):
                    toks = [t for _, _, t in tokenize(para)]
                    if toks:
                        yield toks
    for s in extra:
        yield s.tokens


def build_clusters(token_lists, known: frozenset, levels=(64, 256, 1024), min_count: int = 4,
                   max_vocab: int = 40000, n_context: int = 2000, dim: int = 100, seed: int = SEED) -> dict[str, list[int]]:
    """Distributional clusters of proclitic-stripped words: left/right context counts -> PPMI ->
    randomised SVD -> spherical k-means at several granularities (coarse to fine)."""
    import numpy as np

    stem_of: dict[str, str] = {}
    seqs = []
    counts: Counter = Counter()
    for toks in token_lists:
        ids = []
        for t in toks:
            s = stem_of.get(t)
            if s is None:
                n = normalize(t)
                s = strip_proclitics(n, known)[2] if _ARABIC.search(n) else ("<num>" if n[:1].isdigit() else n)
                stem_of[t] = s
            ids.append(s)
        counts.update(ids)
        seqs.append(ids)
    vocab = [w for w, c in counts.most_common(max_vocab) if c >= min_count]
    index = {w: i for i, w in enumerate(vocab)}
    V = len(vocab)
    C = min(n_context, V)
    rows, cols = [], []
    for ids in seqs:
        x = np.array([index.get(w, -1) for w in ids], dtype=np.int64)
        if len(x) < 2:
            continue
        left, right, mid = x[:-1], x[1:], x
        # left neighbour of position i+1 is x[i]; right neighbour of position i is x[i+1]
        m = (right >= 0) & (left >= 0) & (left < C)
        rows.append(right[m])
        cols.append(left[m])
        m = (left >= 0) & (right >= 0) & (right < C)
        rows.append(left[m])
        cols.append(right[m] + C)
        del mid
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    keys, cnt = np.unique(r * (2 * C) + c, return_counts=True)
    M = np.zeros((V, 2 * C), dtype=np.float32)
    M[keys // (2 * C), keys % (2 * C)] = cnt
    total = M.sum()
    pw = M.sum(1, keepdims=True) / total
    pc = (M.sum(0, keepdims=True) / total) ** 0.75
    pc /= pc.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((M / total) / (pw * pc))
    M = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0).astype(np.float32)
    rng = np.random.default_rng(seed)
    Q = M @ rng.standard_normal((2 * C, dim + 20), dtype=np.float32)
    for _ in range(2):
        Q, _r = np.linalg.qr(Q)
        Q = M @ (M.T @ Q)
    Q, _r = np.linalg.qr(Q)
    B = Q.T @ M
    Ub, S, _vt = np.linalg.svd(B, full_matrices=False)
    E = (Q @ Ub[:, :dim]) * np.sqrt(S[:dim])
    E /= np.linalg.norm(E, axis=1, keepdims=True) + 1e-8
    out = {w: [] for w in vocab}
    for k in levels:
        k = min(k, V)
        centers = E[rng.choice(V, size=k, replace=False)].copy()
        for _ in range(20):
            assign = np.argmax(E @ centers.T, axis=1)
            sums = np.zeros_like(centers)
            np.add.at(sums, assign, E)
            empty = np.bincount(assign, minlength=k) == 0
            sums[empty] = centers[empty]
            centers = sums / (np.linalg.norm(sums, axis=1, keepdims=True) + 1e-8)
        for w, a in zip(vocab, assign.tolist(), strict=True):
            out[w].append(int(a))
    return out


def make_resources(shared: Path, cluster_text: list[Sentence], use_clusters: bool = True,
                   limit_articles: int | None = None, log=print) -> Resources:
    t0 = time.perf_counter()
    words, stems, phrases = build_lexicon(shared)
    levels = [64, 256, 1024]
    clusters: dict[str, list[int]] = {}
    if use_clusters:
        clusters = build_clusters(unlabelled_text(shared, cluster_text, limit_articles), frozenset(words), levels)
    log(f"  resources: {len(words)} lexicon words, {len(phrases)} phrases, {len(clusters)} clustered words "
        f"({time.perf_counter() - t0:.0f} s)")
    data = Resources.to_json(words, stems, phrases, [f"k{k}" for k in levels], clusters, {})
    return Resources.from_json(data), data


# -- CRF -----------------------------------------------------------------------------------------


def train_crf(train: list[Sentence], res: Resources, model_path: Path, params: dict | None = None,
              log=print) -> float:
    import pycrfsuite

    params = {**CRF_PARAMS, **(params or {})}
    fz = Featurizer(res)
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in train:
        trainer.append(fz.sentence(s.tokens), s.tags)
    trainer.set_params(params)
    t0 = time.perf_counter()
    trainer.train(str(model_path))
    took = time.perf_counter() - t0
    log(f"  CRF trained on {len(train)} sentences in {took:.0f} s ({trainer.logparser.last_iteration['num']} iterations)")
    return took


def crf_predict(model: NerModel, sents: list[Sentence]) -> tuple[list[list[str]], float]:
    t0 = time.perf_counter()
    pred = [model.tag(s.tokens) for s in sents]
    took = time.perf_counter() - t0
    return pred, sum(len(s.tokens) for s in sents) / took


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def run_crf(name: str, train: list[Sentence], dev: list[Sentence], res: Resources, res_json: dict, workdir: Path,
            params: dict | None = None, log=print) -> dict:
    d = workdir / name
    d.mkdir(parents=True, exist_ok=True)
    took = train_crf(train, res, d / MODEL_FILE, params, log)
    with gzip.open(d / RESOURCES_FILE, "wt", encoding="utf-8") as fh:
        json.dump(res_json, fh, ensure_ascii=False)
    model = NerModel.from_dir(d)
    crf_predict(model, dev[:50])  # warm the word cache the way a long run would
    model.featurizer._cache.clear()
    pred, tps = crf_predict(model, dev)
    sc = score([s.tags for s in dev], pred)
    log(f"  {name}: dev P {sc['micro']['precision']:.4f} R {sc['micro']['recall']:.4f} F1 {sc['micro']['f1']:.4f} "
        f"({tps:,.0f} tokens/s)")
    return {"name": name, "family": "crf", "train_s": took, "tokens_per_s": tps, "size": _dir_size(d),
            "scores": sc, "train_sentences": len(train), "dir": str(d)}


# -- spaCy ---------------------------------------------------------------------------------------


def run_spacy(train: list[Sentence], dev: list[Sentence], workdir: Path, budget_s: float, max_epochs: int,
              log=print) -> dict:
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = spacy.blank("ar")
    ner = nlp.add_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    examples = []
    for s in train:
        ref = Doc(nlp.vocab, words=s.tokens, ents=s.tags)
        examples.append(Example(Doc(nlp.vocab, words=s.tokens), ref))
    nlp.initialize(lambda: examples)
    rng = random.Random(SEED)
    best = (-1.0, None, 0)
    t0 = time.perf_counter()
    history = []

    def predict() -> tuple[list[list[str]], float]:
        docs = [Doc(nlp.vocab, words=s.tokens) for s in dev]
        t = time.perf_counter()
        out = []
        for doc in nlp.pipe(docs, batch_size=64):
            out.append([f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in doc])
        return out, sum(len(s.tokens) for s in dev) / (time.perf_counter() - t)

    for epoch in range(1, max_epochs + 1):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=0.2, losses=losses)
        pred, tps = predict()
        f1 = score([s.tags for s in dev], pred)["micro"]["f1"]
        history.append((epoch, round(f1, 4), round(time.perf_counter() - t0)))
        log(f"  spaCy epoch {epoch}: loss {losses.get('ner', 0):.0f}, dev F1 {f1:.4f} ({time.perf_counter() - t0:.0f} s)")
        if f1 > best[0]:
            best = (f1, nlp.to_bytes(), epoch)
        if time.perf_counter() - t0 > budget_s:
            break
    took = time.perf_counter() - t0
    nlp.from_bytes(best[1])
    d = workdir / "spacy"
    nlp.to_disk(d)
    pred, tps = predict()
    sc = score([s.tags for s in dev], pred)
    log(f"  spacy: best epoch {best[2]}: dev F1 {sc['micro']['f1']:.4f} ({tps:,.0f} tokens/s)")
    return {"name": "spacy-ner", "family": "spacy", "train_s": took, "tokens_per_s": tps, "size": _dir_size(d),
            "scores": sc, "train_sentences": len(train), "epochs": history, "best_epoch": best[2]}


# -- model card ----------------------------------------------------------------------------------


def _row(r: dict) -> str:
    m = r["scores"]["micro"]
    return (f"| {r['label']} | {m['precision']:.3f} | {m['recall']:.3f} | **{m['f1']:.3f}** | {r['train_s'] / 60:.1f} min | "
            f"{r['tokens_per_s']:,.0f} | {r['size'] / 1e6:.1f} MB |")


def write_model_card(path: Path, info: dict) -> None:
    chosen = info["chosen"]
    sc = chosen["scores"]
    lines = [
        "# marsad Arabic NER model",
        "",
        "A linear-chain CRF (python-crfsuite, MIT) that tags whitespace/punctuation tokens of Arabic news text",
        "with BIO tags over ANERcorp's four types PERS, LOC, ORG, MISC. Used by `marsad.ner` and `marsad ner`.",
        "Trained by `scripts/train_ner.py`; nothing is downloaded at run time.",
        "",
        "Files: `model.crfsuite` (CRF weights), `resources.json.gz` (name lists and word clusters the",
        "features look up), this card.",
        "",
        "## Training data and licences",
        "",
        "| corpus | sentences used | what | licence |",
        "|---|---|---|---|",
    ]
    for row in info["data"]:
        lines.append(f"| {row['corpus']} | {row['used']} | {row['what']} | {row['licence']} |")
    lines += [
        "",
        "Type mapping: NewsFANE persons (Politician, Athlete, Artist, ...) -> PERS; Nation, Population-Center,",
        "State-or-Province, GPE-Cluster, Continent, Water-Body, County-or-District -> LOC; Non-Governmental,",
        "Sports, Media, Commercial, Educational -> ORG; Group and Government -> O (ANERcorp leaves them",
        "untagged, found by aligning the two annotations of the same text); works, products, buildings -> MISC.",
        "Wojood: PERS; GPE, LOC -> LOC; ORG, WEBSITE -> ORG; FAC, EVENT, PRODUCT, CURR, LAW, LANGUAGE -> MISC;",
        "NORP, OCC, dates and numbers -> O; nested layers flattened outermost-first, an inner entity kept",
        "where its outer one maps to O. AQMAR: PER, LOC, ORG; MIS0-3 -> MISC; typos in its tags repaired.",
        "",
        "Feature resources: ANERgazet name lists (research use), the marsad knowledge base's Syrian place",
        "names and actor names (OCHA/Open-Syria/GeoNames, CC BY; see the project README), and 1,024/256/64",
        "word clusters computed from unlabelled text (Baly et al. 2018 corpus, research use; plus the",
        "training text; the dev text is never used for them).",
        "",
        "## Development split",
        "",
        f"ANERcorp_train ({info['n_aner']} sentences, {info['n_aner_tokens']:,} tokens) is cut into sentences at",
        f". ! ? ؟ and grouped into blocks of {BLOCK} consecutive sentences; every {DEV_EVERY}th block (index %",
        f"{DEV_EVERY} == {DEV_EVERY - 1}) is dev: {info['n_dev']} sentences, {info['n_dev_tokens']:,} tokens, "
        f"{sc['micro']['support']} entities.",
        "Sentences of the other corpora that share any 20-character stretch of normalised text with the dev",
        f"split are removed from training ({info['dropped']} of them: NewsFANE re-annotates the same news text).",
        "The standard ANERcorp test part is not in `../shared` and was never seen.",
        "",
        "## Scores on the dev split",
        "",
        "Entity-level exact-span matching (seqeval default mode, BIO), micro-averaged.",
        "",
        "| type | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label in ("micro", *LABELS):
        s = sc[label]
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
    lines += [
        "",
        "## Model families and training data compared (same dev split)",
        "",
        "Train time on this machine (2 shared CPU cores); tokens/s tagging the dev split in one process,",
        "features included; size of the model directory.",
        "",
        "| model | dev P | dev R | dev F1 | train time | tokens/s | model size |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in info["runs"]:
        lines.append(_row(r))
    if info.get("spacy_epochs"):
        lines += ["", "spaCy dev F1 by epoch (epoch, F1, seconds): " +
                  ", ".join(f"({e}, {f:.3f}, {s})" for e, f, s in info["spacy_epochs"]) + "."]
    lines += [
        "",
        f"Chosen: **{chosen['label']}**. {info['why']}",
        "",
        "## The shipped model",
        "",
        info["shipped"],
        "",
        f"CRF settings: {json.dumps(CRF_PARAMS)}. Seed {SEED}.",
        "",
        "## Reproduce",
        "",
        "```",
        info["command"],
        "```",
        "",
        f"Total run time: {info['total_s'] / 60:.1f} min on {info['machine']}.",
        "",
        "## Limits",
        "",
        "- Trained on 2006-era news (ANERcorp); conflict reporting from Syria has many village and faction",
        "  names unseen in training: the KB name lists help, but recall on rare names is lower.",
        "- MISC follows ANERcorp's conventions (currencies, religions, events, works), which other",
        "  annotation schemes do not share.",
        "- Tokens must be whitespace tokens with proclitics attached, as in ANERcorp; `marsad.ner.entities`",
        "  tokenises raw text that way.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--families", default="crf,spacy", help="comma-separated: crf, spacy")
    ap.add_argument("--spacy-minutes", type=float, default=7.0, help="time budget for spaCy training")
    ap.add_argument("--spacy-epochs", type=int, default=20)
    ap.add_argument("--no-ablations", action="store_true", help="train only the chosen data mix for the CRF")
    ap.add_argument("--no-refit", action="store_true", help="ship the dev-split model instead of refitting on all data")
    ap.add_argument("--quick", action="store_true", help="smoke test: CRF only, 40 iterations, 200 articles for clusters")
    ap.add_argument("--aux", default="aqmar,wojood", help="auxiliary corpora in the shipped model (chosen on dev)")
    args = ap.parse_args()
    random.seed(SEED)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    t_start = time.perf_counter()
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    ner_dir = args.shared / "data" / "ner"
    if not ner_dir.exists():
        sys.exit(f"train_ner: {ner_dir} not found (the shared data must be beside the repo)")
    families = {f.strip() for f in args.families.split(",") if f.strip()}
    if args.quick:
        families = {"crf"}
        CRF_PARAMS["max_iterations"] = 40
    limit_articles = 200 if args.quick else None

    log("reading corpora")
    aner = read_anercorp(ner_dir / "ANERcorp_train.txt")
    corpora = {
        "newsfane": read_newsfane(ner_dir / "NewsFANE_Gold_2014_170K.txt"),
        "wojood": read_wojood(ner_dir / "wojood_sample"),
        "aqmar": read_aqmar(ner_dir / "aqmar"),
    }
    train, dev = split_dev(aner)
    dropped = 0
    aux_train = {}
    for name, sents in corpora.items():
        aux_train[name], k = drop_overlap(sents, dev)
        dropped += k
        log(f"  {name}: {len(sents)} sentences, {k} dropped for overlap with dev")
    log(f"  anercorp: {len(aner)} sentences; train {len(train)}, dev {len(dev)} "
        f"({sum(len(s.tokens) for s in dev)} tokens)")

    workdir = Path(tempfile.mkdtemp(prefix="marsad-ner-"))
    runs = []
    log("building feature resources (dev text excluded)")
    res, res_json = make_resources(args.shared, train + [s for v in aux_train.values() for s in v],
                                   limit_articles=limit_articles, log=log)
    aux_names = [a for a in args.aux.split(",") if a]
    if "crf" in families:
        mixes = [("ANERcorp + " + " + ".join(aux_names) if aux_names else "ANERcorp", aux_names)]
        if not (args.no_ablations or args.quick):
            mixes += [("ANERcorp only", []), ("ANERcorp + aqmar + wojood + newsfane", ["aqmar", "wojood", "newsfane"])]
            if aux_names:
                mixes.append(("ANERcorp (no word clusters)", None))
        seen = set()
        for label, mix in mixes:
            key = tuple(mix) if mix is not None else None
            if key in seen:
                continue
            seen.add(key)
            log(f"CRF, {label}")
            if mix is None:  # feature ablation: no clusters, ANERcorp only
                r_json = {**res_json, "cluster_levels": [], "cluster_words": [], "cluster_ids": []}
                r = run_crf("crf-noclusters", train, dev, Resources.from_json(r_json), r_json, workdir, log=log)
            else:
                data = train + [s for a in mix for s in aux_train[a]]
                r = run_crf("crf-" + "-".join(["aner", *mix]), data, dev, res, res_json, workdir, log=log)
                r["mix"] = mix
            r["label"] = "CRF, " + label
            runs.append(r)
    if "spacy" in families:
        log("spaCy NER, ANERcorp + " + " + ".join(aux_names))
        data = train + [s for a in aux_names for s in aux_train[a]]
        r = run_spacy(data, dev, workdir, args.spacy_minutes * 60, args.spacy_epochs, log=log)
        r["label"] = "spaCy NER (blank ar, default tok2vec), ANERcorp + " + " + ".join(aux_names)
        runs.append(r)
    crf_runs = [r for r in runs if r["family"] == "crf"]
    if not crf_runs:
        sys.exit("train_ner: the shipped model is the CRF; include crf in --families")
    chosen = crf_runs[0]  # the configured data mix
    best = max(runs, key=lambda r: r["scores"]["micro"]["f1"])
    why = (f"It has the best dev F1 ({chosen['scores']['micro']['f1']:.3f})." if best is chosen else
           f"Best dev F1 was {best['label']} ({best['scores']['micro']['f1']:.3f}); the configured mix was kept "
           f"at {chosen['scores']['micro']['f1']:.3f} - rerun with --aux to change it.")
    if best["family"] == "crf" and any(r["family"] == "spacy" for r in runs):
        sp = next(r for r in runs if r["family"] == "spacy")
        why += (f" The CRF beats spaCy's NER by {chosen['scores']['micro']['f1'] - sp['scores']['micro']['f1']:+.3f} F1 on"
                f" dev and tags {chosen['tokens_per_s'] / sp['tokens_per_s']:.1f}x as fast.")

    args.out.mkdir(parents=True, exist_ok=True)
    if args.no_refit:
        shipped = "The dev-split model above (trained without the dev blocks), as scored."
        src = Path(chosen["dir"])
        final_res_json = res_json
        shutil.copy(src / MODEL_FILE, args.out / MODEL_FILE)
    else:
        log("refitting on all of ANERcorp_train + " + ", ".join(aux_names))
        full_aux = [s for a in aux_names for s in corpora[a]]
        final_res, final_res_json = make_resources(args.shared, aner + full_aux, limit_articles=limit_articles, log=log)
        refit_s = train_crf(aner + full_aux, final_res, args.out / MODEL_FILE, log=log)
        shipped = (f"Refitted with the same features and settings on all of ANERcorp_train (dev blocks included) plus "
                   f"{', '.join(aux_names) or 'nothing else'} ({len(aner) + len(full_aux)} sentences, "
                   f"{refit_s / 60:.1f} min); word clusters rebuilt with the dev text. The dev figures above are those "
                   "of the dev-split model, the honest estimate; the shipped model has seen the dev blocks, so "
                   "re-scoring it on them overstates its accuracy.")
    final_res_json["meta"] = {
        "labels": list(LABELS),
        "dev_scores": chosen["scores"],
        "crf_params": CRF_PARAMS,
        "seed": SEED,
        "trained": time.strftime("%Y-%m-%d"),
        "refit_on_dev": not args.no_refit,
        "aux": aux_names,
    }
    with gzip.open(args.out / RESOURCES_FILE, "wt", encoding="utf-8", mtime=0) as fh:
        json.dump(final_res_json, fh, ensure_ascii=False, separators=(",", ":"))

    data_rows = [
        {"corpus": "ANERcorp_train (Benajiba et al. 2007)", "used": f"{len(aner)} (dev: {len(dev)})",
         "what": "news, PERS/LOC/ORG/MISC", "licence": "research use; cite the paper"},
    ]
    desc = {
        "aqmar": ("AQMAR (Mohit et al. 2012)", "Arabic Wikipedia, 28 articles", "cite the paper (CC BY-SA 3.0)"),
        "wojood": ("Wojood sample (SinaLab)", "multi-domain, 21 nested types", "MIT"),
        "newsfane": ("NewsFANE Gold (Alotaibi & Lee 2014)", "ANERcorp text, fine-grained types, clitics split",
                     "CC BY-SA 3.0"),
    }
    for name in ("aqmar", "wojood", "newsfane"):
        used = len(corpora[name]) if name in aux_names else "0 in the shipped model (ablation only)"
        c, w, lic = desc[name]
        data_rows.append({"corpus": c, "used": used, "what": w, "licence": lic})
    total = time.perf_counter() - t_start
    cmd = "python scripts/train_ner.py " + " ".join(sys.argv[1:])
    write_model_card(args.out / "MODEL_CARD.md", {
        "chosen": chosen, "runs": runs, "why": why, "shipped": shipped, "data": data_rows,
        "n_aner": len(aner), "n_aner_tokens": sum(len(s.tokens) for s in aner), "n_dev": len(dev),
        "n_dev_tokens": sum(len(s.tokens) for s in dev), "dropped": dropped, "total_s": total,
        "command": cmd.strip(), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "spacy_epochs": next((r["epochs"] for r in runs if r["family"] == "spacy"), None),
    })
    shutil.rmtree(workdir, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = chosen["scores"]["micro"]
    print(json.dumps({"dev_micro": m, "per_type": {k: chosen["scores"][k] for k in LABELS},
                      "runs": [{"model": r["label"], "f1": r["scores"]["micro"]["f1"], "train_s": round(r["train_s"]),
                                "tokens_per_s": round(r["tokens_per_s"]), "size": r["size"]} for r in runs],
                      "total_s": round(total), "peak_rss_mb": round(peak),
                      "median_sentence_len": statistics.median(len(s.tokens) for s in aner)},
                     ensure_ascii=False, indent=2))
    log(f"wrote {args.out} in {total / 60:.1f} min")


if __name__ == "__main__":
    main()
