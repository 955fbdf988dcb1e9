"""Prepare the annotation batches of the gold set (eval/gold/PROTOCOL.md).

Samples corpus articles for event coding and corpus sentences for sentence labelling, assigns
every document to train / dev / test by a hash of its story group (so that near-copies of one
story never straddle two splits), and writes one batch file per annotator with the article's
sentences numbered as marsad's sentencizer cuts them. Fixed seed: rerunning writes the same
batches.

    python scripts/prepare_annotation.py            # writes eval/gold/annotation/*.jsonl
    python scripts/prepare_annotation.py sentences FILE   # number the sentences of a text file
    python scripts/prepare_annotation.py split URL        # the split of a web page
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"
OUT = ROOT / "eval" / "gold" / "annotation"
SEED = 20261206
N_EVENT_ANNOTATORS = 4
PER_ANNOTATOR = 45
DOUBLE_PER_ANNOTATOR = 7
N_SENTENCE_ANNOTATORS = 2
SENTENCES_PER_ANNOTATOR = 1150


def story_group(doc_id: str) -> str:
    """Baly et al. ids are CLAIM#k: the articles of one claim tell one story."""
    return doc_id.split("#", 1)[0]


def split_of(group: str) -> str:
    """train 45% / dev 20% / test 35%, by a stable hash of the story group or url."""
    h = int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if h < 35 else "dev" if h < 55 else "train"


def source_of(url: str) -> str:
    host = urlparse(url or "").netloc.lower()
    return host[4:] if host.startswith("www.") else host


def sentences(text: str) -> list[dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from marsad.nlp.pipeline import get_pipeline

    nlp = get_pipeline()
    doc = nlp.make_doc(text)
    doc.user_data["marsad_text"] = text
    doc = nlp.get_pipe("marsad_sentencizer")(doc)
    out = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        chunk = text[start:end]
        if not chunk.strip() or not any("\u0600" <= c <= "\u06ff" for c in chunk):
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append({"i": len(out), "start": start + lead, "end": end - (len(chunk) - len(chunk.rstrip())),
                    "text": chunk.strip()})
    return out


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "sentences":
        text = Path(sys.argv[2]).read_text(encoding="utf-8")
        for s in sentences(text):
            print(json.dumps(s, ensure_ascii=False))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "split":
        print(split_of(sys.argv[2]))
        return
    if len(sys.argv) > 1:  # "--help" or a typo must not rewrite the batches
        sys.exit("\n".join(line.strip() for line in __doc__.strip().splitlines()[-3:]))  # the usage lines
    rng = random.Random(SEED)
    gold_dir = ROOT / "eval" / "gold"
    used_groups = {story_group(json.loads(line)["doc_id"])
                   for line in open(gold_dir / "dev_baly2018.jsonl", encoding="utf-8")}
    articles = [json.loads(line) for line in open(CORPUS, encoding="utf-8")]
    pool = [a for a in articles if story_group(a["id"]) not in used_groups and 300 <= len(a["text"]) <= 5000]
    rng.shuffle(pool)
    chosen, seen_groups = [], set()
    for a in pool:  # at most two articles of one story, so that no story dominates
        g = story_group(a["id"])
        if sum(1 for c in chosen if story_group(c["id"]) == g) >= 2:
            continue
        chosen.append(a)
        seen_groups.add(g)
        if len(chosen) == N_EVENT_ANNOTATORS * PER_ANNOTATOR:
            break
    OUT.mkdir(parents=True, exist_ok=True)
    batches: list[list[dict]] = [[] for _ in range(N_EVENT_ANNOTATORS)]
    for k, a in enumerate(chosen):
        batches[k % N_EVENT_ANNOTATORS].append(
            {"doc_id": a["id"], "url": a["url"], "source": source_of(a["url"]),
             "origin": "baly2018 corpus (../shared/data/corpus/baly2018/articles.jsonl)",
             "split": split_of(story_group(a["id"])), "text": a["text"], "sentences": sentences(a["text"]),
             "double": False})
    # double coding: each annotator also codes the first few documents of the next annotator's batch
    for k in range(N_EVENT_ANNOTATORS):
        nxt = batches[(k + 1) % N_EVENT_ANNOTATORS]
        for rec in nxt[:DOUBLE_PER_ANNOTATOR]:
            batches[k].append(dict(rec, double=True))
    for k, batch in enumerate(batches, start=1):
        with open(OUT / f"events_A{k}.jsonl", "w", encoding="utf-8") as f:
            for rec in batch:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    # sentence labelling: sentences of articles outside the event batches, rich in hard negatives
    chosen_ids = {a["id"] for a in chosen}
    rest = [a for a in articles if a["id"] not in chosen_ids and story_group(a["id"]) not in used_groups]
    rng.shuffle(rest)
    from marsad.nlp.pipeline import analyse

    picked = []
    for a in rest:
        doc = analyse(a["text"][:6000])
        trig_sents = {doc[s.start].sent.start_char for s in doc.spans["triggers"]}
        for s in sentences(a["text"][:6000]):
            if not (20 <= len(s["text"]) <= 600):
                continue
            has_trigger = any(s["start"] - 2 <= t <= s["end"] for t in trig_sents)
            if has_trigger or rng.random() < 0.12:
                picked.append({"doc_id": a["id"], "url": a["url"], "source": source_of(a["url"]),
                               "split": split_of(story_group(a["id"])), "start": s["start"], "end": s["end"],
                               "text": s["text"], "has_trigger": has_trigger})
        if len(picked) >= N_SENTENCE_ANNOTATORS * SENTENCES_PER_ANNOTATOR:
            break
    for k in range(N_SENTENCE_ANNOTATORS):
        part = picked[k * SENTENCES_PER_ANNOTATOR:(k + 1) * SENTENCES_PER_ANNOTATOR]
        with open(OUT / f"sentences_S{k + 1}.jsonl", "w", encoding="utf-8") as f:
            for n, rec in enumerate(part):
                f.write(json.dumps(dict(rec, n=n), ensure_ascii=False) + "\n")
    print(f"{len(chosen)} articles in {N_EVENT_ANNOTATORS} batches; {len(picked)} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
