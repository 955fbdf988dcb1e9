import pytest

from marsad.nlp.numbers import parse_number


@pytest.mark.parametrize(
    "text,value",
    [
        ("12", 12),
        ("١٢", 12),
        ("ثلاثة", 3),
        ("خمسة عشر", 15),
        ("ثلاثة وعشرين", 23),
        ("عشرات", 12),
        ("العشرات", 12),
        ("مئات", 100),
        ("عدد من", 3),
        ("عدة", 3),
        ("قتيلين", 2),
        ("3 آلاف", 3000),
    ],
)
def test_numbers(text, value):
    assert parse_number(text) == value


def test_no_number():
    assert parse_number("اشتباكات عنيفة") is None
