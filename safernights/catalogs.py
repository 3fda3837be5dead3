"""gettext catalogs for the interface: translations/<lang>/LC_MESSAGES/messages.po, committed as text.

They are compiled at start-up into the instance folder, where Flask-Babel reads them, so every way
of starting the site (make run, the tests, a Procfile platform) has fresh catalogs with no build step.
"""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from safernights.config import ROOT

SOURCE = ROOT / "translations"


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


def init_app(app):
    """Compile the catalogs and point Flask-Babel at them; call before Babel(app)."""
    target = Path(app.instance_path) / "translations"
    compile_all(SOURCE, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
