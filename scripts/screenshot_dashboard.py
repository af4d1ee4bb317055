"""Screenshot the dashboard for the docs: process the sample article twice, serve, capture.

python scripts/screenshot_dashboard.py [--model M] [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=None)
    p.add_argument("--out", default=str(ROOT / "docs" / "dashboard.png"))
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    from mt.options import Options
    from mt.server import create_app, serve_in_background
    from mt.service import Service
    from mt.store import Store

    db = Path(tempfile.mkdtemp()) / "results.db"
    store = Store(db)
    text = (ROOT / "examples" / "sky-news-2022-11-nato-fr.txt").read_text(encoding="utf-8")
    for repair in (False, True):
        service = Service(Options(model=args.model, repair=repair))
        doc = service.process(text, name="sky-news-2022-11-nato-fr.txt")
        store.add_result(store.new_run(service.run_settings(references=False)), doc)
    with serve_in_background(create_app(db)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/")
        page.click(".doc >> nth=1")
        page.wait_for_selector("#rows tr")
        page.select_option("#peer", index=1)
        page.wait_for_selector("#rows td.delta")
        page.hover("#rows mark.flag >> nth=0")  # in the first row: the page stays at its top
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.out)
        browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
