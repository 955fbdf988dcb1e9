import datetime as dt

import pytest

from marsad.nlp.dates import find_dates
from marsad.nlp.normalize import normalize
from marsad.nlp.pipeline import analyse

PUB = dt.date(2022, 11, 1)  # a Tuesday


def dates(text, published=PUB):
    return [(m.date.isoformat(), m.precision, m.kind) for m in find_dates(normalize(text).split(), published)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("اليوم", "2022-11-01"),
        ("فجر اليوم", "2022-11-01"),
        ("أمس", "2022-10-31"),
        ("مساء أمس", "2022-10-31"),
        ("أول أمس", "2022-10-30"),
        ("أمس الأول", "2022-10-30"),
        ("الثلاثاء الماضي", "2022-10-25"),
        ("يوم الأحد", "2022-10-30"),
        ("قبل ثلاثة أيام", "2022-10-29"),
        ("قبل يومين", "2022-10-30"),
    ],
)
def test_relative_days(text, expected):
    assert dates(text)[0][:2] == (expected, 1)


def test_ongoing_operation_is_the_publication_day():
    assert dates("ل اليوم الثاني على التوالي")[0] == ("2022-11-01", 1, "ongoing")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1 تشرين الثاني 2022", "2022-11-01"),
        ("١٥ أيار ٢٠٢١", "2021-05-15"),
        ("3 أكتوبر", "2022-10-03"),
        ("الأول من نوفمبر", "2022-11-01"),
        ("2022/10/30", "2022-10-30"),
        ("30/10/2022", "2022-10-30"),
        ("20 كانون الأول", "2021-12-20"),  # later than publication -> previous year
    ],
)
def test_absolute_dates(text, expected):
    assert dates(text)[0][:2] == (expected, 1)


def test_month_only_is_precision_3():
    assert dates("في شهر آذار الماضي")[0][:2] == ("2022-03-15", 3)
    assert dates("مطلع شهر أيلول")[0][:2] == ("2022-09-01", 3)
    assert dates("أواخر آب 2021")[0][:2] == ("2021-08-31", 3)


def test_week_is_precision_2():
    assert dates("الأسبوع الماضي")[0][1] == 2


def test_ambiguous_month_words_need_context():
    # "آب" is also "father"; alone it is not a month
    assert dates("الأب") == []
    assert dates("مارس الضغط") == []


def test_relative_dates_need_a_publication_date():
    assert dates("أمس", published=None) == []
    assert dates("1 تشرين الثاني 2022", published=None)[0][0] == "2022-11-01"


def test_date_ranges_since_a_day_and_between_two_days():
    import datetime as dt

    from marsad.nlp.dates import find_dates
    from marsad.nlp.normalize import normalize

    def ranges(text: str, pub: dt.date):
        return [(m.date, m.until) for m in find_dates([normalize(w) for w in text.split()], pub) if m.kind == "range"]

    pub = dt.date(2021, 3, 7)  # a Sunday
    assert ranges("قصف منذ يوم الجمعة", pub) == [(dt.date(2021, 3, 5), pub)]
    assert ranges("اشتباكات بين 3 و 5 آذار 2021", pub) == [(dt.date(2021, 3, 3), dt.date(2021, 3, 5))]
    assert ranges("من 3 إلى 5 آذار", pub) == [(dt.date(2021, 3, 3), dt.date(2021, 3, 5))]
    # a range longer than two weeks stays a single date
    assert ranges("منذ 1 كانون الثاني", pub) == []


@pytest.mark.parametrize("text, expected", [
    ("انفجرت في أوائل آذار الماضي", ("2022-03-01", 3, "month")),  # early in the month: its first day
    ("في آذار الماضي", ("2022-03-15", 3, "month")),  # "last March", no شهر and no year
    ("في أيار الفائت", ("2022-05-15", 3, "month")),
    ("في كانون الأول المنصرم", ("2021-12-15", 3, "month")),  # a later month: the year before
])
def test_a_month_called_the_last_one(text, expected):
    assert dates(text) == [expected]


@pytest.mark.parametrize("text, expected", [
    ("قبل 4 سنوات", [("2018-11-15", 3, "relative")]),  # years ago: background, month precision
    ("قبل ثلاثة أشهر", [("2022-08-15", 3, "relative")]),
    ("قبل عامين", [("2020-11-15", 3, "relative")]),
    ("قبل شهر رمضان", []),  # "before", not "ago"
    ("منذ 4 سنوات", []),  # a duration: the state it describes may go on today
])
def test_months_and_years_ago(text, expected):
    assert dates(text) == expected


