"""Source adapters (text, folders, JSONL, HTML, RSS/Atom, Telegram exports, WARC, http(s) URLs),
the language gate, and ``marsad ingest`` end to end for every kind."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.errors import InputError
from marsad.inputs import BadInput
from marsad.model import Document, detect_language
from marsad.sources import detect_kind, is_batch, iter_documents
from marsad.sources._common import html_to_text, iso_date, sniff
from marsad.sources.feeds import parse_feed
from marsad.sources.htmlpage import parse_html
from marsad.sources.telegram import message_text, parse_export
from marsad.store import Store
from tests.test_watch import FeedServer, rss


@pytest.fixture(autouse=True)
def _local_servers_allowed(monkeypatch):
    """These tests serve pages and feeds from 127.0.0.1, which marsad refuses unless allowed
    (tests/test_fetch_guard.py checks the refusal)."""
    monkeypatch.setenv("MARSAD_ALLOW_PRIVATE_ADDRESSES", "1")


DATA = Path(__file__).parent / "data" / "sources"
ARABIC = "قتل ثلاثة مدنيين اليوم الأحد جراء قصف مدفعي لقوات النظام على مدينة جاسم في ريف درعا الشمالي."
PAGE = (DATA / "page.html").read_bytes()


def docs_and_bad(items, **kw) -> tuple[list[Document], list[BadInput]]:
    out = list(iter_documents([str(i) for i in items], **kw))
    assert all(isinstance(x, Document | BadInput) for x in out)
    return [x for x in out if isinstance(x, Document)], [x for x in out if isinstance(x, BadInput)]


@pytest.fixture()
def server():
    s = FeedServer()
    yield s
    s.close()


# ---- kinds -------------------------------------------------------------------------------------


def test_kind_by_name_and_by_content(tmp_path):
    assert detect_kind(str(DATA / "page.html")) == "html"
    assert detect_kind(str(DATA / "feed.rss")) == "feed" and detect_kind(str(DATA / "feed.atom")) == "feed"
    assert detect_kind(str(DATA / "telegram" / "result.json")) == "telegram"
    assert detect_kind(str(DATA / "telegram")) == "folder"
    assert detect_kind("https://example.org/rss") == "url" and detect_kind("-") == "text"
    assert detect_kind(str(tmp_path / "nope.txt")) == "missing"
    for name, data, kind in [("a", PAGE, "html"), ("b", (DATA / "feed.atom").read_bytes(), "feed"),
                             ("c", ARABIC.encode(), "text"), ("d", gzip.compress(b"WARC/1.0\r\n"), "warc"),
                             ("e", b'{"name": "x", "messages": []}', "telegram"),
                             ("f.json", b'{"id": "1", "text": "x"}\n{"id": "2", "text": "y"}\n', "jsonl")]:
        (tmp_path / name).write_bytes(data)
        assert detect_kind(str(tmp_path / name)) == kind, name
    assert sniff(b"\xef\xbb\xbf  <?xml version='1.0'?><!-- c --><rss>") == "feed"
    assert not is_batch([str(DATA / "page.html")]) and is_batch([str(DATA / "feed.rss")])
    assert is_batch(["https://example.org/"]) and is_batch([str(DATA / "page.html"), str(DATA / "page.html")])


# ---- text and folders ------------------------------------------------------------------------


def test_text_file_takes_the_given_date_and_source(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(ARABIC, encoding="utf-8")
    [doc], bad = docs_and_bad([f], published="2022-11-06", source="18 March")
    assert not bad and (doc.text, doc.published, doc.source, doc.id) == (ARABIC, "2022-11-06", "18 March", str(f))


def test_folder_is_read_recursively_in_order_with_recognised_kinds_only(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "b.md").write_text("اشتباكات عنيفة في ريف حماة الشمالي", encoding="utf-8")
    (tmp_path / "sub" / "page.htm").write_bytes(PAGE)
    shutil.copy(DATA / "feed.atom", tmp_path / "sub" / "news.atom")
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "j1", "text": ARABIC + " "}, ensure_ascii=False) + "\n"
                                         + "{broken\n", encoding="utf-8")
    tg = tmp_path / "tg"
    tg.mkdir()
    shutil.copy(DATA / "telegram" / "result.json", tg / "result.json")
    (tg / "messages.html").write_bytes(PAGE)  # Telegram's own HTML rendering of the same export: left out
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 binary")  # unknown kinds are not read
    (tmp_path / ".hidden.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    docs, bad = docs_and_bad([tmp_path])
    origins = [d.origin or d.id for d in docs]
    assert len(docs) == 1 + 1 + 1 + 2 + 1 + 3  # txt, md, htm, 2 atom entries, 1 jsonl record, 3 telegram messages
    assert origins[0] == str(tmp_path / "a.txt") and origins[1].endswith("docs.jsonl:1")
    assert any(o.endswith("b.md") for o in origins) and not any("hidden" in o or "messages.html" in o for o in origins)
    assert {b.where.rsplit("/", 1)[-1] for b in bad} >= {"docs.jsonl:2", "empty.txt"}
    assert any("message #6" in b.where for b in bad)


def test_empty_folder_and_missing_path_are_bad_input(tmp_path):
    (tmp_path / "empty").mkdir()
    docs, bad = docs_and_bad([tmp_path / "empty", tmp_path / "missing.html"])
    assert not docs and ["folder holds no file" in bad[0].message, bad[1].message] == [True, "no such file or folder"]


def test_jsonl_goes_through_the_existing_reader(tmp_path):
    f = tmp_path / "d.jsonl"
    record = {"id": "x", "text": ARABIC, "published": "2022-11-02", "source": "SOHR"}
    f.write_text(json.dumps(record, ensure_ascii=False) + "\n[1]\n", encoding="utf-8")
    [doc], [bad] = docs_and_bad([f], published="2020-01-01", source="other")
    assert (doc.id, doc.published, doc.source) == ("x", "2022-11-02", "SOHR") and bad.where.endswith(":2")


# ---- HTML ------------------------------------------------------------------------------------


def test_html_page_main_text_and_metadata():
    [doc], bad = docs_and_bad([DATA / "page.html"], published="2000-01-01", source="given")
    assert not bad
    assert doc.url == "https://www.enabbaladi.net/archives/612345"
    assert doc.title == "مقتل ثلاثة مدنيين بقصف على جاسم" and doc.source == "عنب بلدي"
    assert doc.published == "2022-11-06" and doc.language == "ar"
    assert "قصف مدفعي لقوات النظام على مدينة جاسم" in doc.text
    assert "يجب ألا يظهر" not in doc.text and "جميع الحقوق محفوظة" not in doc.text  # script and footer left out


@pytest.mark.parametrize("data,message", [
    ((DATA / "page_empty.html").read_bytes(), "no main text"),
    (b"", "empty"),
    (b"<html>\x00\x00\x00\xff binary", "binary"),
])
def test_broken_html_is_bad_input(data, message):
    out = parse_html(data, "x.html")
    assert isinstance(out, BadInput) and message in out.message


def test_hostile_html_never_raises():
    for data in [b"<" * 50000, b"<html><body>" + b"<div>" * 5000 + "نص عربي قصير".encode() * 20, b"<?xml?><x:y/>",
                 "<html><body><p>خبر</p>".encode("utf-16"), b"<html><script>" + b"a" * 10000]:
        assert isinstance(parse_html(data, "h.html"), Document | BadInput)


# ---- feeds ---------------------------------------------------------------------------------------


def test_rss_items_text_is_stripped_of_html_with_local_dates():
    docs, bad = docs_and_bad([DATA / "feed.rss"], source="fallback")
    assert not bad and len(docs) == 3
    first, second, third = docs
    assert first.url == "https://news.example.org/2022/11/06/jasim" and first.id == "news-1001"
    assert first.title == "مقتل ثلاثة مدنيين بقصف على جاسم" and first.source == "المرصد المحلي"
    assert first.published == "2022-11-06" and "جاسم" in first.text and "<" not in first.text
    assert "alert" not in first.text and "وأصيب آخرون بجروح." in first.text.splitlines()
    assert second.text.startswith("دارت اشتباكات") and "<p>" not in second.text
    assert third.language == "en"


def test_atom_entries_dates_in_the_publishers_time_zone():
    docs, bad = docs_and_bad([DATA / "feed.atom"])
    assert not bad and [d.url for d in docs] == ["https://atom.example.net/news/1", "https://atom.example.net/news/2"]
    # 2022-11-02T01:15+03:00 is 22:15 UTC on the 1st: the date the outlet printed is the 2nd
    assert [d.published for d in docs] == ["2022-11-02", "2022-11-01"]
    assert docs[1].text.startswith("شنت طائرات حربية") and docs[0].source == "شبكة الأخبار"


def test_feed_source_override_and_title_only_items():
    data = rss(("g1", "مقتل مدنيين بقصف على درعا", ""))
    parsed = parse_feed(data, "f.xml", source="Mine", source_override=True)
    [item] = parsed.items
    assert item.key == "g1" and item.doc.source == "Mine" and item.doc.text == "مقتل مدنيين بقصف على درعا"
    assert parse_feed(data, "f.xml", source="Mine").items[0].doc.source == "المرصد المحلي"


@pytest.mark.parametrize("name", ["feed_garbage.xml", "feed_truncated.rss"])
def test_malformed_feeds_are_reported_not_raised(name):
    docs, bad = docs_and_bad([DATA / name])
    assert not docs and len(bad) == 1
    assert bad[0].where.startswith(str(DATA / name))


def test_feed_parser_is_never_handed_a_path_or_url(tmp_path):
    parsed = parse_feed(str(DATA / "feed.rss").encode(), "x")  # bytes that spell a path are not opened
    assert parsed.error and not parsed.items
    assert parse_feed(b"", "x").error == "feed is empty"


def test_html_to_text_and_iso_date():
    assert html_to_text("<p>سطر <b>أول</b></p><p>سطر&nbsp;ثان</p><script>x()</script>") == "سطر أول\nسطر ثان"
    assert html_to_text("plain   text\n\n here") == "plain text\nhere"
    assert html_to_text("<p>a\x00b</p><p>c\x01d</p>") == "ab\ncd"
    assert iso_date("Mon, 07 Nov 2022 01:30:00 +0300") == "2022-11-07"
    assert iso_date("2022-11-02T01:15:00+03:00") == "2022-11-02" and iso_date("2022-02-30") is None
    assert iso_date("yesterday") is None and iso_date(12) is None


# ---- Telegram ------------------------------------------------------------------------------------


def test_telegram_export_messages():
    docs, bad = docs_and_bad([DATA / "telegram" / "result.json"], source="fallback")
    assert [d.url for d in docs] == ["https://t.me/daraa_news/2", "https://t.me/daraa_news/3", "https://t.me/daraa_news/5"]
    assert all(d.source == "شبكة أخبار درعا" for d in docs)
    assert [d.published for d in docs] == ["2022-11-01", "2022-11-02", "2022-11-02"]
    assert docs[1].text == "عاجل | قتل ثلاثة مدنيين جراء قصف مدفعي لقوات النظام على مدينة #جاسم في ريف درعا الشمالي. المصدر"
    assert len(bad) == 1 and "not a JSON object" in bad[0].message


def test_telegram_full_export_without_username_and_broken_exports():
    export = {"chats": {"list": [{"name": "قناة خاصة", "type": "private_channel", "id": 77, "messages": [
        {"id": 9, "type": "message", "date_unixtime": "1667290500", "text": ["قصف على ", {"type": "bold", "text": "درعا"}]},
    ]}]}}
    [doc] = list(parse_export(json.dumps(export).encode(), "r.json"))
    assert (doc.url, doc.published, doc.text, doc.source) == ("https://t.me/c/77/9", "2022-11-01", "قصف على درعا", "قناة خاصة")
    for data, message in [((DATA / "telegram_broken" / "result.json").read_bytes(), "not valid JSON"),
                          (b"[1, 2]", "not a Telegram Desktop export"), (b'{"name": "x"}', "no \"messages\""),
                          (b"\xff\xfe", "UTF-8"), (b"[" * 100000 + b"]" * 100000, "")]:
        out = list(parse_export(data, "r.json"))
        assert len(out) == 1 and isinstance(out[0], BadInput) and message in out[0].message
    assert message_text(["a", {"type": "link", "text": "b"}, 3, {"x": 1}]) == "ab" and message_text(None) == ""


# ---- WARC ----------------------------------------------------------------------------------------


def build_warc(path: Path, gz: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)

        def response(uri: str, status: str, ctype: str, body: bytes) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers))

        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        writer.write_record(writer.create_warc_record("https://www.enabbaladi.net/a", "request",
                                                      payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
        response("https://www.enabbaladi.net/a", "200 OK", "text/html; charset=utf-8", PAGE)
        response("https://www.enabbaladi.net/gone", "404 Not Found", "text/html", b"<html><body>404</body></html>")
        response("https://www.enabbaladi.net/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n....")
        response("https://news.example.org/rss", "200 OK", "application/rss+xml", (DATA / "feed.rss").read_bytes())


def test_warc_html_responses_with_the_target_uri(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    build_warc(path)
    docs, bad = docs_and_bad([path])
    assert not bad
    assert [d.url for d in docs][:1] == ["https://www.enabbaladi.net/a"]  # the record's URI, not the canonical link
    assert docs[0].published == "2022-11-06" and "جاسم" in docs[0].text
    assert len(docs) == 1 + 3  # the page and the feed's three items; 404, image, request, warcinfo skipped


def test_truncated_and_garbage_warc_keep_what_was_read(tmp_path):
    path = tmp_path / "crawl.warc"
    build_warc(path, gz=False)
    data = path.read_bytes()
    start = data.index(b"WARC/1.0", data.index(b"https://www.enabbaladi.net/gone") - 400)  # the 404 record
    bad_record = tmp_path / "bad_record.warc"
    bad_record.write_bytes(data[:start] + b"GARBAGE, NOT A WARC HEADER\r\n\r\n" + data[start:])
    docs, bad = docs_and_bad([bad_record])
    assert len(docs) == 1 and docs[0].url == "https://www.enabbaladi.net/a"
    assert len(bad) == 1 and "record 4 is unreadable" in bad[0].message
    gz = tmp_path / "crawl.warc.gz"
    build_warc(gz)
    zipped = gz.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(zipped[: len(zipped) // 2])  # a download cut short
    docs, bad = docs_and_bad([cut])
    assert len(docs) == 1 and len(bad) == 1 and "truncated" in bad[0].message
    garbage = tmp_path / "g.warc.gz"
    garbage.write_bytes(b"\x1f\x8b\x08 definitely not gzip")
    docs, bad = docs_and_bad([garbage])
    assert not docs and len(bad) == 1 and bad[0].where == str(garbage)


# ---- http(s) -------------------------------------------------------------------------------------


def test_urls_are_fetched_and_read_by_content_type_or_content(server):
    page = server.set("/page", PAGE, ctype="text/html; charset=utf-8")
    feed = server.set("/feed", (DATA / "feed.atom").read_bytes(), ctype="application/octet-stream")  # sniffed
    text = server.set("/t.txt", ARABIC.encode(), ctype="text/plain; charset=utf-8")
    docs, bad = docs_and_bad([page, feed, text], published="2022-11-06")
    assert not bad and len(docs) == 1 + 2 + 1
    assert docs[0].url == page and docs[0].title == "مقتل ثلاثة مدنيين بقصف على جاسم"
    assert docs[1].url == "https://atom.example.net/news/1" and docs[3].text == ARABIC and docs[3].url == text
    assert server.hits("/page")[0]["user-agent"].startswith("marsad/")


def test_url_failures_are_bad_input(server):
    err = server.set("/err", b"oops", status=500)
    img = server.set("/img", b"\x89PNG\r\n\x1a\n\x00\x00", ctype="image/png")
    docs, bad = docs_and_bad([err, img, "http://127.0.0.1:9/x"])
    assert not docs and len(bad) == 3
    assert "HTTP 500" in bad[0].message and "image/png" in bad[1].message and "fetch failed" in bad[2].message


# ---- the language gate -------------------------------------------------------------------------


def test_language_samples():
    for line in (DATA / "languages.jsonl").read_text(encoding="utf-8").splitlines():
        sample = json.loads(line)
        expected = {"ckb": "sdh"}.get(sample["lang"], sample["lang"])  # the model's Kurdish in Arabic script
        assert detect_language(sample["text"]) == expected, sample["text"][:40]


def test_language_fast_paths_and_edge_cases():
    assert detect_language("") == "other" and detect_language("12345 -- 2022/11/06 !!") == "other"
    assert detect_language("https://t.me/x/1 2022") == "other"
    assert detect_language("قال الرئيس الروسي ڤلاديمير بوتين إن القوات الروسية ستبقى في قاعدة حميميم") == "ar"
    assert detect_language("أعلنت شركة گوگل عن خدمة جديدة في سوريا اليوم") == "ar"
    mixed = ARABIC + " (Reuters) SOHR said on Twitter: https://www.syriahr.com/en/123 — Colonel Ryan Dillon, CJTF-OIR."
    assert detect_language(mixed) == "ar"
    assert detect_language("Привет, сегодня в Сирии был сильный дождь и ветер") == "ru"


def test_non_arabic_documents_are_refused_naming_the_language():
    from marsad.extract import check_document

    persian = json.loads((DATA / "languages.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    with pytest.raises(InputError, match=r"not Arabic \(detected language: fa \(Persian\)\)"):
        check_document(Document(text=persian))
    check_document(Document(text=ARABIC))


# ---- marsad ingest, end to end -------------------------------------------------------------------


def _kind_input(kind: str, tmp_path: Path, server: FeedServer) -> tuple[str, int]:
    """(argument for ingest, documents it should store)."""
    if kind == "text":
        (tmp_path / "r.txt").write_text(ARABIC, encoding="utf-8")
        return str(tmp_path / "r.txt"), 1
    if kind == "folder":
        (tmp_path / "in" / "sub").mkdir(parents=True)
        (tmp_path / "in" / "r.txt").write_text(ARABIC, encoding="utf-8")
        shutil.copy(DATA / "page.html", tmp_path / "in" / "sub" / "p.html")
        return str(tmp_path / "in"), 2
    if kind == "jsonl":
        (tmp_path / "d.jsonl").write_text(json.dumps({"id": "1", "text": ARABIC}, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        return str(tmp_path / "d.jsonl"), 1
    if kind == "warc":
        build_warc(tmp_path / "c.warc.gz")
        return str(tmp_path / "c.warc.gz"), 3  # the page and the feed's two Arabic items
    if kind == "url":
        return server.set("/rss", (DATA / "feed.rss").read_bytes()), 2
    return {"html": (str(DATA / "page.html"), 1), "rss": (str(DATA / "feed.rss"), 2),
            "atom": (str(DATA / "feed.atom"), 2), "telegram": (str(DATA / "telegram" / "result.json"), 2)}[kind]


@pytest.mark.parametrize("kind", ["text", "folder", "jsonl", "html", "rss", "atom", "telegram", "warc", "url"])
def test_cli_ingest_every_kind(kind, tmp_path, server):
    arg, expected = _kind_input(kind, tmp_path, server)
    db = str(tmp_path / "m.sqlite")
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", arg, "--db", db, "--published", "2022-11-06"])
    assert res.exit_code == 0, res.output
    assert f"marsad: {expected} new document(s), 0 already stored" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert Store(db).counts()["documents"] == expected
    if kind in ("rss", "telegram", "url", "warc"):
        assert "detected language: en" in res.stderr  # the English item is skipped with its reason
    again = runner.invoke(main, ["ingest", arg, "--db", db])
    assert again.exit_code == 0 and f"0 new document(s), {expected} already stored" in again.stderr


def test_cli_ingest_survives_bad_inputs_among_good_ones(tmp_path):
    db = str(tmp_path / "m.sqlite")
    args = ["ingest", str(DATA / "feed_garbage.xml"), str(DATA / "telegram_broken"), str(DATA / "page_empty.html"),
            str(DATA / "feed.atom"), str(tmp_path / "missing.rss"), "--db", db]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "2 new document(s)" in res.stderr and "4 skipped as bad input" in res.stderr
    assert "not a valid RSS/Atom feed" in res.stderr and "no main text" in res.stderr


def test_cli_extract_input_accepts_a_feed(tmp_path):
    res = CliRunner().invoke(main, ["extract", "--input", str(DATA / "feed.atom")])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert events and all(e["doc_id"] for e in events)
    assert "2 document(s) processed, 0 skipped" in res.stderr


def test_cli_extract_input_still_reads_jsonl_whatever_its_name(tmp_path):
    f = tmp_path / "docs.txt"
    f.write_text(json.dumps({"id": "a", "text": ARABIC, "published": "2022-11-06"}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    res = CliRunner().invoke(main, ["extract", "--input", str(f)])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() and "1 document(s) processed, 0 skipped" in res.stderr


def test_mutated_inputs_never_escape_an_adapter(tmp_path):
    """Fixed-seed byte mutations (flips, cuts, insertions) of every fixture kind: each yields only
    Documents and BadInputs, and the adapters themselves (not the catch-all) explain the failures."""
    import random

    build_warc(tmp_path / "w.warc.gz")
    build_warc(tmp_path / "w.warc", gz=False)
    sources = {"page.html": PAGE, "feed.rss": (DATA / "feed.rss").read_bytes(),
               "feed.atom": (DATA / "feed.atom").read_bytes(),
               "result.json": (DATA / "telegram" / "result.json").read_bytes(),
               "w.warc.gz": (tmp_path / "w.warc.gz").read_bytes(), "w.warc": (tmp_path / "w.warc").read_bytes()}
    rnd = random.Random(7)
    for i in range(120):
        name = rnd.choice(sorted(sources))
        data = bytearray(sources[name])
        op = i % 3
        if op == 0:
            for _ in range(rnd.randrange(1, 20)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif op == 1:
            data = data[: rnd.randrange(len(data))]
        else:
            at = rnd.randrange(len(data))
            data = data[:at] + bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40))) + data[at:]
        folder = tmp_path / f"m{i}"
        folder.mkdir()
        (folder / name).write_bytes(bytes(data))
        docs, bad = docs_and_bad([folder / name])
        assert not [b for b in bad if b.message.startswith("unreadable input")], (name, bad)
