"""The NER model in extraction (marsad.extract.ner_link): unknown groups, persons, places."""

from __future__ import annotations

import pytest

from marsad.extract import extract
from marsad.extract.frames import FrameBuilder
from marsad.extract.ner_link import apply, group_head, ner_enabled, romanise
from marsad.geo.geocoder import resolve_places
from marsad.kb import get_kb
from marsad.model import Document
from marsad.nlp.normalize import normalize
from marsad.nlp.pipeline import analyse

PUB = "2023-05-06"


def _events(text: str, ner: bool | None = True):
    return extract(Document(text=text, published=PUB), ner=ner)


@pytest.mark.parametrize(("arabic", "english"), [
    ("أنصار الفرقان", "Ansar al-Furqan"),
    ("لواء شهداء اليرموك", "Liwa Shuhada al-Yarmouk"),
    ("فيلق الرحمن", "Faylaq al-Rahman"),
    ("لجيش الإسلام", "Jaysh al-Islam"),  # a glued proclitic is dropped
    ("اللواء الثامن", "Liwa al-Thamin"),  # the head word loses its article
    ("غرفة عمليات الفتح", "Al-Fath Operations Room"),  # English head words follow the name
    ("ميليشيا الدفاع الوطني", "Al-Difa al-Watani Militia"),
])
def test_romanise_curated_words(arabic, english):
    assert romanise(arabic) == english


def test_romanise_unknown_words_are_latin():
    name = romanise("كتيبة الصناديد")
    assert name.startswith("Katibat al-")
    assert name.isascii() and len(name) > len("Katibat al-")


def test_group_head_words():
    assert group_head([normalize("لواء"), normalize("أسود"), normalize("الجبل")]) == ("Liwa", "Rebel group")
    assert group_head([normalize("غرفة"), normalize("عمليات"), normalize("الفتح")])[1] == "Rebel group"
    assert group_head([normalize("وزارة"), normalize("الدفاع")]) is None


def test_unknown_group_becomes_an_actor_with_evidence_and_reason():
    text = "اندلعت اشتباكات عنيفة يوم الخميس بين لواء أسود الجبل وقوات النظام في بلدة طفس بريف درعا الغربي."
    (ev,) = _events(text)
    assert ev.sub_event_type == "Armed clash"
    assert ev.actor1 == "Liwa Usud al-Jabal"
    assert ev.inter1 == "Rebel group"
    assert ev.actor2.startswith("Military Forces of Syria")
    assert [e.text for e in ev.evidence["actor1"]] == ["لواء أسود الجبل"]
    assert "not in the knowledge base" in ev.reasons["actor1"]
    assert ev.location == "Tafas"


def test_switched_off_the_group_is_not_found():
    text = "اندلعت اشتباكات عنيفة يوم الخميس بين لواء أسود الجبل وقوات النظام في بلدة طفس بريف درعا الغربي."
    actors = {a for ev in _events(text, ner=False) for a in (ev.actor1, ev.actor2)}
    assert "Liwa Usud al-Jabal" not in actors


def test_environment_switch(monkeypatch):
    monkeypatch.setenv("MARSAD_NER", "0")
    assert ner_enabled() is False
    assert ner_enabled(True) is True
    monkeypatch.setenv("MARSAD_NER", "1")
    assert ner_enabled() is True


@pytest.mark.parametrize("text", [
    "قصفت قوات خاصة يوم الخميس بلدة طفس.",  # "special forces": generic
    "هاجم جيش الفلبين يوم الخميس بلدة طفس.",  # a foreign state's army
    "قتل اللواء محمد خضور في قصف على بلدة طفس يوم الخميس.",  # a general's rank, not a brigade
    "اندلعت اشتباكات يوم الخميس بين كتيبة الصواريخ وقوات النظام قرب بلدة طفس.",  # an army unit by its arm
    "اندلعت اشتباكات يوم الخميس بين كتيبة تل عجار وعناصر مجهولين قرب بلدة طفس.",  # an army position
])
def test_descriptions_are_not_new_groups(text):
    for ev in _events(text):
        for field in ("actor1", "actor2"):
            assert "not in the knowledge base" not in ev.reasons.get(field, ""), (field, getattr(ev, field))


