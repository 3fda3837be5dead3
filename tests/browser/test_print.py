"""Posters and cards printed to PDF by Chromium: one page each, of the paper size asked for."""

import re

import pytest

A4 = (595, 842)  # points, rounded
A3 = (842, 1191)


def pdf_pages(pdf):
    """The size of every page of a PDF, in whole points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("/print/poster/consent?lang=pl", A4),
        ("/print/poster/get-help?lang=ar&size=a3", A3),
        ("/print/poster/drink-and-consent?lang=zh&size=a4", A4),
        ("/print/help", A4),
        ("/print/help?size=a3", A3),
        ("/print/cards?lang=uk", A4),
    ],
)
def test_prints_one_page_of_the_right_size(page, live_server, path, size):
    page.goto(live_server + path)
    page.emulate_media(media="print")
    assert not page.locator(".exit").is_visible()
    assert page.locator("img.qr").first.evaluate("img => img.complete && img.naturalWidth > 0")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == [size]


def test_the_card_sheet_holds_ten_cards_of_85_by_55_mm(page, live_server):
    page.goto(live_server + "/print/cards?lang=en")
    page.emulate_media(media="print")
    sizes = page.locator(".card").evaluate_all("cards => cards.map((c) => [c.offsetWidth, c.offsetHeight])")
    millimetres = [(round(w * 25.4 / 96), round(h * 25.4 / 96)) for w, h in sizes]
    assert millimetres == [(85, 55)] * 10
