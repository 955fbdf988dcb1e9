"""The command-line contract: results only on stdout, clear errors, batches that survive bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.model import ACLED_COLUMNS

ARABIC_EVENT = (
    "قتل ثلاثة مدنيين اليوم الأحد جراء قصف مدفعي لقوات النظام على مدينة جاسم في ريف درعا الشمالي.\n"
)


@pytest.fixture()
def runner():
    return CliRunner()


def test_extract_file_jsonl(runner, tmp_path, example_text):
    f = tmp_path / "report.txt"
    f.write_text(example_text, encoding="utf-8")
    res = runner.invoke(main, ["extract", str(f), "--published", "2022-11-01", "--source", "18 March"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert lines and all("doc_id" in x and "evidence" in x for x in lines)
    for key in ("event_date", "sub_event_type", "actor1", "interaction", "geo_precision", "notes"):
        assert key in lines[0]


def test_extract_stdin_csv_has_acled_columns_first(runner):
    res = runner.invoke(main, ["extract", "-", "--published", "2022-11-06", "--format", "csv"],
                        input=ARABIC_EVENT)
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert tuple(rows[0][: len(ACLED_COLUMNS)]) == ACLED_COLUMNS


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe binary", "binary"),
        (b"This is an English sentence about the weather.", "not Arabic"),
        (b"\xff\xfe\xfa invalid utf8 \xc3\x28", "UTF-8"),
    ],
)
def test_single_bad_document_is_one_line_error(runner, tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    res = runner.invoke(main, ["extract", str(f)])
    assert res.exit_code == 1
    assert res.stdout == ""
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in res.stderr


def test_missing_file(runner):
    res = runner.invoke(main, ["extract", "/no/such/file.txt"])
    assert res.exit_code == 1 and "no such file" in res.stderr


def test_batch_skips_bad_documents_and_processes_the_rest(runner, tmp_path):
    good = {"id": "good", "text": ARABIC_EVENT, "published": "2022-11-06"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "notext"}),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "english", "text": "Clashes were reported in the city today."}),
        json.dumps({"id": "control", "text": "\x01\x02\x03\x04" * 50}),
        json.dumps([1, 2, 3]),
        json.dumps(dict(good, id="good2"), ensure_ascii=False),
    ]
    f = tmp_path / "docs.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["extract", "--input", str(f)])
    assert res.exit_code == 0, res.stderr
    assert "Traceback" not in res.stderr
    alone = runner.invoke(main, ["extract", "-", "--published", "2022-11-06"], input=ARABIC_EVENT)
    per_doc = len(alone.stdout.splitlines())
    assert per_doc >= 1
    assert len(res.stdout.splitlines()) == 2 * per_doc
    assert "2 document(s) processed, 6 skipped" in res.stderr
    for where in (":2", ":3", ":4", ":5", ":6", ":7"):
        assert where in res.stderr


def test_ingest_is_idempotent_and_export(runner, tmp_path, example_text):
    f = tmp_path / "report.txt"
    f.write_text(example_text, encoding="utf-8")
    db = str(tmp_path / "m.sqlite")
    args = ["ingest", str(f), "--db", db, "--published", "2022-11-01", "--source", "18 March"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.stderr
    assert "1 new document(s)" in first.stderr
    exported = runner.invoke(main, ["export", "--db", db, "--format", "csv"]).stdout
    second = runner.invoke(main, args)
    assert "0 new document(s), 1 already stored" in second.stderr
    assert runner.invoke(main, ["export", "--db", db, "--format", "csv"]).stdout == exported
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows and all(r["source"] == "18 March" for r in rows)
    jl = runner.invoke(main, ["export", "--db", db, "--format", "jsonl"]).stdout.splitlines()
    assert len(jl) == len(rows) and json.loads(jl[0])["evidence"]


def test_evaluate_command(runner, tmp_path, example_text, example_expected):
    gold = dict(example_expected, text=example_text)
    f = tmp_path / "gold.jsonl"
    f.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["evaluate", "--gold", str(f), "--json"])
    assert res.exit_code == 0, res.stderr
    scores = json.loads(res.stdout)
    assert scores["documents"] == 1
    assert scores["events"]["recall"] == 1.0
    assert scores["matched_fields"]["sub_event_type"]["accuracy"] == 1.0


def test_gazetteer_export_and_geocode(runner):
    res = runner.invoke(main, ["gazetteer", "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) >= 8782
    balad = [r for r in rows if r["pcode"] == "C6317"][0]
    assert balad["location"] == "Dar'a - Dar'a al Balad" and balad["admin1"] == "Dara"
    geo = json.loads(runner.invoke(main, ["geocode", "درعا البلد"]).stdout)
    assert geo[0]["pcode"] == "C6317"


def test_evaluate_places_reports_accuracy(runner, tmp_path):
    text = "قصفت قوات النظام بلدة الحراك في ريف درعا ، وسقطت قذائف على الموصل في العراق ."
    start = text.index("الحراك")
    mosul = text.index("الموصل")
    gold = tmp_path / "places.jsonl"
    gold.write_text(json.dumps({"doc_id": "t", "text": text, "mentions": [
        {"id": "a", "start": start, "end": start + 6, "mention": "الحراك", "kind": "community", "expected_pcode": "C6116"},
        {"id": "b", "start": mosul, "end": mosul + 6, "mention": "الموصل", "kind": "foreign"},
    ]}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["evaluate", "--places", str(gold), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["mentions"] == 2 and out["accuracy"] == 1.0
    res = runner.invoke(main, ["evaluate"])
    assert res.exit_code == 1 and "--places" in res.output


def test_a_database_error_costs_one_document_not_the_batch(runner, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from marsad.store import Store

    texts = ["قصفت قوات النظام بلدة كفرنبل بريف إدلب يوم الخميس.", "اشتباكات بين فصائل المعارضة وقوات النظام في جاسم.",
             "مظاهرة في ساحة الكرامة بمدينة السويداء للمطالبة بالإفراج عن المعتقلين."]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t, "published": "2023-03-0" + str(i + 1)},
                                      ensure_ascii=False) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    real_add = Store.add

    def failing_add(self, doc, events, dedup=True):
        if doc.id == "d1":
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real_add(self, doc, events, dedup)

    monkeypatch.setattr(Store, "add", failing_add)
    db = tmp_path / "m.sqlite"
    res = runner.invoke(main, ["ingest", str(src), "--db", str(db), "--format", "none"])
    assert res.exit_code == 1, res.output
    assert "d1" in res.stderr and "not stored" in res.stderr and "disk I/O error" in res.stderr
    assert Store(str(db)).counts()["documents"] == 2
    monkeypatch.setattr(Store, "add", real_add)
    again = runner.invoke(main, ["ingest", str(src), "--db", str(db), "--format", "none"])
    assert again.exit_code == 0, again.output
    assert Store(str(db)).counts()["documents"] == 3
