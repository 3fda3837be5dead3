"""How HTML pages travel: validators for 304s, a short shared cache lifetime, and gzip.

Pages are small (under 14 KB gzipped) so that, compressed, each arrives in the first round trip on
a weak signal; the proxies of most Procfile platforms do not compress, so the app does.
"""

import functools
import gzip
import hashlib

from flask import current_app, request

HTML_MAX_AGE = 300  # seconds: a CDN may serve a page for five minutes, then must ask again
MIN_GZIP = 512  # bytes; smaller bodies do not shrink enough to be worth it
# Pages, what the app renders for them (the service worker, the manifest), the API and the sitemap.
DELIVERED = {
    "text/html",
    "text/javascript",
    "application/manifest+json",
    "application/json",
    "application/xml",
}


def cached(view):
    """Render a page once per worker, then serve it from memory.

    Only for views whose page depends on nothing but the URL and what was loaded at start-up.
    """

    @functools.wraps(view)
    def serve(**kwargs):
        pages = current_app.extensions.setdefault("rendered_pages", {})
        if request.path not in pages:
            pages[request.path] = view(**kwargs)
        return pages[request.path]

    return serve


# Most answers are the same few hundred pages again and again: hash and compress each body once.
@functools.lru_cache(maxsize=1024)
def _etag(body):
    return hashlib.sha1(body).hexdigest()


@functools.lru_cache(maxsize=1024)
def _gzip(body):
    return gzip.compress(body, compresslevel=6, mtime=0)


def deliver(response):
    """Make a successful page (or service worker, or manifest) cacheable, conditional and compressed."""
    if response.status_code != 200 or response.mimetype not in DELIVERED or response.direct_passthrough:
        return response
    response.headers.setdefault("Cache-Control", f"public, max-age={HTML_MAX_AGE}")
    body = response.get_data()
    # Weak: the gzipped and plain bodies are the same page, so one validator serves both.
    response.set_etag(_etag(body), weak=True)
    response.make_conditional(request)
    response.vary.add("Accept-Encoding")
    if response.status_code == 200 and len(body) >= MIN_GZIP and request.accept_encodings["gzip"] > 0:
        response.set_data(_gzip(body))
        response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app):
    app.after_request(deliver)
