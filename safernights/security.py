"""Response headers that keep readers safe: no third-party anything, no framing, no referrer, no cookies."""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # No referrer: the site someone leaves for must not learn they were reading about assault.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
EVERY_ANSWER = {*HEADERS, "Strict-Transport-Security"}  # 304s included
# The embeddable help cards: any site may frame them. Nothing else relaxes frame-ancestors.
EMBEDDABLE = {"Content-Security-Policy": CSP.replace("frame-ancestors 'none'", "frame-ancestors *")}
# The directory API is public data: any site may read it.
PUBLIC_DATA = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}


def https_only(base_url):
    """Whether the site is served over https: then every answer carries HSTS, even one sent over
    http (a browser ignores it there, and it costs nothing), and http is sent to https."""
    return base_url.startswith("https://")


def static_headers(base_url):
    """WhiteNoise hook: static files answer outside Flask, so they get the same headers here."""
    wanted = HEADERS | ({"Strict-Transport-Security": HSTS} if https_only(base_url) else {})

    def add(headers, path, url):
        for name, value in wanted.items():
            headers[name] = value

    return add


def sends_http_to_https(config):
    return https_only(config["BASE_URL"]) and bool(config["PROXY_COUNT"])


def to_https():
    """Before every request when BASE_URL is https behind a proxy: a plain-http request is sent to
    the same path at BASE_URL, 301, so a typed or old http link still lands on https. Not
    /healthz: a load balancer checks the web tier over plain http."""
    if request.is_secure or request.path == "/healthz":
        return None
    return redirect(current_app.config["BASE_URL"] + request.full_path.removesuffix("?"), 301)


def relative(response):
    """Every redirect stays on this site, as a path.

    werkzeug's own redirects (/en to /en/, // to /) name, in the Location and the body, whatever
    Host the request claimed, which anyone can forge, and in its own spelling (lower case), so
    comparing it with the Host is fragile. No answer of ours ever sends a reader to another host,
    so any absolute Location is cut to its path. (Flask's TRUSTED_HOSTS would refuse a request
    that reaches us by another name, such as a platform's own hostname or a health check by IP.)
    """
    location = urlsplit(response.location or "")
    if not location.netloc or response.location.startswith(current_app.config["BASE_URL"] + "/"):
        return response
    return redirect(urlunsplit(("", "", location.path or "/", location.query, "")), response.status_code)


def secure(response):
    """Add the safety headers to every Flask response, errors included, unless a view chose otherwise."""
    response = relative(response)
    headers = response.headers
    framable = headers.get("Content-Security-Policy") == EMBEDDABLE["Content-Security-Policy"]
    # Every answer under /api/, errors included, so that a partner's page can read a 404 too.
    wanted = HEADERS | PUBLIC_DATA if request.path.startswith("/api/") else HEADERS
    # One pass over what the view set, then one extend: werkzeug's setdefault looks each name up by
    # raising and catching an exception, and this runs on every response.
    present = {name.lower() for name, _ in headers}
    headers.extend(
        (name, value)
        for name, value in wanted.items()
        if name.lower() not in present and not (framable and name == "X-Frame-Options")
    )
    if https_only(current_app.config["BASE_URL"]):
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app):
    app.after_request(secure)
    if sends_http_to_https(app.config):
        app.before_request(to_https)
    elif https_only(app.config["BASE_URL"]):
        app.logger.warning(
            "BASE_URL is https but PROXY_COUNT is 0: the app cannot tell http from https, so plain "
            "http is not sent to https and the dashboard refuses every request. Set PROXY_COUNT to "
            "the number of proxies in front of the app (the one ending TLS is usually 1)."
        )


def behind_proxies(app):
    """Outermost but for the header limits: the static files and built pages see the scheme too."""
    if app.config["PROXY_COUNT"]:
        # Trust X-Forwarded-Proto/Host only from proxies we were told about; the client IP is never used.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=count, x_host=count)
