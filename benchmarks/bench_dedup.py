#!/usr/bin/env python3
"""Cross-source dedup time and peak memory at 10k, 100k and 1M synthetic report events.

The synthetic events are shaped like real Syrian reporting: 14 governorates, each with ~60
places (a gazetteer id, a point); events on days spread over one year; each event told by 1-5
outlets (a report each) whose coordinates are jittered by up to ~1 km, which sometimes date it a
day later, name a compatible sub-event type, leave out the gazetteer id, or code it only to the
governorate (geo_precision 3, ~8%) or "near" a place (geo_precision 2, ~15%).

Two measurements per size, each in a fresh child process (so peak memory is that size's own):

- ``memory``: ``marsad.dedup.cluster_reports`` over in-memory reports (the clustering itself);
- ``store``: ``Store.dedup()`` over an SQLite database holding the events (read the reports,
  cluster, write canonical events, event links and merge records in one transaction). The
  database is built first by another child process (``Store.bulk_add`` with dedup off), not timed.

Usage: python benchmarks/bench_dedup.py [--sizes 10000,100000,1000000] [--runs 1] [--mode memory,store] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOVERNORATES = [
    ("Damascus", 33.51, 36.29), ("Rural Damascus", 33.57, 36.40), ("Aleppo", 36.20, 37.15), ("Idleb", 35.93, 36.63),
    ("Hama", 35.13, 36.75), ("Homs", 34.73, 36.72), ("Lattakia", 35.52, 35.79), ("Tartous", 34.89, 35.89),
    ("Dara", 32.62, 36.10), ("As-Sweida", 32.71, 36.57), ("Quneitra", 33.13, 35.82), ("Deir-ez-Zor", 35.34, 40.14),
    ("Ar-Raqqa", 35.95, 39.01), ("Al-Hasakeh", 36.50, 40.75),
]
TYPES = [
    ("Battles", ["Armed clash", "Non-state actor overtakes territory", "Government regains territory"]),
    ("Explosions/Remote violence", ["Shelling/artillery/missile attack", "Air/drone strike"]),
    ("Explosions/Remote violence", ["Remote explosive/landmine/IED", "Suicide bomb"]),
    ("Violence against civilians", ["Attack", "Abduction/forced disappearance"]),
    ("Protests", ["Peaceful protest", "Protest with intervention"]),
    ("Strategic developments", ["Looting/property destruction"]),
]
ACTORS = ["Military Forces of Syria (2000-2024)", "HTS: Hayat Tahrir al Sham", "Islamic State (Syria)",
          "SDF: Syrian Democratic Forces", "Turkish Armed Forces", "Unidentified Armed Group (Syria)",
          "Local Armed Groups (Syria)", "Military Forces of Russia (2000-)", "SNA: Syrian National Army",
          "Civilians (Syria)", "Protesters (Syria)", ""]
OUTLETS = ["SOHR", "18 March", "Horan Free League", "Enab Baladi", "SANA", "Step News", "Deir Ezzor 24", "Nabaa"]


def synthetic_rows(n: int, seed: int = 1) -> list[dict]:
    """``n`` report-event rows (ACLED columns + doc_id, gazetteer_id, confidence, order, toll flag)."""
    import datetime as dt

    rnd = random.Random(seed)
    places = []
    for g, (name, lat, lon) in enumerate(GOVERNORATES):
        for k in range(600):
            places.append((name, f"G{g:02d}{k:03d}", f"{name} place {k}", lat + rnd.uniform(-0.6, 0.6),
                           lon + rnd.uniform(-0.6, 0.6)))
    start = dt.date(2022, 1, 1)
    rows: list[dict] = []
    ev = 0
    while len(rows) < n:
        ev += 1
        admin1, gid, loc, lat, lon = rnd.choice(places)
        etype, subs = rnd.choice(TYPES)
        sub = subs[0]
        day = start + dt.timedelta(days=rnd.randrange(365))
        a1, a2 = rnd.sample(ACTORS, 2)
        gp = rnd.choices([1, 2, 3], weights=[77, 15, 8])[0]
        fat = rnd.choice([0, 0, 0, 1, 2, 3, 5])
        for _ in range(min(rnd.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0], n - len(rows))):
            i = len(rows)
            jitter = 0.01 if gp < 3 else 0.0
            rows.append({
                "event_id_cnty": f"SYR{i:08d}", "event_date": (day + dt.timedelta(days=rnd.random() < 0.15)).isoformat(),
                "year": day.year, "time_precision": 1, "disorder_type": "Political violence", "event_type": etype,
                "sub_event_type": rnd.choice(subs) if rnd.random() < 0.2 else sub,
                "actor1": a1 if rnd.random() < 0.9 else "", "assoc_actor_1": "", "inter1": "", "actor2": a2,
                "assoc_actor_2": "", "inter2": "", "interaction": "", "civilian_targeting": "", "iso": 760,
                "region": "Middle East", "country": "Syria", "admin1": admin1, "admin2": "", "admin3": "",
                "location": loc if gp < 3 else admin1, "latitude": round(lat + rnd.uniform(-jitter, jitter), 5),
                "longitude": round(lon + rnd.uniform(-jitter, jitter), 5), "geo_precision": gp,
                "source": rnd.choice(OUTLETS), "source_scale": "National", "notes": f"synthetic event {ev}",
                "fatalities": fat, "tags": "", "timestamp": 1_700_000_000 + i,
                "doc_id": f"d{i:08d}", "gazetteer_id": (gid if gp < 3 else admin1) if rnd.random() < 0.85 else "",
                "confidence": round(rnd.uniform(0.3, 0.9), 2), "order": f"{i:09d}", "toll": fat > 0,
            })
    return rows


def reports_of(rows: list[dict]) -> list:
    from marsad.dedup import Report

    return [Report(r["event_id_cnty"], r["doc_id"], r, fatality_reported=r["toll"], order=r["order"]) for r in rows]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_memory(n: int) -> dict:
    from marsad.dedup import cluster_reports

    reports = reports_of(synthetic_rows(n))
    t0 = time.perf_counter()
    c = cluster_reports(reports)
    secs = time.perf_counter() - t0
    return {"seconds": secs, "canonical_events": len(c.clusters), "merged": len(c.merges), "peak_rss_mb": _peak_mb()}


def build_store(n: int, path: str) -> dict:
    """An SQLite database holding ``n`` synthetic report events, not yet deduplicated."""
    from marsad.model import Event, Evidence
    from marsad.store import Store

    rows = synthetic_rows(n)
    store = Store(path)

    def items():
        for r in rows:
            doc = {"doc_id": r["doc_id"], "id": r["doc_id"], "url": None, "title": None, "source": r["source"],
                   "published": r["event_date"], "language": "ar", "text": r["notes"]}
            e = Event.from_dict({k: v for k, v in r.items() if k not in ("order", "toll")})
            if r["toll"]:
                e.evidence = {"fatalities": [Evidence(0, 9, "synthetic")]}
            yield doc, [e]

    t0 = time.perf_counter()
    store.bulk_add(items(), dedup=False)
    return {"load_seconds": time.perf_counter() - t0}


def run_store(n: int, path: str) -> dict:
    """``Store.dedup()`` over the database ``build_store`` made (in a fresh process: its own peak memory)."""
    from marsad.store import Store

    store = Store(path)
    t0 = time.perf_counter()
    stats = store.dedup()
    secs = time.perf_counter() - t0
    return {"seconds": secs, "canonical_events": stats["canonical_events"], "merged": stats["merged"],
            "peak_rss_mb": _peak_mb()}


def _child(mode: str, n: int, db: str) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", mode, str(n), "--db", db], capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--mode", default="memory,store")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        mode, n = args.child[0], int(args.child[1])
        if mode == "memory":
            out = run_memory(n)
        else:
            out = (build_store if mode == "build" else run_store)(n, args.db)
        print(json.dumps(out))
        return

    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for mode in args.mode.split(","):
            runs = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    db = str(Path(tmp) / "dedup.sqlite")
                    if mode == "store":
                        _child("build", n, db)
                    runs.append(_child(mode, n, db))
            secs = [r["seconds"] for r in runs]
            results.append({"events": n, "mode": mode, "seconds_median": round(statistics.median(secs), 2),
                            "seconds_runs": [round(s, 2) for s in secs],
                            "us_per_event": round(statistics.median(secs) / n * 1e6, 1),
                            "canonical_events": runs[0]["canonical_events"], "merged": runs[0]["merged"],
                            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs))})
    report = {"machine": machine(), "runs": args.runs, "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"machine: {report['machine']}; median of {args.runs} run(s)")
    print(f"{'events':>9}  {'mode':<7} {'seconds':>8} {'µs/event':>9} {'canonical':>10} {'merged':>8} {'peak MB':>8}")
    for r in results:
        print(f"{r['events']:>9}  {r['mode']:<7} {r['seconds_median']:>8} {r['us_per_event']:>9} "
              f"{r['canonical_events']:>10} {r['merged']:>8} {r['peak_rss_mb']:>8}")


if __name__ == "__main__":
    main()
