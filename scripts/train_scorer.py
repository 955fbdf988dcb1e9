"""Train marsad's event scorer (src/marsad/extract/scorer.py) from the gold data in eval/gold/.

    python scripts/train_scorer.py            # train, choose settings and threshold on dev, write the model
    python scripts/train_scorer.py --check    # print the hash of the training data the shipped model records

1. The sentence model (hashed character/word n-grams, logistic regression) is trained on the
   labelled sentences of the train split (sentences_train.jsonl). Its settings are chosen by
   the macro F1 on sentences_dev.jsonl.
2. The event model (logistic regression) is trained on the candidate events marsad's rules
   produce on the train articles (train.jsonl), labelled by matching them to the reference
   events with the scorer of ``marsad evaluate``. The sentence features of a training candidate
   come from a sentence model that did not see its article (5-fold, by document).
   Each labelled train sentence is also read alone, as a one-sentence document (what a
   sentence-level check or a short post gives marsad): its candidates are correct when the
   sentence reports an event of their type group.
3. Two thresholds: the articles' one maximises event F1 on the development articles (dev.jsonl,
   dev_baly2018.jsonl, example.jsonl) while keeping their recall at least RECALL_FLOOR; the
   short texts' one maximises the mean sentence-level F1 (violent events, demonstrations) of
   sentences_dev.jsonl read one by one. The weights of the weak and lone-sentence candidates
   and the regularisation maximise the sum of the two F1s.
4. Calibration per kind of text: Platt scaling of the chosen model's probability, fitted, for
   articles and apart for sentences read alone, on the out-of-fold probabilities of the train
   candidates (5 folds by document) together with the dev candidates (a probability of 0.7
   should be right 7 times in 10 on either); both thresholds are moved onto the calibrated
   scale, so the same candidates pass. The test split is never read here.

Fixed seeds; the output is src/marsad/data/scorer/{scorer.json, sentence_model.npz}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold"
OUT = ROOT / "src" / "marsad" / "data" / "scorer"
SEED = 13
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"
WEAK_WEIGHTS = (0.0, 0.3, 1.0)  # weight of the weakly labelled candidates: chosen on dev
LONE_WEIGHTS = (0.0, 0.3, 1.0)  # weight of the candidates of labelled sentences read alone: chosen on dev
#: The default threshold maximises dev F1 among those that keep dev recall at least this (the
#: operating point of the acceptance criteria: precision is what the threshold buys, recall is
#: what an analyst cannot get back); without one that does, the best F1.
RECALL_FLOOR = 0.80
TRAIN_FILES = ("train.jsonl", "sentences_train.jsonl")
DEV_ARTICLES = ("dev.jsonl", "dev_baly2018.jsonl", "example.jsonl")
VECTORIZER_CHOICES = {
    "char2-5": [{"analyzer": "char_wb", "ngram_range": [2, 5], "n_features": 2 ** 18}],
    "char2-5+word1-2": [{"analyzer": "char_wb", "ngram_range": [2, 5], "n_features": 2 ** 18},
                        {"analyzer": "word", "ngram_range": [1, 2], "n_features": 2 ** 17}],
}
SENTENCE_C = (1.0, 4.0, 16.0)
EVENT_C = (0.1, 0.3, 1.0, 3.0)

sys.path.insert(0, str(ROOT / "src"))

from marsad.evaluate import (  # noqa: E402
    SENTENCE_GROUPS,
    Scores,
    label_candidates,
    load_gold,
    score_document,
    score_sentences,
)
from marsad.extract import candidates as extract_candidates  # noqa: E402
from marsad.extract.features import Candidate, located_abroad, sentence_text  # noqa: E402
from marsad.extract.scorer import (  # noqa: E402
    SENTENCE_CLASSES,
    SentenceModel,
    logistic,
    make_vectorizers,
    platt,
    sentence_features,
    type_group,
    vectorize,
)
from marsad.model import Document  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def data_hash() -> str:
    h = hashlib.sha256()
    for name in TRAIN_FILES:
        path = GOLD / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()


def load_sentences(name: str) -> list[dict]:
    path = GOLD / name
    if not path.exists():
        return []
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def sentence_xy(records: list[dict]) -> tuple[list[str], np.ndarray]:
    texts = [sentence_text(r["text"]) for r in records]
    y = np.array([SENTENCE_CLASSES.index(SENTENCE_GROUPS.get(r.get("label") or "none", "none")) for r in records])
    return texts, y


def fit_sentence_model(texts: list[str], y: np.ndarray, spec: list[dict], c: float):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=SEED)
    clf.fit(vectorize(make_vectorizers(spec), texts), y)
    coef = np.zeros((len(SENTENCE_CLASSES), clf.coef_.shape[1]), dtype=np.float32)
    intercept = np.full(len(SENTENCE_CLASSES), -30.0, dtype=np.float32)  # a class never seen stays impossible
    for k, cls in enumerate(clf.classes_):
        coef[cls], intercept[cls] = clf.coef_[k], clf.intercept_[k]
    return SentenceModel({"classes": list(SENTENCE_CLASSES), "vectorizers": spec}, coef, intercept)


def macro_f1(model: SentenceModel, texts: list[str], y: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    pred = model.proba(texts).argmax(axis=1)
    labels = [k for k in range(1, len(SENTENCE_CLASSES)) if (y == k).any()]
    return float(f1_score(y, pred, labels=labels, average="macro", zero_division=0))


def article_candidates(docs: list[dict]) -> list[tuple[dict, list[Candidate]]]:
    out = []
    for d in docs:
        doc = Document(text=d["text"], url=d.get("url"), published=d.get("published"), source=d.get("source"))
        try:
            cands = [c for c in extract_candidates(doc) if c.rule_ok]
        except Exception as exc:  # a gold document marsad refuses predicts nothing
            log(f"  {d.get('doc_id')}: {exc}")
            cands = []
        out.append((d, cands))
    return out


def lone_candidates(records: list[dict]) -> list[tuple[dict, list[Candidate], list[int]]]:
    """Candidates of each labelled sentence read alone, each labelled 1 when the sentence reports
    an event of the candidate's type group (in any country: the sentence label's scope)."""
    out = []
    for r in records:
        d = {"doc_id": r["doc_id"], "text": r["text"], "events": []}
        gold = SENTENCE_GROUPS.get(r.get("label") or "none", "none")
        cands = article_candidates([d])[0][1]
        out.append((d, cands, [int(type_group(c.event.event_type) == gold) for c in cands]))
    return out


def sentence_level(records: list[dict], lone, threshold: float) -> float:
    """Mean F1 of violent events and demonstrations over sentences read alone (as ``marsad
    evaluate --sentences`` scores them, every country kept), at ``threshold`` of the candidates'
    ``score``; ``lone``: the candidates of each record, in order."""
    cands_of = {id(r): cands for r, (_, cands, _) in zip(records, lone, strict=True)}

    def predict(rec: dict) -> set[str]:
        return {type_group(c.event.event_type) for c in cands_of[id(rec)] if c.score >= threshold}

    s = score_sentences(records, predict)
    return (s["violent"]["f1"] + s["demonstration"]["f1"]) / 2


def weak_candidates(s_train: list[dict]) -> list[tuple[dict, list[Candidate], list[int]]]:
    """Candidates of the corpus articles whose sentences were labelled one by one (the extra
    sentences): a candidate whose sentences are all labelled is correct when one of them reports
    an event of its type group in Syria, wrong when none does. Weaker than an event coding (the
    label says nothing of the date, place or actors), so these count with a lower weight."""
    labelled: dict[str, dict[int, dict]] = {}
    for r in s_train:
        if r.get("from") == "extra":
            labelled.setdefault(r["doc_id"], {})[r["start"]] = r
    if not CORPUS.exists() or not labelled:
        return []
    out = []
    for line in open(CORPUS, encoding="utf-8"):
        a = json.loads(line)
        if a["id"] not in labelled:
            continue
        marks = labelled[a["id"]]
        d = {"doc_id": a["id"], "text": a["text"], "url": a.get("url"), "events": []}
        kept, labels = [], []
        for c in article_candidates([d])[0][1]:
            starts = sorted({fr.sentence.start_char for fr in c.group.frames})
            rows = [marks.get(st) or marks.get(st + 1) for st in starts]  # the labelled text starts after a space
            if not all(rows):
                continue
            own = type_group(c.event.event_type)
            labels.append(int(any(SENTENCE_GROUPS.get(r["label"], "none") == own and r.get("in_syria") for r in rows)))
            kept.append(c)
        if kept:
            out.append((d, kept, labels))
    return out


def feature_matrix(rows: list[dict[str, float]], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, feats in enumerate(rows):
        for k, v in feats.items():
            if k in index:
                x[r, index[k]] = v
    return x


def add_sentence_features(cands: list[Candidate], model: SentenceModel) -> None:
    texts = sorted({s for c in cands for s in c.sentences})
    probs = dict(zip(texts, model.proba(texts), strict=True)) if texts else {}
    for c in cands:
        c.features.update(sentence_features(c, probs, model.classes))


def set_scores(cands: list[Candidate], weights: dict[str, float], intercept: float) -> None:
    """Each candidate's ``score`` under an event model (once per model, whatever the thresholds tried)."""
    for c in cands:
        c.score = logistic(weights, intercept, c.features)


