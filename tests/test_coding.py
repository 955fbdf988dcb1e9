"""Coding rules: interaction, disorder type, notes, store round trip."""

import json

import pytest

from marsad.extract import extract
from marsad.extract.coding import disorder_type, interaction, note
from marsad.kb import get_kb
from marsad.model import ACLED_COLUMNS, Document, Event


def test_interaction_orders_by_inter_number():
    assert interaction("Rebel group", "State forces") == "State forces-Rebel group"
    assert interaction("Civilians", "Political militia") == "Political militia-Civilians"
    assert interaction("Rebel group", "") == "Rebel group only"
    assert interaction("", "") == ""


def test_disorder_type_from_the_acled_table():
    kb = get_kb()
    assert disorder_type(kb, "Armed clash") == "Political violence"
    assert disorder_type(kb, "Peaceful protest") == "Demonstrations"
    assert disorder_type(kb, "Excessive force against protesters") == "Political violence; Demonstrations"
    assert disorder_type(kb, "Arrests") == "Strategic developments"


def test_note_in_acled_style():
    e = Event(event_date="2022-11-01", time_precision=1, sub_event_type="Armed clash",
              actor1="Local Armed Groups (Syria)", actor2="Islamic State (Syria)",
              assoc_actor_1="Military Forces of Syria (2000-2024) 8th Brigade",
              location="Dar'a - Dar'a al Balad", admin1="Dara", admin2="Dara")
    text = note(e)
    assert text.startswith("On 1 November 2022, Local Armed Groups (Syria), backed by")
    assert "clashed with Islamic State (Syria) in Dar'a - Dar'a al Balad (Dara, Dara)." in text
    assert text.endswith("No fatalities reported.")


def test_event_row_has_the_31_acled_columns_in_order():
    assert len(ACLED_COLUMNS) == 31
    row = Event().acled_row()
    assert tuple(row) == ACLED_COLUMNS
    assert row["iso"] == 760 and row["country"] == "Syria"


def test_kb_tables_are_consistent():
    kb = get_kb()
    assert len(kb.places) >= 8782
    assert len(kb.actors) >= 100
    subtypes = {t.sub_event_type for t in kb.triggers}
    assert len(subtypes) == 25  # every ACLED sub-event type has triggers
    for a in kb.actors.values():
        assert a.inter in {"State forces", "Rebel group", "Political militia", "Identity militia", "Rioters",
                           "Protesters", "Civilians", "External/Other forces"}


def test_regime_period_names_follow_the_date():
    kb = get_kb()
    ids = [a.actor_id for a in kb.actors.values() if "الجيش السوري" in a.names_norm]
    assert len(ids) >= 2
    before = kb.pick(ids, "2022-11-01").name_en
    after = kb.pick(ids, "2025-03-01").name_en
    assert before != after and "2024" in before


def test_event_abroad_is_kept_with_its_country_and_no_location_with_all_countries():
    from marsad.extract import extract
    from marsad.model import Document

    for text, country in [
        ("تظاهر مئات المواطنين أمام مبنى البرلمان في بغداد اليوم احتجاجا على انقطاع الكهرباء", "Iraq"),
        ("قتل مسلحون مجهولون ثلاثة مدنيين في مدينة الموصل", "Iraq"),
    ]:
        doc = Document(text=text, published="2019-05-01")
        # by default only events located in Syria are emitted; --explain says why this one is not
        assert extract(doc) == []
        dropped = extract(doc, explain=True)
        assert len(dropped) == 1 and "outside Syria" in dropped[0].reasons["dropped"]
        events = extract(doc, all_countries=True, min_confidence=0)
        assert len(events) == 1, text
        ev = events[0]
        assert ev.country == country and ev.location == "" and ev.latitude is None
        assert ev.actor1.endswith(f"({country})")
        assert "outside Syria" in ev.reasons["location"]


def test_multi_day_operation_is_one_event_per_day():
    from marsad.extract import extract
    from marsad.model import Document

    text = "تتعرض مدينة دوما لقصف مدفعي عنيف من قوات النظام منذ يوم الجمعة"
    events = extract(Document(text=text, published="2021-03-07"))
    assert [e.event_date for e in events] == ["2021-03-05", "2021-03-06", "2021-03-07"]
    assert all(e.sub_event_type == "Shelling/artillery/missile attack" for e in events)
    assert "multi-day" in events[0].reasons["event_date"]


