#!/usr/bin/env python3
"""Extraction time of one long document against its length.

Builds documents of the given sizes by joining real articles of
../shared/data/corpus/baly2018/articles.jsonl (one per line) and times ``marsad.extract.extract``
on each (median of --runs), one core. Time should grow about linearly with length up to the
document limit (``marsad.extract.MAX_CHARS``); a growth factor per size step far above the size
factor would mean a quadratic search has come back.

With --repeat, the document is instead one incident sentence repeated (the worst case found
in issue 14: every repetition is a frame of the same event, at the same place and day).

Usage: python benchmarks/bench_long.py [--sizes 100000,500000,1000000,1990000] [--runs 1] [--repeat] [--json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,500000,1000000,1990000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--repeat", action="store_true", help="repeat one incident sentence instead of joining articles")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from marsad.extract import MAX_CHARS, extract
    from marsad.model import Document

    sizes = [int(s) for s in args.sizes.split(",")]
    texts, total = [], 0
    with args.corpus.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line).get("text") or "")
            total += len(texts[-1]) + 1
            if total > max(sizes):
                break
    joined = "\n".join(texts)
    if args.repeat:
        sentence = "قتل ثلاثة مدنيين بقصف مدفعي لقوات النظام على بلدة كفرنبل في ريف إدلب الجنوبي يوم الخميس. "
        joined = sentence * (max(sizes) // len(sentence) + 1)
    extract(Document(text="قصفت قوات النظام بلدة طفس يوم الخميس."))  # load the pipeline and models
    rows = []
    for size in sizes:
        if size > MAX_CHARS:
            raise SystemExit(f"{size} is over the document limit {MAX_CHARS}")
        text = joined[:size]
        times, events = [], 0
        for _ in range(args.runs):
            t = time.perf_counter()
            events = len(extract(Document(text=text)))
            times.append(time.perf_counter() - t)
        rows.append({"characters": len(text), "seconds": round(statistics.median(times), 2), "events": events})
    for prev, row in zip(rows, rows[1:], strict=False):
        row["time_factor"] = round(row["seconds"] / max(prev["seconds"], 1e-9), 1)
        row["size_factor"] = round(row["characters"] / prev["characters"], 1)
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    if args.json:
        print(json.dumps({"rows": rows, "machine": machine}, indent=2))
        return
    print(f"{'characters':>12} {'seconds':>8} {'events':>7} {'x size':>7} {'x time':>7}")
    for r in rows:
        print(f"{r['characters']:>12,} {r['seconds']:>8} {r['events']:>7} {r.get('size_factor', ''):>7} "
              f"{r.get('time_factor', ''):>7}")
    print(f"machine: {machine}")


if __name__ == "__main__":
    main()
