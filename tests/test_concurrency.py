"""Pipelines built at the same time, or one after another, extract the same events (issue 14)."""

from __future__ import annotations

import threading

from marsad.extract import extract
from marsad.model import Document
from marsad.nlp import pipeline


def _spans(nlp, text: str) -> dict[str, list[tuple[int, int, tuple]]]:
    doc = nlp.make_doc(text)
    doc.user_data["marsad_text"] = text
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return {g: [(s.start, s.end, tuple(s._.kb_ids)) for s in doc.spans[g]] for g in pipeline.LEXICON_GROUPS}


def test_a_second_pipeline_matches_what_the_first_matches(example_text):
    first = pipeline.build_pipeline()
    second = pipeline.build_pipeline()
    a, b = _spans(first, example_text), _spans(second, example_text)
    assert all(a[g] for g in pipeline.LEXICON_GROUPS), "the example names places, actors, triggers and cues"
    assert a == b
    # and the first still answers as before, once the second exists
    assert _spans(first, example_text) == a


def test_concurrent_first_requests_build_one_pipeline_and_agree(example_text, monkeypatch):
    doc_args = {"text": example_text, "published": "2022-11-01"}
    expected = [e.to_dict() for e in extract(Document(**doc_args))]
    assert expected
    builds = []
    real_build = pipeline.build_pipeline

    def counting_build(*args, **kwargs):
        builds.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_pipeline", counting_build)
    monkeypatch.setattr(pipeline, "_PIPELINE", None)  # a server that has just started
    results: list = [None] * 6
    start = threading.Barrier(len(results))

    def work(k: int) -> None:
        start.wait()
        results[k] = [e.to_dict() for e in extract(Document(**doc_args))]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1
    assert all(r == expected for r in results)


def test_ner_places_do_not_leak_between_documents():
    """The NER linker's place labels live with their document, not in a table every later
    document shares (which grew without bound on a server)."""
    text = "قصفت قوات النظام بلدة كفرنبل بريف إدلب الجنوبي اليوم، ما أدى إلى مقتل مدنيين."
    first = extract(Document(text=text, published="2019-05-02"))
    again = extract(Document(text=text, published="2019-05-02"))
    assert [e.to_dict() for e in first] == [e.to_dict() for e in again]
    assert not hasattr(pipeline, "LEXICON_IDS")
