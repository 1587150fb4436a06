"""The samples' HTML report as a person sees it, in headless Chromium (Debian's, driven by Playwright).

Skips, saying why, only when Chromium or Playwright is not installed (.ci/run installs both).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconcile.pipeline import load_documents, scan
from reconcile.report.files import write_reports
from tests.conftest import SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

KNOWN = [
    # (pair page, kind, the words each side shows): samples/README.md lists them.
    ("statement_outlet_a__statement_outlet_b", "real-word", {"evaluation", "evacuation"}),
    ("statement_outlet_a__statement_outlet_b", "spelling-variant", {"Katarina", "Katharina"}),
    ("statement_outlet_a__statement_outlet_b", "spelling-variant", {"re-open", "reopen"}),
    ("wire_copy__wire_original", "number", {"27", "25"}),
    ("wire_copy__wire_original", "typo", {"goverment", "government"}),
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: `apt-get install chromium` failed or was not run (.ci/run does it)")
    reason = "playwright is not installed (pip install -e '.[test]')"
    sync_api = pytest.importorskip("playwright.sync_api", reason=reason)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    docs, _ = load_documents([str(SAMPLES / "articles")])
    write_reports(scan(docs), out)
    return out


def _open(context, path: Path):
    """A fresh page on ``path`` that records every request it makes and every dialog."""
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url == path.as_uri() else route.abort())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, dialogs


@pytest.mark.parametrize("stem,kind,words", KNOWN, ids=[k for _, k, _ in KNOWN])
def test_known_divergences_are_highlighted_and_explained(browser_context, report_dir, stem, kind, words) -> None:
    path = report_dir / "pairs" / f"{stem}.html"
    page, requests, _ = _open(browser_context, path)
    try:
        marks = page.locator(f'table.side mark.hl[data-kind="{kind}"]')
        shown = {}
        for n in range(marks.count()):
            word = marks.nth(n).locator("span.w").inner_text().strip()
            if word in words:
                shown[word] = marks.nth(n)
        assert set(shown) == words, f"{kind}: highlighted {sorted(shown)}"
        rows = set()
        for mark in shown.values():
            mark.scroll_into_view_if_needed()
            assert mark.is_visible()
            box = mark.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0
            rows.add(mark.evaluate("m => m.closest('tr').id"))
            tip = mark.locator(".tip")
            assert not tip.is_visible()
            mark.focus()  # keyboard: highlights are tab stops and explain themselves on focus
            assert tip.is_visible()
            assert kind in tip.inner_text()
        assert len(rows) == 1, f"both sides of the {kind} divergence should sit in one aligned row: {rows}"
        assert requests == [path.as_uri()]
    finally:
        page.close()


def test_summary_links_scroll_to_their_rows_and_nothing_leaves(browser_context, report_dir, tmp_path) -> None:
    path = report_dir / "pairs" / "statement_outlet_a__statement_outlet_b.html"
    page, requests, dialogs = _open(browser_context, path)
    try:
        links = page.locator("table.summary a.to-row")
        assert links.count() > 0
        checked = 0
        for n in range(links.count())[::-1][:4]:  # the last entries: their rows start out of view
            page.evaluate("window.scrollTo(0, 0)")
            link = links.nth(n)
            target = link.get_attribute("href")
            assert target and target.startswith("#row-")
            row = page.locator(target)
            in_view = "r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.top < window.innerHeight; }"
            if row.evaluate(in_view):
                continue
            link.click()
            page.wait_for_function("h => location.hash === h", arg=target)
            assert row.evaluate(in_view), f"{target} not scrolled into view"
            checked += 1
        assert checked >= 1
        shot = tmp_path / "statement_outlets.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert requests == [path.as_uri()], "the report asked for something beyond itself"
        assert dialogs == []
    finally:
        page.close()


def test_print_drops_navigation_and_tooltips(browser_context, report_dir) -> None:
    page, _, _ = _open(browser_context, report_dir / "pairs" / "wire_copy__wire_original.html")
    try:
        mark = page.locator("table.side mark.hl").first
        assert page.locator("nav").is_visible()
        page.emulate_media(media="print")
        mark.focus()
        assert not page.locator("nav").is_visible()
        assert not mark.locator(".tip").is_visible()
        assert mark.locator(".code").is_visible(), "the kind code must print: colour alone is not enough"
    finally:
        page.close()


def test_every_page_is_self_contained(browser_context, report_dir) -> None:
    for path in sorted(report_dir.rglob("*.html")):
        page, requests, _ = _open(browser_context, path)
        try:
            assert requests == [path.as_uri()], path
        finally:
            page.close()


def test_hostile_article_does_not_run(browser_context, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SAMPLES / "articles" / "wire_original.txt", articles / "a.txt")
    text = (SAMPLES / "articles" / "wire_original.txt").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines.insert(4, "<script>window.__pwned = 1; alert('pwned')</script> <img src=x onerror=\"window.__pwned=2\">\n\n")
    (articles / "b.txt").write_text("".join(lines), encoding="utf-8")
    docs, _ = load_documents([str(articles)])
    out = tmp_path / "out"
    write_reports(scan(docs), out)
    pages = sorted(out.rglob("*.html"))
    assert any("&lt;script&gt;" in p.read_text(encoding="utf-8") for p in pages)
    for path in pages:
        page, requests, dialogs = _open(browser_context, path)
        try:
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.locator("script").count() == 0 and page.locator("img").count() == 0
            assert dialogs == [] and requests == [path.as_uri()]
        finally:
            page.close()
