"""Scoring extraction against reference codings (DESIGN.md, "How extraction is scored").

Gold file: one document per line in the shape of ``examples/*.expected.json`` plus "text".
Per document, predictions are matched one-to-one to reference events: a pair may match only if
the dates are within 2 days (when the reference has one) and the points within 50 km (or,
without coordinates, admin1 agrees); the best pairs are taken first (same event type, same
sub-event type, then nearest in space and time). Optional reference events neither reward nor
penalise.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .geo.distance import haversine_km as _km
from .model import EVENT_TYPE_GROUP, Event

DATE_WINDOW_DAYS = 2
MATCH_KM = 50.0


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (s or "").lower())


def _date(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(s)[:10]) if s else None
    except ValueError:
        return None


def _distance(ref: dict, pred: Event) -> float | None:
    if ref.get("latitude") is None or ref.get("longitude") is None or pred.latitude is None:
        return None
    return _km(float(ref["latitude"]), float(ref["longitude"]), pred.latitude, pred.longitude)


def can_match(ref: dict, pred: Event) -> bool:
    rd, pd = _date(ref.get("event_date")), _date(pred.event_date)
    if rd is not None and (pd is None or abs((rd - pd).days) > DATE_WINDOW_DAYS):
        return False
    dist = _distance(ref, pred)
    if dist is not None:
        return dist <= MATCH_KM
    if ref.get("latitude") is not None and pred.latitude is None:
        return False
    return _norm(ref.get("admin1_en")) == _norm(pred.admin1)


def _pair_cost(ref: dict, pred: Event) -> tuple:
    dist = _distance(ref, pred)
    rd, pd = _date(ref.get("event_date")), _date(pred.event_date)
    days = abs((rd - pd).days) if rd and pd else 0
    return (
        ref.get("event_type") != pred.event_type,
        ref.get("sub_event_type") != pred.sub_event_type,
        dist if dist is not None else 0.0,
        days,
    )


def match_events(refs: list[dict], preds: list[Event],
                 candidates: Iterable[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best pairs first. ``candidates``: the (ref, pred) index pairs
    worth trying (e.g. those close in time, for large sets); by default every pair. Pairs left out
    must be ones ``can_match`` refuses, or the matching differs from trying every pair."""
    if candidates is None:
        candidates = ((i, j) for i in range(len(refs)) for j in range(len(preds)))
    pairs = [
        (_pair_cost(refs[i], preds[j]), i, j)
        for i, j in candidates
        if can_match(refs[i], preds[j])
    ]
    pairs.sort()
    used_r: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i in used_r or j in used_p:
            continue
        used_r.add(i)
        used_p.add(j)
        out.append((i, j))
    return out


def actor_key(name: str | None) -> str:
    """A normalised actor name whose period keeps only its first year: the CODEBOOK's "Military
    Forces of Syria (2000-2024)" is the "(2000-)" of ACLED's older releases; "(2024-)" is another actor."""
    from .kb import PERIOD

    return _norm(PERIOD.sub(lambda m: f" ({m.group(1)})", name or "", count=1))


def _actor_names(actor: dict | None) -> set[str]:
    if not actor:
        return set()
    return {actor_key(actor.get("name_en"))} | {actor_key(a) for a in actor.get("aliases_en", [])}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of counts (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += bool(ok)

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass
class Scores:
    documents: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    optional_matched: int = 0
    fields: dict[str, Tally] = field(default_factory=dict)
    actor_recall: Tally = field(default_factory=Tally)
    actor_precision: Tally = field(default_factory=Tally)
    errors: list[str] = field(default_factory=list)

    def field(self, name: str) -> Tally:
        return self.fields.setdefault(name, Tally())

    @property
    def precision(self) -> float:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return prf(self.tp, self.fp, self.fn)[2]

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "events": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                       "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                       "optional_matched": self.optional_matched},
            "matched_fields": {
                k: {"accuracy": None if t.value is None else round(t.value, 4), "n": t.total}
                for k, t in self.fields.items()
            },
            "actors": {
                "recall": None if self.actor_recall.value is None else round(self.actor_recall.value, 4),
                "precision": None if self.actor_precision.value is None else round(self.actor_precision.value, 4),
                "n_reference": self.actor_recall.total, "n_predicted": self.actor_precision.total,
            },
            "errors": self.errors,
        }


def score_document(refs: list[dict], preds: list[Event], scores: Scores) -> None:
    scores.documents += 1
    pairs = match_events(refs, preds)
    matched_refs = {i for i, _ in pairs}
    matched_preds = {j for _, j in pairs}
    scores.fn += sum(1 for i, r in enumerate(refs) if i not in matched_refs and not r.get("optional"))
    scores.fp += sum(1 for j in range(len(preds)) if j not in matched_preds)
    for i, j in pairs:
        ref, pred = refs[i], preds[j]
        if ref.get("optional"):
            scores.optional_matched += 1
            continue
        scores.tp += 1
        scores.field("event_type").add(ref.get("event_type") == pred.event_type)
        scores.field("sub_event_type").add(ref.get("sub_event_type") == pred.sub_event_type)
        scores.field("event_date").add(str(ref.get("event_date")) == pred.event_date)
        dist = _distance(ref, pred)
        if ref.get("latitude") is not None:
            scores.field("location_5km").add(dist is not None and dist <= 5)
            scores.field("location_1km").add(dist is not None and dist <= 1)
        scores.field("admin1").add(_norm(ref.get("admin1_en")) == _norm(pred.admin1))
        if ref.get("admin2_en"):
            scores.field("admin2").add(_norm(ref.get("admin2_en")) == _norm(pred.admin2))
        scores.field("fatalities").add(int(ref.get("fatalities") or 0) == int(pred.fatalities or 0))
        predicted = {actor_key(pred.actor1), actor_key(pred.actor2)} - {""}
        reference = [a for a in (ref.get("actor1"), ref.get("actor2")) if a]
        for actor in reference:
            scores.actor_recall.add(bool(_actor_names(actor) & predicted))
        ref_names = set().union(*(_actor_names(a) for a in reference)) if reference else set()
        for name in predicted:
            scores.actor_precision.add(name in ref_names)


