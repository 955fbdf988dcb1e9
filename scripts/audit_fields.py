"""Audit the coded fields an analyst looks at first, on corpus articles given as scraped
archives give them (no ``published`` field): undated events, implausible death tolls, actor
names of a period that starts after the event or the document.

    python scripts/audit_fields.py                 # the first 300 articles of the corpus
    python scripts/audit_fields.py --n 1000 --show 20
    python scripts/audit_fields.py --pubdate eval/gold/train.jsonl eval/gold/dev.jsonl
        # the publication date found in each corpus page, against the date its annotator read

Prints one summary block (and, with --show, examples of each fault).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"
#: A toll at least this large must be tied to its event by its wording (CODEBOOK, issue 13).
LARGE_TOLL = 500


def period_start(name: str) -> int | None:
    from marsad.kb import PERIOD

    m = PERIOD.search(name or "")
    return int(m.group(1)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--n", type=int, default=300, help="first N articles")
    ap.add_argument("--show", type=int, default=0, help="print up to N examples of each fault")
    ap.add_argument("--pubdate", nargs="+", metavar="GOLD", help="check publication dates against gold files")
    args = ap.parse_args()
    if args.pubdate:
        return check_pubdates(args.pubdate, args.show)

    from marsad.errors import InputError
    from marsad.extract import extract
    from marsad.model import Document

    events, docs, refused = [], 0, 0
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            if docs >= args.n:
                break
            rec = json.loads(line)
            docs += 1
            doc = Document(text=rec["text"], url=rec.get("url"), id=rec.get("id"))  # no published: as scraped
            try:
                for e in extract(doc):
                    events.append((rec.get("id"), doc, e))
            except InputError:
                refused += 1
    undated = [(i, d, e) for i, d, e in events if not e.event_date]
    large = [(i, d, e) for i, d, e in events if e.fatalities >= LARGE_TOLL]
    wrong_period = []
    for i, d, e in events:
        year = int(e.event_date[:4]) if e.event_date else None
        pub = d.published or ""
        limit = year or (int(pub[:4]) if pub else None)
        for name in (e.actor1, e.actor2, e.assoc_actor_1, e.assoc_actor_2):
            for part in (name or "").split("; "):
                start = period_start(part)
                if start is not None and limit is not None and start > limit:
                    wrong_period.append((i, d, e, part))
    total = sum(e.fatalities for _, _, e in events)
    sources = Counter((e.reasons.get("event_date") or "")[:40] for _, _, e in undated)
    print(f"articles: {docs} ({refused} refused); events: {len(events)}")
    print(f"undated events: {len(undated)} ({len(undated) / max(len(events), 1):.1%})")
    print(f"tolls >= {LARGE_TOLL}: {len(large)}; total fatalities: {total:,}")
    print(f"actor names of a period that starts after the event (or the document): {len(wrong_period)}")
    if args.show:
        print("\nundated, by reason:", sources.most_common(5))
        for i, _, e in large[: args.show]:
            print(f"  toll {e.fatalities} {i}: {e.evidence.get('fatalities', [{}])[0]}")
        for i, _, e, name in wrong_period[: args.show]:
            print(f"  period {name} {i} date={e.event_date or '-'}")


def check_pubdates(paths: list[str], show: int) -> None:
    """The date ``nlp.pubdate`` finds in each corpus page of the gold files, against ``published``
    as its annotator read it (null where the page shows only a crawl or site date)."""
    import datetime as dt

    from marsad.nlp.pubdate import find_publication_date

    counts: Counter = Counter()
    faults = []
    for path in paths:
        for line in open(path, encoding="utf-8"):
            rec = json.loads(line)
            if not rec.get("origin", "").startswith("baly2018"):
                continue  # web pages were given to annotators as openings without their header
            found, _ = find_publication_date(rec["text"], rec.get("url"), today=dt.date(2018, 2, 1))
            got, gold = (found.date if found else None), rec.get("published")
            key = ("page shows a date" if gold else "no date the annotator accepted",
                   "none found" if got is None else ("same" if got == gold else "different"))
            counts[key] += 1
            if key[1] == "different":
                faults.append((rec["doc_id"], gold, got, found.reason if found else ""))
    for (kind, outcome), n in sorted(counts.items()):
        print(f"{kind:<32} {outcome:<11} {n}")
    for f in faults[:show]:
        print("  ", *f)


if __name__ == "__main__":
    main()
