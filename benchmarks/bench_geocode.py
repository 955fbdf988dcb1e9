#!/usr/bin/env python3
"""Geocoder speed and memory.

Measures, in one process on one core:
- load: reading the packaged gazetteer (knowledge base) and building the name index;
- lookups/s: ``marsad.geo.geocoder.lookup`` on place names drawn from the gazetteer itself
  (every name variant, a third of them with a proclitic glued on, e.g. "بدرعا", "وحلب"), the
  context-free path of ``marsad geocode NAME``;
- in-context resolutions/s: ``geocode(name, context=sentence)`` on the sentences of the
  geocoding development set (``eval/gold/geocode_dev.jsonl``), which runs the NLP pipeline;
- peak resident memory of the process after loading and after the runs.

The median of ``--runs`` runs is reported.

Usage: python benchmarks/bench_geocode.py [--runs 5] [--n 50000] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "eval" / "gold" / "geocode_dev.jsonl"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=50_000, help="lookups per run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    from marsad.kb import get_kb

    kb = get_kb()
    t1 = time.perf_counter()
    from marsad.geo.geocoder import geocode, lookup, name_index  # imports spaCy

    t_import = time.perf_counter()
    name_index()
    t2 = time.perf_counter()
    rss_loaded = _rss_mb()

    rng = random.Random(13)
    variants = sorted({n for p in kb.places for n in p["names_norm"]})
    names = []
    for _ in range(args.n):
        n = rng.choice(variants)
        if rng.random() < 1 / 3:
            n = rng.choice(("ب", "و", "ل", "وب")) + n
        names.append(n)
    lookup_rates, found = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        found = sum(1 for n in names if lookup(n))
        lookup_rates.append(len(names) / (time.perf_counter() - start))

    contexts: list[tuple[str, str]] = []
    if DEV.exists():
        for line in DEV.open(encoding="utf-8"):
            doc = json.loads(line)
            for m in doc.get("mentions", []):
                if m.get("context"):
                    contexts.append((m["mention"], m["context"]))
    context_rates = []
    if contexts:
        geocode(contexts[0][0], contexts[0][1])  # warm the pipeline
        for _ in range(args.runs):
            start = time.perf_counter()
            for name, context in contexts:
                geocode(name, context)
            context_rates.append(len(contexts) / (time.perf_counter() - start))

    result = {
        "machine": f"{platform.machine()} {platform.system()} python {platform.python_version()}",
        "gazetteer_entries": len(kb.places),
        "name_variants": len(variants),
        "load_kb_s": round(t1 - t0, 3),
        "import_geocoder_s": round(t_import - t1, 3),
        "build_name_index_s": round(t2 - t_import, 3),
        "rss_before_mb": round(rss0, 1),
        "rss_after_load_mb": round(rss_loaded, 1),
        "lookups": len(names),
        "lookups_found_share": round(found / len(names), 4),
        "lookups_per_s_median": round(statistics.median(lookup_rates)),
        "context_resolutions": len(contexts),
        "context_resolutions_per_s_median": round(statistics.median(context_rates)) if context_rates else None,
        "peak_rss_mb": round(_rss_mb(), 1),
        "runs": args.runs,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