def test_note_of_a_clash_without_a_second_actor_is_a_sentence():
    from marsad.extract.coding import note
    from marsad.model import Event

    ev = Event(event_date="2022-11-01", time_precision=1, sub_event_type="Armed clash",
               actor1="Liwa al-Tawhid", location="Tafas", admin1="Dara", admin2="Dara")
    assert note(ev).startswith("On 1 November 2022, Liwa al-Tawhid clashed with unidentified actors in Tafas")


def test_a_nationality_after_the_attack_word_names_its_author():
    # al-ahed news (15 January 2024) and aljazeera.net (26 February 2016), shortened
    shelling = extract(Document(text="وفي عين عيسى في ريف الرقة، تسبّب القصف التركي على محطة الكهرباء بقطعها عن"
                                     " أكثر من 60% من أحياء المدينة.", published="2024-01-15"), min_confidence=0)
    assert [(e.actor1, e.evidence["actor1"][0].text) for e in shelling] == [
        ("Military Forces of Turkey (2016-)", "القصف التركي")]
    strikes = extract(Document(text="قتلى في غارات روسية عنيفة على بلدة قبتان الجبل بريف حلب الغربي اليوم.",
                               published="2016-02-26"), min_confidence=0)
    assert [e.actor1 for e in strikes] == ["Military Forces of Russia (2000-)"]
    # a nationality further on is not the author: "على الحدود التركية"
    border = extract(Document(text="قصفت المدفعية بلدة كفرنبل على الحدود التركية اليوم.", published="2024-01-15"),
                     min_confidence=0)
    assert "Military Forces of Turkey (2016-)" not in [e.actor1 for e in border]


def test_the_people_of_a_place_do_not_place_the_event_there():
    # step-agency.com (24 January 2021), shortened: "أبناء درعا" are where the fighters come from
    text = ("ودارت اشتباكات عنيفة بين الفرقة الرابعة مع مقاتلين سابقين بالمعارضة من أبناء درعا على أطراف بلدات"
            " المزيريب وطفس واليادودة، اليوم الأحد.")
    events = extract(Document(text=text, published="2021-01-24"), min_confidence=0)
    assert "Dar'a" not in {e.location for e in events} and "Tafas" in {e.location for e in events}


def test_the_fighting_that_won_a_village_is_its_capture():
    # corpus V-111#8 (2017), shortened
    text = ("سيطرت « قوات سوريا الديمقراطية » على قرية « وسيحة » جنوب بلدة الصور في ريف دير الزور الشمالي"
            " الشرقي , بعد اشتباكات مع تنظيم داعش , اليوم .")
    events = extract(Document(text=text, published="2017-10-07"), min_confidence=0)
    assert [e.sub_event_type for e in events] == ["Non-state actor overtakes territory"]


def test_a_toll_counted_between_two_distant_dates_is_a_total_over_a_period():
    # corpus R-165#4 (November 2017): the coalition's count of civilians killed since 2014
    text = ("وأضاف التقرير الشهري أن غارات التحالف تسببت دون قصد في مقتل 801 مدني بين أغسطس آب 2014 وأكتوبر"
            " تشرين الأول 2017 .")
    events = extract(Document(text=text), min_confidence=0)
    assert all(e.fatalities == 0 for e in events)
    assert all("a total over a period" in (e.reasons.get("fatalities") or "") for e in events)


def test_mortar_fire_that_names_no_side_folds_into_the_clash_at_its_place_and_day():
    # Enab Baladi (17 May 2020, gold dev): mortars used in a clash between two factions at al-Bab
    text = ("قُتل شخصان بينهم امرأة وأُصيب آخرون نتيجة اشتباكات بالأسلحة الخفيفة والمتوسطة، استُخدمت فيها قذائف"
            " “الهاون”، بين فصيلين في مدينة الباب شرقي حلب مساء أمس، السبت 16 من أيار.\n"
            "وأفاد مراسل عنب بلدي في الباب اليوم، أن الاشتباكات بين “فرقة الحمزات” و”الجبهة الشامية” المنضويتين"
            " ضمن “الجيش الوطني السوري”، هدأت عقب تدخل الشرطة العسكرية لإيقاف الاشتباك.")
    events = extract(Document(text=text, published="2020-05-17"), min_confidence=0)
    assert [(e.sub_event_type, e.location) for e in events] == [("Armed clash", "Al Bab")]


def test_a_raid_by_aircraft_is_an_air_strike():
    # Jisr TV (21 February 2017, gold train of round 6): "أغار" is a ground raid unless aircraft follow it
    text = "و في ريف إدلب الجنوبي أغار الطيران الحربي بلدة الهبيط ومحيط مدينة خان شيخون وبلدة بعربو."
    events = extract(Document(text=text, published="2017-02-21"), min_confidence=0)
    assert {e.sub_event_type for e in events} == {"Air/drone strike"}
    assert "Hbit" in {e.location for e in events}


