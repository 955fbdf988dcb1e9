"""The fields an analyst checks first (issue 13): publication dates found in the page, death tolls
by ACLED's rules, actor names of the event's period, ambiguous places, the caller's id.

Texts are real corpus pages and sentences (../shared/data/corpus/baly2018), shortened."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from marsad.extract import extract
from marsad.extract.tolls import LARGE_TOLL
from marsad.kb import get_kb
from marsad.model import Document
from marsad.nlp.pubdate import find_publication_date, url_date

TODAY = dt.date(2018, 2, 1)


# -- publication dates -----------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("http://www.alarabiya.net/ar/arab-and-world/syria/2017/05/17/slug", "2017-05-17"),
    ("http://www.youm7.com/story/2017/12/8/slug/3544", "2017-12-08"),
    ("http://www.france24.com/ar/20171227-slug", "2017-12-27"),
    ("http://mideast.liveuamap.com/ar/time/22.08.2017", "2017-08-22"),
    ("http://www.alquds.com/articles/1507264502", "2017-10-06"),  # a unix timestamp
    ("https://news2017.com/article/123456", None),  # the host is no date
    ("http://www.akhbarona.com/world/229281.html", None),
])
def test_url_dates(url, expected):
    got = url_date(url, TODAY)
    assert (got.isoformat() if got else None) == expected


def test_publication_stamp_wins_over_the_url():
    text = "رياض حجاب يلتقي وزير الخارجية تم نشره في الثلاثاء 21 تشرين الثاني / نوفمبر 2017 . قال المنسق العام ..."
    found, _ = find_publication_date(text, "https://example.com/2017/11/19/slug", TODAY)
    assert found.date == "2017-11-21" and found.source == "text"
    assert text[found.evidence.start:found.evidence.end] == found.evidence.text


def test_site_header_date_contradicted_by_today_in_the_text_is_set_aside():
    # youm7-style header: the site's date (when the page was saved), a Sunday; the report says
    # "اليوم الأربعاء" (a Wednesday): the header is not the publication date
    text = ("التحالف الدولي : لم يتبق سوى أقل من ألف مقاتل | مرآة سوريا الأحد , يناير 21 2018 / / "
            "قال التحالف الدولي لمحاربة تنظيم داعش اليوم الأربعاء إنه لم يتبق في العراق وسوريا سوى أقل من 1000 .")
    found, why = find_publication_date(text, None, TODAY)
    assert found is None
    assert "2018-01-21" in why and "Wednesday" in why


def test_update_and_today_stamps_are_not_publication_dates():
    text = "سوريا في الصحافة العالمية اخر تحديث 21 / 01 / 2018 \\ \\ اليوم : 9 ديسمبر , 2017 | ذي إنترسبت ..."
    found, why = find_publication_date(text, None, TODAY)
    assert found is None
    assert "updated" in why and "today" in why


def test_a_photo_captions_date_before_its_credit_is_not_the_publication_date():
    # Enab Baladi (January 2024, gold): an archive photo of 2023 heads a report of Sunday 14 January
    text = ("قصف تركي يقتل جنودًا للنظام السوري في القامشلي\n\n"
            "تشييع عنصرين من قوات النظام في الحسكة - 15 من كانون الثاني 2023 (الوطن)\n\n"
            "استهدف قصف تركي، الأحد 14 من كانون الثاني، لأول مرة مواقع للنظام السوري في مدينة القامشلي.")
    today = dt.date(2024, 2, 1)
    found, why = find_publication_date(text, None, today)
    assert found is None
    assert "2023-01-15 (caption)" in why
    # the same date with words after it on its line is no caption
    found, _ = find_publication_date(text.replace("2023 (الوطن)", "2023 (الوطن) قتل جنديان"), None, today)
    assert found is not None and found.date == "2023-01-15"


def test_earliest_timed_date_of_the_opening():
    # al-Ahram: the site's current date in the header, the article's stamp with its time after the title
    text = ("مئات يتظاهرون في إيران - بوابة الأهرام آخر الأخبار الأحد 21 يناير 2018 مئات يتظاهرون في إيران "
            "8 - 12 - 201714 : 39 القدس رويترز ذكر التليفزيون الإيراني")
    found, _ = find_publication_date(text, "http://gate.ahram.org.eg/News/1693075.aspx", TODAY)
    assert found.date == "2017-12-08"


def test_yearless_date_fixed_by_its_weekday():
    text = "داعش ينحر سبعة من أفراد عائلة ضابط عراقي GMT 10 : 22 2017 الأربعاء 6 سبتمبر مقتل سبعة"
    found, _ = find_publication_date(text, None, TODAY)
    assert found.date == "2017-09-06"


def test_listing_page_has_no_publication_date():
    text = "العريش | marsadpress . net - شبكة المرصد الإخبارية أنت هنا : أرشيف الوسم : 08 / 02 / 2017 التعليقات"
    found, why = find_publication_date(text, None, TODAY)
    assert found is None and "listing" in why


@pytest.mark.parametrize("text, expected", [
    # Al Jazeera (V-207#3): its Hijri stamp is two days off Umm al-Qura; the Gregorian day is kept
    ("2016 / 2 / 26 الساعة 06 : 43 ( مكة المكرمة ) 1437 / 5 / 19 ه - قتلى في غارات روسية", "2016-02-26"),
    # aliwaa.com.lb (R-13#2): 1439/05/05 is 2018-01-22 by Umm al-Qura, a day after the page's date
    ("بيروت - لبنان 2018 / 01 / 21 م 1439 / 05 / 05 ه - لبنان عربي دولي", "2018-01-21"),
    # Asharq al-Awsat: both calendars, same day
    ("كانوا تحت أعين الأمن السبت - 25 ذو الحجة 1438 ه - - 16 سبتمبر 2017 م - رقم العدد [ 14172 ]", "2017-09-16"),
])
def test_hijri_stamp_beside_a_gregorian_date(text, expected):
    found, _ = find_publication_date(text, None, TODAY)
    assert found.date == expected and "Hijri" not in found.reason


def test_hijri_half_of_a_set_aside_stamp_is_set_aside_with_it():
    # alayam.com (V-3#7): a masthead's date whose Hijri half disagrees (13 Jumada I 1439 is 2018-01-30);
    # the report says "today is a Wednesday", so the Sunday masthead is not the publication date
    text = ("صحيفة الأيام البحرينية العدد 10514 الأحد 21 يناير 2018 الموافق 13 جمادى الاول 1439 الكلمات الاكثر "
            "استخداما . . . في المباراة التي جمعت بين الفريقين مساء اليوم الأربعاء على صالة نادي الغرافة")
    found, why = find_publication_date(text, None, TODAY)
    assert found is None and "2018-01-21" in why


@pytest.mark.parametrize("text, expected, evidence", [
    # almoslim.net (R-26#4): only a Hijri date, no era marker
    ("أنت هنا 5 ربيع الثاني 1439 المسلم / وكالات قال قائد عسكري بفصائل", "2017-12-23", "5 ربيع الثاني 1439"),
    # gulf365.co (R-145#8): a weekday, a Hijri date and a time
    ("الخليج 365 أخبار عاجلة - الأحد 04 جمادى الأولى 1439 09 : 47 صباحا - الأحد", "2018-01-21",
     "الأحد 04 جمادى الأولى 1439"),
    # a numeric Hijri stamp (Y / M / D with the era marker, as Al Jazeera prints it)
    ("( مكة المكرمة ) 1439 / 3 / 20 ه - جمعة الغضب", "2017-12-08", "1439 / 3 / 20 ه"),
])
def test_page_with_only_a_hijri_date(text, expected, evidence):
    found, _ = find_publication_date(text, None, TODAY)
    assert found.date == expected and found.evidence.text == evidence
    assert "Hijri" in found.reason


def test_hijri_month_name_that_is_a_person_is_no_date():
    # R-383#2: "رمضان" is a spokesman's name, "1000" a count, not a Hijri year
    text = "فقد أكد أحمد رمضان المتحدث باسم الائتلاف السوري أن 1000 مقاتل"
    found, _ = find_publication_date(text, None, TODAY)
    assert found is None
    # an old Hijri date (a newspaper's founding, 1350 AH = 1931) is no publication date either
    found, _ = find_publication_date("أول جريدة سعودية تأسست في 27 ذو القعدة سنة 1350 هجري", None, TODAY)
    assert found is None


def test_extract_records_where_the_date_came_from():
    text = ("قتل خمسة مدنيين اليوم الأربعاء جراء غارات جوية على بلدة سراقب في ريف إدلب الشرقي .")
    doc = Document(text=text, url="https://www.enabbaladi.net/archives/2017/12/06/slug", id="R-1#0")
    events = extract(doc, min_confidence=0)
    assert doc.published == "2017-12-06" and doc.published_source == "url"
    assert events and all(e.published_source == "url" and e.event_date == "2017-12-06" for e in events)
    assert all(e.doc_ref == "R-1#0" for e in events)
    assert "url" in events[0].reasons["published"].lower()


def test_no_date_anywhere_leaves_the_event_undated_with_a_reason():
    doc = Document(text="قتل خمسة مدنيين جراء غارات جوية على بلدة سراقب في ريف إدلب الشرقي .")
    events = extract(doc, min_confidence=0)
    assert events and not events[0].event_date
    assert events[0].reasons["published"].startswith("no publication date")


def test_an_article_with_no_date_anywhere_emits_its_events_only_on_request():
    # a listing page of a news site's tag (gold train web-aljaml-listing-idlib-protests, shortened):
    # no date in the page and none given; its events cannot be dated, and an ACLED record needs a day
    text = ("تظاهرات في إدلب\n\nخرجت تظاهرات في مدينة إدلب ضد النظام السوري .\n\n"
            "وشهدت مدينة دارة عزة تظاهرات مماثلة ضد النظام .\n\nتابعونا على مواقع التواصل .\n\n"
            "المزيد من الأخبار .")
    assert extract(Document(text=text)) == []
    kept = extract(Document(text=text), min_confidence=0)
    assert kept and all(not e.event_date for e in kept)
    dropped = extract(Document(text=text), explain=True)
    assert any(e.reasons.get("dropped", "").startswith("no date") for e in dropped)


# -- death tolls -----------------------------------------------------------------------------

def _tolls(text: str, published: str = "2017-12-06") -> list[int]:
    return [e.fatalities for e in extract(Document(text=text, published=published), min_confidence=0,
                                          all_countries=True)]


def test_a_year_next_to_a_killing_word_is_not_a_toll():
    # corpus R-133#4: "3 مارس 2017 قتل ثمانية مدنيين"
    tolls = _tolls("3 مارس 2017 قتل ثمانية مدنيين وأصيب 20 آخرون بعد اصطدام حافلة بقنبلة على جانب الطريق "
                   "في مقاطعة فرح بغرب أفغانستان .")
    assert 2017 not in tolls
    assert tolls == [8]


def test_a_day_of_a_written_date_is_not_a_toll():
    # al-Ikhbariya via Al Jazeera (25 January 2026, gold), with its date stamp before the text
    text = ("2026-01-25 قُتل شابان برصاص قوات سوريا الديمقراطية (قسد)، اليوم الأحد، أحدهما في مدينة الحسكة"
            " والآخر في قرية الغريقة بريف القامشلي .")
    tolls = _tolls(text, "2026-01-25")
    assert 25 not in tolls and 2 in tolls


def test_a_war_wide_total_is_not_an_events_toll():
    # corpus R-198#6 pattern, moved to Syria: a total since the war began
    text = "وقتل 340 ألف شخص في سوريا منذ بداية الحرب في 2011 , بحسب المرصد السوري لحقوق الإنسان ."
    assert all(t < 1000 for t in _tolls(text))


def test_a_toll_split_over_the_days_of_an_operation():
    from marsad.extract.frames import FrameBuilder  # noqa: F401  (the rule lives there)

    text = "قتل 7 عناصر من قوات النظام في اشتباكات مع فصائل المعارضة في بلدة حرستا بين 3 و5 كانون الأول ."
    events = extract(Document(text=text, published="2017-12-06"), min_confidence=0)
    per_day = sorted((e.event_date, e.fatalities) for e in events if e.event_type == "Battles")
    if len(per_day) == 3:  # one event per day: 7 = 3 + 2 + 2, the remainder on the first day
        assert [f for _, f in per_day] == [3, 2, 2]
    assert sum(f for _, f in per_day) <= 7


@pytest.mark.parametrize("text, expected", [
    # gold web-eyeofeuphrates-daraa-masalmeh-killing-2023-06-07: "his killing" counts one death
    ('استهدف مسلحون مجهولون الشاب "أحمد فيصل المسالمة"، اليوم الأربعاء، على طريق السرايا في مدينة '
     'درعا، ما أدى لمقتله.', 1),
    # gold V-111#0: a singular title after the killing word, with the article
    ("وذكرت حسابات مقربة من تحرير الشام أن عبوة ناسفة استهدفت سيارة في مدينة الدانا بريف إدلب، "
     "وأدت إلى مقتل القائد العسكري مصطفى زهري .", 1),
    # gold web-syrianpressagency-sanamayn-hayyed-clashes-2025-03-05: a dual noun counts two
    ("وأدت الاشتباكات في مدينة الصنمين لاستشهاد عنصرين من قوات الأمن العام .", 2),
    # gold (Daraa 24, 2 July 2024; Syria TV, 22 May 2024): "his death", "to die there"
    ("أطلق مسلحون مجهولون النار على منزل الشاب عبد الله العيدة في مدينة إنخل، مما أدى إلى إصابته ووفاته"
     " على الفور .", 1),
    ("استهدف مجهولون بالرصاص الشاب وسام أبو سالم في مدينة الحراك، ما أدى إلى إصابته بجروح نقل على إثرها إلى"
     " مشفى مدينة بصرى الشام ليفارق الحياة هناك .", 1),
    # corpus baly2018 (V-486#2): the scraped archives print "قُتل" as "ق تل"
    ("ق تل مدني وأ صيب ابنه بجروح بليغة إثر انفجار لغم بهما في قرية درنج بريف دير الزور .", 1),
])
def test_a_killing_word_that_counts_its_dead_without_a_figure(text, expected):
    assert expected in _tolls(text)


@pytest.mark.parametrize("text, expected", [
    # gold web-syriatv-idlib-aleppo-shelling-2020-02-18: the victim named before a passive "قتل"
    ("وأفاد مراسل تلفزيون سوريا أن مدنياً آخر من النازحين قتل وأصيب آخرون في قصف مدفعي لقوات النظام "
     "استهدف بلدة دارة عزة بريف حلب الغربي .", 1),
    # gold web-halabtoday-hirak-civilian-killed-2021-05-14: a title and a name before the verb
    ("وقال مراسلنا إن الشاب أحمد عدنان الزامل قتل نتيجة استهدافه من قبل مجهولين يستقلون دراجة نارية، "
     "في مدينة الحراك بريف درعا الشرقي .", 1),
    # "the young man who killed his wife": a relative clause, its verb is active
    ("وقال ناشطون إن الشاب الذي قتل زوجته اعتقل في مدينة الحراك بريف درعا الشرقي .", 0),
    # a vague count right before a wounding word counts the wounded
    ("وقصفت قوات النظام مدينة دوما ما أدى إلى استشهاد مدني وعدد من الإصابات .", 1),
])
def test_a_victim_before_its_killing_verb_and_the_wounded_after_it(text, expected):
    assert max(_tolls(text), default=0) == expected


@pytest.mark.parametrize("text", [
    # gold V-143#1 and web-watan-dael-afi-attack-2021-04-28: killed and wounded counted together
    "وخسر التنظيم في اشتباكات مدينة دير الزور أكثر من 40 عنصرا بين قتيل وجريح .",
    "وقال موقع تجمع أحرار حوران إن عددا من قوات الأسد سقطوا بين قتيل وجريح إثر استهداف تجمع في مدينة داعل .",
])
def test_killed_or_wounded_is_no_count_of_the_dead(text):
    assert all(t == 0 for t in _tolls(text))


def test_a_figure_wins_over_a_vague_count_of_the_same_event():
    # almodon.com, 20 October 2021 (the Ariha shelling, tests/data): the headline's "عدد من"
    # (several, counted 3) is not a lower figure than the 13 the report gives
    text = (Path(__file__).parent / "data" / "almodon_ariha_2021-10-20.txt").read_text(encoding="utf-8")
    events = extract(Document(text=text, published="2021-10-20"), min_confidence=0)
    shelling = [e for e in events if e.sub_event_type == "Shelling/artillery/missile attack" and e.location == "Ariha"]
    assert [e.fatalities for e in shelling] == [13]


# -- actor periods ---------------------------------------------------------------------------

def test_actor_name_follows_the_event_date():
    kb = get_kb()
    assert kb.name_on("Military Forces of Syria (2024-)", "2017-05-01")[0] == "Military Forces of Syria (2000-2024)"
    assert kb.name_on("Military Forces of Syria (2000-2024)", "2025-03-07")[0] == "Military Forces of Syria (2024-)"
    assert kb.name_on("Military Forces of Israel (2022-)", "2017-05-01")[0] == "Military Forces of Israel (2009-2021)"
    # no period of the actor covers the date: never a period that starts later
    name, why = kb.name_on("Military Forces of Iraq (2022-)", "2017-05-01")
    assert name == "Military Forces of Iraq" and "no period" in why
    name, why = kb.name_on("Military Forces of Syria (2000-2024)", None)
    assert name == "Military Forces of Syria" and "no date" in why


def test_extracted_2017_event_carries_the_assad_era_name():
    text = "قصفت قوات النظام السوري بلدة كفرنبل في ريف إدلب الجنوبي اليوم الثلاثاء ."
    events = extract(Document(text=text, published="2017-12-05"), min_confidence=0)
    names = {e.actor1 for e in events}
    assert "Military Forces of Syria (2000-2024)" in names
    assert not any("(2024-)" in n for n in names)


# -- places ----------------------------------------------------------------------------------

def test_readme_geocode_example_resolves_in_homs_and_says_it_is_ambiguous():
    from marsad.geo.geocoder import geocode

    out = geocode("المشيرفة", context="قصف على قرية المشيرفة في ريف حمص")
    chosen = next(c for c in out if c["chosen"])
    assert chosen["admin1"] == "Homs"
    assert chosen["geo_precision"] >= 2
    assert "ambiguous" in chosen["reason"]


def test_t3_pumping_station_is_a_landmark_near_palmyra():
    from marsad.geo.geocoder import lookup

    got = lookup("محطة T3")
    assert got and got[0]["admin2"] == "Tadmor"


# -- the caller's id -------------------------------------------------------------------------

def test_doc_ref_travels_through_extract_jsonl(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from marsad.cli import main
    from marsad.extract import ALL_COUNTRIES_ENV, MIN_CONFIDENCE_ENV

    for name in (MIN_CONFIDENCE_ENV, ALL_COUNTRIES_ENV):  # the CLI sets them for its workers: restored after
        monkeypatch.setenv(name, "")

    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "my-ref-42", "text": "قتل خمسة مدنيين اليوم جراء غارات على بلدة سراقب في ريف إدلب .",
                               "published": "2017-12-06"}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["extract", "--input", str(src), "--format", "jsonl", "--min-confidence", "0"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert rows and all(r["doc_ref"] == "my-ref-42" and r["published_source"] == "given" for r in rows)


def test_doc_ref_is_stored_and_served(tmp_path):
    from marsad.store import Store

    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    doc = Document(text="قتل خمسة مدنيين اليوم جراء غارات على بلدة سراقب في ريف إدلب .", published="2017-12-06",
                   id="feed-guid-7")
    events = extract(doc, min_confidence=0)
    assert events
    store.add(doc, events)
    _, rows = store.query_events()
    assert rows and rows[0]["doc_ref"] == "feed-guid-7"
    assert store.get_document(doc.doc_id)["published_source"] == "given"


# -- places abroad ---------------------------------------------------------------------------

def test_a_sentence_placed_abroad_does_not_take_the_syrian_place_before_it():
    # a "related news" block of a corpus page (arabi21, January 2018): the Kabul headline follows
    # an Afrin item in the same paragraph and must not become an event in Afrin
    text = ("الجيش السوري الحر يبدأ عملية برية في عفرين بدعم تركي قالت وكالة الأناضول للأنباء إن \" قوات من "
            "الجيش السوري الحر بدأت بدعم من القوات التركية , عملية عسكرية برية واسعة النطاق داخل مدينة عفرين \" . . "
            "خمسة قتلى في هجوم على فندق واحتجاز رهائن وسط كابول أعلنت الداخلية الأفغانية الأحد , مقتل خمسة أشخاص "
            "وإصابة آخرين , في هجوم شنه مسلحون على فندق \" انتركونتننتال \" في كابول .")
    doc = Document(text=text, published="2018-01-21")
    assert not [e for e in extract(doc, min_confidence=0) if e.fatalities == 5]
    abroad = [e for e in extract(doc, min_confidence=0, all_countries=True) if e.fatalities == 5]
    assert abroad and all(e.country == "Afghanistan" and not e.location for e in abroad)
    assert "outside Syria" in abroad[0].reasons["location"]


def test_people_from_a_syrian_place_killed_abroad_are_an_event_abroad():
    # syria.tv (13 October 2024, gold): natives of Sweida killed in an Israeli strike on Tyre
    text = "مقتل شابين من أبناء السويداء في غارة إسرائيلية على مدينة صور جنوبي لبنان ."
    doc = Document(text=text, published="2024-10-13")
    assert not extract(doc, min_confidence=0)
    abroad = extract(doc, min_confidence=0, all_countries=True)
    assert abroad and all(e.country == "Lebanon" and not e.location for e in abroad)


@pytest.mark.parametrize("text, country", [
    # corpus baly2018 R-13#11 (a world news roundup): a country after "في" is where it happened
    ("أطلقت الشرطة النار على محتجين في ولاية راخين المضطربة في ميانمار , مما أسفر عن مقتل سبعة وإصابة 12 .",
     "Myanmar"),
    # corpus baly2018 R-133#8: a town of a country whose name shares an ANERgazet heading with
    # another country's (the towns below a heading belong to its last country)
    ("تفجير انتحاري في جاكرتا في محطة حافلات أدى إلى مقتل ثلاثة من رجال الشرطة .", "Indonesia"),
])
def test_an_event_in_a_country_named_after_in_is_abroad(text, country):
    # without the country, the event took the page's main place in Syria (here Aleppo)
    doc = Document(text="اشتباكات عنيفة في مدينة حلب اليوم بين فصائل المعارضة وقوات النظام.\n\n" + text,
                   published="2017-09-01")
    abroad = [e for e in extract(doc, min_confidence=0, all_countries=True) if e.fatalities in (3, 7)]
    assert [(e.country, e.location) for e in abroad] == [(country, "")]
    assert not [e for e in extract(doc, min_confidence=0) if e.fatalities in (3, 7)]


def test_a_country_name_as_an_actor_is_no_place_abroad():
    # "قصف روسي": Russia is who struck, the place is the Syrian town
    text = "قتل خمسة مدنيين في قصف جوي نفذته روسيا على مدينة معرة النعمان اليوم."
    events = extract(Document(text=text, published="2019-05-10"), min_confidence=0)
    assert [(e.location, e.fatalities) for e in events] == [("Ma'arrat An Nu'man", 5)]


def test_a_country_named_right_after_an_attack_verb_is_its_forces():
    # al-Ahed (15 January 2024, gold dev): "قصفت تركيا" is Turkey's forces; "انفجار في تركيا" is a place
    text = "وفي ساعات الليل، قصفت تركيا محطة السويدية للغاز في ريف المالكية ."
    events = extract(Document(text=text, published="2024-01-15"), min_confidence=0)
    assert [e.actor1 for e in events] == ["Military Forces of Turkey (2016-)"]
    text = "وقع انفجار في تركيا قرب الحدود مع بلدة أطمة في ريف إدلب ."
    assert all(e.actor1 != "Military Forces of Turkey (2016-)"
               for e in extract(Document(text=text, published="2024-01-15"), min_confidence=0, all_countries=True))


def test_short_foreign_town_names_of_far_countries_are_no_places_abroad():
    # "بشكل خفي" (secretly) is also an ANERgazet town in China: too short a name, far away
    from marsad.kb import get_kb
    foreign = get_kb().foreign_places
    assert foreign.get("خفي", "") == "" and foreign.get("روج", "") == ""
    assert foreign["جاكرتا"] == "Indonesia" and foreign["ميانمار"] == "Myanmar"
    assert foreign["الامارات العربيه المتحده"] == "United Arab Emirates"


def test_civilian_victims_do_not_split_one_shelling_into_two_events():
    # almodon.com, 20 October 2021 (Ariha), the article's opening: the shelling is told with the
    # regime as its author, then again ("وتبع القصف على أريحا") with only its civilian victims
    text = (Path(__file__).parent / "data" / "almodon_ariha_2021-10-20.txt").read_text(encoding="utf-8")
    events = extract(Document(text=text, published="2021-10-20"), min_confidence=0)
    shelling = [e for e in events if e.sub_event_type == "Shelling/artillery/missile attack" and e.location == "Ariha"]
    assert len(shelling) == 1
    assert shelling[0].actor1.startswith("Military Forces of Syria") and shelling[0].actor2 == "Civilians (Syria)"


def _gold_text(doc_id: str, split: str = "dev") -> str:
    gold = Path(__file__).resolve().parents[1] / "eval" / "gold" / f"{split}.jsonl"
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["doc_id"] == doc_id:
            return record["text"]
    raise KeyError(doc_id)


def test_a_states_institutions_are_one_side_of_one_event():
    # vetogate.com, 28 December 2025 (gold dev): the Jableh protests are told once against "the
    # internal security forces" and once against the General Security, both Syria's police
    text = _gold_text("web-vetogate-lattakia-jableh-protests-2025-12-28")
    events = extract(Document(text=text, published="2025-12-28"), min_confidence=0)
    # (the protest and the riot there that day are one event too: a riot)
    protests = [e for e in events if e.event_type in ("Protests", "Riots") and e.location == "Jablah"]
    assert len(protests) == 1


def test_a_figure_of_the_wounded_does_not_hide_the_one_killed():
    # baath.media, 11 October 2021 (gold train): "عدد من" counts the wounded, "شخص" the one dead
    assert 1 in _tolls("مقتل شخص وإصابة عدد من المدنيين بانفجار سيارة مفخخة في مدينة عفرين", "2021-10-11")


def test_the_people_listed_after_each_of_are_counted():
    # Horan Free League (22 December 2019, gold train): a colonel and a conscript, two deaths
    text = ("وأفاد مراسل تجمع أحرار حوران بمقتل كل من العقيد “مجدي زين الدين جدعان” المنحدر من قرية عريقة بريف السويداء"
            " والمجند “محمد وليد تفكنجي” من محافظة حلب، وإصابة عنصرين اثنين من قوات الأسد عقب إطلاق النار على سيارة"
            " عسكرية على طريق “بصر الحرير – إزرع” بريف درعا الشرقي، من قِبل مجهولين.")
    assert 2 in _tolls(text, "2019-12-22")


@pytest.mark.parametrize(("text", "published", "deaths"), [
    # Al-Araby al-Jadeed (17 February 2020, gold dev): a woman and one of her daughters
    ("وقال مراسل إن طائرة حربية روسية استهدفت قرية الأبزمو، غرب حلب، ما أدى إلى مقتل سيدة وإحدى بناتها "
     "وإصابة آخرين بجراح.", "2020-02-17", 2),
    # the wounded named after the one killed are not counted
    ("مقتل شاب برصاص مجهولين في بلدة طفس وإصابة طفل بجروح.", "2020-02-17", 1),
])
def test_victims_joined_by_and_are_each_counted(text, published, deaths):
    assert _tolls(text, published) == [deaths]


def test_a_toll_told_place_by_place_is_one_event_per_place_with_its_own_toll():
    # Jisr TV (21 January 2020, gold round 8), shortened: "الفوج 46" is a place, 46 counts no one
    text = ("وقضى أغلب الضحايا في ريف حلب الغربي، إذ سقط 9 قتلى في قرية كفر تعال بينهم 6 أطفال و8 قتلى في قرية"
            " كفرنوران وقتيلان في قرية جدرايا وقتيل في محيط الفوج 46، واستهدفت الغارات أحياء سكنية.")
    tolls = {e.location: e.fatalities for e in extract(Document(text=text, published="2020-01-21"), min_confidence=0)}
    assert tolls == {"Kafr Taal": 9, "Kafr Noran": 8, "Jdarya": 2, "Tadil - Regiment 46": 1}
    # the event's own town keeps the toll told of no other place
    text = "وأفاد ناشطون بمقتل ثلاثة مدنيين في قصف مدفعي على بلدة كفرنبل ومقتل طفل في بلدة حاس."
    tolls = {e.location: e.fatalities for e in extract(Document(text=text, published="2020-01-21"), min_confidence=0)}
    assert tolls == {"Kafr Nobol": 3, "Has": 1}
    # the nine were killed in Maardabsa, which the gazetteer lacks; Bara's toll is its own two
    text = ("أما في ريف إدلب فقتل 9 مدنيين جراء غارات لطائرات الاحتلال الروسي على قرية معردبسة وسقط قتيلان آخران في"
            " بلدة البارة.")
    tolls = {e.location: e.fatalities for e in extract(Document(text=text, published="2020-01-21"), min_confidence=0)}
    assert tolls == {"Bara": 2}


def test_a_figure_joined_by_min_to_the_killing_word_after_it():
    # aljazeera.net, 24 January 2021 (gold dev), shortened
    text = ("نشرت مواقع تابعة للمعارضة صورا لبطاقات شخصية قالت إنها لثلاثة من جنود النظام قتلوا أثناء "
            "اشتباكات مع مقاتلين معارضين على أطراف مدينة طفس .")
    assert 3 in _tolls(text, "2021-01-24")


@pytest.mark.parametrize("text, civilians", [
    # corpus baly2018 V-486#2 (ruyaa), a landmine's victim not said to be a fighter
    ("قتل شخص , إثر انفجار لغم من مخلفات تنظيم داعش في مدينة الرقة .", True),
    # the same with a fighter named: no civilians
    ("قتل عنصر من قوات سوريا الديمقراطية وشخص آخر , إثر انفجار لغم في مدينة الرقة .", False),
    # SY24, 2 February 2020 (gold, held-back train): civilians' property hit, "دون إصابات": no one hurt
    ("استهدفت الطائرات الحربية الروسية بلدة حور في ريف حلب الغربي، ما أدى لوقوع خسائر مادية بالغة في ممتلكات"
     " المدنيين، دون إصابات تذكر.", False),
])
def test_people_killed_by_a_blast_are_civilians_unless_called_fighters(text, civilians):
    events = extract(Document(text=text, published="2017-12-11"), min_confidence=0)
    blasts = [e for e in events if e.event_type == "Explosions/Remote violence"]
    assert blasts
    assert (blasts[0].actor2 == "Civilians (Syria)") is civilians


@pytest.mark.parametrize("text, place", [
    # syria.tv, 8 August 2022 (gold dev): the village, told from Daraa, which stands nearer the word
    ("مصادر محلية أفادت لموقع تلفزيون سوريا، باستهداف منزل في بلدة علما  شرقي درعا بعبوة ناسفة "
     "مما أدى لانهيار المنزل بالكامل وسقوط قتلى وجرحى.", "Alma"),
    # step-agency.com, 24 January 2021 (gold train)
    ("وفي بلدة سحم الجولان غرب درعا هاجم مسلحون مواقع تابعة للفرقة الرابعة وطردوا المقاتلين منها "
     "وسيطروا عليها كلياً.", "Sahm El Golan"),
])
def test_a_place_told_from_a_city_is_the_event_place_not_the_city(text, place):
    events = extract(Document(text=text, published="2022-08-08"), min_confidence=0)
    assert events and all(e.location == place for e in events)


def test_opposition_forces_named_as_forces_take_a_list_of_villages():
    # ajmubasher.net, 28 November 2024 (gold train): "قوات المعارضة", the list after a colon
    text = ("وكانت قوات المعارضة قد سيطرت في وقت سابق الأربعاء، على قرى: الشيخ عقيل، وقبتان الجبل، وبلدة "
            "عينجارة، وبسرطون، وحور، والقاسمية، وعاجل، وبالا، والسلوم، وكفربسين، وأورم الصغرى، وعويجل.")
    events = extract(Document(text=text, published="2024-11-28"))
    captures = [e for e in events if e.sub_event_type == "Non-state actor overtakes territory"]
    assert len(captures) >= 10
    assert all(e.actor1 == "Opposition Rebels (Syria)" for e in captures)


@pytest.mark.parametrize("text, sub", [
    # corpus baly2018 V-111#8 (almanar roundup): aircraft after the generic word
    ("قتل 15 مدنيا إثر قصف طائرات \" التحالف الدولي \" بلدة مركدة في ريف الحسكة الجنوبي .", "Air/drone strike"),
    # corpus baly2018 V-111#1, with the broken shadda of the scraped archive ("جو ي")
    ("مقتل خمسة مدنيين من عائلة واحدة جر اء قصف جو ي روسي على قرية السوسة بريف البوكمال .", "Air/drone strike"),
    # the generic word alone stays a shelling
    ("قتل ثلاثة مدنيين إثر قصف قوات النظام بلدة كفرنبل في ريف إدلب الجنوبي .", "Shelling/artillery/missile attack"),
])
def test_a_bombardment_by_aircraft_is_an_air_strike(text, sub):
    events = extract(Document(text=text, published="2017-10-07"), min_confidence=0)
    assert [e.sub_event_type for e in events if e.event_type == "Explosions/Remote violence"] == [sub]


def test_a_protest_dispersed_is_a_protest_with_intervention():
    # annahar.com, 9 March 2025 (gold train), the headline and lead, shortened
    text = "فرقت قوات الأمن السوري الأحد اعتصاماً في دمشق ضم العشرات ودعا إليه ناشطون في المجتمع المدني ."
    events = extract(Document(text=text, published="2025-03-09"), min_confidence=0)
    assert [e.sub_event_type for e in events if e.event_type == "Protests"] == ["Protest with intervention"]


def test_a_bombing_told_at_the_city_and_at_its_quarter_is_one_event_at_the_quarter():
    # eanlibya.com, 4 September 2025 (gold train): Mezzeh 86, then "Damascus" alone further down
    text = _gold_text("web-eanlibya-mazzeh86-ied-2025-09-03", "train")
    events = extract(Document(text=text, published="2025-09-04"), min_confidence=0)
    blasts = [e for e in events if e.event_type == "Explosions/Remote violence"]
    assert [e.location for e in blasts] == ["Damascus - Mezzeh"]


def test_a_security_operation_told_with_its_arrests_is_the_arrests():
    # qasioun-news.com, 10 March 2025 (gold dev): "إلقاء القبض", then "العملية الأمنية" of it
    text = _gold_text("web-qasioun-deirezzor-remnants-arrest-2025-03-10")
    events = extract(Document(text=text, published="2025-03-10"), min_confidence=0)
    assert [e.sub_event_type for e in events if e.location == "Deir-ez-Zor"] == ["Arrests"]


def test_one_place_under_two_gazetteer_entries_is_one_event():
    # shehabnews (corpus baly2018 R-133#3, gold dev): the bus bombing in Homs, told as in the city
    # and as in the governorate, both "Homs"
    text = _gold_text("R-133#3", "dev_baly2018")
    events = extract(Document(text=text, published="2017-12-05"), min_confidence=0)
    assert sum(1 for e in events if e.admin1 == "Homs" and e.event_type == "Explosions/Remote violence") == 1


def test_a_peaceful_protest_has_no_second_actor_nor_its_backer():
    # alalam.ir, 1 November 2022 (gold train), shortened: the protest is against the SDF, whom the
    # US back; ACLED codes a peaceful protest one-sided (the 35 peaceful protests of the train and
    # dev gold have no actor2), and the US are not the protesters' associates either
    text = ("وخرج العشرات من أهالي بلدة ذيبان بالريف الشرقي لدير الزور اليوم بمظاهرة ضد ميليشيا قسد المدعومة "
            "من القوات الأمريكية .")
    protest = extract(Document(text=text, published="2022-11-01"), min_confidence=0)[0]
    assert (protest.sub_event_type, protest.actor1, protest.actor2) == ("Peaceful protest", "Protesters (Syria)", "")
    assert protest.assoc_actor_1 == "" and protest.assoc_actor_2 == ""
    assert "no second actor" in protest.reasons["actor2"]


@pytest.mark.parametrize("text, sub", [
    # the shape of qasioun-news.com, 14 May 2024 (gold train): HTS security attacked the sit-in
    ("وأفاد ناشطون بأن قوات الأمن التابعة لهيئة تحرير الشام هاجمت المتظاهرين وسط مدينة إدلب اليوم.",
     "Protest with intervention"),
    ("هاجمت عناصر هيئة تحرير الشام المتظاهرين وسط مدينة إدلب اليوم وأطلقت الرصاص الحي عليهم.",
     "Excessive force against protesters"),
])
def test_protesters_assaulted_met_an_intervention(text, sub):
    events = extract(Document(text=text, published="2024-05-14"), min_confidence=0)
    protests = [e for e in events if e.event_type == "Protests"]
    assert [e.sub_event_type for e in protests] == [sub]
    # ACLED: protesters first when they met an intervention, the force first when it used excessive force
    sides = ("Protesters (Syria)", "HTS: Hayat Tahrir al Sham")
    assert (protests[0].actor1, protests[0].actor2) == (sides if sub == "Protest with intervention" else sides[::-1])


def test_protesters_who_attacked_are_no_protest_attacked():
    # corpus baly2018 R-411#3 (a chronology entry): "وهاجم المحتجون ... مركزا حكوميا", the
    # protesters in the subject form attacked; a word for participants alone reports no protest
    text = "وهاجم المحتجون في مدينة حمص اليوم مركزا حكوميا."
    events = extract(Document(text=text, published="2011-04-10"), min_confidence=0)
    assert not [e for e in events if e.sub_event_type in ("Protest with intervention",
                                                          "Excessive force against protesters")]


def test_a_charge_is_no_event():
    # the arrest is the event; the protest it is charged with is not
    events = extract(Document(text="اعتقلت قوات النظام اليوم شابا في مدينة درعا بتهمة المشاركة في المظاهرات .",
                              published="2022-11-01"), min_confidence=0)
    assert [e.sub_event_type for e in events] == ["Arrests"]


# -- the day of the news a later paragraph follows up ----------------------------------------

# a real report (vetogate.com, 26 August 2025), shortened: a headline, a lead dated "مساء الإثنين"
# and a paragraph that names no day
FOLLOW_UP = ("\"قسد\" تستهدف الجيش السوري بـ\"مسيرة\" بدير الزور واشتباك عنيف بمدينة العشارة\n\n"
             "هاجمت قوات سوريا الديمقراطية \"قسد\"، الجيش السوري  بطائرة مسيرة على أطراف مدينة دير الزور {when}.\n\n"
             "كما أفادت وسائل إعلام سورية باندلاع اشتباكات بالأسلحة النارية بين عناصر الجيش السوري المتمركزين"
             " في مدينة العشارة وعناصر قسد المتمركزين قرب ضفة نهر الفرات في بلدة درنج.")


def test_a_paragraph_with_no_day_takes_the_day_of_the_news_it_follows():
    events = extract(Document(text=FOLLOW_UP.format(when="مساء الإثنين"), published="2025-08-26"))
    clash = next(e for e in events if e.sub_event_type == "Armed clash")
    assert clash.event_date == "2025-08-25"  # Monday, not the publication day
    assert [x.text for x in clash.evidence["event_date"]] == ["مساء الإثنين"]
    assert "earlier paragraph" in clash.reasons["event_date"]


def test_yesterday_in_one_item_of_a_roundup_is_not_the_day_of_the_next_items():
    # almanar.com.lb daily roundup of 11 December 2017 (corpus baly2018, gold dev): "أمس" dates
    # the Sweidan item only; the shelling of Mhardeh, further down with no day, is the day's news
    text = _gold_text("V-486#2", "dev_baly2018")
    events = extract(Document(text=text, published="2017-12-11"), min_confidence=0)
    mhardeh = [e for e in events if e.location == "Muhradah"]
    assert mhardeh and all(e.event_date == "2017-12-11" for e in mhardeh)


def test_an_old_date_earlier_in_the_report_is_not_the_day_of_the_news():
    events = extract(Document(text=FOLLOW_UP.format(when="في 3 آب 2025"), published="2025-08-26"))
    clash = next(e for e in events if e.sub_event_type == "Armed clash")
    assert clash.event_date == "2025-08-26"
    assert "publication date used" in clash.reasons["event_date"]


# -- tolls told after the event's sentence ---------------------------------------------------

# real reports, shortened: alsahafi.net (14 July 2025) and syria-ex.com (28 April 2020)
SWEIDA = ("شهدت محافظة السويداء جنوب سوريا يوم أمس الأحد 13 جويلية 2025 موجة عنف غير مسبوقة، بعد اندلاع مواجهات"
          " عنيفة بين فصائل عسكرية محلية من أبناء الطائفة الدرزية ومسلحين من عشائر البدو. الاشتباكات التي توسّعت"
          " رقعتها لتشمل عدة قرى وأحياء في المدينة وريفها، أسفرت عن مقتل ما لا يقل عن 37 شخصًا، وإصابة أكثر من 50 آخرين.")
AFRIN = ("استهدف تفجير بصهريج مفخخ يوم الثلاثاء احد الاسواق في مدينة عفرين بريف حلب الشمالي اسفر عن سقوط ضحايا.\n"
         "وقالت مصادر اعلامية على صفحاتها على مواقع التواصل الاجتماعي ان التفجير اوقع اكثر من34 قتيلا و30 مصابا"
         " بحروق شديدة بينهم اطفال.\n"
         "ولم تتبن أي جهة حتى الان مسؤوليتها عن التفجير.\n"
         "وكانت عبوة ناسفة مزروعة داخل سيارة انفجرت في اوائل اذار الماضي في شارع السياسة بمدينة عفرين، ما ادى الى"
         " مقتل مدني واصابة اخرين.")


def test_the_items_of_a_roundup_that_lost_its_line_breaks_keep_their_own_day():
    # al-Manar's daily roundup (22 March 2017, eval/gold/dev.jsonl R-487#4): ". - " opens each item;
    # "أول أمس" of one item dates its capture, not the air strikes of the next items
    text = ("التطورات السورية اليوم 22 - 3 - 2017 - ابرز التطورات على الساحة السورية لهذا اليوم 22 آذار 2017 ."
            " - كما دارت اشتباكات عنيفة بين الطرفين عند أطراف البلدة التي سيطر مسلحو \" القوات \" على أجزاء واسعة"
            " منها أول أمس . - قالت مواقع مقربة من تنظيم داعش إن 27 مدنيا قتلوا وأ صيب أكثر من 40 آخرين , إثر"
            " غارات لطائرات أمريكية استهدفت فرنا وسوقا في مدينة الطبقة في ريف الرقة الغربي .")
    events = extract(Document(text=text, published="2017-03-22"))
    strike = next(e for e in events if e.sub_event_type == "Air/drone strike")
    assert strike.event_date == "2017-03-22"


def test_a_toll_in_the_next_sentence_belongs_to_the_event_it_follows():
    events = extract(Document(text=SWEIDA, published="2025-07-14"))
    assert [(e.sub_event_type, e.fatalities) for e in events] == [("Armed clash", 37)]
    assert events[0].evidence["fatalities"][0].text == "مقتل ما لا يقل عن 37"  # past the hedge
    # a sentence with a toll and no event word of its own tells the toll of the event before it
    toll_only = SWEIDA.split(". ")[0] + ". وبلغت الحصيلة ما لا يقل عن 37 قتيلا وأكثر من 50 جريحا."
    events = extract(Document(text=toll_only, published="2025-07-14"))
    assert [(e.sub_event_type, e.fatalities) for e in events] == [("Armed clash", 37)]
    assert "following sentence" in events[0].reasons["fatalities"]


def test_civilians_killed_by_a_bombing_make_one_explosion_event_not_an_attack():
    events = extract(Document(text=AFRIN, published="2020-04-28"))
    assert [(e.event_type, e.event_date, e.fatalities) for e in events] == [
        ("Explosions/Remote violence", "2020-04-28", 34)]  # the March bombing is background
    assert events[0].actor2 == "Civilians (Syria)"


def test_a_toll_after_a_sentence_that_reports_another_event_stays_there():
    text = SWEIDA.replace("الاشتباكات التي توسّعت", "واندلعت اشتباكات في درعا توسّعت")
    events = extract(Document(text=text, published="2025-07-14"))
    sweida = next(e for e in events if e.admin1 == "As Sweida")
    assert sweida.fatalities == 0


# -- sub-event types the CODEBOOK decides by who acts and with what ------------------------

@pytest.mark.parametrize("text, toll", [
    # corpus pages (November and December 2017): "لقي N ... مصرعهم", a hedge, a sub-count, an execution
    ("ولقي 26 شخصا على الأقل مصرعهم , بينهم 12 طفلا , في تفجير سيارة مفخخة استهدف تجمعا للنازحين"
     " بمحافظة دير الزور امس .", 26),
    ("لقي نحو 34 مدنيا سوريا من بينهم 5 طفلا مصرعهم في غارات روسية على قرية تقع سيطرة تنظيم داعش"
     " في قرية الشعفة في دير الزور .", 34),
    ("أعدمت فصائل \" درع الفرات \" 4 مسؤولين من تنظيم داعش في مدينة جرابلس بريف حلب الشمالي الشرقي .", 4),
])
def test_tolls_told_around_their_death_word(text, toll):
    events = extract(Document(text=text, published="2017-11-26"))
    assert [e.fatalities for e in events] == [toll]


@pytest.mark.parametrize("text, toll", [
    # Syria TV (19 November 2019, gold train): a victim noun with a possessive ending ("its driver")
    ("إن دراجة نارية \"ملغّمة\" انفجرت قرب مبنى الأوقاف في مدينة جرابلس، ما أدّى إلى مقتل سائقها على الفور،"
     " إضافةً لـ إصابة أربعة مدنيين.", 1),
    # al-Araby (11 June 2025, gold train): a dual victim noun is a figure of two, and civilians
    ("قتل مدنيان وأصيب آخران بجروح جراء تعرضهم لهجوم من قبل مجهولين في منطقة تلكلخ بريف حمص الغربي وسط سورية.", 2),
    # Syria TV (12 January 2019, gold train): the date between an assassination verb and its figure
    ("اغتال مجهولون اليوم السبت أربعة مقاتلين من الجيش الوطني في قرية شبيران شمال مدينة الباب بريف حلب الشمالي"
     " الشرقي.", 4),
    # an attempt on a life kills no one, whoever it targeted
    ("تعرض قيادي في الجيش الوطني لمحاولة اغتياله بعبوة ناسفة في مدينة الباب اليوم السبت.", 0),
])
def test_tolls_told_by_victim_words(text, toll):
    events = extract(Document(text=text, published="2019-01-12"), min_confidence=0)
    assert [e.fatalities for e in events] == [toll]


@pytest.mark.parametrize("text, published, actor1, actor2", [
    # Euronews (26 November 2017): the Russian strikes hit a village the Islamic State held
    ("لقي نحو 34 مدنيا سوريا من بينهم 5 طفلا مصرعهم في غارات روسية على قرية الشعفة التي يسيطر عليها"
     " تنظيم داعش في دير الزور .", "2017-11-26", "Military Forces of Russia (2000-)", None),
    # al-Manar (22 March 2017): American aircraft, the Islamic State's sites as the source
    ("قالت مواقع مقربة من تنظيم داعش إن 27 مدنيا قتلوا إثر غارات لطائرات أمريكية استهدفت فرنا وسوقا في"
     " مدينة الطبقة في ريف الرقة الغربي .", "2017-03-22", "Military Forces of the United States (2017-2021)",
     "Islamic State (Syria)"),
    # Veto (25 August 2025): an armed group's own drone stays its strike
    ("هاجمت قوات سوريا الديمقراطية \"قسد\"، الجيش السوري بطائرة مسيرة على أطراف مدينة دير الزور مساء"
     " الإثنين.", "2025-08-25", "QSD: Syrian Democratic Forces", "Military Forces of Syria (2024-)"),
])
def test_warplanes_are_a_states(text, published, actor1, actor2):
    strikes = [e for e in extract(Document(text=text, published=published)) if e.sub_event_type == "Air/drone strike"]
    assert strikes and all(e.actor1 == actor1 for e in strikes)
    if actor2:
        assert all(e.actor2 == actor2 for e in strikes)


@pytest.mark.parametrize("text", [
    # al-Kawthar (10 November 2017): an operation announced to take a town is no capture yet
    "وكان الجيش السوري قد أعلن , الأسبوع الجاري , شن عملية واسعة لتحرير مدينة البوكمال من عناصر تنظيم \" داعش \" .",
    # Reuters via the corpus (2017): a campaign's aim
    "قال مسؤول تركي كبير لرويترز , إن حملة لاستعادة مدينة الرقة السورية من قبضة تنظيم \" الدولة الإسلامية \" ستبدأ قريبا .",
])
def test_a_capture_aimed_at_is_no_capture(text):
    events = extract(Document(text=text, published="2017-11-10"))
    assert not [e for e in events if e.sub_event_type in ("Government regains territory", "Non-state actor overtakes territory")]


@pytest.mark.parametrize("text, published, shooter, target, toll", [
    # Eram News (5 September 2025): IS gunmen fired on an SDF vehicle, one SDF member killed
    ("قُتل عنصر من قوات سوريا الديمقراطية \"قسد\" اليوم الجمعة في دير الزور، بعد أن فتح مسلحان من خلايا"
     " تنظيم \"داعش\" النار على سيارة عسكرية في بلدة الشحيل.", "2025-09-05",
     "Islamic State (Syria)", "QSD: Syrian Democratic Forces", 1),
    # the victims named right after the death word, the shooters after "برصاص"
    ("قتل عنصران من قوات النظام برصاص قناص من هيئة تحرير الشام على جبهة كبانة في ريف اللاذقية .", "2019-09-05",
     "HTS: Hayat Tahrir al Sham", "Military Forces of Syria (2000-2024)", 2),
])
def test_fighters_shot_by_another_armed_group_is_a_clash(text, published, shooter, target, toll):
    events = extract(Document(text=text, published=published))
    assert [(e.sub_event_type, e.actor1, e.actor2, e.fatalities) for e in events] == [
        ("Armed clash", shooter, target, toll)]


def test_an_attempt_to_take_a_village_is_fighting_not_a_capture():
    # Smart News (19 January 2017), shortened
    text = ("وأعلن الجيش التركي , يوم 19 كانون الثاني 2017 , حيث تستمر محاولات \" الحر \" السيطرة على قرية"
            " السفلانية , وحصار تنظيم \" الدولة الإسلامية \" في بلدة قباسين .")
    events = extract(Document(text=text, published="2017-01-19"), min_confidence=0)
    assert [e.sub_event_type for e in events if e.location == "Saflaniyeh"] == ["Armed clash"]


def test_these_forces_are_the_group_named_just_before():
    # AFP via the corpus (17 May 2017), the sentence before added: "هذه القوات" is the SDF
    text = ("تقدمت قوات سوريا الديمقراطية في ريف الرقة الشمالي . وسيطرت هذه القوات , في الساعات ال - 24 الماضية ,"
            " على قرى الرشيد وأبو قبرة شمال وشرق الرقة .")
    events = extract(Document(text=text, published="2017-05-17"), min_confidence=0)
    capture = [e for e in events if e.location == "Rashid"]
    assert capture and capture[0].actor1 == "QSD: Syrian Democratic Forces"
    assert capture[0].evidence["actor1"][0].text == "هذه القوات"


def test_each_clause_of_a_sentence_keeps_its_own_toll():
    # a daily roundup (22 March 2017, eval/gold/dev.jsonl R-487#4): two air strikes, two tolls
    text = ("قالت مواقع مقربة من تنظيم داعش إن 27 مدنيا قتلوا وأ صيب أكثر من 40 آخرين , إثر غارات لطائرات"
            " أمريكية استهدفت فرنا وسوقا في مدينة الطبقة في ريف الرقة الغربي , كما ق تل شخصان وج رح 4 آخرون"
            " إثر غارة لطائرات \" التحالف الدولي \" على قرية \" فخيخة \" في ريف الرقة الغربي .")
    events = extract(Document(text=text, published="2017-03-22"))
    assert sorted(e.fatalities for e in events) == [2, 27]
    # Step's Aleppo roundup (14 November 2017): a woman killed in the first clashes, none elsewhere
    text = ("تواصلت الاشتباكات في ريف حلب الغربي بين عناصر الزنكي وتحرير الشام قرب مفرق عويجل مما أسفر عن"
            " مقتل امرأة واصابة رجل مسن كما اندلعت اشتباكات متقطعة في بلدات تقاد والابزمة وتديل .")
    events = extract(Document(text=text, published="2017-11-14"))
    assert len(events) >= 2 and sum(e.fatalities for e in events) == 1


def test_detention_by_an_armed_group_is_abduction_not_arrest():
    # alaraby.co.uk (27 June 2022), shortened
    text = ("اعتقل \"جهاز الأمن العام\"، الذراع الأمنية لـ\"تحرير الشام\"، ناشطاً مدنياً في إدلب، اليوم الإثنين،"
            " على خلفية احتجاجات نددت بممارسات الهيئة و\"حكومة الإنقاذ\".")
    ev = extract(Document(text=text, published="2022-06-27"), min_confidence=0)[0]  # the coding, not the score
    assert (ev.event_type, ev.sub_event_type) == ("Violence against civilians", "Abduction/forced disappearance")
    assert ev.actor1 == "HTS: Hayat Tahrir al Sham" and ev.actor2 == "Civilians (Syria)"
    assert "abduction" in ev.reasons["sub_event_type"]
    # the same detention by the state's forces is an arrest
    state = extract(Document(text=text.replace("\"جهاز الأمن العام\"، الذراع الأمنية لـ\"تحرير الشام\"", "الأمن العسكري"),
                             published="2022-06-27"), min_confidence=0)
    assert [e.sub_event_type for e in state][:1] == ["Arrests"]


def test_dispersal_with_live_fire_is_excessive_force():
    # enabbaladi.net (28 February 2024), shortened
    text = ("أطلقت قوات النظام الأمنية النار لتفريق متظاهرين حاولوا اقتحام مركز التسويات الأمنية وسط مدينة السويداء،"
            " ما أسفر عن إصابة متظاهرين اثنين.")
    ev = extract(Document(text=text, published="2024-02-28"))[0]
    assert ev.sub_event_type == "Excessive force against protesters"
    assert ev.disorder_type == "Political violence; Demonstrations"
    tear_gas = text.replace("النار", "الغاز المسيل للدموع").replace("، ما أسفر عن إصابة متظاهرين اثنين", "")
    assert [e.sub_event_type for e in extract(Document(text=tear_gas, published="2024-02-28"))] == [
        "Protest with intervention"]


def test_a_bomb_with_no_perpetrator_named_is_an_unidentified_armed_groups():
    # syria.tv (20 November 2019), shortened
    text = ("انفجرت، مساء أمس الثلاثاء، دراجة نارية ملغّمة في مدينة جرابلس شمال شرق حلب، ما أدّى إلى مقتل سائقها"
            " على الفور، إضافةً لإصابة أربعة مدنيين، نقلوا إلى مشفى في المنطقة.")
    ev = extract(Document(text=text, published="2019-11-20"), min_confidence=0)[0]
    assert ev.sub_event_type == "Remote explosive/landmine/IED"
    assert ev.actor1 == "Unidentified Armed Group (Syria)" and "no perpetrator named" in ev.reasons["actor1"]


# -- one event per place of a list --------------------------------------------------------------

def test_a_list_of_places_goes_on_past_outskirts_and_villages_the_gazetteer_lacks():
    # vdc-sy.net (4 November 2020) and aljazeera.net/mubasher (28 November 2024), shortened
    shelling = ("وقد شهدت عدة مناطق في إدلب منذ صباح اليوم، الأربعاء 4 نوفمبر 2020، تصعيد في القصف المدفعي من"
                " الجيش السوري، استهدف عدة مدن وقرى، أريحا، احسم، مرعيان، بليون، أطراف البارة، كفريا.")
    places = {e.location for e in extract(Document(text=shelling, published="2020-11-04"), min_confidence=0)}
    assert {"Ariha", "Balyun", "Bara", "Kafraya"} <= places
    capture = ("وسيطرت فصائل المعارضة السورية، الأربعاء، على عدد من القرى أبرزها: الهوتة، وتلة الضبعة، وأورم الكبرى،"
               " وباشنطرة، وجمعية المعري.")
    places = {e.location for e in extract(Document(text=capture, published="2024-11-28"), min_confidence=0)}
    assert "Jamiyat al Maari" in places  # past "باشنطرة", which no gazetteer has
    # a clause between two places ends the list
    two = "قصفت قوات النظام مدينة أريحا، ونزح الأهالي إلى بلدة كفريا، وإدلب."
    assert [e.location for e in extract(Document(text=two, published="2020-11-04"), min_confidence=0)
            if e.sub_event_type == "Shelling/artillery/missile attack"] == ["Ariha"]


def test_a_list_goes_on_past_a_place_whose_article_the_tokenizer_cut_off():
    # al-Souria (4 July 2021, gold): "والفطيرة" is و + ال + the village "فطيرة"; the list goes on
    text = ("إذ قصفت قوات النظام أطراف بلدة الرامي وبلدات كنصفرة والفطيرة وكفر شلايا والبارة وكفرحايا بريف إدلب"
            " الجنوبي.")
    places = [e.location for e in extract(Document(text=text, published="2021-07-04"), min_confidence=0)]
    assert places == ["Rami", "Kansafra", "Ftireh", "Kafr Shalaya", "Bara", "Kafr Haya"]


def _locations(text: str, published: str) -> list[str]:
    return [e.location for e in extract(Document(text=text, published=published), min_confidence=0)]


@pytest.mark.parametrize("text, published, expected", [
    # Step News (3 July 2022, gold): Menagh ("منغ") is no OCHA community; the list goes on past it
    ("إطلاق رشقات صاروخية (قرابة 40 قذيفة) مصدرها الجيش التركي، استهدف مواقع ونقاط تمركز قوات \"قسد\" في"
     " تل رفعت ومنغ وعين دقنة ومرعناز وحربل.", "2022-07-03", ["Tall Refaat", "Ein Daqnah", "Maraanaz", "Harbal"]),
    # a word that starts a clause ends the list: the displaced went to Kafraya, it was not shelled
    ("قصفت قوات النظام مدينة أريحا ونزح الأهالي إلى بلدة كفريا", "2020-11-04", ["Ariha"]),
    # aljazeera.net (26 February 2016, gold dev): "في الريف الشمالي لحماة" and "بالريف الجنوبي" tell
    # where the items are; Hama is no item of the list
    ("وشن الطيران الروسي أكثر من عشرين غارة جوية على مدينة اللطامنة في الريف الشمالي لحماة , وقرية الزيارة"
     " بالريف الجنوبي والمنصورة وتل واسط والسرمانية في منطقة سهل الغاب", "2016-02-25",
     ["Latmana", "Ziyara", "Mansura", "Tal Wassit", "Sarmaniya"]),
])
def test_a_list_goes_on_past_a_village_the_gazetteer_lacks_and_the_region_that_places_an_item(
        text, published, expected):
    assert _locations(text, published) == expected


def test_a_direction_word_alone_names_no_quarter_of_idlib():
    # Jisr TV (21 January 2020, gold round 8): "ريفي حلب الجنوبي والغربي" is no quarter of Idlib city
    # (OCHA names Idlib's quarters "الشرقي", "الغربي" ...)
    text = ("وتشن مقاتلات النظام والاحتلال الروسي منذ أيام حملة قصف مكثفة على قرى وبلدات ريفي حلب الجنوبي والغربي"
            " و ريفي إدلب الجنوبي والشرقي")
    places = {e.location for e in extract(Document(text=text, published="2020-01-21"), min_confidence=0)}
    assert not any(p.startswith("Idleb - ") for p in places)


def test_cleansing_villages_is_taking_them():
    # Al-Arab via Anadolu (16 March 2018, gold round 8), the official wording of a capture
    text = ('وتمكنت قوات الجيش السوري الحر من تطهير قريتي "كوليان فوقاني" و"كوليان تحتاني"، التابعتين لناحية راجو'
            ' غربي عفرين.')
    events = extract(Document(text=text, published="2018-03-16"), min_confidence=0)
    assert {e.sub_event_type for e in events} == {"Non-state actor overtakes territory"}


def test_a_list_in_quotation_marks_after_each_of_is_the_places_hit():
    # Step News (15 September 2019): "كلاً من" lists the places hit, it names no origin
    text = ("وأوضح مراسلنا أنَّ القصف المدفعي طال كلاً من مدينة “كفرنبل” وبلدات “حاس وكفرومة ومعرة حرمة ومعرزيتا"
            " وكنصفرة”، بالإضافة إلى قريتي “جبالا وأرينبة” في ريف إدلب الجنوبي.")
    places = [e.location for e in extract(Document(text=text, published="2019-09-15"), min_confidence=0)]
    assert places[:3] == ["Kafr Nobol", "Has", "Kafruma"]


def test_a_town_targeted_right_after_a_sentence_about_shelling_is_shelled():
    # Step News (15 September 2019), shortened
    text = ("كثّفت قوّات النظام السوري وميليشياتها، منذ صباح اليوم الأحد، القصف المدفعي على مدن وبلدات ريف إدلب"
            " الجنوبي، موقعًة ضحايا بين صفوف المدنيين.\n\nهذا واستهدفت قوّات النظام المتمركزة في حاجز النمر داخل"
            " مدينة خان شيخون، بلدة كنصفرة الواقعة في جبل الزاوية، ما أدى إلى مقتل إمراة وجرح عدد آخر من المدنيين.")
    events = extract(Document(text=text, published="2019-09-15"))
    kansafra = [e for e in events if e.location == "Kansafra"]
    assert kansafra and kansafra[0].sub_event_type == "Shelling/artillery/missile attack"
    # with no shelling before, a town targeted and a woman killed stays an attack
    alone = extract(Document(text=text.split("\n\n")[1], published="2019-09-15"))
    assert {e.sub_event_type for e in alone} == {"Attack"}


def test_a_large_toll_told_of_a_region_is_no_events_toll():
    # Slaati (4 March 2018, gold train of round 7): three weeks of shelling across Eastern Ghouta
    text = ("وتتعرض مناطق سيطرة الفصائل المعارضة في الغوطة الشرقية منذ ثلاثة أسابيع لقصف كثيف، تسبب بمقتل أكثر"
            " من 630 مدنيًا وفق المرصد السوري.")
    events = extract(Document(text=text, published="2018-03-04"), min_confidence=0)
    assert events and all(e.fatalities < LARGE_TOLL for e in events)
    assert any("no day or town of its own" in e.reasons.get("fatalities", "") for e in events)


def test_a_large_toll_in_a_relative_clause_or_years_ago_is_background():
    # corpus R-165#1 (2017), a news ticker recalling the 2013 chemical attack
    text = ("البيت الأبيض يلاحظ اليوم الرابع من الهجوم السوري على الأسلحة الكيماوية الذي قتل 1400 , يؤكد من جديد"
            " أنه لا يمكن التسامح مع استخدام الأسلحة الكيميائية .")
    assert all(e.fatalities < LARGE_TOLL for e in extract(Document(text=text, published="2017-08-21"), min_confidence=0))
    ago = ("السفارة الأمريكية في سوريا : « قبل 4 سنوات , قتلت حكومة الأسد أكثر من 1400 سوري فهم يستخدمون السارين"
           " الكيميائي في ضاحية الغوطة بدمشق »")
    assert all(e.fatalities < LARGE_TOLL for e in extract(Document(text=ago, published="2017-08-21"), min_confidence=0))


def test_a_background_clause_after_the_event_does_not_hide_it():
    # Enab Baladi (2025), shortened: the clause after the comma describes the city, not the blast
    text = ("انفجرت عبوة ناسفة مزروعة بسيارة في ضاحية أبي الفداء بمدينة حماة، وهو الانفجار الثاني الذي تشهده"
            " المدينة منذ بداية العام.")
    events = extract(Document(text=text, published="2025-03-01"), min_confidence=0)
    assert [e.event_type for e in events] == ["Explosions/Remote violence"]
    # a background cue in the event's own clause still marks it as history
    old = "انفجرت عبوة ناسفة مزروعة بسيارة في ضاحية أبي الفداء بمدينة حماة منذ بداية العام."
    assert not extract(Document(text=old, published="2025-03-01"), min_confidence=0)


def test_remembered_history_is_not_an_event():
    # furat-sy.com (2 February 2024), shortened: the anniversary of Hama 1982
    text = ("تمر اليوم الذكرى الثانية والأربعين للأحداث التي شهدتها مدينة حماة في عام 1982.\n\n"
            "في مثل هذا اليوم من عام 1982 حاصرت عصابات سرايا الدفاع التي يقودها رفعت الأسد مدينة حماة من الأربع"
            " جهات وقصفها براجمات الصواريخ والمدافع والدبابات.")
    assert extract(Document(text=text, published="2024-02-02"), min_confidence=0) == []


def test_people_hurt_with_no_attacker_or_fire_told_are_no_attack_of_their_own():
    # Yalla Syria (1 December 2025, gold round 8): the wounded of a cluster bomb's blast told before
    text = ("وذكرت المصادر أن الطفل أحمد البكور توفي على الفور متأثراً بإصابات خطيرة إثر انفجار قنبلة عنقودية في بلدة"
            " معرشورين شرق إدلب.\nوأصيب طفلان آخران كانا برفقته بجروح متفاوتة، ووصفت حالة أحدهما بالحرجة.")
    assert "Attack" not in {e.sub_event_type for e in extract(Document(text=text, published="2025-12-01"), min_confidence=0)}
    # hurt by someone's fire, it is an attack
    text = "اصيبت الطفلة ريم الشويخ بنيران الجبهة الشامية وهي نائمة داخل خيمتها في مدينة الباب."
    assert [e.sub_event_type for e in extract(Document(text=text, published="2020-05-17"), min_confidence=0)] == ["Attack"]


def test_a_report_on_an_anniversary_tells_history_but_its_protests_are_the_days():
    # Enab Baladi (25 May 2024, gold round 8), shortened: the Houla massacre of 2012 remembered
    text = ("تفاعل سوريون عبر وسائل التواصل الاجتماعي مع الذكرى السنوية لمجزرة الحولة التي نفذتها قوات النظام"
            " السوري في قرية تلدو بناحية الحولة.\nواستعاد السوريون صورًا لضحايا المجزرة الذي يوافق اليوم، السبت"
            " 25 من أيار، الذكرى الـ12 لوقوعها.\nوأضافت، أن المسلحين أعدموا عائلات بأكملها في قرية تلدو.")
    assert extract(Document(text=text, published="2024-05-25"), min_confidence=0) == []
    # the demonstrations that mark an anniversary are events of the day
    text = ("أحيا أهالي درعا الذكرى الثامنة للثورة السورية.\nوخرجت مظاهرة في مدينة طفس رفعت علم الثورة وطالبت"
            " بإسقاط النظام.")
    assert [e.sub_event_type for e in extract(Document(text=text, published="2019-03-18"), min_confidence=0)] == [
        "Peaceful protest"]


@pytest.mark.parametrize("text, expected", [
    # raqqa-sl (2017): a bombing by unknown men that killed people, no place the gazetteer knows
    ("قالت شبكة الرقة تذبح بصمت أن مجهولين قاموا بتفجير مبنى ناحية معدان بالريف الشرقي ما أدى حسب الأنباء"
     " الأولية لسقوط أكثر من 20 قتيلا بينهم مدير الناحية .", ("Explosions/Remote violence", "Remote explosive/landmine/IED")),
    # horanfree (2023): one man shot dead is an attack, not half a battle
    ("في سياق متصل، قتل الشاب مراد علي جبر الحشيش إثر استهدافه بالرصاص المباشر في بلدة تل شهاب غربي درعا.",
     ("Violence against civilians", "Attack")),
    # aljazeera.net (11 October 2025): foreign forces detaining people, no date in the sentence
    ("اعتقلت قوات إسرائيلية 5 سوريين خلال توغلها في بلدة صيدا الحانوت بريف محافظة القنيطرة.",
     ("Violence against civilians", "Abduction/forced disappearance")),
])
def test_sentences_read_alone_keep_their_event(text, expected):
    events = extract(Document(text=text), min_confidence=0, all_countries=True)
    assert expected in [(e.event_type, e.sub_event_type) for e in events]


def test_a_toll_told_of_a_list_of_places_is_split_evenly_among_them():
    # alsafahat.net (4 November 2017), shortened: 15 killed in two villages -> 8 and 7 (the
    # remainder on the first), as the CODEBOOK splits a toll over several days
    text = ("القصف الجوي والصاروخي الروسي تسبب بسقوط أكثر من 15 قتيلا مدنيا في قرى السويعية والمراشدة من ريف"
            " البوكمال , وجرح ما لا يقل عن 20 آخرين .")
    events = extract(Document(text=text, published="2017-11-04"))
    assert [(e.location, e.fatalities) for e in events] == [("Sweiyeh", 8), ("Marashdeh", 7)]
    assert all("split evenly" in e.reasons["fatalities"] for e in events)


def test_a_place_inside_a_city_is_one_place_not_a_list():
    # "X في/ب Y" places X inside Y; only "و", a comma or a place noun joins a list
    # Enab Baladi (16 November 2019), shortened: the front of Deir Mashmasha near Afrin
    text = ("وتدور اشتباكات متفرقة في المنطقة بين “الجيش الوطني” السوري و”وحدات حماية الشعب” (الكردية)، أحدثها"
            " كان على جبهة دير مشمش في محيط مدينة عفرين اليوم.")
    assert [e.location for e in extract(Document(text=text, published="2019-11-16"), min_confidence=0)] == [
        "Deir Meshmesh"]
    # Al Jazeera (26 December 2025), shortened: a quarter of the city keeps the whole toll
    text = ("أعلنت وزارة الداخلية السورية مقتل 6 أشخاص وإصابة 21 آخرين في انفجار استهدف مسجد الإمام علي بن أبي"
            " طالب في حي وادي الذهب بمدينة حمص وسط البلاد.")
    events = extract(Document(text=text, published="2025-12-26"), min_confidence=0)
    assert len(events) == 1 and events[0].admin1 == "Homs" and events[0].fatalities == 6


def test_a_person_shot_by_one_side_is_an_attack_on_a_civilian():
    # Syria TV (8 August 2022), shortened: "a person" killed by regime fire, not said to be a
    # fighter, is a civilian victim, as for a blast (kb/cues.csv person_victim, combatant)
    text = ("وكان \"تجمع أحرار حوران\" ذكر أن شخصا يدعى \"مهند هايل نزال\" ينحدر من قرية رخم شرقي درعا، قتل أول"
            " أمس السبت، إثر استهدافه برصاص قوات النظام في أثناء وجوده قرب بلدة الحراك.")
    events = extract(Document(text=text, published="2022-08-08"))
    assert [(e.sub_event_type, e.actor1, e.actor2) for e in events] == [
        ("Attack", "Military Forces of Syria (2000-2024)", "Civilians (Syria)")]
    # a fighter killed so is not
    fighter = text.replace("شخصا يدعى", "عنصرا يدعى")
    assert all(e.sub_event_type != "Attack" for e in extract(Document(text=fighter, published="2022-08-08"),
                                                             min_confidence=0))


def test_a_report_told_at_a_region_and_at_one_town_of_it_is_one_event_at_the_town():
    # Syria TV (4 May 2019), shortened: "in the Hasakah countryside", then "in the city of Qamishli"
    text = ("اعتقلت قوات الأمن الداخلي (أسايش)، أمس الجمعة، مسؤولاً محلياً تابعاً للمجلس الوطني الكردي في ريف"
            " الحسكة. وذكرت شبكة فرات بوست أن عناصر الأسايش اعتقلوا رئيس المجلس المحلي الغربي بمدينة القامشلي"
            " شمال شرق الحسكة، بعد مداهمة منزله.")
    events = extract(Document(text=text, published="2019-05-04"), min_confidence=0)
    assert [(e.sub_event_type, e.location, e.geo_precision) for e in events] == [("Arrests", "Quamishli", 1)]
    # two towns of the governorate that day, the region told first (a lead): it sums them up
    two = text.replace("بعد مداهمة منزله.", "بعد مداهمة منزله. كما اعتقلت قوات الأسايش عضواً آخر في مدينة عامودا.")
    events = extract(Document(text=two, published="2019-05-04"), min_confidence=0)
    assert sorted(e.location for e in events) == ["Amuda", "Quamishli"]
    # ... told after both towns, the region's report may be either or another: it stays
    towns = ("اعتقلت قوات الأسايش، أمس الجمعة، رئيس المجلس المحلي الغربي بمدينة القامشلي. كما اعتقلت قوات الأسايش"
             " عضواً آخر في مدينة عامودا. واعتقلت قوات الأمن الداخلي (أسايش) مسؤولاً محلياً ثالثاً في ريف الحسكة.")
    assert len(extract(Document(text=towns, published="2019-05-04"), min_confidence=0)) == 3


def test_a_headline_at_a_governorate_sums_up_the_towns_its_report_names():
    # SMART (17 November 2019, gold train), shortened: the headline's "محافظة إدلب" is no event of
    # its own beside the strikes on Saraqib and near Ariha
    text = ("قتلى وجرحى بقصف جوي روسي على محافظة إدلب\n\n"
            "وقال ناشطون محليون إن الطائرات الحربية الروسية شنت الأحد غارة على مدينة سراقب، ما أسفر عن مقتل"
            " أربعة أشخاص وإصابة خمسة آخرين بجروح. إلى ذلك أفاد الدفاع المدني أن ثلاثة أشخاص قتلوا نتيجة تسع"
            " غارات جوية من طائرات حربية روسية استهدفت قرية أورم الجوز قرب مدينة أريحا جنوبي محافظة إدلب.")
    events = extract(Document(text=text, published="2019-11-17"), min_confidence=0)
    assert "Idleb" not in {e.location for e in events}
    assert {"Saraqab", "Orm Eljoz"} <= {e.location for e in events}


def test_a_protest_that_turned_violent_is_one_riot_at_its_place_and_day():
    # the shape of Al-Alam (1 November 2022): the protest, then what the protesters burned
    text = ("خرج العشرات من أهالي بلدة ذيبان بريف دير الزور الشرقي اليوم بمظاهرة احتجاجية ضد ممارسات قسد."
            " وأحرق المتظاهرون الإطارات وهاجموا بالحجارة مقرا لقسد في البلدة.")
    events = extract(Document(text=text, published="2022-11-01"), min_confidence=0)
    assert [(e.sub_event_type, e.location) for e in events] == [("Violent demonstration", "Thiban")]


@pytest.mark.parametrize("text, sub", [
    # corpus baly2018 R-487#4 (al-Watan roundup, 2017): the actor and the operation stand between
    # the control verb and "على قرية"
    ("سيطر مسلحو \" قوات سوريا الديمقراطية \" ضمن المرحلة الثالثة من عملية \" غضب الفرات \" على قرية"
     " \" جديدة مخيط \" في ريف الرقة الشرقي بعد اشتباكات مع تنظيم داعش .", "Non-state actor overtakes territory"),
    # corpus baly2018 R-117#11: a number of villages taken this week
    ("سيطرت قوات الجيش السوري خلال هذا الأسبوع على عدد من القرى والبلدات في الضفة الغربية لنهر الفرات"
     " , ومن جملتها قرية مظلوم وبلدة خشان .", "Government regains territory"),
    # corpus baly2018 V-154#4: a checkpoint at a town's entrance is part of the town
    ("كما سيطرت \" النصرة \" على حاجز في مدخل بلدة كفروما الغربي جنوب إدلب , مع استمرار الاشتباكات بين"
     " الجماعتين المسلحتين في العديد من القرى .", "Armed clash"),
    # corpus baly2018 R-635#1: checkpoints taken near two towns
    ("وفي ريف حمص الشرقي , سيطر تنظيم الدولة على حواجز بعد اشتباكات مع قوات النظام في محيط مدينتي"
     " السخنة والقريتين .", "Armed clash"),
    # corpus baly2018 R-563#9 ("السوري" added: the army is named earlier in the article): a verb
    # whose object follows it stays a capture, whatever "على" comes later
    ("استعاد الجيش السوري مدينة تدمر الاثرية ومعاقل داعش الرئيسية الأخرى على طول الطريق في الصحراء باتجاه"
     " دير الزور .", "Government regains territory"),
])
def test_the_place_taken_is_the_object_of_the_control_verb(text, sub):
    events = extract(Document(text=text, published="2017-10-20"), min_confidence=0)
    assert {e.sub_event_type for e in events if e.event_type == "Battles"} == {sub}


def test_a_negated_event_word_does_not_stop_a_follow_up_toll():
    # Step News (27 July 2022, gold train), shortened: the toll follows the clash, in a sentence
    # that also says others surrendered "without fighting" ("دون قتال")
    text = ("اشتباكات عنيفة في السويداء\nوفي التفاصيل، أفادت شبكة \"السويداء 24\" المحلية، بأن اشتباكات عنيفة"
            " جداً دارت بين الطرفين، استخدمت فيها مختلف أنواع الأسلحة الخفيفة والمتوسطة. وأشارت إلى مقتل ما لا"
            " يقل عن 6 عناصر من الأمن العسكري وإصابة عدد آخر بجروح، فيما سلم عدد من عناصره أنفسهم دون قتال."
            " كما أفادت بأن المجموعات المسلحة المحلية، تمكنت من القبض على \"الإرهابي راجي فلحوط\" بعد اشتباكات"
            " عنيفة واقتحام مقره.")
    events = extract(Document(text=text, published="2022-07-27"), min_confidence=0)
    assert [(e.sub_event_type, e.fatalities) for e in events] == [("Armed clash", 6)]


def test_a_fragment_takes_the_place_of_the_event_it_continues():
    # Enab Baladi (30 July 2020, gold dev), shortened: "the explosion" of the next paragraph is the
    # car bomb at the Tal Arqam checkpoint, not an event at the town the page is about
    text = ("انفجار جديد يضرب رأس العين\n\nوبحسب المجلس المحلي في رأس العين، فإن سيارة مفخخة انفجرت اليوم، الخميس"
            " 30 من تموز، على حاجز “تل أرقم” غربي تل حلف بريف مدينة رأس العين.\n\nوأدى الانفجار إلى مقتل ستة"
            " مقاتلين من “الجيش الوطني”، وإصابة ثمانية آخرين بينهم مدنيون.")
    events = extract(Document(text=text, published="2020-07-30"), min_confidence=0)
    located = {e.location: e.fatalities for e in events if e.sub_event_type == "Remote explosive/landmine/IED"}
    assert located.get("Tal Arqam") == 6
    # told at two places before it, the word may refer to either: it is not given to one of them
    two = text.replace("بريف مدينة رأس العين.", "بريف مدينة رأس العين، كما انفجرت عبوة ناسفة في بلدة الدرباسية.")
    events = extract(Document(text=two, published="2020-07-30"), min_confidence=0)
    assert {e.location: e.fatalities for e in events} == {"Tal Arqam": 0, "Darbasiyah": 0, "Ras Al Ain": 6}


@pytest.mark.parametrize("text", [
    # Syria TV (5 October 2019, gold train): an assassination word tells the killing itself
    "اغتال مجهولون اليوم السبت أربعة مقاتلين من الجيش الوطني في قرية شبيران شمال مدينة الباب بريف حلب الشمالي الشرقي.",
    # the noun, with the killers after "على يد" (the agent), named after the victims' group
    "قتل قيادي في الجيش الوطني اليوم السبت في مدينة الباب إثر عملية اغتيال على يد مجهولين.",
])
def test_fighters_assassinated_by_another_armed_group_are_an_armed_clash(text):
    events = extract(Document(text=text, published="2019-10-05"), min_confidence=0)
    assert [(e.sub_event_type, e.actor1, e.actor2) for e in events] == [
        ("Armed clash", "Unidentified Armed Group (Syria)", "SNA: Syrian National Army")]


def test_an_event_word_after_a_demonstrative_refers_back_past_other_sentences():
    # the shape of corpus baly2018 R-117#12 ("وأثناء تلك الاشتباكات ..." two sentences after the
    # fighting): "هذه الاشتباكات" is the clash at Kafr Nobol, not the page's main place
    text = ("قصف مدفعي على مدينة معرة النعمان\n\nقصفت قوات النظام مدينة معرة النعمان بقذائف المدفعية صباح اليوم."
            " واندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في بلدة كفرنبل بريف إدلب الجنوبي.\n\n"
            "وأكد مصدر محلي أن الأهالي يعيشون أوضاعا صعبة.\n\nوقتل خلال هذه الاشتباكات خمسة عناصر من قوات النظام.")
    events = extract(Document(text=text, published="2019-05-10"), min_confidence=0)
    assert [(e.location, e.fatalities) for e in events if e.sub_event_type == "Armed clash"] == [("Kafr Nobol", 5)]


@pytest.mark.parametrize("text, sub", [
    # corpus baly2018 V-453#0 (gold dev_baly2018): HTS fired on the protesters, no dispersal word
    ("أطلقت عناصر تحرير الشام النار على متظاهرين في مدينة الاتارب خرجوا امام حاجز للهيئة عند مدخل المدينة"
     " ضد دخول الارتال العسكرية الى المدينة.", "Excessive force against protesters"),
    # corpus baly2018 R-411#3 (a chronology entry)
    ("قوات الأمن السورية تطلق النار على مظاهرة مناوئة للحكومة في ضاحية سقبا القريبة من دمشق .",
     "Excessive force against protesters"),
    # shots in the air to disperse them, no one hurt: an intervention only
    ("أطلقت قوات الأمن النار في الهواء لتفريق المتظاهرين في مدينة السويداء دون تسجيل إصابات.",
     "Protest with intervention"),
])
def test_protesters_fired_on_face_excessive_force(text, sub):
    events = extract(Document(text=text, published="2017-11-14"), min_confidence=0)
    assert [e.sub_event_type for e in events if e.event_type == "Protests"] == [sub]


def test_a_list_of_towns_goes_on_past_the_city_itself():
    # syria.tv, 8 March 2024 (gold train): "وتركّزت في إدلب المدينة ومدن وبلدات بنش وأريحا ..."
    text = _gold_text("web-syriatv-anti-julani-protests-idlib-aleppo-2024-03-08", "train")
    events = extract(Document(text=text, published="2024-03-08"), min_confidence=0)
    assert {"Ariha", "Bennsh", "Jisr-Ash-Shugur", "Ehsem", "Kafr Takharim"} <= {
        e.location for e in events if e.event_type == "Protests"}


@pytest.mark.parametrize("text", [
    # corpus baly2018 R-150#2 (and two copies): the missiles intercepted are no clash
    "وقامت الدفاعات الجوية السورية بالتصدي لها وأسقطت ثلاثة أهداف منها في ريف دمشق اليوم.",
    # the way SANA tells it
    "وسائط دفاعنا الجوي تتصدى لعدوان إسرائيلي في سماء ريف دمشق اليوم.",
])
def test_air_defences_repelling_missiles_are_no_clash(text):
    events = extract(Document(text=text, published="2017-12-02"), min_confidence=0)
    assert not [e for e in events if e.sub_event_type == "Armed clash"]


def test_a_name_after_a_settlement_word_stays_a_place_whatever_the_ner_model_says():
    # Shafaq News (9 December 2025, gold train): the NER model reads "خان أرنبة" as a person; after
    # "ببلدة" it is the town, not the governorate the sentence also names
    text = ("شفق نيوز- القنيطرة\n\nسجلت محافظة القنيطرة، يوم الثلاثاء، إصابات في صفوف مدنيين ببلدة خان أرنبة، إثر إطلاق"
            " نار مباشر من قبل دورية تابعة للجيش الإسرائيلي، عقب احتجاج الأهالي على دخول القوة العسكرية إلى البلدة.\n\n"
            "وذكرت مصادر محلية، لوكالة شفق نيوز، أن دوريات إسرائيلية مدعّمة بعربات مصفحة اقتحمت البلدة، وأقامت حواجز"
            " في الشوارع الرئيسية، مانعة حركة السيارات والمواطنين، الأمر الذي أثار غضب السكان ودفعهم للاحتجاج، قبل أن"
            " يقدم الجنود الإسرائيليون على إطلاق الرصاص وقنابل الغاز المسيل للدموع لتفريق المحتجين.")
    events = extract(Document(text=text, published="2025-12-09"), ner=True, min_confidence=0)
    assert [(e.sub_event_type, e.location) for e in events] == [("Excessive force against protesters", "Khan Arnaba")]
