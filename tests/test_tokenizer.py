import spacy

from marsad.nlp.normalize import normalize
from marsad.nlp.tokenizer import ArabicTokenizer


def make(words):
    nlp = spacy.blank("ar")
    return ArabicTokenizer(nlp.vocab, [normalize(w) for w in words])


def test_text_and_offsets_are_preserved():
    tok = make(["درعا", "مساندة"])
    text = "وبمساندة  قوات\nمن درعا، ٢٠٢٢ (هفّو)"
    doc = tok(text)
    assert doc.text == text
    for t in doc:
        assert text[t.idx : t.idx + len(t.text)] == t.text


def test_proclitics_split_only_when_they_reveal_a_known_word():
    tok = make(["درعا", "مساندة", "الجيش"])
    assert [t.text for t in tok("بدرعا")] == ["ب", "درعا"]
    assert [t.text for t in tok("وبمساندة")] == ["و", "ب", "مساندة"]
    # unknown remainder: the word stays whole (a name beginning with ب is not broken)
    assert [t.text for t in tok("بصرى")] == ["بصرى"]


def test_lil_restores_the_article_in_the_norm():
    tok = make(["الجيش"])
    doc = tok("للجيش")
    assert [t.text for t in doc] == ["ل", "لجيش"]
    assert doc[1].norm_ == "الجيش"


def test_article_split_when_bare_stem_is_known():
    tok = make(["مدنيين"])
    doc = tok("والمدنيين")
    assert [t.norm_ for t in doc][-1] == "مدنيين"


def test_norms_are_normalised():
    tok = make([])
    doc = tok("الإشتباكات مدرسةٌ ١٢")
    assert [t.norm_ for t in doc if t.text.strip()] == ["الاشتباكات", "مدرسه", "12"]


def test_page_chrome_and_a_time_stamp_end_sentences():
    # Al Jazeera pages of the corpus (baly2018 V-111#9, shortened): another story's headline, a
    # time stamp, this story's headline and its text ran into one sentence
    from marsad.nlp.pipeline import analyse

    text = ("حجم الخط وسائل إعلام تركية : دبابات الجيش التركي تدعم الجيش السوري الحر في عملية عفرين 2017 / 10 / 5"
            " الساعة 20 : 24 ( مكة المكرمة ) 1439 / 1 / 15 ه - قتلى وجرحى بغارات روسية في دير الزور 5 / 10 / 2017"
            " حجم الخط آلاف المدنيين نزحوا من دير الزور بسبب قصف روسيا")
    sents = [s.text.strip() for s in analyse(text).sents]
    assert sents[0] == "حجم الخط"
    assert sents[1].endswith("( مكة المكرمة )")
    assert sents[2] == "1439 / 1 / 15 ه - قتلى وجرحى بغارات روسية في دير الزور 5 / 10 / 2017"
    assert sents[3:] == ["حجم الخط", "آلاف المدنيين نزحوا من دير الزور بسبب قصف روسيا"]
    # "حجم الخطر" (how great the danger) is no chrome
    assert len(list(analyse("الخلاف حول حجم الخطر و أبعاده").sents)) == 1
