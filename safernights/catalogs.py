"""gettext catalogs for the interface: translations/<lang>/LC_MESSAGES/messages.po, committed as text.

They are compiled at start-up into the instance folder, where Flask-Babel reads them, so every way
of starting the site (make run, the tests, a Procfile platform) has fresh catalogs with no build step.
"""

import os
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from safernights.config import ROOT
from safernights.problems import ContentError, Problem

SOURCE = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def compile_all(source, target):
    """Compile every .po under source whose .mo under target is missing or older."""
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parts[-3])
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = f"{mo}.{os.getpid()}"
        with open(partial, "wb") as file:
            write_mo(file, catalog)
        os.replace(partial, mo)  # whole or not at all, even with workers starting together


def problems(source=SOURCE):
    """A catalog that does not parse, or a translation whose %(placeholders)s differ from the
    English (a phone number passed in would go missing, or the page would fail), with file and line."""
    found = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        try:
            with po.open("rb") as file:
                catalog = read_po(file, locale=po.parts[-3], abort_invalid=True)
        except (PoFileError, ValueError) as error:
            found.append(Problem(po, getattr(error, "lineno", 0), f"not a valid catalog: {error}"))
            continue
        for message in catalog:
            if (
                isinstance(message.id, str)
                and message.string
                and placeholders(message.string) != placeholders(message.id)
            ):
                found.append(
                    Problem(po, message.lineno, f"{message.id!r}: the placeholders differ from the English")
                )
    return found


def placeholders(text):
    return sorted(set(PLACEHOLDER.findall(text)))


def init_app(app):
    """Check and compile the catalogs and point Flask-Babel at them; call before Babel(app)."""
    found = problems()
    if found:
        raise ContentError(found)
    target = Path(app.instance_path) / "translations"
    compile_all(SOURCE, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
