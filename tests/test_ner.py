"""The NER model: API shapes, valid BIO, clear Arabic names found, offsets, the `marsad ner` command."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad import ner
from marsad.cli import main

ROOT = Path(__file__).resolve().parent.parent
NER_DATA = ROOT.parent / "shared" / "data" / "ner"
TAGS = {"O"} | {f"{p}-{t}" for p in "BI" for t in ner.LABELS}

SENTENCE = "وقال الرئيس الأمريكي جورج بوش في واشنطن إن الأمم المتحدة ستعقد اجتماعا في نيويورك ."


def _valid_bio(tags: list[str]) -> bool:
    prev = "O"
    for t in tags:
        if t not in TAGS or (t.startswith("I-") and prev[2:] != t[2:]):
            return False
        prev = t
    return True


def test_tag_shapes_and_valid_bio():
    tokens = SENTENCE.split()
    tags = ner.tag(tokens)
    assert len(tags) == len(tokens)
    assert _valid_bio(tags)
    assert ner.tag([]) == []
    both = ner.tag_sentences([tokens, ["في", "دمشق"], []])
    assert [len(t) for t in both] == [len(tokens), 2, 0]
    assert all(_valid_bio(t) for t in both)
    assert ner.tag_sentences([tokens]) == [tags]


def test_model_is_cached_and_small():
    assert ner.load_model() is ner.load_model()
    size = sum(p.stat().st_size for p in ner.load_model().path.parent.iterdir())
    assert size < 50_000_000


@pytest.mark.parametrize(
    "sentence,mention,label",
    [
        (SENTENCE, "جورج بوش", "PERS"),
        (SENTENCE, "واشنطن", "LOC"),
        ("وصل الأمين العام للأمم المتحدة كوفي أنان إلى بيروت أمس .", "كوفي أنان", "PERS"),
        ("وصل الأمين العام للأمم المتحدة كوفي أنان إلى بيروت أمس .", "بيروت", "LOC"),
        ("قصفت الطائرات مدينة حلب في شمال سوريا .", "سوريا", "LOC"),
    ],
)
def test_clear_names_are_found(sentence, mention, label):
    tokens = sentence.split()
    found = {(" ".join(tokens[i:j]), t) for i, j, t in ner.spans(ner.tag(tokens))}
    assert (mention, label) in found, found


def test_clitics_attached_location():
    tokens = "وتوجه الوفد إلى القاهرة ثم وصل بيروت ومنها إلى دمشق .".split()
    found = {(" ".join(tokens[i:j]), t) for i, j, t in ner.spans(ner.tag(tokens))}
    assert ("القاهرة", "LOC") in found and ("دمشق", "LOC") in found


def test_a_document_without_sentence_breaks_is_tagged_like_its_sentences():
    a = SENTENCE.split()
    b = "وصل الأمين العام للأمم المتحدة كوفي أنان إلى بيروت أمس .".split()
    c = "وقال أنان إن".split()
    assert ner.tag(a + b + c) == [t for s in ner.tag_sentences([a, b, c]) for t in s]


def test_long_documents_are_tagged_in_chunks_with_the_same_result(monkeypatch):
    sents = [SENTENCE.split(), "وزار أنان دمشق .".split(), "ثم عاد أنان إلى نيويورك .".split()] * 5
    whole = ner.tag_sentences(sents)
    monkeypatch.setattr(ner, "_CHUNK", 4)
    assert ner.tag_sentences(sents) == whole


def test_entities_offsets_point_into_the_text():
    text = "  قال الرئيس الفرنسي جاك شيراك،في باريس (أمس) إن فرنسا تدعم لبنان.\nوزار أنان دمشق."
    ents = ner.entities(text)
    assert ents
    for start, end, label, mention in ents:
        assert text[start:end] == mention
        assert label in ner.LABELS
        assert mention == mention.strip()
    labels = {m: lab for _, _, lab, m in ents}
    assert labels.get("باريس") == "LOC"
    assert ner.entities("") == []
    assert ner.entities("   \n ") == []


def test_tokenize_keeps_offsets_and_splits_punctuation():
    text = "قال: «الجيش» دخل حلب، و3.5 كم."
    toks = ner.tokenize(text)
    assert [t for _, _, t in toks] == ["قال", ":", "«", "الجيش", "»", "دخل", "حلب", "،", "و", "3.5", "كم", "."]
    assert all(text[s:e] == t for s, e, t in toks)


def test_spans_and_repair_follow_seqeval():
    assert ner.spans(["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC"]) == [(0, 2, "PERS"), (3, 5, "LOC"), (5, 6, "LOC")]
    assert ner.repair_bio(["O", "I-ORG", "I-ORG", "B-LOC", "I-PERS"]) == ["O", "B-ORG", "I-ORG", "B-LOC", "B-PERS"]


# -- command line ----------------------------------------------------------------------------


@pytest.fixture()
def runner():
    return CliRunner()


def test_cli_conll_round_trip(runner, tmp_path):
    sent1 = SENTENCE.split()
    sent2 = ["وزار", "أنان", "دمشق", "."]
    conll = "\n".join(f"{t} O" for t in sent1) + "\n\n" + "\n".join(sent2) + "\n"
    f = tmp_path / "in.conll"
    f.write_text(conll, encoding="utf-8")
    res = runner.invoke(main, ["ner", str(f), "--conll"])
    assert res.exit_code == 0, res.output
    blocks = res.stdout.rstrip("\n").split("\n\n")
    assert len(blocks) == 2
    rows = [[line.split("\t") for line in b.splitlines()] for b in blocks]
    assert [r[0] for r in rows[0]] == sent1 and [r[0] for r in rows[1]] == sent2
    assert all(len(r) == 2 and r[1] in TAGS for b in rows for r in b)
    assert [r[1] for r in rows[0]] == ner.tag(sent1)
    # stdin gives the same output
    res2 = runner.invoke(main, ["ner", "-", "--conll"], input=conll)
    assert res2.exit_code == 0 and res2.stdout == res.stdout


def test_cli_plain_text(runner):
    res = runner.invoke(main, ["ner", "-"], input="زار أنان دمشق.\nثم عاد إلى نيويورك\n")
    assert res.exit_code == 0, res.output
    blocks = res.stdout.rstrip("\n").split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].splitlines()[0].startswith("زار\t")


@pytest.mark.parametrize("content,message", [(b"", "empty"), (b"\n\n  \n", "empty"), (b"\x00\x01bin", "binary")])
def test_cli_bad_input_is_one_line_error(runner, tmp_path, content, message):
    f = tmp_path / "bad.conll"
    f.write_bytes(content)
    res = runner.invoke(main, ["ner", str(f), "--conll"])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert message in res.stderr and "Traceback" not in res.stderr


def test_cli_missing_file(runner, tmp_path):
    res = runner.invoke(main, ["ner", str(tmp_path / "nope.conll"), "--conll"])
    assert res.exit_code == 1 and "no such file" in res.stderr


def test_cli_conll_without_tokens(runner):
    res = runner.invoke(main, ["ner", "-", "--conll"], input="-DOCSTART- O\n\n")
    assert res.exit_code == 1 and "no tokens" in res.stderr


# -- training (slow) --------------------------------------------------------------------------


def _train_module():
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_retrain_on_a_subset_and_model_card_agrees(tmp_path):
    """Readers, split, features and CRF training work end to end on a small subset, and the model
    card reports the dev F1 stored with the shipped model."""
    if not NER_DATA.exists():
        pytest.skip("needs ../shared/data/ner (the shared data beside the repo)")
    T = _train_module()
    aner = T.read_anercorp(NER_DATA / "ANERcorp_train.txt")
    train, dev = T.split_dev(aner)
    assert len(dev) > 300 and not {id(s) for s in dev} & {id(s) for s in train}
    assert all(len(s.tokens) == len(s.tags) and _valid_bio(s.tags) for s in aner)
    for sents in (T.read_wojood(NER_DATA / "wojood_sample"), T.read_aqmar(NER_DATA / "aqmar")):
        assert sents and all(_valid_bio(s.tags) for s in sents)

    words, stems, phrases = T.build_lexicon(ROOT.parent / "shared")
    data = ner.Resources.to_json(words, stems, phrases, [], {}, {}, {})
    res = ner.Resources.from_json(data)
    T.CRF_PARAMS["max_iterations"] = 60
    result = T.run_crf("subset", train[:800], dev[:150], res, data, tmp_path, log=lambda m: None)
    assert result["scores"]["micro"]["f1"] > 0.35

    meta = ner.load_model().resources.meta
    card = (ROOT / "src" / "marsad" / "data" / "ner" / "MODEL_CARD.md").read_text(encoding="utf-8")
    f1 = meta["dev_scores"]["micro"]["f1"]
    assert f"| micro | {meta['dev_scores']['micro']['precision']:.3f} |" in card
    assert re.search(rf"\*\*{f1:.3f}\*\*", card)
    assert f1 >= 0.75
