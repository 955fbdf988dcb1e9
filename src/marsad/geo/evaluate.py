"""Score the geocoder on hand-resolved place mentions in real articles.

Gold format (``eval/gold/geocode_dev.jsonl``), one article per line::

    {"doc_id", "published"?, "text", "mentions": [{"id", "start", "end", "mention", "context",
      "expected_pcode"?, "expected_lat"?, "expected_lon"?, "expected_name_en"?, "kind", "note"}]}

``kind`` is community, neighbourhood, admin1/2/3, region, landmark, foreign or not_a_place.
Each gold mention is looked up among the geocoder's resolutions of the whole article (so the
document's context counts, as in extraction) by character overlap. A mention is right when:
- foreign / not_a_place: no Syrian place is resolved there;
- otherwise: the resolved entry (or the point it is coded to) has the expected P-code, is the
  capital of the expected admin area (where ACLED codes a region-only mention), or lies within
  2 km of the expected coordinates.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .distance import haversine_km
from .geocoder import PlaceMention, gazetteer_index, resolve_places

NOT_SYRIAN = ("foreign", "not_a_place")
TOLERANCE_KM = 2.0


@dataclass
class PlaceScores:
    total: Counter = field(default_factory=Counter)
    correct: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        n = sum(self.total.values())
        return sum(self.correct.values()) / n if n else 0.0

    def to_dict(self) -> dict:
        return {
            "mentions": sum(self.total.values()),
            "accuracy": round(self.accuracy, 4),
            "by_kind": {k: {"n": n, "accuracy": round(self.correct[k] / n, 4)} for k, n in sorted(self.total.items())},
            "errors": self.errors,
        }


def load_place_gold(path: str | Path) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                doc = json.loads(line)
                if "text" not in doc or "mentions" not in doc:
                    raise ValueError(f"{path}:{n}: a line needs 'text' and 'mentions'")
                docs.append(doc)
    return docs


def _judge(gold: dict, found: PlaceMention | None) -> tuple[bool, str]:
    if gold["kind"] in NOT_SYRIAN:
        ok = found is None or found.place is None
        return ok, "not resolved" if ok else f"resolved to {found.place['id']} {found.place['name_en']}"
    if found is None:
        return False, "no place mention found there"
    if found.place is None:
        return False, f"left unresolved: {found.reason}"
    entries = [found.place, found.point]
    want = gold.get("expected_pcode")
    if want and any(e["pcode"] == want or e["id"] == want for e in entries):
        return True, f"P-code {want}"
    # an admin area is coded at its capital, as ACLED does: the capital is as good as the area
    area = gazetteer_index().get(want or "")
    if area is not None and area.get("capital_id") and found.point["id"] == area["capital_id"]:
        return True, f"capital of {want}"
    lat, lon = gold.get("expected_lat"), gold.get("expected_lon")
    if lat is not None and lon is not None:
        dist = min(haversine_km(lat, lon, e["lat"], e["lon"]) for e in entries)
        if dist <= TOLERANCE_KM:
            return True, f"{dist:.1f} km"
        return False, f"resolved to {found.point['id']} {found.point['location']} ({found.point['admin1']}), {dist:.0f} km away"
    return False, f"resolved to {found.point['id']} but the gold has no P-code or point"


def evaluate_places(docs: Iterable[dict]) -> PlaceScores:
    from ..nlp.pipeline import analyse

    scores = PlaceScores()
    for doc in docs:
        resolved = resolve_places(analyse(doc["text"], doc.get("published")))
        for gold in doc["mentions"]:
            start, end = gold["start"], gold["end"]
            overlapping = [m for m in resolved if m.start_char < end and start < m.end_char]
            # the longest overlapping mention that reaches a place, else any overlapping one
            overlapping.sort(key=lambda m: (m.place is None, -(m.end_char - m.start_char)))
            found = overlapping[0] if overlapping else None
            ok, why = _judge(gold, found)
            kind = gold["kind"]
            scores.total[kind] += 1
            scores.correct[kind] += ok
            if not ok:
                scores.errors.append({"id": gold.get("id"), "doc_id": doc.get("doc_id"), "mention": gold["mention"],
                                      "kind": kind, "expected": gold.get("expected_pcode") or gold.get("expected_name_en"),
                                      "why": why})
    return scores


def format_place_scores(scores: PlaceScores, show_errors: bool = False) -> str:
    d = scores.to_dict()
    lines = [f"place mentions: {d['mentions']}  accuracy {d['accuracy']:.3f}"]
    for kind, v in d["by_kind"].items():
        lines.append(f"  {kind:<14} accuracy {v['accuracy']:.3f}  (n={v['n']})")
    if show_errors:
        for e in scores.errors:
            lines.append(f"  x {e['id']} {e['doc_id']} '{e['mention']}' [{e['kind']}] expected {e['expected']}: {e['why']}")
    return "\n".join(lines)
