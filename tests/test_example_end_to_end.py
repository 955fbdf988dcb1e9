"""The bundled example report: the two required events of its reference coding, nothing else."""

from __future__ import annotations

import math

import pytest

from marsad.evaluate import Scores, score_document
from marsad.extract import extract
from marsad.model import Document


def km(lat1, lon1, lat2, lon2):
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin(
        (lon2 - lon1) * p / 2
    ) ** 2
    return 12742 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def events(example_text):
    return extract(Document(text=example_text, published="2022-11-01", source="18 March"))


def test_armed_clash_with_isis_in_daraa_al_balad(events, example_text):
    clashes = [e for e in events if e.sub_event_type == "Armed clash"]
    assert len(clashes) == 1
    e = clashes[0]
    assert e.event_date == "2022-11-01" and e.time_precision == 1
    assert e.disorder_type == "Political violence" and e.event_type == "Battles"
    names = {e.actor1, e.actor2}
    assert any("Islamic State" in n for n in names)
    assert any("Local" in n or "Opposition" in n or "Rebels" in n for n in names)
    assert "8th Brigade" in e.assoc_actor_1
    assert km(e.latitude, e.longitude, 32.6104, 36.0938) <= 1.0
    assert e.admin1 == "Dara" and e.geo_precision == 1
    assert e.fatalities == 0
    # every evidence span is the source text at its offsets
    for spans in e.evidence.values():
        for s in spans:
            assert example_text[s.start : s.end] == s.text


def test_civilians_held_as_human_shields(events):
    abductions = [e for e in events if e.sub_event_type == "Abduction/forced disappearance"]
    assert len(abductions) == 1
    e = abductions[0]
    assert e.event_type == "Violence against civilians"
    assert "Islamic State" in e.actor1
    assert e.actor2 == "Civilians (Syria)" and e.inter2 == "Civilians"
    assert e.civilian_targeting == "Civilians targeted"
    assert e.event_date == "2022-11-01"
    assert km(e.latitude, e.longitude, 32.6104, 36.0938) <= 1.0


def test_no_event_from_background_or_threats(events):
    # the background paragraph (assassinations "since the regime took Daraa") and the threats
    # ("توعدت بمحاسبة", "تم تهديد") give nothing: only the two required events and the optional one
    assert len(events) <= 3
    assert not [e for e in events if e.sub_event_type == "Attack"]
    assert all(e.event_date == "2022-11-01" for e in events)


def test_reference_scores_perfectly(events, example_expected):
    scores = Scores()
    score_document(example_expected["events"], events, scores)
    assert scores.tp == 2 and scores.fn == 0 and scores.fp == 0
    assert scores.field("sub_event_type").value == 1.0
    assert scores.field("location_1km").value == 1.0