def test_this_day_in_an_earlier_year():
    assert dates("في مثل هذا اليوم من عام 1982 حاصرت") == [("1982-11-01", 1, "anniversary")]
    assert dates("في مثل هذا اليوم") == []  # not today either


# -- Hijri dates (kb/hijri_calendar.csv; Umm al-Qura days) ----------------------------------------
# Strings from corpus pages (../shared/data/corpus/baly2018), shortened; PUB is 2022-11-01.

@pytest.mark.parametrize("text, expected", [
    # almowaten.net (R-133#10): day, month name written without its article, year, marker
    ("صباح يوم الخميس 9 ربيع أول 1438 ه - تعرضت سيارة نقل مياه لانفجار لغم", ("2016-12-08", 1, "absolute")),
    # almowaten.net (R-133#10): numeric D / M / Y with the marker
    ("صباح اليوم الأحد الموافق 19 / 7 / 1438 ه - وأثناء قيام دورية", ("2017-04-16", 1, "absolute")),
    # Al Jazeera stamp (V-207#3) alone, numeric Y / M / D
    ("( مكة المكرمة ) 1437 / 5 / 19 ه - قتلى في غارات روسية", ("2016-02-28", 1, "absolute")),
    ("19 جمادى الأولى 1437هـ", ("2016-02-28", 1, "absolute")),  # glued marker
    ("1437/5/19هـ", ("2016-02-28", 1, "absolute")),
    ("في 2 ذي الحجة 1438 للهجرة", ("2017-08-24", 1, "absolute")),
    ("١٩ جمادى الأولى ١٤٣٧ هـ", ("2016-02-28", 1, "absolute")),  # Arabic-Indic digits
    # a month and a year: the middle of that Hijri month
    ("خلال شهر رمضان 1438 هـ", ("2017-06-10", 3, "month")),
    ("مطلع شهر محرم 1439", ("2017-09-21", 3, "month")),
])
def test_hijri_dates_are_their_gregorian_day(text, expected):
    assert [d for d in dates(text) if d[2] != "relative"] == [expected]  # (a weekday before is its own)


def test_hijri_day_without_a_year_is_the_last_one_before_publication():
    assert dates("12 ربيع الأول", dt.date(2018, 2, 1)) == [("2017-11-30", 1, "absolute")]
    assert dates("12 ربيع الأول", None) == []


@pytest.mark.parametrize("text", [
    "فقد أكد أحمد رمضان المتحدث باسم الائتلاف السوري",  # R-383#2: a personal name
    "الرئيس التركي رجب طيب أردوغان",  # R-10#9
    "قال المستشار شعبان الشامي",  # R-109#5
    "سيناء العاشر من رمضان فى الشرقية",  # R-383#9: a town ("10th of Ramadan"), no year
    "غزوة بدر الكبرى 17 رمضان في السنة الثانية من الهجرة",  # V-595#3: a year in words, long ago
    "النتيجة صفر",  # zero
    "19/7/1438",  # no era marker: a reference number as much as a date
    "31 رمضان 1438",  # no such day
    "12 ربيع الأول 1300 هـ",  # outside the Umm al-Qura tables (1343-1500)
])
def test_hijri_month_words_that_are_not_dates(text):
    assert dates(text, dt.date(2018, 2, 1)) == []


def test_hijri_stamp_beside_its_gregorian_date_is_not_read_twice():
    # aliwaa.com.lb (R-13#2): 1439/05/05 is 2018-01-22 by Umm al-Qura, the page's own 2018/01/21
    assert dates("بيروت - لبنان 2018/01/21 م 1439/05/05 هـ - لبنان عربي") == [("2018-01-21", 1, "absolute")]
    # Al Jazeera (V-207#3): two days apart, and the Gregorian date words apart ("2016 / 2 / 26")
    assert dates("2016 / 2 / 26 الساعة 06 : 43 ( مكة المكرمة ) 1437 / 5 / 19 ه - قتلى") == []
    # Asharq al-Awsat: "السبت - 25 ذو الحجة 1438 ه - - 16 سبتمبر 2017 م"
    got = dates("السبت - 25 ذو الحجة 1438 ه - - 16 سبتمبر 2017 م")
    assert [d for d in got if d[2] == "absolute"] == [("2017-09-16", 1, "absolute")]