def test_a_kamikaze_drone_is_an_air_strike_not_a_suicide_bomb():
    # Arab Khabar (23 September 2024, gold train of round 5)
    text = "وفي وقت سابق الاثنين، استهدفت قوات النظام بطائرة مسيرة انتحارية منزلا سكنيا في بلدة النيرب شرقي إدلب."
    events = extract(Document(text=text, published="2024-09-23"), min_confidence=0)
    assert [(e.sub_event_type, e.location) for e in events] == [("Air/drone strike", "Nayrab")]


def test_villages_taken_by_a_foreign_army_are_no_government_regaining():
    # Rebaz News citing Sputnik (13 November 2019, gold train): Turkey's army and the factions it backs
    text = ("كشف مراسل \"سبوتنيك\" في محافظة الحسكة بكوردستان سوريا اليوم, الأربعاء 13 تشرين الثاني/نوفمبر 2019,"
            " أن هجوماً عنيفاً مدعوماً بسلاحي الجو والمدفعية شنه الجيش التركي وفصائل المعارضة الموالية لأنقرة على قرى"
            " الرشيدية والقاسمية والريحانية على محور \"تل تمر– سري كانيه (رأس العين)\" وعلى قريتي المناخ والفيصلية على"
            " محور \"تل تمر– أبو راسين\" بريف سري كانيه (رأس العين) شمالي غربي محافظة الحسكة بكوردستان سوريا، أسفر"
            " عن سيطرتهم على تلك القرى.")
    events = extract(Document(text=text, published="2019-11-13"), min_confidence=0)
    taken = {e.location: e.sub_event_type for e in events if "territory" in e.sub_event_type}
    assert taken and set(taken.values()) == {"Non-state actor overtakes territory"}


def test_an_arrest_of_people_named_as_no_group_has_civilians_as_second_actor():
    # Enab Baladi via Yalla Syria (1 December 2025, gold train): the SDF detain about 20 residents
    text = ('شنت مجموعات تابعة لـ"قوات سوريا الديمقراطية" (قسد) مداهمة في بلدة الحصان بريف دير الزور الغربي، '
            'صباح اليوم الاثنين، الموافق 1 كانون الأول. أسفرت الحملة عن اعتقال نحو 20 شخصًا من أبناء البلدة.')
    events = extract(Document(text=text, published="2025-12-01"), min_confidence=0)
    arrests = [e for e in events if e.sub_event_type == "Arrests"]
    assert arrests and all(e.actor2 == "Civilians (Syria)" for e in arrests)
    assert "named as no group" in arrests[0].reasons["actor2"]


def test_the_group_ground_is_taken_from_is_the_loser_not_the_taker():
    # Al-Araby al-Jadeed (17 February 2020, gold dev): "the factions retook a village from regime
    # forces"; "الفصائل" alone names no group, and the regime, named after "من", lost the village
    text = "وفي غضون ذلك، استعادت الفصائل قرية قبتان الجبل من قوات النظام غرب حلب."
    events = extract(Document(text=text, published="2020-02-17"), min_confidence=0)
    taken = [e for e in events if "territory" in e.sub_event_type]
    assert taken and taken[0].sub_event_type == "Non-state actor overtakes territory"
    assert taken[0].actor1 == "" and taken[0].actor2 == "Military Forces of Syria (2000-2024)"


def test_an_air_strike_with_no_author_takes_no_armed_groups_rockets_author():
    # Qasioun (19 January 2020, gold dev): HTS's rockets, then warplanes' raids; HTS has no warplanes
    text = ('واستهدفت هيئة تحرير الشام قوات النظام في قرية الذهبية شرق إدلب بصواريخ "الفيل"، وأعلنت عن مقتل '
            'وجرح عدد منهم.\nوشنّت الطائرات الحربية يوم أمس 18 غارة جوية على 14 قرية وبلدة في ريفي حلب الجنوبي '
            'والغربي، ما أدى إلى مقتل رجلين وطفلين وامرأة في قرية بالة.')
    events = extract(Document(text=text, published="2020-01-19"), min_confidence=0)
    strikes = [e for e in events if e.sub_event_type == "Air/drone strike"]
    assert strikes and all(e.actor1 != "HTS: Hayat Tahrir al Sham" for e in strikes)