def score_articles(docs_cands, threshold: float) -> Scores:
    """Event scores of the articles keeping the candidates scored at least ``threshold``, in Syria."""
    scores = Scores()
    for d, cands in docs_cands:
        kept = [c.event for c in cands if c.score >= threshold and not located_abroad(c.event)]
        score_document(d.get("events", []), kept, scores)
    return scores


def calibration_points(dev_dc, lone_dev, weights: dict[str, float], intercept: float) -> dict[str, list]:
    """(raw probability, label) of the dev candidates the scorer decides on: the articles' (in
    Syria, labelled by matching their reference events) and the sentences' read alone."""
    articles, short = [], []
    for d, cands in dev_dc:
        judged = [c for c in cands if not located_abroad(c.event)]
        for c, lab in zip(judged, label_candidates(d.get("events", []), [c.event for c in judged]), strict=True):
            if lab is not None:
                articles.append((logistic(weights, intercept, c.features), lab))
    for _, cands, labels in lone_dev:
        short.extend((logistic(weights, intercept, c.features), lab) for c, lab in zip(cands, labels, strict=True))
    return {"articles": articles, "short_texts": short}


def fit_platt(points: list[tuple[float, int]]) -> dict:
    """Platt scaling of one kind of text: a logistic regression on the logit of the raw score."""
    from sklearn.linear_model import LogisticRegression

    p = np.clip(np.array([x for x, _ in points]), 1e-9, 1 - 1e-9)
    y = np.array([lab for _, lab in points])
    z = np.log(p / (1 - p)).reshape(-1, 1)
    clf = LogisticRegression(C=1e4, max_iter=5000, random_state=SEED).fit(z, y)
    a, b = float(clf.coef_[0][0]), float(clf.intercept_[0])
    after = np.array([platt(float(x), a, b) for x in p])
    return {"a": round(a, 6), "b": round(b, 6), "n": len(points),
            "brier_raw": round(float(np.mean((p - y) ** 2)), 4),
            "brier": round(float(np.mean((after - y) ** 2)), 4)}


