"""Every phone number the site shows must trace to ../shared/facts.md or ../shared/seeds/."""

import re

import pytest

from .conftest import PAGES, SHARED, XHTML, path_of


def digits(text):
    return re.sub(r"\D", "", text)


@pytest.fixture(scope="module")
def sourced_numbers():
    sources = [SHARED / "facts.md", *sorted((SHARED / "seeds").glob("*"))]
    assert all(source.is_file() for source in sources), f"the sources are missing from {SHARED}"
    text = "\n".join(source.read_text(encoding="utf-8", errors="replace") for source in sources)
    numbers = re.findall(r"\b0\d[\d ]{6,13}\d\b|\b(?:999|101|111|18000|116 123)\b", text)
    return {digits(number) for number in numbers}


@pytest.mark.parametrize("page", PAGES, ids=path_of)
def test_every_number_on_every_page_has_a_source(client, page, sourced_numbers):
    document = client.get(path_of(page)).document
    dialled = {a.get("href")[4:] for a in document.iter(f"{XHTML}a") if a.get("href").startswith("tel:")}
    assert dialled, "every page shows the emergency numbers"
    assert dialled <= sourced_numbers, f"numbers with no source: {dialled - sourced_numbers}"
