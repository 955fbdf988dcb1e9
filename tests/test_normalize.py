from marsad.nlp.normalize import normalize, normalize_phrase


def test_alef_hamza_forms_fold_to_bare_alef():
    assert normalize("أإآٱ") == "اااا"


def test_alef_maqsura_and_ta_marbuta():
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("مدرسة") == "مدرسه"


def test_diacritics_and_tatweel_are_removed():
    assert normalize("هفّو") == "هفو"
    assert normalize("قُتِلَ") == "قتل"
    assert normalize("قـــتل") == "قتل"


def test_arabic_indic_digits():
    assert normalize("٢٠٢٢") == "2022"
    assert normalize("۱۲") == "12"


def test_hamza_on_seats():
    assert normalize("مسؤول") == normalize("مسوول")
    assert normalize("رئيس") == "رييس"


def test_phrase_whitespace_collapsed():
    assert normalize_phrase("  ريف   درعا\nالغربي ") == "ريف درعا الغربي"
