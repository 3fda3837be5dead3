"""Every request header the site parses, cut to a sane size before anything reads it.

gunicorn joins a repeated header into one value: 45 Accept-Language lines of 8 KB became one of
360 KB, which werkzeug then parsed tag by tag for up to a second, and a cache keyed on the whole
value kept each one. No real browser sends more than a few tags, so each header is cut here, at
the outermost layer (before WhiteNoise and Flask), to what a real one needs; what is cut away was
never meaningful. Headers the site never reads are left alone: nothing parses them.
"""

# environ key -> (characters kept, comma-separated items kept)
LIMITS = {
    "HTTP_ACCEPT_LANGUAGE": (200, 16),  # phones send 1 to 5 tags
    "HTTP_ACCEPT_ENCODING": (100, 8),  # "gzip, deflate, br, zstd"
    "HTTP_IF_NONE_MATCH": (200, 4),  # our ETags are 44 characters; a browser sends back one
    "HTTP_IF_MODIFIED_SINCE": (64, 1),  # one HTTP date, 29 characters
    "HTTP_USER_AGENT": (512, None),  # the counting rules read it (real_scans.py, scan_guard.py)
    "HTTP_SEC_FETCH_DEST": (32, 1),
    "HTTP_SEC_PURPOSE": (64, 4),
    "HTTP_X_FORWARDED_PROTO": (64, 4),  # read only with PROXY_COUNT (security.py)
    "HTTP_X_FORWARDED_HOST": (256, 4),
}


def cut(value, characters, items):
    """value, at most `characters` long and with at most `items` comma-separated items."""
    value = value[:characters]
    if items is not None and value.count(",") >= items:
        value = ",".join(value.split(",", items)[:items])
    return value


class HeaderLimits:
    """WSGI middleware: the request's parsed headers cut to LIMITS before the app sees them."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        for key, (characters, items) in LIMITS.items():
            value = environ.get(key)
            if value is not None and (len(value) > characters or (items and value.count(",") >= items)):
                environ[key] = cut(value, characters, items)
        return self.app(environ, start_response)


def init_app(app):
    """Call last: the limits must wrap WhiteNoise and any proxy fix too."""
    app.wsgi_app = HeaderLimits(app.wsgi_app)
