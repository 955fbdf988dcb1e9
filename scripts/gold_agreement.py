"""Inter-annotator agreement on the double-coded gold articles and sentences (eval/gold/PROTOCOL.md).

    python scripts/gold_agreement.py [--json]

Events: one coding is scored against the other with the scorer of ``marsad evaluate`` (the
second coder's required events as predictions, the first coder's as reference, optional events
neither rewarded nor penalised), in both directions. Sentences: Cohen's kappa and raw agreement on
the class of each sentence (none / violent / demonstration / strategic), for the sentences of the
double-coded articles and the double-labelled extra sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from prepare_annotation import sentences  # noqa: E402

from marsad.evaluate import SENTENCE_GROUPS, Scores, score_document  # noqa: E402
from marsad.model import Event  # noqa: E402


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def as_events(refs: list[dict]) -> list[Event]:
    """A coder's required events in the shape of marsad's predictions."""
    out = []
    for r in refs:
        if r.get("optional"):
            continue
        name = lambda a: (a or {}).get("name_en", "") if isinstance(a, dict) else ""  # noqa: E731
        out.append(Event(event_date=str(r.get("event_date") or ""), event_type=r.get("event_type", ""),
                         sub_event_type=r.get("sub_event_type", ""), actor1=name(r.get("actor1")),
                         actor2=name(r.get("actor2")), admin1=r.get("admin1_en") or "", admin2=r.get("admin2_en") or "",
                         latitude=r.get("latitude"), longitude=r.get("longitude"), fatalities=int(r.get("fatalities") or 0)))
    return out


def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    n = len(pairs)
    if not n:
        return 0.0, 0.0
    agree = sum(a == b for a, b in pairs) / n
    labels = {x for p in pairs for x in p}
    chance = sum((sum(a == lab for a, _ in pairs) / n) * (sum(b == lab for _, b in pairs) / n) for lab in labels)
    return (agree - chance) / (1 - chance) if chance < 1 else 1.0, agree


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--docs", help="comma-separated doc_ids: score only these (one round's sample)")
    args = ap.parse_args()
    primary = {d["doc_id"]: d for name in ("train.jsonl", "dev.jsonl", "test.jsonl") for d in read(GOLD / name)}
    for path in sorted((GOLD / "annotation").glob("out_*.jsonl")):  # the held-back train documents too
        for d in read(path):
            if not d.get("double") and isinstance(d.get("events"), list):
                primary.setdefault(d["doc_id"], d)
    only = set(args.docs.split(",")) if args.docs else None
    second = [d for d in read(GOLD / "agreement" / "second_coding.jsonl")
              if d["doc_id"] in primary and (only is None or d["doc_id"] in only)]
    forward, backward = Scores(), Scores()
    sentence_pairs: list[tuple[str, str]] = []
    for d in second:
        p = primary[d["doc_id"]]
        score_document(p["events"], as_events(d["events"]), forward)
        score_document(d["events"], as_events(p["events"]), backward)
        la = {str(k): v for k, v in (p.get("event_sentences") or {}).items()}
        lb = {str(k): v for k, v in (d.get("event_sentences") or {}).items()}
        for s in sentences(p["text"]):
            k = str(s["i"])
            sentence_pairs.append((SENTENCE_GROUPS.get(la.get(k, "none"), "none"),
                                   SENTENCE_GROUPS.get(lb.get(k, "none"), "none")))
    extra_pairs = []
    double = GOLD / "annotation" / "sentences_double_S2.jsonl"
    if double.exists():
        first = {(r["doc_id"], r["start"]): r["label"] for r in read(GOLD / "annotation" / "sentences_out_S1.jsonl")}
        for r in read(double):
            if (r["doc_id"], r["start"]) in first:
                extra_pairs.append((SENTENCE_GROUPS.get(first[(r["doc_id"], r["start"])], "none"),
                                    SENTENCE_GROUPS.get(r["label"], "none")))
    ka, aa = kappa(sentence_pairs)
    ke, ae = kappa(extra_pairs)
    report = {
        "articles": len(second),
        "events_second_vs_first": forward.to_dict(),
        "events_first_vs_second": backward.to_dict(),
        "article_sentences": {"n": len(sentence_pairs), "kappa": round(ka, 3), "agreement": round(aa, 3)},
        "extra_sentences": {"n": len(extra_pairs), "kappa": round(ke, 3), "agreement": round(ae, 3)},
    }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"double-coded articles: {len(second)}")
    for label, sc in (("second coder vs first", forward), ("first coder vs second", backward)):
        e = sc.to_dict()["events"]
        print(f"events, {label}: P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f} "
              f"(tp {e['tp']}, fp {e['fp']}, fn {e['fn']})")
        for name, t in sc.to_dict()["matched_fields"].items():
            print(f"    {name:<16} {t['accuracy'] if t['accuracy'] is not None else 'n/a'}  (n={t['n']})")
        a = sc.to_dict()["actors"]
        print(f"    actors           recall {a['recall']}  precision {a['precision']}")
    print(f"sentences of the double-coded articles: n={len(sentence_pairs)} kappa {ka:.3f} agreement {aa:.3f}")
    print(f"double-labelled extra sentences: n={len(extra_pairs)} kappa {ke:.3f} agreement {ae:.3f}")


if __name__ == "__main__":
    main()
