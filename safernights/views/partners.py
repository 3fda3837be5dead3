"""For partners: the share kit, the embeddable help cards, the sitemap and robots.txt."""

from flask import Blueprint, current_app, render_template, request

from safernights import content, directory, http_cache, languages, needs, security
from safernights.views import printing

bp = Blueprint("partners", __name__)


@bp.get("/<lang:lang>/partners")
def share_kit():
    """Links, short links, QR codes, sentences and the embed code for every topic; posters to print."""
    lang = languages.current()
    return render_template(
        "partners.html", topics=content.library().topics(lang), posters=printing.posters(lang)
    )


@bp.get("/embed/help")
def embed_help():
    """A small help card partners may put on their own sites: 999, 55, Rape Crisis, a link in."""
    languages.use(request.args.get("lang"))
    return render_template("embed/help.html")


@bp.get("/embed/services")
def embed_services():
    """The help card with the services for one need (?need=)."""
    languages.use(request.args.get("lang"))
    need = request.args.get("need") if request.args.get("need") in needs.NEEDS else None
    found = directory.current().listing(directory.now(), need=need)[:5] if need else []
    return render_template("embed/help.html", need=need, found=found, at=directory.now())


@bp.after_request
def embeddable(response):
    """Only the embeds may be framed, by any site; every other page still refuses framing."""
    if request.endpoint in ("partners.embed_help", "partners.embed_services"):
        response.headers.update(security.EMBEDDABLE)
    return response


@bp.get("/sitemap.xml")
@http_cache.cached()
def sitemap():
    """Every page in every language, with its other languages as hreflang alternates."""
    library, services = content.library(), directory.current()
    paths = ["/{lang}/", "/{lang}/services", "/{lang}/partners", "/{lang}/languages"]
    paths += [f"/{{lang}}/{topic.slug}" for topic in library.topics(languages.DEFAULT)]
    paths += [f"/{{lang}}/services/{service.id}" for service in services.services]
    body = render_template("sitemap.xml", paths=paths, codes=list(languages.REGISTRY))
    return body, {"Content-Type": "application/xml; charset=utf-8"}


@bp.get("/robots.txt")
def robots():
    """Crawlers welcome, except on scans (they would count as readers) and the dashboard."""
    base = current_app.config["BASE_URL"]
    lines = [
        "User-agent: *",
        "Disallow: /q/",
        "Disallow: /admin/",
        "Disallow: /embed/",
        "Allow: /",
        f"Sitemap: {base}/sitemap.xml",
    ]
    return "\n".join(lines) + "\n", {"Content-Type": "text/plain; charset=utf-8"}
