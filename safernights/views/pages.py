"""The campaign's pages: home and topics, under /<lang>/."""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from safernights import content, http_cache, languages, scan_counts

bp = Blueprint("pages", __name__)


@bp.get("/")
def root():
    """Send the reader to the home page in their browser's language."""
    response = redirect(url_for("pages.home", lang=languages.negotiate()), 302)
    response.vary.add("Accept-Language")
    return response


@bp.get("/<lang:lang>/")
@http_cache.cached()
def home():
    """The home page: help now first, then the topics."""
    library = content.library()
    page = library.get(g.lang, content.HOME)
    return render_template("home.html", page=page, topics=library.topics(g.lang))


def chosen_topic():
    """The topic ?page= names, if it is one."""
    slug = request.args.get("page")
    return slug if content.library().is_topic(slug) else None


@bp.get("/<lang:lang>/languages", endpoint="languages")
@http_cache.cached(lambda: (request.path, chosen_topic()))
def choose_language():
    """Every language in its own name; ?page=<slug> keeps the reader on the same page."""
    return render_template("languages.html", slug=chosen_topic())


@bp.get("/<lang:lang>/<slug>")
@http_cache.cached()
def topic(slug):
    """One topic page, such as /en/consent."""
    library = content.library()
    if not library.is_topic(slug):
        abort(404)
    return render_template("page.html", page=library.get(g.lang, slug), topics=library.topics(g.lang))


@bp.get("/healthz")
def health():
    """200 whenever the web tier serves pages, so a load balancer never pulls it for the database's
    sake; the body says how this worker's scans are being written, without asking the database."""
    return {"status": "ok", "scans": scan_counts.state()}, {"Cache-Control": "no-store"}
