"""Fetching refuses internal addresses on every hop and bounds the whole answer's time (issue 14)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marsad.sources import fetch as fetch_module
from marsad.sources.fetch import FetchError, check_address, fetch
from marsad.watch import Watcher, load_config


@pytest.fixture(autouse=True)
def _no_allowance(monkeypatch):
    monkeypatch.delenv(fetch_module.ALLOW_PRIVATE_ENV, raising=False)


@pytest.fixture()
def server():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/secret")
                self.end_headers()
            elif self.path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                try:
                    for _ in range(200):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass
            else:
                body = b"internal answer"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.hits = hits
    yield httpd
    httpd.shutdown()


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.1.2.3/feed", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]:8080/", "http://192.168.0.1/", "http://100.64.0.1/", "http://0.0.0.0/",
                                 "http://224.0.0.1/", "ftp://8.8.8.8/"])
def test_internal_addresses_are_refused(url):
    with pytest.raises(FetchError, match="refused"):
        check_address(url)


def test_a_public_address_passes():
    check_address("https://8.8.8.8/feed")


def test_a_local_server_is_refused_unless_allowed(server):
    with pytest.raises(FetchError, match="refused"):
        fetch(server.base + "/page")
    assert server.hits == []
    assert fetch(server.base + "/page", allow_private=True).content == b"internal answer"


def test_every_redirect_hop_is_checked(server, monkeypatch):
    """A feed that redirects to an internal address: the first hop is allowed here (as a public
    one would be), the redirect's target is checked on its own and refused."""
    def only_first_hop(url: str) -> None:
        if url.endswith("/secret"):
            raise FetchError(f"refused: {url} is a private or local address")

    monkeypatch.setattr(fetch_module, "check_address", only_first_hop)
    with pytest.raises(FetchError, match="refused"):
        fetch(server.base + "/redirect")
    assert server.hits == ["/redirect"], "the internal address was never asked"


def test_a_dripping_server_is_cut_off(server):
    with pytest.raises(FetchError, match="longer than"):
        fetch(server.base + "/drip", allow_private=True, total_timeout=0.5)


def test_feeds_yaml_can_allow_private_addresses(tmp_path, server):
    from marsad.store import Store

    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"feeds:\n  - {server.base}/feed\n", encoding="utf-8")
    refused = load_config(cfg)
    assert refused[0].allow_private is False
    cfg.write_text(f"allow_private_addresses: true\nfeeds:\n  - {server.base}/feed\n", encoding="utf-8")
    allowed = load_config(cfg)
    assert allowed[0].allow_private is True
    store = Store(str(tmp_path / "w.sqlite"))
    w = Watcher(store, refused)
    try:
        result = w.poll(refused[0], {})
        assert result.status == "error" and "refused" in result.error and server.hits == []
        result = w.poll(allowed[0], {})
        assert "refused" not in (result.error or "") and server.hits == ["/feed"]
    finally:
        w.close()
    cfg.write_text("allow_private_addresses: maybe\nfeeds:\n  - https://a.example/rss\n", encoding="utf-8")
    with pytest.raises(ValueError, match="true or false"):
        load_config(cfg)
