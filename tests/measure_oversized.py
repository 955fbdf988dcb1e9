"""Measure what refusing an enormous document costs: time and peak RSS of reading a JSONL file
whose middle line holds a text of ``--chars`` Arabic characters (and of a plain text file of
the same size), with marsad's bounded reading. Prints one JSON object.

    .venv/bin/python tests/measure_oversized.py --chars 20000000 [--cli]

The file is written in pieces, so the measuring process never holds the big text itself.
``--library`` also times ``extract(Document(text))`` on such a text in memory; ``--cli`` also
runs ``marsad extract --input`` and ``marsad ingest`` on the file in a child process and
reports their peak RSS (``ru_maxrss`` of the children).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOOD = {"id": "good", "text": "قصف جوي على مدينة درعا أدى إلى مقتل ثلاثة مدنيين.", "published": "2022-11-01"}


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def write_big(path: Path, chars: int, jsonl: bool) -> int:
    piece = "قصف " * 250_000  # 1,000,000 characters
    with path.open("w", encoding="utf-8") as fh:
        if jsonl:
            fh.write(json.dumps(GOOD, ensure_ascii=False) + "\n" + '{"id": "big", "text": "')
        left = chars
        while left > 0:
            fh.write(piece[: min(left, len(piece))])
            left -= len(piece)
        if jsonl:
            fh.write('"}\n' + json.dumps(GOOD | {"id": "good2"}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=20_000_000)
    ap.add_argument("--dir", help="where to write the files (default: a temporary directory)")
    ap.add_argument("--cli", action="store_true", help="also measure the marsad command in a child process")
    ap.add_argument("--library", action="store_true",
                    help="also measure extract(Document(text)) on a text of --chars characters already in memory")
    args = ap.parse_args()
    tmp = None if args.dir else tempfile.TemporaryDirectory()
    folder = Path(args.dir or tmp.name)

    from marsad.errors import InputError
    from marsad.inputs import BadInput, iter_jsonl, read_text_file

    jsonl = folder / "big.jsonl"
    txt = folder / "big.txt"
    report: dict = {"chars": args.chars, "jsonl_bytes": write_big(jsonl, args.chars, True),
                    "text_bytes": write_big(txt, args.chars, False)}
    before = _rss_mb()
    t = time.perf_counter()
    items = list(iter_jsonl(jsonl))
    report["jsonl_seconds"] = round(time.perf_counter() - t, 3)
    report["items"] = [type(i).__name__ for i in items]
    report["message"] = next((f"{i.where}: {i.message}" for i in items if isinstance(i, BadInput)), None)
    t = time.perf_counter()
    try:
        read_text_file(txt)
        report["text_message"] = None
    except InputError as exc:
        report["text_message"] = str(exc)
    report["text_seconds"] = round(time.perf_counter() - t, 3)
    report["rss_before_mb"] = round(before, 1)
    report["rss_peak_mb"] = round(_rss_mb(), 1)
    report["rss_growth_mb"] = round(_rss_mb() - before, 1)
    if args.library:
        from marsad.extract import extract
        from marsad.model import Document

        extract(Document(text=GOOD["text"]))  # load the pipeline first
        text = "قصف " * (args.chars // 4)
        before = _rss_mb()
        t = time.perf_counter()
        try:
            extract(Document(text=text))
        except InputError as exc:
            report["library_message"] = str(exc)
        report["library_seconds"] = round(time.perf_counter() - t, 3)
        report["library_rss_growth_mb"] = round(_rss_mb() - before, 1)
        del text
    if args.cli:
        for name, cmd in (("cli_extract", ["extract", "--input", str(jsonl)]),
                          ("cli_ingest", ["ingest", str(jsonl), "--db", str(folder / "m.sqlite")])):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "marsad.cli", *cmd], capture_output=True, text=True)
            report[name] = {"rc": out.returncode, "seconds": round(time.perf_counter() - t, 2),
                            "stderr": out.stderr.strip().splitlines(),
                            "children_peak_rss_mb": round(_rss_mb(resource.RUSAGE_CHILDREN), 1)}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
