"""Build the README's screenshot of the web page: ``docs/web.png``.

    python scripts/screenshot.py            # needs the playwright package and a chromium binary

Seeds a temporary SQLite store with the bundled example report and a second outlet's report of
the same clash, serves it with ``marsad serve`` on a loopback port, opens the page in headless
chromium (Debian's, by path: no browser download), opens the clash's event view with its review
box and evidence, and saves the screenshot. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "web.png"))
    ap.add_argument("--chromium", default=os.environ.get("MARSAD_CHROMIUM") or shutil.which("chromium"))
    args = ap.parse_args()
    if not args.chromium:
        sys.exit("screenshot: no chromium binary (apt-get install chromium, or --chromium PATH)")
    from playwright.sync_api import sync_playwright

    from marsad.extract import extract
    from marsad.model import Document
    from marsad.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "marsad.sqlite")
        store = Store(db)
        for text, source in ((ROOT / "examples" / "daraa_al_balad_2022-11-01.ar.txt", "18 March"),
                             (ROOT / "tests" / "data" / "dedup_horan_free_league_2022-11-01.ar.txt", "Horan Free League")):
            doc = Document(text=text.read_text(encoding="utf-8"), published="2022-11-01", source=source)
            store.add(doc, extract(doc))
        store.engine.dispose()
        port = _port()
        env = dict(os.environ, MARSAD_TOKEN="screenshot", MARSAD_CONFIG=str(Path(tmp) / "none.toml"))
        proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", db, "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "/api/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                page = browser.new_page(viewport={"width": 1400, "height": 1100})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                page.goto(base + "/")
                page.wait_for_selector("body[data-ready='1']", timeout=20000)
                page.locator("#events-table tbody tr", has_text="Armed clash").first.click()
                page.wait_for_selector("#event-view[data-loaded='1']", timeout=20000)
                page.locator("#event-view .review button.edit").click()
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.out, full_page=False)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
