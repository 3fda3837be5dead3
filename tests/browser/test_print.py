"""Every sheet printed to PDF by Chromium, as `flask print-pdfs` makes it: one page of its paper
size, nothing cut off, type big enough, and its QR code read back from a photo of the sheet.

The photo: the PDF rendered by pdftoppm at what a phone camera sees at the distance a reader stands
(a 1920-pixel frame with a 70° horizontal field of view spans 2·d·tan 35° at distance d), slightly
blurred, as a hand-held phone in a dim venue is, then decoded by zbar.
"""

import math
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageFilter

from app import create_app
from safernights import print_pdf, qr_codes

from ..conftest import ROOT
from .conftest import Server

BASE_URL = "https://safernights.example.org"  # public-looking, so no TEST PRINT mark covers a code
APP = create_app({"TESTING": True, "BASE_URL": BASE_URL})
SHEETS = print_pdf.sheets(APP)
PAPER = {"a4": (595, 842), "a3": (842, 1191), "a5": (420, 595)}  # points, rounded
SCALE = {"a4": 1, "a3": math.sqrt(2), "a5": 1 / math.sqrt(2)}  # posters are one design, scaled
# Where a reader stands, in millimetres: across a corridor or a dance floor's edge from a poster on
# the wall; at arm's length from an A5 on a table or noticeboard; a card in the hand; the staff
# checklist on the staff-room wall, which staff read from a step or two away, not in the hand.
DISTANCE = {"a4": 2000, "a3": 2000, "a5": 1000, "cards": 300, "staff-checklist": 500}
CAMERA_PIXELS, FIELD_OF_VIEW = 1920, math.radians(70)
BLUR = 0.7  # pixels at camera scale: a hand that is not quite still
CARDS_PER_SHEET = 10
HEADLINE_PT = 48  # on A4: capitals 12 mm tall, readable at three metres
SMALLEST_CHECKLIST_PT = 9

# In print media: whatever lies outside its sheet, text that overflows its box, the sheet's own
# overflow, and the sizes of the type that must be big (headline) or not too small (checklist).
MEASURE = """() => {
  const problems = [];
  const size = (e) => `${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight}`;
  for (const sheet of document.querySelectorAll('.sheet')) {
    const box = sheet.getBoundingClientRect();
    if (sheet.scrollHeight !== sheet.clientHeight || sheet.scrollWidth !== sheet.clientWidth)
      problems.push('sheet ' + size(sheet));
    for (const e of sheet.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (e.closest('.test-print') || (r.width === 0 && r.height === 0)) continue;
      const what = `${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}"`;
      const outside = r.left < box.left - 0.5 || r.right > box.right + 0.5;
      if (outside || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        problems.push('outside the sheet: ' + what);
      // A line's glyphs may reach a little past a tight line height; a cut-off line is a whole line.
      const slack = 0.3 * parseFloat(getComputedStyle(e).fontSize);
      const overflows = e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + slack;
      if (e.matches('h1, h2, h3, p, li:not(.card)') && overflows)  // a card's crop marks lie outside it
        problems.push(`text overflows: ${what} ${size(e)}`);
    }
  }
  const points = (selector) => [...document.querySelectorAll(selector)]
    .map(e => parseFloat(getComputedStyle(e).fontSize) * 0.75);
  return {problems, headline: points('.poster h1'), checklist: points('.checklist-body *')};
}"""


def pdf_pages(pdf):
    """The size of every page of a PDF, in whole points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def distance(sheet):
    """How far from the sheet the reader's phone is, in millimetres."""
    return DISTANCE.get(sheet.kind) or DISTANCE[sheet.paper]


