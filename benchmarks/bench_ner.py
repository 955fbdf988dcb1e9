#!/usr/bin/env python3
"""NER speed and memory: tokens/s on one core, model load time, model size, peak RSS.

Tags the sentences of the NER development split (ANERcorp_train blocks with index % 10 == 9,
as in scripts/train_ner.py) - or, with --corpus, runs ``marsad.ner.entities`` over the raw text
of the first N articles of the shared Baly et al. corpus - several times in this process (one
core) and reports the median tokens/s. The word-feature cache is cleared before every run, so each run
pays for its feature extraction in full.

Usage: python benchmarks/bench_ner.py [--runs 5] [--corpus] [--n 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
ANERCORP = SHARED / "ner" / "ANERcorp_train.txt"
CORPUS = SHARED / "corpus" / "baly2018" / "articles.jsonl"
SENT_END = {".", "!", "?", "\u061f"}


def dev_sentences(path: Path) -> list[list[str]]:
    """The dev split of scripts/train_ner.py: 50-sentence blocks, every 10th block."""
    sents, cur = [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) < 2:
                continue
            cur.append(fields[0])
            if fields[0] in SENT_END:
                sents.append(cur)
                cur = []
    if cur:
        sents.append(cur)
    return [s for i, s in enumerate(sents) if (i // 50) % 10 == 9]


def corpus_texts(path: Path, n: int) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for _, line in zip(range(n), fh, strict=False)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", action="store_true", help="tag Baly et al. articles instead of the dev split")
    ap.add_argument("--n", type=int, default=300, help="articles with --corpus")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    source = CORPUS if args.corpus else ANERCORP
    if not source.exists():
        sys.exit(f"bench_ner: {source} not found (the shared data must be beside the repo)")
    t0 = time.perf_counter()
    from marsad import ner

    model = ner.load_model()
    load_s = time.perf_counter() - t0
    if args.corpus:  # raw text through ner.entities (tokenising and sentence splitting included)
        texts = corpus_texts(source, args.n)
        n_units, n_tokens = len(texts), sum(len(ner.tokenize(t)) for t in texts)

        def run() -> int:
            return sum(len(ner.entities(t)) for t in texts)
    else:
        sents = dev_sentences(source)
        n_units, n_tokens = len(sents), sum(len(s) for s in sents)

        def run() -> int:
            return sum(t.startswith("B-") for s in model.tag_sentences(sents) for t in s)

    rates = []
    entities = 0
    for _ in range(args.runs):
        model.featurizer._cache.clear()
        start = time.perf_counter()
        entities = run()
        rates.append(n_tokens / (time.perf_counter() - start))
    size = sum(p.stat().st_size for p in model.path.parent.iterdir() if p.name != "MODEL_CARD.md")
    result = {
        "input": "Baly et al. corpus" if args.corpus else "NER dev split (ANERcorp_train, blocks % 10 == 9)",
        "articles" if args.corpus else "sentences": n_units,
        "tokens": n_tokens,
        "runs": args.runs,
        "tokens_per_s_median": round(statistics.median(rates)),
        "tokens_per_s_runs": [round(r) for r in rates],
        "entities_found": entities,
        "model_load_s": round(load_s, 3),
        "model_size_mb": round(size / 1e6, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