def test_an_arrest_and_the_words_that_say_the_detained_were_taken_away_are_one_detention():
    # Baladi News (25 September 2020, gold): one arrest told by "اعتقلت" and "اقتيادهم إلى جهة مجهولة"
    text = ('وقال مراسل بلدي نيوز في إدلب، إن "تحرير الشام" اعتقلت الناشط الإعلامي "محمد نعسان الدبل" على حاجز '
            '"الضهر" بالقرب من بلدة دركوش غرب إدلب.\nوأضاف مراسلنا، أن "الدبل" كان في طريق العودة إلى بلدته دركوش '
            'مع شخص آخر، وتم إيقافهم من قبل أمنية "تحرير الشام" وتطميشهم واقتيادهم إلى جهة مجهولة.')
    events = extract(Document(text=text, published="2020-09-25"), min_confidence=0)
    assert [e.location for e in events] == ["Darkosh"]


def test_an_attack_of_a_campaign_whose_sentence_names_no_author_is_the_authors_told_before():
    # the shape of Step News (15 September 2019, gold dev): the regime's shelling, then shells on a
    # second town with no author named
    text = ("قصفت قوات النظام بالمدفعية الثقيلة مدينة كفرنبل في ريف إدلب الجنوبي صباح اليوم.\n"
            "وسقطت قذائف صاروخية على بلدة حاس في ريف إدلب الجنوبي، ما أدى إلى إصابة مدنيين.")
    events = extract(Document(text=text, published="2019-09-15"), min_confidence=0)
    has = [e for e in events if e.location == "Has"]
    assert [e.actor1 for e in has] == ["Military Forces of Syria (2000-2024)"]
    assert "told before it in the report" in has[0].reasons["actor1"]
    # told alone, the shells have no author but the default
    alone = extract(Document(text=text.split("\n", 1)[1], published="2019-09-15"), min_confidence=0)
    assert [e.actor1 for e in alone] == ["Unidentified Armed Group (Syria)"]


def _corpus_article(article_id: str) -> dict:
    from tests.conftest import CORPUS

    if not CORPUS.exists():
        pytest.skip("needs ../shared/data/corpus (the shared data beside the repo)")
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            if f'"{article_id}"' in line[:200]:
                row = json.loads(line)
                if row.get("id") == article_id:
                    return row
    raise AssertionError(f"{article_id} is not in the corpus")


def test_a_front_line_or_the_rules_of_engagement_name_no_fight():
    # AFP via Hamrin News (21 January 2018, corpus V-466#8, gold train): "من عبور خط القتال في حي
    # البدو" (crossing the front line) and, Al-Shiraa (20 October 2017, corpus R-397#10): "انقلاب
    # قواعد الاشتباك الحاصل بين دمشق والحزب من جهة واسرائيل" (the rules of engagement) report no clash
    for article_id in ("V-466#8", "R-397#10"):
        row = _corpus_article(article_id)
        events = extract(Document(text=row["text"], url=row["url"]))
        assert "Armed clash" not in {e.sub_event_type for e in events}, article_id
    # Al-Hayat (5 December 2017, corpus R-150#2): Russia "keeps the lines of contact" (خطوط التماس)
    text = ("وأشارت الناطقة إلى أن \" هناك تنسيقا بيننا وبين القوات الروسية بغرفة مشتركة , والقوات الروسية تتكفل"
            " بالقوات السورية كي لا تقوم بأي عمل ضد قواتنا , وهي أي ( القوات الروسية ) تحفظ خطوط التماس \" .")
    assert not extract(Document(text=text, published="2017-12-05"), min_confidence=0)


def test_one_force_named_by_the_rows_of_two_periods_is_one_side():
    # Al-Shiraa (20 October 2017, corpus R-397#10): "لطائرات اسرائيلية" and "اسرائيل" are both Israel's
    # forces; the air strike has one side, not Israel against Israel
    row = _corpus_article("R-397#10")
    events = extract(Document(text=row["text"], url=row["url"]), min_confidence=0)
    assert events and all(not e.actor2 or e.actor2 != e.actor1 for e in events)
    strike = next(e for e in events if e.sub_event_type == "Air/drone strike")
    assert strike.actor1.startswith("Military Forces of Israel") and strike.actor2 == ""


def test_the_killing_of_a_civilian_by_a_weapon_the_sentence_names_is_that_weapons_toll():
    # Al-Araby Al-Jadeed (26 January 2020, gold dev): one air strike that killed a civilian, not an
    # attack on civilians beside an air strike with no toll
    text = "قتل مدني نتيجة قصف لطائرات حربية روسية على الطريق الدولي في محيط قرية داديخ شرق مدينة إدلب."
    events = extract(Document(text=text, published="2020-01-26"), min_confidence=0)
    assert [(e.sub_event_type, e.location, e.fatalities) for e in events] == [("Air/drone strike", "Dadikh", 1)]
    assert events[0].actor1 == "Military Forces of Russia (2000-)" and events[0].actor2 == "Civilians (Syria)"