def load_gold(path: str | Path) -> list[dict]:
    docs = []
    for n, line in enumerate(open(path, encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: invalid JSON ({exc.msg})") from None
        if "text" not in doc or "events" not in doc:
            raise ValueError(f"{path}:{n}: a gold document needs \"text\" and \"events\"")
        docs.append(doc)
    return docs


def evaluate(gold: Iterable[dict], extract_fn: Callable[[dict], list[Event]]) -> Scores:
    scores = Scores()
    for doc in gold:
        try:
            preds = extract_fn(doc)
        except Exception as exc:  # a failing document is scored as predicting nothing
            scores.errors.append(f"{doc.get('doc_id')}: {exc}")
            preds = []
        score_document(doc.get("events", []), preds, scores)
    return scores


def format_scores(scores: Scores) -> str:
    d = scores.to_dict()
    e = d["events"]
    lines = [
        f"documents: {d['documents']}",
        f"events: precision {e['precision']:.3f}  recall {e['recall']:.3f}  F1 {e['f1']:.3f}  "
        f"(tp {e['tp']}, fp {e['fp']}, fn {e['fn']}, optional matched {e['optional_matched']})",
        "on matched events:",
    ]
    for name, t in d["matched_fields"].items():
        acc = "n/a" if t["accuracy"] is None else f"{t['accuracy']:.3f}"
        lines.append(f"  {name:<16} accuracy {acc}  (n={t['n']})")
    a = d["actors"]
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    lines.append(f"  {'actors':<16} recall {fmt(a['recall'])}  precision {fmt(a['precision'])}  "
                 f"(reference {a['n_reference']}, predicted {a['n_predicted']})")
    if d["errors"]:
        lines.append(f"errors: {len(d['errors'])} document(s) failed: " + "; ".join(d["errors"][:5]))
    return "\n".join(lines)


# -- the event scorer: candidates, calibration and sentence-level figures -------------------------

def label_candidates(refs: list[dict], events: list[Event]) -> list[int | None]:
    """1 for a candidate that matches a required reference event, 0 for one that matches none,
    None for one that matches an optional event (neither right nor wrong)."""
    labels: list[int | None] = [0] * len(events)
    for i, j in match_events(refs, events):
        labels[j] = None if refs[i].get("optional") else 1
    return labels


def reliability(scored: list[tuple[float, int]], bins: int = 10) -> dict:
    """Reliability table (mean confidence against share correct, per tenth) and Brier score."""
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in scored if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if inside:
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(inside),
                         "mean_confidence": round(sum(p for p, _ in inside) / len(inside), 3),
                         "share_correct": round(sum(y for _, y in inside) / len(inside), 3)})
    brier = sum((p - y) ** 2 for p, y in scored) / len(scored) if scored else None
    return {"n": len(scored), "brier": None if brier is None else round(brier, 4), "table": rows}


def format_reliability(rel: dict) -> str:
    lines = [f"calibration: {rel['n']} candidate events, Brier score {rel['brier']}",
             "  confidence   n     mean conf.  share correct"]
    for r in rel["table"]:
        lines.append(f"  {r['bin']:<11} {r['n']:<5} {r['mean_confidence']:<11.3f} {r['share_correct']:.3f}")
    return "\n".join(lines)


#: Sentence labels (eval/gold/PROTOCOL.md) -> the class a sentence-level check scores.
SENTENCE_GROUPS = {**EVENT_TYPE_GROUP, "none": "none"}


def score_sentences(records: Iterable[dict], predict: Callable[[dict], set[str]]) -> dict:
    """P/R/F1 per sentence class: ``predict`` gives the classes of the events extracted from a
    sentence (violent, demonstration, strategic)."""
    counts = {g: {"tp": 0, "fp": 0, "fn": 0} for g in ("violent", "demonstration", "strategic")}
    n = 0
    for rec in records:
        n += 1
        gold = SENTENCE_GROUPS.get(rec.get("label") or "none", "none")
        pred = predict(rec)
        for g, c in counts.items():
            if g in pred and g == gold:
                c["tp"] += 1
            elif g in pred:
                c["fp"] += 1
            elif g == gold:
                c["fn"] += 1
    out: dict = {"sentences": n}
    for g, c in counts.items():
        p, r, f1 = prf(c["tp"], c["fp"], c["fn"])
        out[g] = {**c, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}
    return out


def format_sentence_scores(s: dict) -> str:
    lines = [f"sentences: {s['sentences']}"]
    for g in ("violent", "demonstration", "strategic"):
        c = s[g]
        lines.append(f"  {g:<14} precision {c['precision']:.3f}  recall {c['recall']:.3f}  F1 {c['f1']:.3f}  "
                     f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    return "\n".join(lines)
