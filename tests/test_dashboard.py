"""End-to-end: the dashboard in headless Chromium (Debian's, driven by Playwright)."""

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mt.options import Options
from mt.pipeline import run_document
from mt.server import Access, create_app, serve_in_background
from mt.service import Service
from mt.store import Store
from mt.translate import Translator

from .conftest import SAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE_PAGE = (
    '<p onmouseover="window.pwned=1">Le <b>chat</b> dort.<script>window.pwned = 2</script>'
    '<img src=x onerror="window.pwned=3"><a href="javascript:window.pwned=4">lien</a></p>'
)


@pytest.fixture(scope="module")
def dashboard_url(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: run the README's set-up command (make setup)")
        pytest.skip("Chromium is not installed (make setup installs it)")

    db = tmp_path_factory.mktemp("dash") / "results.db"
    store = Store(db)
    tr = Translator(tiny_model, beam=1)
    text = SAMPLE.read_text(encoding="utf-8")
    for repair in (False, True):  # two runs over the same document, for the comparison view
        doc = run_document(text, tr, name="sky-news.txt", repair_source=repair)
        store.add_result(store.new_run({"repair": repair}), doc)
    # an HTML article that tries to run code in whoever looks at it
    page = Service(Options(model=str(tiny_model), beam=1)).process(
        HOSTILE_PAGE, name="hostile.html", format="html"
    )
    store.add_result(store.new_run({"html": True}), page)
    store.close()
    # a server that needs keys: the page, opened with one, sends it with every call it makes
    app = create_app(db, model=str(tiny_model), access=Access.create(["dash-key"]))
    with serve_in_background(app) as url:
        yield url + "/"


def test_dashboard_highlights_filters_and_exports(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(dashboard_url + "?api_key=dash-key")
        page.click(".doc >> nth=0")
        page.wait_for_selector("#rows tr")

        # flagged spans are highlighted, with type and suggestion on hover
        mark = page.locator('mark.flag[data-type="merged_token"]')
        assert mark.count() == 1
        assert mark.inner_text() == "Khersonsous"
        assert "Kherson sous" in (mark.get_attribute("title") or "")
        all_rows = page.locator("#rows tr").count()
        assert all_rows == 19

        # worst sentences first
        qualities = [float(q) for q in page.locator("#rows td.q").all_inner_texts()]
        assert qualities == sorted(qualities)

        # the flag-type filter hides the sentences without that flag
        page.select_option("#ftype", "merged_token")
        assert page.locator("#rows tr").count() == 1
        shown = page.locator("#rows tr").first.get_attribute("data-idx")

        # export returns exactly the rows shown
        with page.expect_download() as info:
            page.click("#csv")
        rows = list(
            csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8")))
        )
        assert [r["idx"] for r in rows] == [shown]
        assert "merged_token" in rows[0]["flags"]

        # the filter offers the types worked out from the text too (made-up words, lost French
        # words...), and each shows the sentences that have one
        shown_id = page.evaluate("state.doc.id")
        served = page.request.get(
            f"{dashboard_url}v1/documents/{shown_id}", headers={"Authorization": "Bearer dash-key"}
        ).json()["sentences"]
        derived = {
            f["type"] for sent in served for f in sent["translation_flags"] + sent["source_flags"]
        }
        options = set(page.locator("#ftype option").all_inner_texts()) - {"all"}
        assert derived and derived <= options
        for kind in sorted(derived):
            page.select_option("#ftype", kind)
            having = sum(
                any(f["type"] == kind for f in sent["translation_flags"] + sent["source_flags"])
                for sent in served
            )
            assert page.locator("#rows tr").count() == having

        # comparison with the other run of the same document shows per-sentence deltas
        page.select_option("#ftype", "")
        page.select_option("#peer", index=1)
        page.wait_for_selector("#rows td.delta")
        assert "vs" in page.inner_text("#cmp")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=False)
        browser.close()


def test_dashboard_shows_a_page_beside_its_translation_and_runs_none_of_it(
    dashboard_url: str,
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(dashboard_url + "?api_key=dash-key")
        page.click(".doc:has-text('hostile.html')")
        page.wait_for_selector("#page iframe")
        frames = page.locator("#page iframe")
        assert frames.count() == 2
        assert all(frames.nth(k).get_attribute("sandbox") == "" for k in range(2))
        french = page.frame_locator("#page iframe >> nth=0")
        assert french.locator("b").inner_text() == "chat"
        assert french.locator("script, img").count() == 0
        assert "javascript" not in (french.locator("a").get_attribute("href") or "")
        page.hover("#page iframe >> nth=0")
        page.wait_for_timeout(300)
        # nothing ran, in the frames or in the dashboard around them
        assert len(page.frames) == 3
        assert all(f.evaluate("window.pwned") is None for f in page.frames)
        browser.close()
