"""Every phone number the site shows must trace to ../shared/facts.md or ../shared/seeds/."""

import pytest

from .conftest import PAGES, XHTML, path_of


@pytest.mark.parametrize("page", PAGES, ids=path_of)
def test_every_number_on_every_page_has_a_source(client, page, sourced_numbers):
    document = client.get(path_of(page)).document
    dialled = {a.get("href")[4:] for a in document.iter(f"{XHTML}a") if a.get("href").startswith("tel:")}
    assert dialled, "every page shows the emergency numbers"
    assert dialled <= sourced_numbers, f"numbers with no source: {dialled - sourced_numbers}"
