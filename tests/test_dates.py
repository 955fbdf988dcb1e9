import datetime as dt

import pytest

from marsad.nlp.dates import find_dates
from marsad.nlp.normalize import normalize

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
