"""The offline pack: what the service worker saves on a phone, and the version that names its caches.

One scan saves every page of the reader's language, so the help page opens an hour later in a
basement with no signal. The version is a hash of everything that shapes a page, so any change
to the words, the templates, the styles or the code reaches phones on their next visit online.
"""

import hashlib
from pathlib import Path

from flask import url_for

from safernights import languages
from safernights.config import ROOT

CODE = ["templates", "translations", "static", "safernights"]  # and the content folder in use


def version(roots):
    """A short hash of every file under the given folders."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# What every page needs, all of it text so that it travels in the pack (pack_bundle.py). Not the
# print stylesheet or the link-preview image, which no page offline uses, nor the PNG icons, which
# only installing the app asks for (online, and kept then by the worker).
SHELL = ("css/site.css", "js/site.js", "icons/icon.svg")


def shell(manifest):
    """The fingerprinted addresses of the shell's static files."""
    return ["/static/" + manifest[name] for name in SHELL]


def pack(library, directory, lang):
    """Every page of one language: home, topics, the directory and each service, languages, offline."""
    pages = [url_for("pages.home", lang=lang)]
    pages += [url_for("pages.topic", lang=lang, slug=topic.slug) for topic in library.topics(lang)]
    pages.append(url_for("directory.listing", lang=lang))
    pages += [url_for("directory.detail", lang=lang, service_id=service.id) for service in directory.services]
    return [*pages, url_for("pages.languages", lang=lang), url_for("offline.offline", lang=lang)]


def packs(library, directory):
    return {lang: pack(library, directory, lang) for lang in languages.REGISTRY}


def init_app(app):
    roots = [ROOT / name for name in CODE] + [Path(app.config["CONTENT_DIR"])]
    app.extensions["offline_version"] = version(roots)