def test_hijri_day_range():
    assert [(m.date.isoformat(), m.until.isoformat()) for m in find_dates(normalize("بين 3 و 5 رمضان 1438").split(), PUB)
            if m.kind == "range"] == [("2017-05-29", "2017-05-31")]


def test_hijri_conversion_never_raises():
    from marsad.nlp.hijri import to_gregorian

    assert to_gregorian(1437, 5, 29) == dt.date(2016, 3, 9)
    assert to_gregorian(1437, 5, 30) == dt.date(2016, 3, 10)  # a sighted 30th of a 29-day Umm al-Qura month
    assert [to_gregorian(*d) for d in ((1437, 5, 31), (1437, 13, 1), (1437, 0, 1), (1437, 1, 0), (1600, 1, 1))] == [None] * 5


@pytest.mark.parametrize("text, expected", [
    # enabbaladi.net page header (corpus baly2018 V-111#0): the month in both its names, then the year
    ("الأحد 21 كانون الثاني / يناير 2018", [("2018-01-21", 1, "absolute")]),
    ("في 5 أيار ( مايو ) 2017", [("2017-05-05", 1, "absolute")]),
    # TRT Arabic page header (corpus baly2018 V-13#5): the weekday of a Hijri date is its own
    ("الأحد 04 جمادى الأولى 1439", [("2018-01-21", 1, "absolute")]),
])
def test_a_month_named_twice_is_one_date_and_its_weekday_no_day_back(text, expected):
    assert dates(text) == expected


def test_a_crawl_header_with_a_later_year_does_not_make_the_report_background():
    from marsad.extract import extract
    from marsad.model import Document

    # enabbaladi.net (corpus baly2018 V-111#0), the opening: the page was crawled in January 2018
    text = ("اغتيال قيادي في \" تحرير الشام \" في إدلب - عنب بلدي الأحد 21 كانون الثاني / يناير 2018 قتل "
            "القيادي العسكري في \" هيئة تحرير الشام \" , مصطفى زهري , جراء انفجار عبوة ناسفة استهدفت سيارته "
            "في مدينة الدانا بريف إدلب الشمالي .")
    events = extract(Document(text=text, published="2017-10-23"), min_confidence=0)
    assert [(e.location, e.fatalities) for e in events if e.event_type == "Explosions/Remote violence"] == [("Dana", 1)]


@pytest.mark.parametrize("text, expected", [
    # Zaitun (page undated): Friday 21 May is 2021 in a page naming 2021
    ("وكالة زيتون 2021 - قضى قيادي في صفوف الجيش الوطني أمس الجمعة 21 أيار جراء استهدافه", "2021-05-21"),
    # Qasioun: the site's banner names 2025; Tuesday 14 May falls in 2024
    ("• الأربعاء, 15 يناير - 2025 اعتدى عناصر الهيئة اليوم الثلاثاء 14 مايو على المحتجين", "2024-05-14"),
    # a page of 2018 naming no other year: Thursday 13 October is 2016, not 2022
    ("2018 / 01 / 21 ظهر يوم الخميس 13 أكتوبر سيطرت الهيئة", "2016-10-13"),
])
def test_with_no_publication_date_a_weekday_fixes_the_year_of_a_day_and_month(text, expected):
    assert expected in [d for d, _, _ in dates(text, published=None)]


def test_without_a_weekday_or_a_publication_date_a_day_and_month_stays_unplaced():
    assert dates("سيطرت الهيئة في 13 أكتوبر على عفرين", published=None) == []


def test_saturday_is_a_weekday_not_the_article_and_a_word():
    # al-Araby (7 August 2022, gold train): "مساء السبت" on a Sunday page is the day before; the
    # tokenizer used to cut "السبت" into ال + "سبت", so Saturday was never read as a day
    text = ("واعترف المركز الإعلامي لـ\"قسد\" بأن \"أحد أعضاء مؤسسة الانضباط العسكري\"، قُتل باستهداف طائرة مسيرة"
            " لسيارة في حيّ الصناعة بمدينة القامشلي مساء السبت، مشيراً إلى أن القصف أدى إلى مقتل 3 أشخاص بينهم طفلان.")
    doc = analyse(text, "2022-08-07")
    assert [(d.text, d._.value.date) for d in doc.spans["dates"]] == [("مساء السبت", dt.date(2022, 8, 6))]
