#!/usr/bin/env python3
"""Extraction speed and memory on the shared corpus.

Runs ``marsad.extract.extract`` over the first N articles of
../shared/data/corpus/baly2018/articles.jsonl on one core (this process), several times, and
reports articles/s (median of the runs), characters/s, events found, the pipeline's load time
and peak resident memory.

Usage: python benchmarks/bench_extract.py [--n 1000] [--runs 3] [--json]
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
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from marsad.errors import InputError
    from marsad.extract import extract
    from marsad.model import Document

    docs = []
    with args.corpus.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            docs.append(Document(text=r["text"], url=r.get("url"), id=r["id"], published="2018-01-01"))
            if len(docs) >= args.n:
                break
    t0 = time.perf_counter()
    from marsad.nlp.pipeline import get_pipeline

    get_pipeline()
    load_s = time.perf_counter() - t0

    rates, events, skipped = [], 0, 0
    chars = sum(len(d.text) for d in docs)
    for _ in range(args.runs):
        events = skipped = 0
        start = time.perf_counter()
        for d in docs:
            try:
                events += len(extract(d))
            except InputError:
                skipped += 1
        rates.append(len(docs) / (time.perf_counter() - start))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "articles": len(docs),
        "runs": args.runs,
        "articles_per_s_median": round(statistics.median(rates), 1),
        "articles_per_s_runs": [round(r, 1) for r in rates],
        "chars_per_s_median": round(statistics.median(rates) * chars / len(docs)),
        "events": events,
        "skipped_bad_input": skipped,
        "pipeline_load_s": round(load_s, 2),
        "peak_rss_mb": round(peak_mb),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
