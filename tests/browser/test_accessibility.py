"""axe-core in Chromium: no WCAG 2.2 AA violation, and AAA contrast on body text, on every page in
English, a right-to-left language (Arabic) and a CJK language (Chinese)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..conftest import PAGES, path_of

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ENGLISH = [path_of(page) for page in PAGES if page.lang == "en"]
ENGLISH += [
    "/en/no-such-page",
    "/en/languages",
    "/en/services",
    "/en/services/galop",
    "/en/offline",
    "/en/partners",
]
PATHS = [path.replace("/en/", f"/{code}/", 1) for code in ("en", "ar", "zh") for path in ENGLISH]
axe = Axe()


def violations(page, rules):
    results = axe.run(page, options={"runOnly": rules, "resultTypes": ["violations"]})
    return [(v["id"], [node["target"] for node in v["nodes"]]) for v in results.response["violations"]]


@pytest.mark.parametrize("path", PATHS)
def test_no_wcag_aa_violations(page, live_server, path):
    page.goto(live_server + path)
    assert violations(page, {"type": "tag", "values": WCAG_AA}) == []


@pytest.mark.parametrize("path", PATHS)
def test_text_contrast_reaches_aaa(page, live_server, path):
    page.goto(live_server + path)
    assert violations(page, {"type": "rule", "values": ["color-contrast-enhanced"]}) == []
