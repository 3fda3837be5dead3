"""QR codes: short codes -> target pages, and the QR images for posters and cards.

content/qr.toml adds codes to the default ones (every topic slug, and `card`). Images are made
with segno at error correction level Q (a quarter of the code can be scuffed or covered and it
still scans) with the standard four-module quiet zone, and the short address printed beneath.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from werkzeug.routing import BaseConverter

from safernights import config, languages
from safernights.content import HOME
from safernights.problems import ContentError, Problem, read_toml

CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ERROR = "q"
# Posters are read from across a room, where the module size on paper decides whether a phone can
# read the code at all: level M (15 % may be covered) makes each module a tenth bigger than Q in
# the same space, one QR version smaller. Cards, handled and scuffed in pockets, keep Q.
POSTER_ERROR = "m"
QUIET_ZONE = 4  # modules, as the QR standard asks
TARGETS_BEYOND_TOPICS = (HOME, "services")
CARD = "card"  # the contact card's code


@dataclass(frozen=True)
class Code:
    code: str
    target: str  # a topic slug, "home" or "services"
    label: str = ""
    retired: bool = False
    lang: str = ""  # a placement's poster language; empty for a code printed in every language


def built_in(topics):
    """The codes printed on every poster and card: one per topic, and `card`, which opens get-help.

    They exist whatever qr.toml says, so no edit of that file can break a code already on a wall.
    """
    codes = {slug: Code(slug, slug, f"Topic: {slug}") for slug in topics}
    codes[CARD] = Code(CARD, "get-help", "Contact card")
    return codes


def read(path, topics):
    """The built-in codes and those in qr.toml; (codes, problems)."""
    codes = built_in(topics)
    data, lines, problems = read_toml(path)
    if data is None:
        return codes, problems
    for code, entry in data.get("codes", {}).items():
        at = next((n for n, line in enumerate(lines, 1) if line.strip() == f"[codes.{code}]"), 1)
        if not CODE.fullmatch(code) or not isinstance(entry, dict):
            problems.append(Problem(path, at, f"code {code!r}: use a-z, 0-9 and single hyphens"))
        elif set(entry) - {"target", "label", "retired"} or entry.get("target") not in (
            *topics,
            *TARGETS_BEYOND_TOPICS,
        ):
            problems.append(Problem(path, at, f"code {code!r}: needs a target (a topic, home or services)"))
        elif code in codes and (entry["target"] != codes[code].target or entry.get("retired")):
            problems.append(
                Problem(path, at, f"code {code!r} is built in: it always opens {codes[code].target}")
            )
        else:
            codes[code] = Code(code, entry["target"], entry.get("label", ""), bool(entry.get("retired")))
    return codes, problems


def load(content_dir, library):
    """Every code for the content in content_dir (qr.toml there); raise ContentError on problems."""
    topics = [topic.slug for topic in library.topics(languages.DEFAULT)]
    codes, problems = read(Path(content_dir) / "qr.toml", topics)
    if problems:
        raise ContentError(problems)
    return codes


def short_url(base_url, code):
    return f"{base_url}/q/{code}"


def make(base_url, code, error=ERROR):
    """The segno QR code for a code's short address."""
    return segno.make(short_url(base_url, code), error=error, micro=False, boost_error=False)


def svg(base_url, code, scale=10, label=True, error=ERROR):
    """An SVG of the QR code with the short address beneath, for print; label=False leaves the
    address out, for sheets that print it once in their own type beside the code."""
    qr = make(base_url, code, error)
    width, height = qr.symbol_size(scale=scale, border=QUIET_ZONE)
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=scale,
        border=QUIET_ZONE,
        xmldecl=False,
        svgns=True,
        dark="#000",
        light="#fff",
    )
    inner = re.sub(r"^<svg[^>]*>|</svg>\s*$", "", buffer.getvalue().decode())
    if not label:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">{inner}</svg>'
    address = short_url(base_url, code).split("://", 1)[-1]
    text_height = 6 * scale
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + text_height}" '
        f'width="{width}" height="{height + text_height}">'
        f'<rect width="100%" height="100%" fill="#fff"/>{inner}'
        f'<text x="{width / 2}" y="{height + text_height / 2}" font-family="sans-serif" '
        f'font-size="{3 * scale}" '
        f'text-anchor="middle" fill="#000">{address}</text></svg>'
    )


def png(base_url, code, scale=10):
    """A PNG of the QR code with the short address beneath."""
    qr = make(base_url, code)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    label = short_url(base_url, code).split("://", 1)[-1]
    font = ImageFont.load_default(size=3 * scale)
    text_height = 6 * scale
    canvas = Image.new("L", (image.width, image.height + text_height), 255)
    canvas.paste(image, (0, 0))
    ImageDraw.Draw(canvas).text(
        (image.width / 2, image.height + text_height / 2), label, fill=0, font=font, anchor="mm"
    )
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def version(base_url, code, error=ERROR):
    """(QR version, modules per side) for the report."""
    qr = make(base_url, code, error)
    return qr.version, qr.symbol_size(scale=1, border=0)[0]


class CodeConverter(BaseConverter):
    """A QR code's name in a URL: a-z, 0-9 and hyphens, so /q/consent.png is the image, not a code."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def codes():
    """Every code of the running app, by name."""
    return current_app.extensions["qr_codes"]


def lookup(name):
    """The code a name opens: built in or in qr.toml, else a placement (from this worker's cache,
    so a scan needs no query); None when there is none."""
    code = codes().get(name)
    if code is None:
        placement = current_app.extensions["placements"].get(name)
        code = placement.as_code() if placement else None
    return code


def init_app(app):
    """Call after the content is loaded: the codes name its topics."""
    app.url_map.converters["code"] = CodeConverter
    app.extensions["qr_codes"] = load(app.config["CONTENT_DIR"], app.extensions["content"])
    # A poster hangs for years: one printed while BASE_URL points at this machine is dead on the
    # wall. Print pages carry a mark that cannot be missed (components/test_print.html); readers'
    # pages are untouched.
    test_print = not config.is_public(app.config["BASE_URL"])
    app.jinja_env.globals["test_print"] = test_print
    if test_print:
        app.logger.warning(
            "BASE_URL is %s, which no phone outside can reach: QR codes, posters and cards printed now "
            "will not work. Set BASE_URL to the site's public address.",
            app.config["BASE_URL"],
        )
