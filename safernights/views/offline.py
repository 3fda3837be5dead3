"""The installable, offline-first web app: manifest, service worker, offline and forget pages."""

from flask import Blueprint, current_app, g, render_template

from safernights import content, directory, http_cache, offline_pack, pack_bundle

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@http_cache.cached()
def service_worker():
    """The service worker, at the root so its scope is the whole site."""
    assets, library = current_app.extensions["assets"], content.library()
    body = render_template(
        "sw.js",
        version=current_app.extensions["offline_version"],
        shell=offline_pack.shell(assets),
        packs=offline_pack.packs(library, directory.current()),
    )
    # no-cache: the browser asks every time, so a new version reaches phones on their next visit.
    return body, {"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"}


@bp.get("/pack/<version>/<lang:lang>.json")
def pack(version):
    """Every page of the language and the shell in one answer, or only the files ?only= names."""
    pack_bundle.checked_version(version)
    found = pack_bundle.files(current_app, g.lang)
    chosen = pack_bundle.only(len(found))
    picked = found if chosen is None else [found[i] for i in chosen]
    return pack_bundle.answer(pack_bundle.bundle(version, g.lang, picked))


@bp.get("/pack/<version>/<lang:lang>.index.json")
def pack_index(version):
    """The hash of each file of the pack, so that a phone fetches only what changed."""
    pack_bundle.checked_version(version)
    return pack_bundle.answer(pack_bundle.index(version, g.lang, pack_bundle.files(current_app, g.lang)))


@bp.get("/<lang:lang>/manifest.webmanifest")
@http_cache.cached()
def manifest():
    """The web app manifest in the reader's language."""
    body = render_template("manifest.webmanifest", home=content.library().get(g.lang, content.HOME))
    return body, {"Content-Type": "application/manifest+json", "Cache-Control": "public, max-age=300"}


@bp.get("/<lang:lang>/offline")
@http_cache.cached()
def offline():
    """Shown by the service worker when a page is neither saved nor reachable."""
    return render_template("offline.html", topics=content.library().topics(g.lang))


@bp.get("/<lang:lang>/forget")
def forget():
    """Remove this site from this phone: its saved pages, its service worker, its storage."""
    headers = {"Clear-Site-Data": '"cache", "storage"', "Cache-Control": "no-store"}
    return render_template("forget.html"), headers