def test_person_of_a_group_is_linked_as_evidence():
    text = ("اندلعت اشتباكات يوم الخميس بين مجموعة القيادي أبو علي المحاميد التابع لجيش الثورة "
            "وقوات النظام في بلدة طفس.")
    (ev,) = _events(text)
    assert ev.actor1 == "Jaysh al-Thawra"
    texts = [e.text for e in ev.evidence["actor1"]]
    assert "جيش الثورة" in texts and "أبو علي" in texts
    # the evidence spans index the original text
    for e in ev.evidence["actor1"]:
        assert text[e.start : e.end] == e.text


def test_place_inside_a_known_group_name_is_not_the_event_place():
    text = "اندلعت اشتباكات يوم الخميس بين لواء شهداء اليرموك وقوات النظام قرب بلدة طفس."
    doc = analyse(text, PUB)
    assert "اليرموك" in {s.text for s in doc.spans["places"]}  # the gazetteer knows the Yarmouk camp
    assert "اليرموك" not in {m.text for m in resolve_places(doc)}
    (ev,) = _events(text, ner=False)
    assert ev.location == "Tafas"


def test_place_inside_a_new_group_name_is_dropped():
    text = "اندلعت اشتباكات يوم الخميس بين كتيبة أحرار طفس وقوات النظام قرب بلدة داعل."
    doc = analyse(text, PUB)
    assert "طفس" in {s.text for s in doc.spans["places"]}
    apply(doc)
    assert [a.actor.name_en for a in doc.user_data["marsad_ner_actors"]][0].startswith("Katibat Ahrar ")
    assert {s.text for s in doc.spans["places"]} == {"داعل"}


def test_frames_see_the_ner_actor_only_when_switched_on():
    text = "اندلعت اشتباكات يوم الخميس بين كتيبة شهداء الحق وقوات النظام في بلدة طفس."
    import datetime as dt

    pub = dt.date.fromisoformat(PUB)
    on = FrameBuilder(analyse(text, pub), get_kb(), pub, ner=True)
    off = FrameBuilder(analyse(text, pub), get_kb(), pub, ner=False)
    assert any(a.actor.name_en == "Katibat Shuhada al-Haqq" for a in on.actors)
    assert not any(a.actor.actor_id.startswith("ner:") for a in off.actors)


def test_cue_words_tagged_as_places_are_not_unknown_places():
    from marsad.extract.ner_link import _is_name

    assert not _is_name([normalize("بمدينة")])
    assert not _is_name(["ب", normalize("مدينة")])
    assert not _is_name([normalize("الريف")])
    assert _is_name([normalize("والشيفونية")])
    # "في حي طريق السد بمدينة درعا" is one place, not a list of two
    text = "قتل اليوم الشاب أحمد خالد برصاص مسلحين مجهولين في حي طريق السد بمدينة درعا."
    assert len(_events(text)) == 1


# A village the text calls a town, under a spelling the gazetteer lacks ("حمورية" for "حمورة",
# "كفروما" for "كفرومة"): read as that village when it lies where the document's places are.
HAMOURIYAH = ("قالت مصادر في الغوطة الشرقية بريف دمشق إن ما لا يقل عن 17 شخصا لاقوا حتفهم في بلدة حمورية "
              "في ضربة جوية على سوق ومنطقة سكنية قريبة.")
KAFRUMA = ("كما سيطرت \" النصرة \" على حاجز في مدخل بلدة كفروما الغربي جنوب إدلب , "
           "مع استمرار الاشتباكات بين الجماعتين.")


@pytest.mark.parametrize(("text", "name", "place"), [
    (HAMOURIYAH, "حمورية", "Hammura"),
    (KAFRUMA, "كفروما", "Kafruma"),
])
def test_another_spelling_of_a_village_is_that_village(text, name, place):
    doc = analyse(text, PUB)
    apply(doc)
    found = [m for m in resolve_places(doc) if m.text == name]
    assert found and found[0].place is not None and found[0].place["name_en"] == place
    assert "another spelling" in found[0].reason


def test_a_spelling_variant_needs_a_town_word_and_the_documents_region():
    from marsad.extract.ner_link import place_candidates

    # "ترمب" is close in spelling to the village "ترومبة", but nothing calls it a town
    assert place_candidates("ترمب") == ([], "")
    assert place_candidates("حمورية", settlement=True)[1] == "spelling variant"
    # a document that names only Aleppo puts no village "حمورة" (Rural Damascus) in it
    doc = analyse("قتل 3 مدنيين في قصف على بلدة حمورية قرب مدينة حلب.", PUB)
    apply(doc)
    found = [m for m in resolve_places(doc) if m.text == "حمورية"]
    assert not found or found[0].place is None
