#!/usr/bin/env python3
"""Extraction throughput of the local and the Dask engine on the shared corpus.

For the first N articles of ../shared/data/corpus/baly2018/articles.jsonl (dated 2018-01-01 so
that every relative date resolves), each measurement in a fresh child process:

- ``local``: ``marsad.extract.extract`` one article after another in one process; start-up is
  loading the NLP pipeline and knowledge base;
- ``dask``: ``marsad.engine.DaskEngine`` on a ``LocalCluster`` of ``--workers`` processes
  (1 thread each); start-up is starting the cluster and loading the pipeline on every worker;
  the run is partitioning, shipping, extracting and collecting the Arrow tables in input order
  (end to end, Parquet writing included);
- ``tokenise``: the baseline, a bare tokenisation pass over the same texts: spaCy's blank Arabic
  tokenizer (``spacy.blank("ar")``) and marsad's own tokenizer (proclitic splitting, norms).

Reported: articles/s and articles/s per core (median of ``--runs``), start-up seconds, peak
memory (resident set of the process, plus all Dask worker processes, sampled every 0.1 s), and
how many times slower than the bare tokenisation pass extraction is. The machine (CPU model from
/proc/cpuinfo, cores) is named in the output.

Usage: python benchmarks/bench_scale.py [--n 500] [--runs 1] [--workers 2] [--partition-size 16] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dedup import machine  # noqa: E402


def load_docs(path: Path, n: int) -> list:
    from marsad.model import Document

    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            docs.append(Document(text=r["text"], url=r.get("url"), id=r["id"], published="2018-01-01"))
            if n and len(docs) >= n:
                break
    return docs


class PeakRSS:
    """Samples the resident memory of this process and all its descendants (Dask nannies and workers)."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def child_local(args) -> dict:
    from marsad.engine import extract_item

    docs = load_docs(args.corpus, args.n)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        from marsad.engine import warm_up

        warm_up()
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        events = skipped = 0
        for d in docs:
            evs, message = extract_item(d)
            if message is not None:
                skipped += 1
            else:
                events += len(evs)
        run = time.perf_counter() - t1
    return {"articles": len(docs), "startup_s": startup, "run_s": run, "events": events, "skipped": skipped,
            "cores": 1, "peak_rss_mb": mem.peak / 2**20}


def child_dask(args) -> dict:
    from marsad.engine import DaskEngine

    docs = load_docs(args.corpus, args.n)
    with PeakRSS() as mem:
        engine = DaskEngine(workers=args.workers, partition_size=args.partition_size, progress=False)
        t0 = time.perf_counter()
        engine.start()
        startup = time.perf_counter() - t0
        try:
            t1 = time.perf_counter()
            events = skipped = 0
            for o in engine.run(docs):
                if o.events is None:
                    skipped += 1
                else:
                    events += len(o.events)
            run = time.perf_counter() - t1
        finally:
            engine.close()
    return {"articles": len(docs), "startup_s": startup, "run_s": run, "events": events, "skipped": skipped,
            "cores": args.workers, "peak_rss_mb": mem.peak / 2**20}


def child_tokenise(args) -> dict:
    import spacy

    from marsad.nlp.pipeline import get_pipeline

    docs = load_docs(args.corpus, args.n)
    texts = [d.text for d in docs]
    blank = spacy.blank("ar")
    t0 = time.perf_counter()
    n_blank = sum(len(blank.tokenizer(t)) for t in texts)
    blank_s = time.perf_counter() - t0
    nlp = get_pipeline()
    t1 = time.perf_counter()
    n_own = sum(len(nlp.make_doc(t)) for t in texts)
    own_s = time.perf_counter() - t1
    return {"articles": len(docs), "spacy_blank_s": blank_s, "spacy_blank_tokens": n_blank, "marsad_tokenizer_s": own_s,
            "marsad_tokens": n_own, "chars": sum(len(t) for t in texts)}


CHILDREN = {"local": child_local, "dask": child_dask, "tokenise": child_tokenise}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="articles (0: the whole corpus)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partition-size", type=int, default=16)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus} (the shared data beside the repo)")

    def child(name: str) -> dict:
        cmd = [sys.executable, __file__, "--child", name, "--n", str(args.n), "--workers", str(args.workers),
               "--partition-size", str(args.partition_size), "--corpus", str(args.corpus)]
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(p.stdout.strip().splitlines()[-1])

    tok = [child("tokenise") for _ in range(args.runs)]
    blank_s = statistics.median(t["spacy_blank_s"] for t in tok)
    own_s = statistics.median(t["marsad_tokenizer_s"] for t in tok)
    rows = []
    for name in ("local", "dask"):
        runs = [child(name) for _ in range(args.runs)]
        run_s = statistics.median(r["run_s"] for r in runs)
        startup = statistics.median(r["startup_s"] for r in runs)
        n, cores = runs[0]["articles"], runs[0]["cores"]
        rows.append({
            "engine": name if name == "local" else f"dask x{cores}", "articles": n, "cores": cores,
            "articles_per_s": round(n / run_s, 1), "articles_per_s_per_core": round(n / run_s / cores, 1),
            "end_to_end_s": round(startup + run_s, 1), "startup_s": round(startup, 1), "run_s": round(run_s, 1),
            "run_s_all": [round(r["run_s"], 1) for r in runs], "events": runs[0]["events"],
            "skipped": runs[0]["skipped"], "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
            "x_tokenise_marsad": round(run_s * cores / own_s, 1), "x_tokenise_spacy_blank": round(run_s * cores / blank_s, 1),
        })
    report = {"machine": machine(), "runs": args.runs, "articles": tok[0]["articles"], "chars": tok[0]["chars"],
              "tokenise": {"spacy_blank_s": round(blank_s, 2), "spacy_blank_articles_per_s": round(tok[0]["articles"] / blank_s),
                           "marsad_tokenizer_s": round(own_s, 2),
                           "marsad_tokenizer_articles_per_s": round(tok[0]["articles"] / own_s)},
              "engines": rows}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"machine: {report['machine']}; {report['articles']} articles ({report['chars']:,} characters); "
          f"median of {args.runs} run(s)")
    print(f"baseline tokenisation: spaCy blank 'ar' {blank_s:.2f} s ({report['tokenise']['spacy_blank_articles_per_s']} art/s), "
          f"marsad tokenizer {own_s:.2f} s ({report['tokenise']['marsad_tokenizer_articles_per_s']} art/s)")
    head = (f"{'engine':<9} {'art/s':>7} {'art/s/core':>10} {'start-up s':>10} {'run s':>7} {'end-to-end s':>12} "
            f"{'peak MB':>8} {'x tokenise':>10} {'events':>7} {'skipped':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['engine']:<9} {r['articles_per_s']:>7} {r['articles_per_s_per_core']:>10} {r['startup_s']:>10} "
              f"{r['run_s']:>7} {r['end_to_end_s']:>12} {r['peak_rss_mb']:>8} {r['x_tokenise_marsad']:>10} "
              f"{r['events']:>7} {r['skipped']:>7}")
    print("(x tokenise: core-seconds of extraction per second of marsad's bare tokenisation pass)")


if __name__ == "__main__":
    main()
