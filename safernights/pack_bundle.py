"""The language pack in one answer: every page of a language and the shell, for the service worker.

A phone on a weak signal paid a round trip for each page of the pack: 35 of them, 10.9 s at
400 kbit/s. The pages of a language share their header, emergency strip and footer, so compressed
as one body the pack is a few tens of KB: one round trip and the bytes. Each file carries its
SHA-256, so the worker checks every one before it keeps any (all or nothing), and an index of the
hashes lets the next visit fetch only the files that changed (?only=).
"""

import functools
import gzip
import hashlib
import json
from pathlib import Path
from wsgiref.headers import Headers

import brotli
from flask import Response, abort, current_app, request

from safernights import offline_pack, security

# Measured on the Polish pack (316 KB of JSON): quality 8 gives 27.5 KB in about 20 ms, 11 gives
# 25.0 KB in 0.8-2 s, which the first phone after a deploy would wait for on top of the download.
QUALITY = 8


def files(app, lang):
    """[(url, content type, bytes)]: the language's pages as served (prebuilt.py), then the shell."""
    pages = app.extensions["static_files"].pages
    found = []
    for url in offline_pack.pack(app.extensions["content"], app.extensions["directory"], lang):
        page = pages.get(url)
        if page is not None:  # every pack page is a 200, but a page that fails is left out, never a 500
            found.append((url, page.content_type, Path(page.path).read_bytes()))
    static = Path(app.instance_path) / "static"
    for name in offline_pack.SHELL:
        built = app.extensions["assets"][name]
        headers = Headers([])  # the Content-Type WhiteNoise gives the file
        app.extensions["static_files"].add_mime_headers(headers, built, "/static/" + built)
        found.append(("/static/" + built, headers["Content-Type"], (static / built).read_bytes()))
    return found


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def as_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def bundle(version, lang, chosen):
    """The files as one JSON body, each with its hash, and the headers the worker gives them all."""
    entries = [
        {"url": url, "type": kind, "sha256": sha256(data), "body": data.decode()}
        for url, kind, data in chosen
    ]
    return as_json({"version": version, "lang": lang, "headers": security.HEADERS, "files": entries})


def index(version, lang, found):
    """[url, sha256] of every file: what a phone compares with what it holds."""
    hashes = [[url, sha256(data)] for url, _, data in found]
    return as_json({"version": version, "lang": lang, "files": hashes})


def only(count):
    """The indexes ?only= names (?only=0,4,7), or None for all; a bad list is a 400."""
    asked = request.args.get("only")
    if asked is None:
        return None
    try:
        chosen = sorted({int(part) for part in asked.split(",")})
    except ValueError:
        abort(400)
    if not chosen or chosen[0] < 0 or chosen[-1] >= count:
        abort(400)
    return chosen


@functools.lru_cache(maxsize=64)
def compressed(body, encoding):
    if encoding == "br":
        return brotli.compress(body, quality=QUALITY)
    return gzip.compress(body, compresslevel=9, mtime=0)


def answer(body):
    """The body, brotli or gzip as the phone accepts, with an ETag: revalidated (no-cache), as the
    directory pages in it change with the minute."""
    encoding = next((name for name in ("br", "gzip") if request.accept_encodings[name] > 0), None)
    response = Response(compressed(body, encoding) if encoding else body, mimetype="application/json")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(sha256(body))
    return response.make_conditional(request)


def checked_version(version):
    """An old version's pack is gone: a 404, so a worker of the old version keeps what it has."""
    if version != current_app.extensions["offline_version"]:
        abort(404)
