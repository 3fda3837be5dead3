"""Page weight budgets: a page's HTML fits the first round trip; with its CSS and JS, 30 KB."""

import gzip

import pytest

from .conftest import PAGES, XHTML, path_of

HTML_BUDGET = 14 * 1024  # bytes gzipped: about what arrives in the first round trip (10 TCP segments)
FIRST_VISIT_BUDGET = 30 * 1024  # bytes gzipped: the page with everything it loads


@pytest.mark.parametrize("page", PAGES, ids=path_of)
def test_page_fits_the_budgets(client, served, page):
    response = served(path_of(page))
    html = len(response.get_data())
    assert html <= HTML_BUDGET
    stylesheets = response.document.iterfind(f".//{XHTML}link[@rel='stylesheet']")
    scripts = response.document.iterfind(f".//{XHTML}script[@src]")
    subresources = [element.get("href") for element in stylesheets] + [
        element.get("src") for element in scripts
    ]
    total = html + sum(len(gzip.compress(client.get(url).get_data())) for url in subresources)
    assert total <= FIRST_VISIT_BUDGET
