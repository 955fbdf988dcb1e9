"""``marsad watch``: FEEDS.yaml, conditional requests, seen items, backoff, persisted feed state.

Feeds are served by a small HTTP server on loopback (``FeedServer``, also used by
tests/test_sources.py) that records each request's headers, answers 304 to a matching
If-None-Match / If-Modified-Since, and can be told to answer 500 or garbage.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.store import Store
from marsad.watch import FeedConfig, WatchConfigError, Watcher, load_config, parse_interval


@pytest.fixture(autouse=True)
def _local_servers_allowed(monkeypatch):
    """These tests serve pages and feeds from 127.0.0.1, which marsad refuses unless allowed
    (tests/test_fetch_guard.py checks the refusal)."""
    monkeypatch.setenv("MARSAD_ALLOW_PRIVATE_ADDRESSES", "1")


LAST_MODIFIED = "Sun, 06 Nov 2022 20:00:00 GMT"


def rss(*items: tuple[str, str, str], title: str = "المرصد المحلي") -> bytes:
    """An RSS 2.0 feed of (guid, title, text) items, newest first."""
    body = "".join(
        f"<item><title>{t}</title><link>https://news.example.org/{g}</link><guid isPermaLink=\"false\">{g}</guid>"
        f"<pubDate>Sun, 06 Nov 2022 10:00:00 +0300</pubDate><description>{x}</description></item>"
        for g, t, x in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://news.example.org/</link>{body}</channel></rss>").encode()


ITEM_A = ("a-1", "قصف على جاسم", "قتل ثلاثة مدنيين اليوم الأحد جراء قصف مدفعي لقوات النظام على مدينة جاسم في ريف درعا الشمالي.")
ITEM_B = ("b-2", "اشتباكات في حماة", "دارت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في ريف حماة الشمالي.")
ITEM_C = ("c-3", "انفجار في درعا", "قتل شخصان وأصيب ثلاثة آخرون بانفجار عبوة ناسفة في مدينة درعا مساء أمس.")
ITEM_EN = ("en-4", "Weather", "Sunny skies are expected across the region for the rest of the week.")


class FeedServer:
    """Routes: path -> {body, ctype, etag, last_modified, status}; ``requests``: (path, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.get("status", 200) != 200:
                    self._send(route["status"], route.get("body", b"error"), "text/plain")
                    return
                etag, modified = route.get("etag"), route.get("last_modified")
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                if (etag and inm == etag) or (not etag and modified and ims == modified):
                    self.send_response(304)
                    self.end_headers()
                    return
                extra = {}
                if etag:
                    extra["ETag"] = etag
                if modified:
                    extra["Last-Modified"] = modified
                self._send(200, route["body"], route.get("ctype", "application/rss+xml"), extra)

            def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def set(self, path: str, body: bytes, **route) -> str:
        self.routes[path] = {"body": body, **route}
        return self.url(path)

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def feed_server():
    server = FeedServer()
    yield server
    server.close()


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def watcher(store: Store, feeds: list[FeedConfig], clock: Clock, calls: list | None = None) -> Watcher:
    """A Watcher whose extraction is a recorder (fast); the real one is covered by the CLI tests."""
    def process(doc) -> str:
        if calls is not None:
            calls.append(doc)
        return "new" if store.add(doc, []) else "stored"

    return Watcher(store, feeds, process=process, clock=clock)


# ---- FEEDS.yaml ------------------------------------------------------------------------------


def test_load_config_accepts_urls_and_mappings_with_intervals(tmp_path):
    f = tmp_path / "feeds.yaml"
    f.write_text("interval: 10m\nfeeds:\n  - https://a.example/rss\n  - url: http://b.example/atom\n"
                 "    source: Enab Baladi\n    interval: 90\n", encoding="utf-8")
    feeds = load_config(f)
    assert [(x.url, x.source, x.interval) for x in feeds] == [
        ("https://a.example/rss", None, 600.0), ("http://b.example/atom", "Enab Baladi", 90.0)]
    assert parse_interval("2h", "x") == 7200 and parse_interval("1d", "x") == 86400 and parse_interval(30, "x") == 30


@pytest.mark.parametrize("content,message", [
    ("feeds: [unclosed", "not valid YAML"),
    ("interval: 5m\n", "expected a list of feeds"),
    ("feeds:\n  - ftp://x.example/feed\n", "must be an http"),
    ("feeds:\n  - url: https://x.example/feed\n    colour: red\n", "unknown key"),
    ("feeds:\n  - https://x.example/feed\n  - https://x.example/feed\n", "listed twice"),
    ("feeds:\n  - url: https://x.example/feed\n    interval: soon\n", "interval"),
    ("feeds:\n  - 42\n", "expected a URL"),
])
def test_load_config_rejects_bad_files_with_a_reason(tmp_path, content, message):
    f = tmp_path / "feeds.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(WatchConfigError, match=message):
        load_config(f)


def test_cli_watch_bad_config_is_a_one_line_error(tmp_path):
    f = tmp_path / "feeds.yaml"
    f.write_text("feeds: 3\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["watch", str(f), "--once", "--db", str(tmp_path / "w.sqlite")])
    assert res.exit_code == 1 and "expected a list of feeds" in res.stderr and "Traceback" not in res.stderr


# ---- conditional requests and seen items -------------------------------------------------------


def test_etag_is_sent_back_and_304_changes_nothing(tmp_path, feed_server):
    url = feed_server.set("/rss", rss(ITEM_A, ITEM_B), etag='"v1"')
    store, clock, calls = Store(str(tmp_path / "w.sqlite")), Clock(), []
    w = watcher(store, [FeedConfig(url, interval=600)], clock, calls)
    [first] = w.poll_due()
    assert (first.status, first.new, first.items) == ("new", 2, 2)
    state = store.feed_state(url)
    assert state["etag"] == '"v1"' and set(state["seen"]) == {"a-1", "b-2"} and state["failures"] == 0
    assert "if-none-match" not in feed_server.hits("/rss")[0]

    clock.t += 601
    [second] = w.poll_due()
    assert second.status == "not-modified" and len(calls) == 2
    assert feed_server.hits("/rss")[-1]["if-none-match"] == '"v1"'
    assert store.counts()["documents"] == 2


def test_last_modified_is_sent_back_as_if_modified_since(tmp_path, feed_server):
    url = feed_server.set("/lm", rss(ITEM_A), last_modified=LAST_MODIFIED)
    store, clock = Store(str(tmp_path / "w.sqlite")), Clock()
    w = watcher(store, [FeedConfig(url, interval=0)], clock)
    assert w.poll_due()[0].status == "new"
    assert store.feed_state(url)["last_modified"] == LAST_MODIFIED
    assert w.poll_due()[0].status == "not-modified"
    assert feed_server.hits("/lm")[-1]["if-modified-since"] == LAST_MODIFIED


def test_only_new_items_are_extracted_when_the_feed_changes(tmp_path, feed_server):
    url = feed_server.set("/rss", rss(ITEM_A, ITEM_B), etag='"v1"')
    store, clock, calls = Store(str(tmp_path / "w.sqlite")), Clock(), []
    w = watcher(store, [FeedConfig(url, interval=0)], clock, calls)
    w.poll_due()
    feed_server.set("/rss", rss(ITEM_C, ITEM_A, ITEM_B), etag='"v2"')
    [res] = w.poll_due()
    assert res.new == 1 and [d.id for d in calls] == ["b-2", "a-1", "c-3"]  # oldest first, then the new one
    assert store.feed_state(url)["seen"][:3] == ["c-3", "a-1", "b-2"]


def test_server_without_validators_still_does_not_re_extract_seen_items(tmp_path, feed_server):
    url = feed_server.set("/plain", rss(ITEM_A, ITEM_B))
    store, clock, calls = Store(str(tmp_path / "w.sqlite")), Clock(), []
    w = watcher(store, [FeedConfig(url, interval=0)], clock, calls)
    w.poll_due()
    [res] = w.poll_due()
    assert res.status == "new" and res.new == 0 and len(calls) == 2
    assert "if-none-match" not in feed_server.hits("/plain")[-1]


def test_feed_title_or_configured_source_names_the_documents(tmp_path, feed_server):
    url1 = feed_server.set("/one", rss(ITEM_A, title="شبكة درعا"))
    url2 = feed_server.set("/two", rss(ITEM_B, title="عنوان الخلاصة"))
    store, calls = Store(str(tmp_path / "w.sqlite")), []
    w = watcher(store, [FeedConfig(url1), FeedConfig(url2, source="Enab Baladi")], Clock(), calls)
    w.poll_due()
    assert {d.id: d.source for d in calls} == {"a-1": "شبكة درعا", "b-2": "Enab Baladi"}
    assert calls[0].published == "2022-11-06" and calls[0].url == "https://news.example.org/a-1"


# ---- failures and backoff -----------------------------------------------------------------------


def test_http_errors_back_off_exponentially_capped_and_reset_on_success(tmp_path, feed_server):
    url = feed_server.set("/rss", b"boom", status=500)
    store, clock = Store(str(tmp_path / "w.sqlite")), Clock()
    w = watcher(store, [FeedConfig(url, interval=600)], clock)
    w.max_backoff = 400
    [res] = w.poll_due()
    assert res.status == "error" and "HTTP 500" in res.error
    state = store.feed_state(url)
    assert state["failures"] == 1 and state["last_status"].startswith("error: HTTP 500")
    start = clock.t
    assert w.poll_due()[0].status == "not-due" and len(feed_server.hits("/rss")) == 1
    delays = []
    for _ in range(4):
        clock.t = _due(store, url)
        delays.append(round(clock.t - start))
        start = clock.t
        assert w.poll_due()[0].status == "error"
    assert delays == [60, 120, 240, 400]  # 60 s, doubling, capped by max_backoff
    assert store.feed_state(url)["failures"] == 5
    feed_server.set("/rss", rss(ITEM_A))
    clock.t = _due(store, url)
    assert w.poll_due()[0].new == 1
    state = store.feed_state(url)
    assert state["failures"] == 0 and _due(store, url) == pytest.approx(clock.t + 600)


def _due(store: Store, url: str) -> float:
    from marsad.watch import _ts

    return _ts(store.feed_state(url)["next_poll_at"])


def test_garbage_and_unreachable_feeds_do_not_stop_the_others(tmp_path, feed_server):
    bad = feed_server.set("/garbage", b"\x00\x01 this is { not <xml", ctype="application/rss+xml")
    html = feed_server.set("/html", b"<html><body><p>not a feed</p></body></html>", ctype="text/html")
    good = feed_server.set("/good", rss(ITEM_A))
    refused = "http://127.0.0.1:9/feed"  # discard port: nothing listens
    store = Store(str(tmp_path / "w.sqlite"))
    w = watcher(store, [FeedConfig(bad), FeedConfig(refused), FeedConfig(html), FeedConfig(good)], Clock())
    results = {r.url: r for r in w.poll_due()}
    assert results[good].new == 1
    assert results[bad].status == results[refused].status == results[html].status == "error"
    assert "not a valid RSS/Atom feed" in results[bad].error
    assert store.feed_state(refused)["failures"] == 1


# ---- the command: logs, persistence across runs, the real extraction ----------------------------


def test_cli_watch_once_ingests_then_304_and_persists_state(tmp_path, feed_server):
    feed_server.set("/rss", rss(ITEM_A, ITEM_EN), etag='"v1"')
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"interval: 0\nfeeds:\n  - url: {feed_server.url('/rss')}\n    source: Test Feed\n", encoding="utf-8")
    db = str(tmp_path / "w.sqlite")
    runner = CliRunner()
    res = runner.invoke(main, ["watch", str(cfg), "--once", "--db", db])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert "fetched (HTTP 200), 2 item(s), 2 unseen: 1 new document(s) stored, 1 skipped" in res.stderr
    assert "detected language: en" in res.stderr  # the English item, with the reason
    assert "1 new document(s)" in res.stderr
    store = Store(db)
    assert store.counts()["documents"] == 1 and store.counts()["events"] >= 1

    res = runner.invoke(main, ["watch", str(cfg), "--once", "--db", db])  # a new process would read the same state
    assert res.exit_code == 0 and "304 not modified" in res.stderr and "0 new document(s)" in res.stderr
    assert feed_server.hits("/rss")[-1]["if-none-match"] == '"v1"'


def test_cli_watch_once_fails_when_every_feed_fails(tmp_path, feed_server):
    feed_server.set("/down", b"down", status=503)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"feeds: [{feed_server.url('/down')}]\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["watch", str(cfg), "--once", "--db", str(tmp_path / "w.sqlite")])
    assert res.exit_code == 1 and "HTTP 503" in res.stderr and "next try in 60 s" in res.stderr
    assert "Traceback" not in res.stderr


def test_run_loop_sleeps_until_the_next_feed_is_due(tmp_path, feed_server):
    url = feed_server.set("/rss", rss(ITEM_A), etag='"v1"')
    store, clock = Store(str(tmp_path / "w.sqlite")), Clock()
    w = watcher(store, [FeedConfig(url, interval=120)], clock)
    slept = []

    def sleep(s: float) -> None:
        slept.append(s)
        clock.t += s
        if len(slept) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w.run(sleep=sleep)
    assert slept == [120, 120] and len(feed_server.hits("/rss")) == 2


def test_feed_state_persists_across_store_instances(tmp_path):
    db = str(tmp_path / "w.sqlite")
    Store(db).save_feed_state("https://a.example/rss", etag='"x"', seen=["k2", "k1"], failures=2)
    Store(db).save_feed_state("https://a.example/rss", failures=0)  # an update keeps the other fields
    reopened = Store(db)
    state = reopened.feed_state("https://a.example/rss")
    assert (state["etag"], state["seen"], state["failures"], state["ingested"]) == ('"x"', ["k2", "k1"], 0, 0)
    assert reopened.feed_state("https://other.example/") is None
    assert [s["url"] for s in reopened.feed_states()] == ["https://a.example/rss"]
    with pytest.raises(ValueError, match="unknown feed state"):
        reopened.save_feed_state("https://a.example/rss", colour="red")
