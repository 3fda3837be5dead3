"""Pages served like static files: built once, then sent by WhiteNoise with precompressed bytes.

Nothing on a topic page changes between deploys, yet each request went through Flask: routing,
the view, the after-request hooks. Each page of the offline pack is built here by asking the app
itself (so it is byte for byte what Flask would send), written under a name holding its hash with
gzip and brotli beside it, and served by the same path that serves the CSS (assets.Files). A page
that shows the time (open now) is built again when the minute changes. Anything the built page
cannot answer (a query string, a POST, plain http to be redirected) still goes to Flask.
"""

import gzip
import hashlib
import os
from http import HTTPStatus
from pathlib import Path

import brotli
from werkzeug.test import EnvironBuilder, run_wsgi_app
from whitenoise.responders import Response, StaticFile

from safernights import directory, offline_pack, security

# Headers of Flask's answer that the built file sets for itself (its size, encoding and validators),
# or that a stored page must never carry.
NOT_KEPT = {"content-length", "content-encoding", "etag", "vary", "set-cookie", "last-modified", "date"}
# Measured on all 408 pages: brotli 10 takes 3.6 s (2,022 bytes a page), 11 takes 10.1 s for 16
# bytes less, paid at every start with new content. A minute page is built again up to once a
# minute per worker: quality 5 takes under a millisecond, for a few hundred bytes more.
QUALITY, QUALITY_FOR_THE_MINUTE = 10, 5
FOR_THE_MINUTE = {"directory.listing", "directory.detail"}  # they show what is open now


def paths(app):
    """{path: whether it changes with the minute}: every page of every language's offline pack."""
    with app.test_request_context():
        packs = offline_pack.packs(app.extensions["content"], app.extensions["directory"])
    routes = app.url_map.bind("localhost")
    return {path: routes.match(path)[0] in FOR_THE_MINUTE for pack in packs.values() for path in pack}


def render(application, base_url, path):
    """(body, headers) of the app's own answer to a plain GET of path, or None unless it is a 200."""
    builder = EnvironBuilder(path=path, base_url=base_url, headers={"Accept-Encoding": "identity"})
    body, status, headers = run_wsgi_app(application, builder.get_environ(), buffered=True)
    data = b"".join(body)
    if not status.startswith("200 "):
        return None
    return data, [(name, value) for name, value in headers if name.lower() not in NOT_KEPT]


def write(folder, body, for_the_minute):
    """Write body with its .gz and .br under a name holding its hash; return the plain file's path."""
    digest = hashlib.sha256(body).hexdigest()[:24]
    path = folder / f"{digest}.html"
    if not path.exists():
        quality = QUALITY_FOR_THE_MINUTE if for_the_minute else QUALITY
        variants = {
            ".gz": gzip.compress(body, compresslevel=9, mtime=0),
            ".br": brotli.compress(body, quality=quality),
            "": body,  # last: a worker that finds the plain file finds the variants beside it
        }
        for suffix, data in variants.items():
            # Written aside and renamed: two workers building the same page never mix their bytes.
            partial = folder / f".{digest}.html{suffix}.{os.getpid()}"
            partial.write_bytes(data)
            os.replace(partial, f"{path}{suffix}")
    return path


class PageFile(StaticFile):
    """A built page. Its 304 carries the safety headers too, as Flask's own 304 does, and a Range
    is ignored, as Flask ignores it: a page is a few KB, sent whole."""

    def __init__(self, path, headers):
        super().__init__(path, headers, encodings={"br": path + ".br", "gzip": path + ".gz"})
        self.path = path
        self.content_type = dict(headers)["Content-Type"]

    def get_range_response(self, range_header, base_headers, file_handle):
        return Response(HTTPStatus.OK, base_headers, file_handle)

    @staticmethod
    def get_not_modified_response(headers):
        response = StaticFile.get_not_modified_response(headers)
        response.headers += [
            (name, value) for name, value in headers.items() if name in security.EVERY_ANSWER
        ]
        return response


class Pages:
    """The built pages: all at once in gunicorn's master (build_all), else each on first request,
    as in tests and `flask run`, where an app starts as fast as before."""

    def __init__(self, application, base_url, wanted, folder):
        self.application, self.base_url, self.wanted, self.folder = application, base_url, wanted, folder
        self.built = {}  # path: (minute or None, PageFile or None)

    def get(self, path):
        """The built page for path, or None: not built ahead, or not a 200."""
        if path not in self.wanted:
            return None
        minute = directory.now().replace(second=0, microsecond=0) if self.wanted[path] else None
        kept = self.built.get(path)
        if kept is None or kept[0] != minute:
            kept = self.built[path] = (minute, self.build(path))
        return kept[1]

    def build_all(self):
        """Build every page now, so no reader waits while one is built; how many there are."""
        return sum(self.get(path) is not None for path in self.wanted)

    def build(self, path):
        answer = render(self.application, self.base_url, path)
        if answer is None:
            return None
        body, headers = answer
        built = str(write(self.folder, body, self.wanted[path]))
        return PageFile(built, [*headers, ("ETag", f'"{Path(built).stem}"')])


def init_app(app):
    """After assets: the built pages go into the static files' middleware."""
    folder = Path(app.instance_path) / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    files = app.extensions["static_files"]
    files.pages = Pages(files.application, app.config["BASE_URL"], paths(app), folder)
