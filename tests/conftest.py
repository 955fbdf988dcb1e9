"""Shared fixtures. Tests that need ../shared say so and skip with the reason when it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLE_TXT = SHARED / "examples" / "daraa_al_balad_2022-11-01.ar.txt"
EXAMPLE_JSON = SHARED / "examples" / "daraa_al_balad_2022-11-01.expected.json"
CORPUS = SHARED / "data" / "corpus" / "baly2018" / "articles.jsonl"


@pytest.fixture(scope="session")
def example_text() -> str:
    if not EXAMPLE_TXT.exists():
        pytest.skip("needs ../shared/examples (the shared data beside the repo)")
    return EXAMPLE_TXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_expected() -> dict:
    if not EXAMPLE_JSON.exists():
        pytest.skip("needs ../shared/examples (the shared data beside the repo)")
    return json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def corpus_sample() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip("needs ../shared/data/corpus (the shared data beside the repo)")
    out = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if len(out) >= 200:
                break
    return out
