#!/usr/bin/env python3
"""HTTP API throughput and latency on 100,000 synthetic events.

1. Builds an SQLite store with ``--events`` synthetic report events (one document per 5 events;
   ``--dup-share`` of them are re-reports of an earlier event by another outlet, so dedup has
   work to do) and runs ``Store.dedup()`` over all of them (the time is reported).
2. Starts ``marsad serve`` (uvicorn, one worker; ``--workers N`` for more) in a subprocess on 127.0.0.1.
3. A Python load generator (``--concurrency`` threads, keep-alive connections, http.client) sends
   the requests of each of ``--endpoints`` in turn for ``--seconds``, after a warm-up, and reports
   requests/s and latency percentiles per endpoint. The generator runs on the same machine, so it
   competes with the server for the CPU; so do other jobs on a shared machine. The CPU time the
   server's processes used per request (Linux: ``/proc/PID/stat``), and the generator's, depend
   little on what else runs, so they are reported too. Endpoints:

   - ``events``: ``GET /api/events`` with a governorate filter, a date range and pagination
     (``admin1=...&date_from=...&date_to=...&limit=50&offset=...``);
   - ``facets``: ``GET /api/facets`` with the same filters, all six facets, 15 values each (what
     the web page asks for beside its events);
   - ``facets-all``: ``GET /api/facets?size=15`` with no filter: every event counted by every
     facet (the page's first view of the whole store).

Usage: python benchmarks/bench_api.py [--events 100000] [--seconds 20] [--concurrency 8]
       [--endpoints events,facets,facets-all] [--workers 1] [--db FILE] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ADMIN1 = {  # centre points of the governorates (approximate)
    "Aleppo": (36.20, 37.15), "Idleb": (35.93, 36.63), "Dara": (32.62, 36.10), "Deir ez Zor": (35.33, 40.14),
    "Hama": (35.13, 36.75), "Homs": (34.73, 36.71), "Rural Damascus": (33.51, 36.50), "Damascus": (33.51, 36.29),
    "Ar Raqqa": (35.95, 39.01), "Al Hasakeh": (36.50, 40.75), "Lattakia": (35.52, 35.78), "Quneitra": (33.13, 35.82),
    "As Sweida": (32.71, 36.57), "Tartous": (34.89, 35.89),
}
TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
]
ACTORS = ["Military Forces of Syria (2000-2024)", "HTS: Hayat Tahrir al Sham", "QSD: Syrian Democratic Forces",
          "Islamic State (Syria)", "Opposition Rebels (Syria)", "Unidentified Armed Group (Syria)",
          "Military Forces of Russia (2000-)", "Military Forces of Turkey (2016-)"]
SOURCES = ["SOHR", "18 March", "Horan Free League", "Enab Baladi", "SANA", "Syria TV", "Step News"]
START = dt.date(2021, 1, 1)
DAYS = 730


def build_db(path: Path, n_events: int, dup_share: float, seed: int = 7) -> dict:
    from sqlalchemy import insert

    from marsad.model import ACLED_COLUMNS
    from marsad.store import Store, documents, events

    rng = random.Random(seed)
    store = Store(str(path))
    t0 = time.perf_counter()
    originals: list[dict] = []
    doc_rows, event_rows = [], []
    now = dt.datetime.now(dt.UTC)
    per_doc = 5
    for i in range(n_events):
        if i % per_doc == 0:
            doc_id = f"{i // per_doc:016x}"
            source = SOURCES[(i // per_doc) % len(SOURCES)]
            doc_rows.append({"doc_id": doc_id, "id": None, "url": f"https://example.org/{doc_id}", "title": None,
                             "source": source, "published": None, "language": "ar", "text": f"تقرير تجريبي رقم {i}",
                             "ingested_at": (now + dt.timedelta(microseconds=i)).isoformat()})
        if originals and rng.random() < dup_share:
            row = dict(rng.choice(originals))  # another outlet's report of an earlier event
        else:
            admin1 = rng.choice(list(ADMIN1))
            lat, lon = ADMIN1[admin1]
            disorder, etype, sub = rng.choice(TYPES)
            date = START + dt.timedelta(days=rng.randrange(DAYS))
            a1, a2 = rng.sample(ACTORS, 2)
            if etype == "Violence against civilians":
                a2 = "Civilians (Syria)"
            elif etype == "Protests":
                a1, a2 = "Protesters (Syria)", ""
            row = {"event_date": date.isoformat(), "year": date.year, "time_precision": 1, "disorder_type": disorder,
                   "event_type": etype, "sub_event_type": sub, "actor1": a1, "actor2": a2, "admin1": admin1,
                   "admin2": admin1, "admin3": admin1, "location": f"Place {rng.randrange(4000)}",
                   "latitude": round(lat + rng.uniform(-0.6, 0.6), 4), "longitude": round(lon + rng.uniform(-0.6, 0.6), 4),
                   "geo_precision": rng.choice((1, 1, 1, 2, 3)), "fatalities": rng.choice((0, 0, 0, 1, 2, 5)),
                   "notes": f"Synthetic event {i}: {sub} in {admin1}."}
            originals.append(row)
        full = {c: None for c in ACLED_COLUMNS}
        full.update(row, event_id_cnty=f"SYR-B{i:07d}", iso=760, region="Middle East", country="Syria",
                    source=source, timestamp=int(now.timestamp()))
        full.update(doc_id=doc_id, gazetteer_id=None, confidence=0.5, reasons="{}", canonical_id=None)
        event_rows.append(full)
    with store.engine.begin() as conn:
        conn.execute(insert(documents), doc_rows)
        for k in range(0, len(event_rows), 5000):
            conn.execute(insert(events), event_rows[k : k + 5000])
    t_insert = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats = store.dedup()
    t_dedup = time.perf_counter() - t0
    store.engine.dispose()
    return {"insert_s": round(t_insert, 2), "dedup_s": round(t_dedup, 2), **stats}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", str(db), "--port", str(port),
                             "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, MARSAD_TOKEN=""))
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/health")
            if c.getresponse().status == 200:
                c.close()
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(proc.stderr.read().decode()) from None
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


ENDPOINTS = {
    "events": "GET /api/events (admin1 + 90-day range, limit 50, offset)",
    "facets": "GET /api/facets (admin1 + 90-day range, 6 facets, size 15)",
    "facets-all": "GET /api/facets (no filter: every event, 6 facets, size 15)",
}


def query_paths(rng: random.Random, n: int, endpoint: str = "events") -> list[str]:
    out = []
    for _ in range(n):
        if endpoint == "facets-all":
            out.append("/api/facets?size=15")
            continue
        start = START + dt.timedelta(days=rng.randrange(DAYS - 90))
        params = {"admin1": rng.choice(list(ADMIN1)), "date_from": start.isoformat(),
                  "date_to": (start + dt.timedelta(days=90)).isoformat()}
        if endpoint == "events":
            params.update(limit=50, offset=rng.choice((0, 50, 100)))
            out.append("/api/events?" + urllib.parse.urlencode(params))
        else:
            params.update(size=15)
            out.append("/api/facets?" + urllib.parse.urlencode(params))
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time so far of process ``pid`` and its descendants (uvicorn's workers)
    (Linux), else None."""
    stats = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    if pid not in stats:
        return None
    tree, ticks = {pid}, 0
    for p in sorted(stats):  # children have larger pids than their parents, except after pid wrap-around
        if stats[p][0] in tree:
            tree.add(p)
    for p in tree:
        ticks += stats[p][1]
    return ticks / os.sysconf("SC_CLK_TCK")


