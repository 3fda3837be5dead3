"""The language pack in one answer (pack_bundle.py): every page as served and the shell, each with
its hash, at most 40 KB on the wire; an index of the hashes, a subset by ?only=, and clear answers
to a bad or old request."""

import hashlib
import json

import brotli
import pytest

from safernights import languages, offline_pack

from .conftest import APP

VERSION = APP.extensions["offline_version"]
WIRE_BUDGET = 40 * 1024  # bytes: issue 16, the whole pack of a language as a phone receives it
with APP.test_request_context():
    PACKS = offline_pack.packs(APP.extensions["content"], APP.extensions["directory"])
SHELL = offline_pack.shell(APP.extensions["assets"])


def unpacked(response):
    body = response.get_data()
    return json.loads(brotli.decompress(body) if response.headers.get("Content-Encoding") == "br" else body)


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_pack_holds_every_page_as_served_and_the_shell(client, lang):
    pack = unpacked(client.get(f"/pack/{VERSION}/{lang}.json", headers={"Accept-Encoding": "identity"}))
    assert (pack["version"], pack["lang"]) == (VERSION, lang)
    assert [file["url"] for file in pack["files"]] == PACKS[lang] + SHELL
    for file in pack["files"]:
        served = client.get(file["url"], headers={"Accept-Encoding": "identity"})
        assert file["body"].encode() == served.get_data(), file["url"]
        assert file["type"] == served.headers["Content-Type"]
        assert file["sha256"] == hashlib.sha256(served.get_data()).hexdigest()
    assert pack["headers"]["Content-Security-Policy"] == served.headers["Content-Security-Policy"]


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_pack_is_brotli_and_at_most_40_kb_on_the_wire(client, lang):
    response = client.get(f"/pack/{VERSION}/{lang}.json", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert len(response.get_data()) <= WIRE_BUDGET
    gzipped = client.get(f"/pack/{VERSION}/{lang}.json", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) < len(gzipped.get_data())


def test_the_index_names_each_file_with_the_hash_the_pack_carries(client):
    index = unpacked(client.get(f"/pack/{VERSION}/pl.index.json"))
    pack = unpacked(client.get(f"/pack/{VERSION}/pl.json"))
    assert index["files"] == [[file["url"], file["sha256"]] for file in pack["files"]]


def test_only_sends_the_files_it_names(client):
    everything = unpacked(client.get(f"/pack/{VERSION}/pl.json"))["files"]
    some = unpacked(client.get(f"/pack/{VERSION}/pl.json?only=7,0,7,3"))["files"]
    assert some == [everything[0], everything[3], everything[7]]


@pytest.mark.parametrize("only", ["", "x", "1,x", "-1", "999", "0,,1", "1.5"])
def test_a_bad_only_is_a_400(client, only):
    assert client.get(f"/pack/{VERSION}/pl.json?only={only}").status_code == 400


@pytest.mark.parametrize(
    "path", ["/pack/0123456789ab/pl.json", "/pack/0123456789ab/pl.index.json", f"/pack/{VERSION}/xx.json"]
)
def test_an_old_version_or_an_unknown_language_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_a_phone_asking_again_gets_a_304(client):
    first = client.get(f"/pack/{VERSION}/ar.json", headers={"Accept-Encoding": "br"})
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/pack/{VERSION}/ar.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert not again.get_data()
