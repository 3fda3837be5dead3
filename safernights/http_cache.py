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


def by_path():
    return request.path


def cached(key=by_path, *, for_the_minute=False):
    """Render a page once per worker for each key, then serve it from memory.

    The key holds everything the page depends on beyond what was loaded at start-up: the path, and
    for some pages a checked query value; a key of None means "do not keep this one". A page that
    shows the time (open now) is kept for_the_minute: its key is (minute, key), and a new minute
    starts an empty store, so memory holds one minute's pages at most.
    """

    def decorator(view):
        @functools.wraps(view)
        def serve(**kwargs):
            found = key()
            if found is None:
                return view(**kwargs)
            pages = _store(current_app.extensions, found[0] if for_the_minute else None)
            if found not in pages:
                pages[found] = view(**kwargs)
            return pages[found]

        return serve

    return decorator


def _store(extensions, minute):
    if minute is None:
        return extensions.setdefault("rendered_pages", {})
    kept, pages = extensions.get("pages_this_minute", (None, {}))
    if kept != minute:
        pages = {}
        extensions["pages_this_minute"] = (minute, pages)
    return pages


# Most answers are the same few hundred pages again and again: hash and compress each body once.
# Each cache keeps the bodies it has seen, so it is bounded: 512 covers the pages readers use most.
@functools.lru_cache(maxsize=512)
def _etag(body):
    return hashlib.sha1(body).hexdigest()


@functools.lru_cache(maxsize=512)
def _gzip(body):
    return gzip.compress(body, compresslevel=6, mtime=0)


def deliver(response):
    """Make a successful page (or service worker, or manifest) cacheable, conditional and compressed."""
    if (
        response.status_code != 200
        or response.mimetype not in DELIVERED
        or response.direct_passthrough
        or "Content-Encoding" in response.headers  # compressed by its view (the offline pack)
    ):
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
