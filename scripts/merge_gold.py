"""Merge the annotators' returns (eval/gold/annotation/out_*.jsonl, sentences_out_*.jsonl) into
the split files of eval/gold/ (PROTOCOL.md).

    python scripts/merge_gold.py                       # writes train/dev/test.jsonl, sentences_*.jsonl, agreement/
    python scripts/merge_gold.py --include-held-back   # ... with the held-back train documents too

The train documents of the batches listed in ``annotation/held_back.txt`` stay out of the train
files (the shipped scorer was trained without them: PROTOCOL.md says why); their dev and test
documents are merged as usual. ``--include-held-back`` puts them in, for the next retraining.

A double-coded article keeps its batch owner's coding in the split file and the second coding
in agreement/; when only one coding exists it is the gold one. Sentence labels of the coded
articles come from their ``event_sentences`` (every other sentence is "none"), numbered as
``prepare_annotation.sentences`` cuts the text. An existing test file is never rewritten: new
test documents are appended (the test split stays frozen).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare_annotation import sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold"
ANN = GOLD / "annotation"
SPLITS = ("train", "dev", "test")
HELD_BACK = ANN / "held_back.txt"
ARTICLE_KEYS = ("doc_id", "url", "source", "origin", "split", "annotator", "published", "published_evidence",
                "text", "comment", "events", "event_sentences")


def read(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                print(f"{path.name}:{n}: skipped, invalid JSON ({exc.msg})", file=sys.stderr)
    return out


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def held_back() -> set[str]:
    """The annotation batches (file names) whose train documents stay out of the train files."""
    if not HELD_BACK.exists():
        return set()
    return {line.split("#", 1)[0].strip() for line in open(HELD_BACK, encoding="utf-8")} - {""}


def collect(include_held_back: bool = False) -> tuple[dict, dict, dict, set[str]]:
    """What the split files hold, read from the annotators' returns (nothing is written):
    (articles by split, sentence rows by split, second codings by doc_id, held-back train doc_ids).
    The test split here is what the returns give; ``main`` keeps the frozen file's rows first."""
    hold = set() if include_held_back else held_back()
    primary: dict[str, dict] = {}
    second: dict[str, dict] = {}
    held_train: set[str] = set()
    for path in sorted(ANN.glob("out_*.jsonl")):
        for rec in read(path):
            if not rec.get("text") or not isinstance(rec.get("events"), list):
                print(f"{path.name}: {rec.get('doc_id')}: skipped, no text or events", file=sys.stderr)
                continue
            if path.name in hold and not rec.get("double") and rec.get("split") not in ("dev", "test"):
                held_train.add(rec["doc_id"])
                continue
            target = second if rec.get("double") else primary
            target.setdefault(rec["doc_id"], {k: rec.get(k) for k in ARTICLE_KEYS})
    for doc_id in list(second):
        if doc_id not in primary and doc_id not in held_train:  # the owner did not get to it: the second coding is the gold one
            primary[doc_id] = second.pop(doc_id)
    articles: dict[str, list[dict]] = {s: [] for s in SPLITS}
    sent_rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for doc_id in sorted(primary):
        rec = primary[doc_id]
        split = rec["split"] if rec.get("split") in SPLITS else "train"
        articles[split].append(rec)
        labels = {str(k): v for k, v in (rec.get("event_sentences") or {}).items()}
        for s in sentences(rec["text"]):
            sent_rows[split].append({"doc_id": doc_id, "url": rec.get("url"), "source": rec.get("source"),
                                     "split": split, "start": s["start"], "end": s["end"], "text": s["text"],
                                     "label": labels.get(str(s["i"]), "none"), "from": "coded article",
                                     "annotator": rec.get("annotator")})
    for path in sorted(ANN.glob("sentences_out_*.jsonl")):
        for rec in read(path):
            split = rec.get("split") if rec.get("split") in SPLITS else "train"
            sent_rows[split].append({k: rec.get(k) for k in ("doc_id", "url", "source", "split", "start", "end", "text",
                                                             "label", "in_syria", "annotator")} | {"from": "extra"})
    return articles, sent_rows, second, held_train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--include-held-back", action="store_true",
                    help="also merge the train documents of the batches in annotation/held_back.txt")
    args = ap.parse_args()
    articles, sent_rows, second, held_train = collect(args.include_held_back)
    for split in SPLITS:
        path = GOLD / f"{split}.jsonl"
        rows = articles[split]
        if split == "test" and path.exists():  # frozen: only documents it does not hold yet are added
            held = {json.loads(line)["doc_id"] for line in open(path, encoding="utf-8") if line.strip()}
            rows = read(path) + [r for r in rows if r["doc_id"] not in held]
        write(path, rows)
        spath = GOLD / f"sentences_{split}.jsonl"
        srows = sent_rows[split]
        if split == "test" and spath.exists():
            held_s = {(r["doc_id"], r["start"]) for r in read(spath)}
            srows = read(spath) + [r for r in srows if (r["doc_id"], r["start"]) not in held_s]
        write(spath, srows)
        labels = Counter(r["label"] for r in srows)
        no_event = sum(1 for r in rows if not any(not e.get("optional") for e in r["events"]))
        print(f"{split}: {len(rows)} articles ({no_event} without a required event), "
              f"{sum(len(r['events']) for r in rows)} events; {len(srows)} sentences {dict(labels)}", file=sys.stderr)
    write(GOLD / "agreement" / "second_coding.jsonl", [second[k] for k in sorted(second)])
    print(f"agreement: {len(second)} articles coded twice", file=sys.stderr)
    if held_train:
        print(f"held back: {len(held_train)} train documents of {', '.join(sorted(held_back()))} "
              "(--include-held-back merges them)", file=sys.stderr)


if __name__ == "__main__":
    main()
