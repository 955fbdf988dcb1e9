"""The learned event scorer: the probability that a candidate event is one a coder would code.

Two models, trained by ``scripts/train_scorer.py`` (fixed seeds, scikit-learn) and shipped as
plain arrays in ``marsad/data/scorer/`` (no pickles, nothing downloaded):

- the sentence model: a logistic regression over hashed character n-grams of a normalised
  sentence, telling whether it reports a violent event, a demonstration, a strategic
  development or none;
- the event model: a logistic regression over the candidate's rule features
  (``features.candidate_features``) and what the sentence model says of its sentences. Its
  probability, recalibrated per kind of text (Platt scaling fitted on the out-of-fold train
  candidates and the development candidates: articles, short texts), is the event's
  ``confidence``. The default thresholds were chosen on the development split (see
  ``scorer.json``): one for articles (event F1 at a recall floor), one for short texts of a few
  sentences (sentence-level F1 of sentences read alone), where a reader weighs each sentence on
  its own.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..model import EVENT_TYPE_GROUP
from .features import Candidate

SENTENCE_CLASSES = ("none", "violent", "demonstration", "strategic")
MODEL_DIR = "scorer"


def type_group(event_type: str) -> str:
    return EVENT_TYPE_GROUP.get(event_type, "none")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def logistic(weights: dict[str, float], intercept: float, features: dict[str, float]) -> float:
    """The event model's probability for one candidate's features."""
    return _sigmoid(intercept + sum(weights.get(k, 0.0) * v for k, v in features.items()))


def platt(p: float, a: float, b: float) -> float:
    """``p`` recalibrated: sigmoid(a * logit(p) + b) (Platt scaling; a > 0 keeps the order)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return _sigmoid(a * math.log(p / (1 - p)) + b)


def make_vectorizers(spec: list[dict[str, Any]]) -> list:
    """The stateless hashing vectorizers named in the model's metadata."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return [HashingVectorizer(analyzer=s["analyzer"], ngram_range=tuple(s["ngram_range"]), n_features=s["n_features"],
                              alternate_sign=False, norm="l2", lowercase=False) for s in spec]


def vectorize(vectorizers: list, texts: list[str]):
    if len(vectorizers) == 1:
        return vectorizers[0].transform(texts)
    from scipy.sparse import hstack

    return hstack([v.transform(texts) for v in vectorizers]).tocsr()


class SentenceModel:
    def __init__(self, meta: dict[str, Any], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes: list[str] = meta["classes"]
        self.vectorizers = make_vectorizers(meta["vectorizers"])
        self.coef = coef.astype(np.float32)
        self._coef_t = np.ascontiguousarray(self.coef.T)  # sparse rows @ dense columns, without a copy per call
        self.intercept = intercept.astype(np.float32)

    def proba(self, texts: list[str]) -> np.ndarray:
        """Rows of class probabilities (columns in ``self.classes`` order)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        x = vectorize(self.vectorizers, texts)
        logits = np.asarray(x @ self._coef_t) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


def sentence_features(cand: Candidate, probs: dict[str, np.ndarray], classes: list[str]) -> dict[str, float]:
    """What the sentence model says of the candidate's sentences: the highest probability that one
    of them reports any event, and one of the candidate's own type group."""
    rows = [probs[s] for s in cand.sentences if s in probs]
    if not rows:
        return {"sent_event": 0.0, "sent_type": 0.0}
    none = classes.index("none")
    own = type_group(cand.event.event_type)
    k = classes.index(own) if own in classes else none
    return {"sent_event": float(max(1 - r[none] for r in rows)), "sent_type": float(max(r[k] for r in rows))}


class EventScorer:
    """Scores candidates; ``threshold`` is the default minimum confidence of an event of an
    article, ``threshold_short_text`` of an event of a short text (``features.is_short_text``)."""

    def __init__(self, meta: dict[str, Any], sentence_model: SentenceModel | None) -> None:
        self.weights: dict[str, float] = meta["event_model"]["weights"]
        self.intercept: float = meta["event_model"]["intercept"]
        self.threshold: float = meta["threshold"]
        self.threshold_short_text: float = meta.get("threshold_short_text", self.threshold)
        self.sentence_model = sentence_model
        # Platt scaling per kind of text (scripts/train_scorer.py step 4); thresholds are on its scale
        cal = meta.get("calibration") or {}
        self.calibration: dict[bool, tuple[float, float]] = {
            short: (cal[kind]["a"], cal[kind]["b"])
            for short, kind in ((False, "articles"), (True, "short_texts")) if kind in cal
        }

    def probability(self, raw: float, short_text: bool) -> float:
        """The event model's raw probability, calibrated for the kind of text."""
        ab = self.calibration.get(short_text)
        return platt(raw, *ab) if ab else raw

    def threshold_for(self, cand: Candidate) -> float:
        return self.threshold_short_text if cand.short_text else self.threshold

    def score(self, candidates: list[Candidate]) -> None:
        """Set ``score`` and ``event.confidence`` of every candidate, and its sentence features."""
        if not candidates:
            return
        texts = sorted({s for c in candidates for s in c.sentences})
        probs: dict[str, np.ndarray] = {}
        if self.sentence_model is not None and texts:
            for text, row in zip(texts, self.sentence_model.proba(texts), strict=True):
                probs[text] = row
        classes = self.sentence_model.classes if self.sentence_model is not None else list(SENTENCE_CLASSES)
        for c in candidates:
            c.features.update(sentence_features(c, probs, classes))
            c.score = self.probability(logistic(self.weights, self.intercept, c.features), c.short_text)
            c.event.confidence = round(c.score, 4)


def _read(name: str):
    return resources.files("marsad.data").joinpath(f"{MODEL_DIR}/{name}")


@cache
def get_scorer() -> EventScorer | None:
    """The shipped scorer, loaded once; None when the package holds no trained model."""
    meta_file = _read("scorer.json")
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    sentence = None
    arrays = _read("sentence_model.npz")
    if arrays.is_file():
        with arrays.open("rb") as fh, np.load(fh) as data:
            sentence = SentenceModel(meta["sentence_model"], data["coef"], data["intercept"])
    return EventScorer(meta, sentence)