def codes_in_photo(pdf, distance, folder):
    """The QR codes zbar reads in the sheet as a phone camera at `distance` mm sees it: rendered at
    twice the camera's pixels per millimetre, averaged down to them, blurred."""
    folder.mkdir()
    pixels_per_mm = CAMERA_PIXELS / (2 * distance * math.tan(FIELD_OF_VIEW / 2))
    (folder / "sheet.pdf").write_bytes(pdf)
    dpi = 2 * pixels_per_mm * 25.4
    subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-r", f"{dpi:.2f}", folder / "sheet.pdf", folder / "sheet"],
        check=True,
    )
    image = Image.open(folder / "sheet.png").convert("L")
    image = image.resize((image.width // 2, image.height // 2), Image.BOX).filter(
        ImageFilter.GaussianBlur(BLUR)
    )
    image.save(folder / "photo.png")
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", folder / "photo.png"], capture_output=True, text=True
    )
    return result.stdout.split()


@pytest.fixture(scope="module")
def printed(browser, tmp_path_factory):
    """Every sheet printed, measured and photographed once, in one page: Chromium prints the next
    sheet while pdftoppm and zbar read the last. Sheet -> (page sizes, measures, codes read)."""
    if not shutil.which("pdftoppm"):
        pytest.fail(
            "pdftoppm is missing: `make test` installs it as root, or `apt-get install poppler-utils`"
        )
    server, folder = Server(APP), tmp_path_factory.mktemp("photos")
    context = browser.new_context(service_workers="block")  # no worker saving the site meanwhile
    page, results = context.new_page(), {}
    with ThreadPoolExecutor(2) as photos:
        for number, sheet in enumerate(SHEETS):
            pdf = print_pdf.pdf(page, server.url + sheet.path)
            read = photos.submit(codes_in_photo, pdf, distance(sheet), folder / str(number))
            results[sheet] = (pdf_pages(pdf), page.evaluate(MEASURE), read)
    context.close()
    server.stop()
    return {sheet: (pages, measured, read.result()) for sheet, (pages, measured, read) in results.items()}


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda sheet: sheet.name)
def test_every_sheet_prints_whole_on_one_page_and_its_code_scans(printed, sheet):
    pages, measured, codes = printed[sheet]
    assert pages == [PAPER[sheet.paper]]
    assert measured["problems"] == []
    assert all(pt >= HEADLINE_PT * SCALE[sheet.paper] - 0.01 for pt in measured["headline"])
    assert all(pt >= SMALLEST_CHECKLIST_PT for pt in measured["checklist"])
    copies = CARDS_PER_SHEET if sheet.kind == "cards" else 1
    assert codes == [qr_codes.short_url(BASE_URL, sheet.code)] * copies


def test_the_card_sheet_holds_ten_cards_of_85_by_55_mm(page, live_server):
    page.goto(live_server + "/print/cards?lang=en")
    page.emulate_media(media="print")
    sizes = page.locator(".card").evaluate_all("cards => cards.map((c) => [c.offsetWidth, c.offsetHeight])")
    millimetres = [(round(w * 25.4 / 96), round(h * 25.4 / 96)) for w, h in sizes]
    assert millimetres == [(85, 55)] * 10


def test_a_print_hides_the_site_furniture(page, live_server):
    page.goto(live_server + "/print/poster/consent?lang=pl")
    page.emulate_media(media="print")
    assert not page.locator(".exit").is_visible()
    assert not page.locator(".print-note").is_visible()


def test_the_print_pdfs_command_writes_every_sheet_of_a_language(tmp_path):
    """Its own process: Playwright's synchronous API runs once a thread, and the tests hold it."""
    environment = {**os.environ, "BASE_URL": BASE_URL, "FLASK_APP": "app"}
    command = [sys.executable, "-m", "flask", "print-pdfs", str(tmp_path), "--lang", "fa"]
    subprocess.run(command, check=True, env=environment, capture_output=True, cwd=ROOT)
    written = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.pdf"))
    assert written == sorted(sheet.name for sheet in SHEETS if sheet.lang == "fa")
    assert all(pdf_pages((tmp_path / name).read_bytes()) for name in written)