def load(port: int, seconds: float, concurrency: int, paths: list[str], server_pid: int | None = None) -> dict:
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += concurrency
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200 or not body:
                    errors[k] += 1
            except OSError:
                errors[k] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[k].append(time.perf_counter() - t)
        conn.close()

    t0 = time.perf_counter()
    server_cpu0 = cpu_seconds(server_pid) if server_pid else None
    own_cpu0 = sum(os.times()[:2])
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    server_cpu1 = cpu_seconds(server_pid) if server_pid else None
    own_cpu = sum(os.times()[:2]) - own_cpu0
    lat = sorted(x for xs in latencies for x in xs)
    if not lat:
        raise SystemExit("no successful request")

    def pct(p: float) -> float:
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1)

    return {"requests": len(lat), "errors": sum(errors), "seconds": round(elapsed, 1),
            "requests_per_s": round(len(lat) / elapsed, 1), "p50_ms": pct(0.50), "p90_ms": pct(0.90),
            "p99_ms": pct(0.99), "max_ms": round(1000 * lat[-1], 1), "mean_ms": round(1000 * statistics.mean(lat), 1),
            "server_cpu_ms_per_request": round(1000 * (server_cpu1 - server_cpu0) / len(lat), 2)
            if server_cpu0 is not None and server_cpu1 is not None else None,
            "client_cpu_ms_per_request": round(1000 * own_cpu / len(lat), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--dup-share", type=float, default=0.2, help="share of events that re-report an earlier one")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--endpoints", default="events,facets,facets-all",
                    help=f"comma-separated, measured in turn: {', '.join(ENDPOINTS)}")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of marsad serve")
    ap.add_argument("--db", help="reuse (or create) this SQLite file instead of a temporary one")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    unknown = [e for e in endpoints if e not in ENDPOINTS]
    if unknown:
        ap.error(f"unknown endpoint {unknown[0]!r}: one of {', '.join(ENDPOINTS)}")

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "bench.sqlite"
        build = build_db(db, args.events, args.dup_share) if not db.exists() else {"reused": str(db)}
        port = free_port()
        server = start_server(db, port, args.workers)
        try:
            for endpoint in endpoints:
                paths = query_paths(random.Random(1), 2000, endpoint)
                load(port, args.warmup, args.concurrency, paths)
                results[endpoint] = load(port, args.seconds, args.concurrency, paths, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    report = {"events": args.events, "build": build, "concurrency": args.concurrency, "workers": args.workers,
              "queries": {e: ENDPOINTS[e] for e in endpoints}, "results": results,
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
              "load_average": os.getloadavg()[0]}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    if "reused" in build:
        print(f"store: reused {build['reused']}")
    else:
        print(f"store: {build['events']:,} report events -> {build['canonical_events']:,} events after dedup "
              f"(insert {build['insert_s']} s, dedup {build['dedup_s']} s)")
    print(f"load: {args.concurrency} keep-alive client threads, {args.seconds:g} s per endpoint, {args.workers} server "
          f"worker(s), on {report['machine']} "
          f"(load average {report['load_average']:.1f})")
    print()
    print("| endpoint | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | server CPU ms/req | client CPU ms/req |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for endpoint, r in results.items():
        print(f"| {ENDPOINTS[endpoint]} | {r['requests']} | {r['errors']} | {r['requests_per_s']} | {r['p50_ms']} | "
              f"{r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | "
              f"{r['server_cpu_ms_per_request']} | {r['client_cpu_ms_per_request']} |")


if __name__ == "__main__":
    main()
