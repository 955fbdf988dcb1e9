"""Extraction work grows in proportion to the text (issue 14): counted, never timed.

The speed itself is measured by ``benchmarks/bench_long.py --repeat``."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.extract import coding, extract
from marsad.model import Document, Event, Evidence

SENTENCE = "قتل ثلاثة مدنيين بقصف مدفعي لقوات النظام على بلدة كفرنبل في ريف إدلب الجنوبي يوم الخميس. "


def test_grouping_reads_each_frame_a_bounded_number_of_times(monkeypatch):
    """Grouping once recomputed the actors of every frame of a group for each new frame."""
    calls = []
    real = coding._pair

    def counting(frame):
        calls.append(1)
        return real(frame)

    monkeypatch.setattr(coding, "_pair", counting)
    events = extract(Document(text=SENTENCE * 300, published="2019-05-02"), min_confidence=0)
    assert len(events) == 1, "one incident repeated is one event"
    frames = len(events[0].evidence["notes"])
    assert frames >= 300
    assert len(calls) <= 4 * frames, f"{len(calls)} reads of frames' actors for {frames} frames"


@dataclass(frozen=True)
class CountingEvidence(Evidence):
    def __eq__(self, other: object) -> bool:
        COMPARISONS.append(1)
        return isinstance(other, Evidence) and (self.start, self.end, self.text) == (other.start, other.end, other.text)

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.text))


COMPARISONS: list[int] = []


def test_adding_evidence_does_not_compare_with_every_span_held():
    ev = Event()
    COMPARISONS.clear()
    n = 3000
    for i in range(n):
        ev.add_evidence("notes", CountingEvidence(i, i + 1, "x"))
    for i in range(n):  # the same spans again add nothing
        ev.add_evidence("notes", CountingEvidence(i, i + 1, "x"))
    assert len(ev.evidence["notes"]) == n
    assert len(COMPARISONS) < 3 * n


def test_evidence_index_follows_a_replaced_list():
    ev = Event()
    a = Evidence(0, 1, "x")
    ev.add_evidence("notes", a)
    ev.evidence["notes"] = []  # callers may rebuild the lists
    ev.add_evidence("notes", a)
    assert ev.evidence["notes"] == [a]
