"""Geocoding: admin spellings, city districts, cue words, context and precision."""

import pytest

from marsad.extract import extract
from marsad.geo.geocoder import geocode, resolve_places
from marsad.kb import get_kb
from marsad.model import Document
from marsad.nlp.pipeline import analyse


def places(text):
    return [(m.text, m.place and m.place["id"], m.geo_precision) for m in resolve_places(analyse(text))]


def test_admin_names_in_acled_spelling():
    kb = get_kb()
    admin1 = {p["admin1"] for p in kb.places if p["admin1"]}
    assert admin1 == {"Aleppo", "Al Hasakeh", "Ar Raqqa", "As Sweida", "Dara", "Damascus", "Deir ez Zor", "Hama",
                      "Homs", "Idleb", "Lattakia", "Quneitra", "Rural Damascus", "Tartous"}


def test_city_district_label():
    p = next(p for p in get_kb().places if p["pcode"] == "C6317")
    assert p["location"] == "Dar'a - Dar'a al Balad"


def test_proclitic_place_and_cue():
    found = places("قصفت قوات النظام بلدة الحراك وبدرعا البلد")
    ids = {i for _, i, _ in found}
    assert "C6317" in ids


def test_region_mention_is_precision_3_at_the_capital():
    m = [m for m in resolve_places(analyse("غارات على ريف إدلب الجنوبي")) if m.place][0]
    assert m.geo_precision == 3 and m.point["pcode"] == "C3871"  # Idleb city


def test_near_cue_gives_precision_2():
    m = [m for m in resolve_places(analyse("اشتباكات قرب بلدة جاسم في ريف درعا")) if m.text == "جاسم"][0]
    assert m.geo_precision == 2


def test_ordinary_word_needs_a_cue():
    # "جديدة" (new) is a village name too; without a cue it is not a place
    assert all(i is None for t, i, _ in places("وقالت مصادر جديدة إن الوضع هادئ") if t == "جديدة")


def test_admin_context_disambiguates_repeated_names():
    # المشيرفة names 12 communities; the sentence names Raqqa countryside
    hits = geocode("المشيرفة", context="قصف مدفعي على قرية المشيرفة في ريف الرقة الشمالي")
    chosen = [h for h in hits if h["chosen"]]
    assert chosen and chosen[0]["admin1"] == "Ar Raqqa"


@pytest.mark.parametrize("text", ["انفجار عبوة ناسفة في مدينة الرياض اليوم أدى إلى مقتل شخصين."])
def test_event_outside_syria_is_kept_with_a_reason(text):
    events = extract(Document(text=text, published="2022-11-01"))
    assert events, "the event is still emitted"
    e = events[0]
    assert e.location == "" and e.latitude is None
    assert "location" in e.reasons