def calibrate(meta: dict, points: dict) -> None:
    """Add the per-kind calibration to ``meta`` and move both thresholds onto its scale (the
    order of the scores is kept, so the same candidates pass)."""
    meta["calibration"] = {kind: fit_platt(pts) for kind, pts in points.items() if len({y for _, y in pts}) == 2}
    for key, kind in (("threshold", "articles"), ("threshold_short_text", "short_texts")):
        raw = meta.setdefault(f"{key}_raw", meta[key])
        cal = meta["calibration"].get(kind)
        meta[key] = round(platt(raw, cal["a"], cal["b"]), 4) if cal and cal["a"] > 0 else raw
    for kind, cal in meta["calibration"].items():
        log(f"calibration of {kind}: a {cal['a']:.3f} b {cal['b']:.3f} on {cal['n']} train (out of fold) and dev candidates, "
            f"Brier {cal['brier_raw']:.4f} -> {cal['brier']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="print the training data hash and the shipped one")
    args = ap.parse_args()
    if args.check:
        meta = json.loads((OUT / "scorer.json").read_text(encoding="utf-8"))
        print(f"training data {data_hash()}\nshipped model {meta['training_data_sha256']}")
        sys.exit(0 if data_hash() == meta["training_data_sha256"] else 1)

    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(SEED)
    # 1. sentence model
    s_train, s_dev = load_sentences("sentences_train.jsonl"), load_sentences("sentences_dev.jsonl")
    tx, ty = sentence_xy(s_train)
    dx, dy = sentence_xy(s_dev)
    log(f"sentences: {len(tx)} train, {len(dx)} dev; train labels {np.bincount(ty, minlength=4).tolist()}")
    best = None
    for name, spec in VECTORIZER_CHOICES.items():
        for c in SENTENCE_C:
            f1 = macro_f1(fit_sentence_model(tx, ty, spec, c), dx, dy)
            log(f"  sentence model {name} C={c}: dev macro F1 {f1:.3f}")
            if best is None or f1 > best[0]:
                best = (f1, name, c)
    _, vec_name, sent_c = best
    spec = VECTORIZER_CHOICES[vec_name]
    sentence_model = fit_sentence_model(tx, ty, spec, sent_c)
    # 2. event model: candidates of the train articles, sentence features out of fold
    train_docs = load_gold(GOLD / "train.jsonl")
    dev_docs = [d for name in DEV_ARTICLES if (GOLD / name).exists() for d in load_gold(GOLD / name)]
    log(f"articles: {len(train_docs)} train, {len(dev_docs)} dev; extracting candidates ...")
    train_dc = article_candidates(train_docs)
    dev_dc = article_candidates(dev_docs)
    weak = weak_candidates(s_train)
    log(f"  weakly labelled: {sum(len(c) for _, c, _ in weak)} candidates of {len(weak)} corpus articles, "
        f"{sum(sum(lab) for _, _, lab in weak)} correct")
    lone = lone_candidates(s_train)
    lone_dev = lone_candidates(s_dev)
    log(f"  sentences read alone: {sum(len(c) for _, c, _ in lone)} train candidates "
        f"({sum(sum(lab) for _, _, lab in lone)} correct), {sum(len(c) for _, c, _ in lone_dev)} dev")
    folds = 5
    all_dc = ([(d, cands) for d, cands in train_dc] + [(d, cands) for d, cands, _ in weak]
              + [(d, cands) for d, cands, _ in lone])
    fold_of = {d["doc_id"]: int(rng.integers(folds)) for d, _ in all_dc}
    train_ids = {d["doc_id"] for d, _ in train_dc}
    for k in range(folds):
        held = {i for i, f in fold_of.items() if f == k}
        keep = [r for r in s_train if r.get("doc_id") not in held]
        kx, ky = sentence_xy(keep)
        fold_model = fit_sentence_model(kx, ky, spec, sent_c)
        add_sentence_features([c for d, cands in all_dc if d["doc_id"] in held for c in cands], fold_model)
    log(f"  {sum(1 for r in s_train if r.get('doc_id') in train_ids)} train sentences belong to train articles")
    for _, cands in dev_dc:
        add_sentence_features(cands, sentence_model)
    add_sentence_features([c for _, cands, _ in lone_dev for c in cands], sentence_model)
    rows, y, w, row_doc = [], [], [], []
    for d, cands in train_dc:
        for c, lab in zip(cands, label_candidates(d.get("events", []), [c.event for c in cands]), strict=True):
            if lab is not None:
                rows.append(c.features)
                y.append(lab)
                w.append(1.0)
                row_doc.append(d["doc_id"])
    n_gold = len(rows)
    for d, cands, labels in weak:
        for c, lab in zip(cands, labels, strict=True):
            rows.append(c.features)
            y.append(lab)
            w.append(-1.0)  # placeholder: the weak weight is chosen below
            row_doc.append(d["doc_id"])
    for d, cands, labels in lone:
        for c, lab in zip(cands, labels, strict=True):
            rows.append(c.features)
            y.append(lab)
            w.append(-2.0)  # placeholder: the lone-sentence weight is chosen below
            row_doc.append(d["doc_id"])
    names = sorted({k for r in rows for k in r if k != "bias"})
    x = feature_matrix(rows, names)
    y_arr = np.array(y)
    log(f"event model: {n_gold} gold train candidates ({int(y_arr[:n_gold].sum())} correct), "
        f"{len(rows) - n_gold} weak; {len(names)} features")
    best_ev = None
    w_arr = np.array(w)
    dev_cands = [c for _, cands in dev_dc for c in cands] + [c for _, cands, _ in lone_dev for c in cands]
    for weak_w in WEAK_WEIGHTS:
        for lone_w in LONE_WEIGHTS:
            sw = np.where(w_arr > 0, 1.0, np.where(w_arr == -1.0, weak_w, lone_w))
            use = sw > 0
            for c in EVENT_C:
                clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(x[use], y_arr[use],
                                                                                   sample_weight=sw[use])
                weights = dict(zip(names, clf.coef_[0].tolist(), strict=True))
                intercept = float(clf.intercept_[0])
                set_scores(dev_cands, weights, intercept)
                grid = np.arange(0.05, 0.95, 0.025)
                art = None  # the articles' threshold: best F1 at the recall floor
                for t in grid:
                    sc = score_articles(dev_dc, float(t))
                    if art is None or (sc.recall >= RECALL_FLOOR, sc.f1) > (art[1].recall >= RECALL_FLOOR, art[1].f1 + 1e-9):
                        art = (float(t), sc)
                short = max((sentence_level(s_dev, lone_dev, float(t)), -float(t)) for t in grid)
                key = (art[1].recall >= RECALL_FLOOR, art[1].f1 + short[0])
                if best_ev is None or key > (best_ev[5].recall >= RECALL_FLOOR, best_ev[0] + best_ev[8] + 1e-9):
                    best_ev = (art[1].f1, c, art[0], weights, intercept, art[1], weak_w, lone_w, short[0], -short[1])
                log(f"  event model weak weight {weak_w} lone weight {lone_w} C={c}: best so far dev F1 "
                    f"{best_ev[0]:.3f} + sentence F1 {best_ev[8]:.3f} (C={best_ev[1]}, thresholds {best_ev[2]:.3f} / "
                    f"{best_ev[9]:.3f}, "
                    f"weak weight {best_ev[6]}, lone weight {best_ev[7]})")
    f1, event_c, threshold, weights, intercept, sc, weak_weight, lone_weight, sent_f1, threshold_short = best_ev
    # calibration data: the chosen model's out-of-fold probabilities of the train candidates (5
    # folds by document, as for the sentence features) and its probabilities of the dev candidates
    sw = np.where(w_arr > 0, 1.0, np.where(w_arr == -1.0, weak_weight, lone_weight))
    fold = np.array([fold_of[doc] for doc in row_doc])
    oof = np.full(len(y_arr), np.nan)
    for k in range(folds):
        fit_rows = (sw > 0) & (fold != k)
        clf = LogisticRegression(C=event_c, max_iter=5000, random_state=SEED).fit(
            x[fit_rows], y_arr[fit_rows], sample_weight=sw[fit_rows])
        oof[fold == k] = clf.predict_proba(x[fold == k])[:, 1]
    points = calibration_points(dev_dc, lone_dev, weights, intercept)
    points["articles"] += [(float(oof[i]), int(y_arr[i])) for i in range(n_gold)]
    points["short_texts"] += [(float(oof[i]), int(y_arr[i])) for i in np.flatnonzero(w_arr == -2.0)]
    set_scores(dev_cands, {}, 0.0)
    rules_only = score_articles(dev_dc, 0.0)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "sentence_model.npz", coef=sentence_model.coef.astype(np.float16),
                        intercept=sentence_model.intercept)
    meta = {
        "about": "marsad event scorer, trained by scripts/train_scorer.py; figures are development figures (dev split)",
        "training_data_sha256": data_hash(),
        "seed": SEED,
        "threshold": round(threshold, 3),
        "threshold_rule": f"best dev F1 with dev recall >= {RECALL_FLOOR}",
        "threshold_short_text": round(threshold_short, 3),
        "threshold_short_text_rule": "best mean sentence-level F1 (violent events, demonstrations) of the dev "
                                     "sentences read alone; applies to texts of at most SHORT_TEXT_SENTENCES sentences",
        "sentence_model": {"classes": list(SENTENCE_CLASSES), "vectorizers": spec, "C": sent_c,
                           "train_sentences": len(tx), "dev_macro_f1": round(best[0], 4)},
        "event_model": {"C": event_c, "intercept": intercept, "weights": {k: round(v, 6) for k, v in weights.items()},
                        "train_candidates": n_gold, "train_correct": int(y_arr[:n_gold].sum()),
                        "weak_candidates": int((w_arr == -1.0).sum()), "weak_weight": weak_weight,
                        "lone_sentence_candidates": int((w_arr == -2.0).sum()), "lone_weight": lone_weight},
        "dev": {"articles": len(dev_docs), "with_scorer": sc.to_dict()["events"],
                "rules_only": rules_only.to_dict()["events"],
                "sentences_read_alone_mean_f1": round(sent_f1, 4)},
    }
    calibrate(meta, points)
    (OUT / "scorer.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"dev events, rules only: P {rules_only.precision:.3f} R {rules_only.recall:.3f} F1 {rules_only.f1:.3f}")
    log(f"dev events, scorer at {threshold:.3f}: P {sc.precision:.3f} R {sc.recall:.3f} F1 {sc.f1:.3f}")
    log(f"dev sentences read alone at {threshold_short:.3f}, mean F1 of violent events and demonstrations: {sent_f1:.3f}")
    log(f"wrote {OUT / 'scorer.json'} and sentence_model.npz")


if __name__ == "__main__":
    main()
