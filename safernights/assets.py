"""Static files, fingerprinted: each is served under a name holding a hash of its bytes.

A changed file gets a new name, so browsers and CDNs may keep every file for a year. At start-up
the files in static/ are copied under their hashed names, with gzip and brotli variants, into the
instance folder, and WhiteNoise serves them from there. Templates ask for `asset("css/site.css")`.
Files of earlier versions stay, so a page cached before a deploy still finds its CSS.
"""

import hashlib
import os
import shutil
from pathlib import Path

from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from safernights import security
from safernights.config import ROOT

SOURCE = ROOT / "static"
PREFIX = "/static/"


def hashed_name(path, data):
    """css/site.css -> css/site.3f9a1c2b7d4e.css"""
    digest = hashlib.sha256(data).hexdigest()[:12]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def build(source, target):
    """Copy every static file to its hashed name under target, compress it; return the manifest."""
    compressor = Compressor(quiet=True)
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        name = hashed_name(relative, path.read_bytes())
        manifest[relative.as_posix()] = name
        built = target / name
        if not built.exists():
            built.parent.mkdir(parents=True, exist_ok=True)
            partial = f"{built.parent}/.{built.name}.{os.getpid()}"
            shutil.copyfile(path, partial)
            variants = compressor.compress(partial) if compressor.should_compress(built.name) else []
            # Renames, base file last: a worker starting at the same moment never serves half a file.
            for variant in variants:
                os.replace(variant, f"{built}{variant[len(partial) :]}")
            os.replace(partial, built)
    return manifest


class Files(WhiteNoise):
    """WhiteNoise, serving the built pages too (prebuilt.py) by the same path as the CSS."""

    def __init__(self, application, *, sends_http_to_https, **options):
        super().__init__(application, **options)
        self.pages = {}  # prebuilt.Pages once built
        self.sends_http_to_https = sends_http_to_https

    def __call__(self, environ, start_response):
        page = self.pages.get(environ.get("PATH_INFO", "")) if self.is_for_a_page(environ) else None
        if page is None:
            return super().__call__(environ, start_response)
        return self.serve(page, environ, start_response)

    def is_for_a_page(self, environ):
        """A plain GET or HEAD: a query, a POST or http to be sent to https is Flask's to answer."""
        return (
            not environ.get("QUERY_STRING")
            and environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and (environ["wsgi.url_scheme"] == "https" or not self.sends_http_to_https)
        )


def init_app(app):
    target = Path(app.instance_path) / "static"
    manifest = build(SOURCE, target)
    app.extensions["assets"] = manifest
    app.jinja_env.globals["asset"] = lambda name: PREFIX + manifest[name]
    app.wsgi_app = app.extensions["static_files"] = Files(
        app.wsgi_app,
        sends_http_to_https=security.sends_http_to_https(app.config),
        root=target,
        prefix=PREFIX,
        immutable_file_test=lambda path, url: True,  # every name here carries its hash
        add_headers_function=security.static_headers(app.config["BASE_URL"]),
    )