def test_the_force_that_fires_on_protesters_is_the_first_actor():
    # Sweida 24 (28 February 2024, gold round 8, the perpetrator's name swapped for one the
    # knowledge base holds): ACLED codes excessive force with the force as actor1, the protesters as actor2
    text = ("أطلقت قوات النظام النار على متظاهرين سلميين مما أسفر عن مقتل أحد المتظاهرين في مدينة السويداء.")
    [event] = extract(Document(text=text, published="2024-02-28"), min_confidence=0)
    assert event.sub_event_type == "Excessive force against protesters"
    assert (event.actor1, event.actor2) == ("Military Forces of Syria (2000-2024)", "Protesters (Syria)")
    assert [x.text for x in event.evidence["actor1"]] == ["قوات النظام"]
    assert "used excessive force against Protesters (Syria)" in event.notes


def test_the_people_hurt_are_the_victims_of_the_strike_of_their_clause_only():
    # Jisr TV (31 August 2020, gold train of round 6): the two civilians were wounded at Balyun; the
    # shelling of the towns named after them in the same sentence hurt no one the text tells of
    text = ("وقال مراسل الجسر إن قوات النظام قصفت بلدة بليون في جبل الزاوية بريف إدلب الجنوبي، ما أسفر عن إصابة"
            " مدنيين اثنين، كما طال القصف بلدات كفرعويد والموزرة وفليفل والفطيرة في جبل الزاوية.")
    events = extract(Document(text=text, published="2020-08-31"), min_confidence=0)
    victims = {e.location: e.actor2 for e in events}
    assert victims["Balyun"] == "Civilians (Syria)"
    assert {victims[p] for p in ("Kafr Oweid", "Mozra", "Fleifel", "Ftireh")} == {""}


def test_people_killed_with_no_attacker_of_their_own_are_the_casualties_of_the_shelling_there():
    # Al-Modon (20 October 2021, gold train): the medical source's toll is the shelling's, not an
    # attack of its own at Ariha the same day
    text = ("ارتكبت قوات النظام السوري والمليشيات الموالية لها صباح الأربعاء، مجزرة مروعة في مدينة أريحا الواقعة على"
            " الطريق الدولي \"إم-4\" جنوبي إدلب.\n\n"
            "وقُتل 13 مدنيا بينهم أطفال، وجُرح عدد آخر، في قصف نفذته قوات النظام والميليشيات بعشرات القذائف الصاروخية"
            " والمدفعية مستهدفة الأحياء السكنية ومنطقة السوق وسط مدينة أريحا.\n\n"
            "وقال مصدر طبي في أريحا ل\"المدن\"، إن حصيلة القتلى وصلت إلى 13، بينهم عدد من الطلاب، وأكثر من 30 جريحاً.")
    events = extract(Document(text=text, published="2021-10-20"), min_confidence=0)
    assert [(e.sub_event_type, e.location, e.fatalities) for e in events] == [
        ("Shelling/artillery/missile attack", "Ariha", 13)]
    assert (events[0].actor1, events[0].actor2) == ("Military Forces of Syria (2000-2024)", "Civilians (Syria)")


def test_a_faction_and_its_umbrella_are_one_side_when_reports_of_one_event_are_joined():
    # Syria TV (20 November 2019, gold train): the lead's "أحد قياديي الجيش الوطني" and the later
    # "القيادي في فرقة الحمزة التابعة للجيش الوطني" are one bombing at Azaz, not a second one with the
    # Hamza Division (a faction of the SNA, kb/actors.csv parent_id) bombing the SNA
    text = ("انفجرت، مساء أمس الثلاثاء، دراجة نارية \"ملغّمة\" في مدينة جرابلس شمال شرق حلب، فيما استهدف مجهولون"
            " بعبوة ناسفة أحد قياديي الجيش الوطني في مدينة اعزاز بالريف الشمالي.\n\n"
            "مِن جهةٍ أخرى، أصيب القيادي في \"فرقة الحمزة\" التابعة للجيش الوطني (علي نجار)، أمس، بانفجار عبوة"
            " \"ناسفة\" زرعها مجهولون على الطريق الواصل بين مدينتي اعزاز ومارع.")
    events = extract(Document(text=text, published="2019-11-20"), min_confidence=0)
    assert [(e.sub_event_type, e.location, e.actor1) for e in events] == [
        ("Remote explosive/landmine/IED", "Azaz", "Unidentified Armed Group (Syria)")]
    assert events[0].actor2 in ("SNA: Syrian National Army", "Al Hamza Division")
