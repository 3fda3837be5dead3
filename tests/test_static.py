import gzip

from safernights import assets


def test_static_files_are_fingerprinted_and_kept_for_a_year(client, app):
    for name, hashed in app.extensions["assets"].items():
        stem = name.rsplit(".", 1)[0]
        assert hashed.startswith(stem + ".")
        assert hashed != name
        response = client.get("/static/" + hashed)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_static_files_are_served_compressed(client, app):
    url = "/static/" + app.extensions["assets"]["css/site.css"]
    plain = client.get(url).get_data()
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain


def test_unhashed_names_are_not_served(client):
    assert client.get("/static/css/site.css").status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "a.css").write_text("body { color: red }\n" * 40)
    first = assets.build(source, tmp_path / "built")
    (source / "css" / "a.css").write_text("body { color: blue }\n" * 40)
    second = assets.build(source, tmp_path / "built")
    assert first["css/a.css"] != second["css/a.css"]
    built = tmp_path / "built" / second["css/a.css"]
    assert built.read_text() == (source / "css" / "a.css").read_text()
    assert gzip.decompress(built.with_name(built.name + ".gz").read_bytes()) == built.read_bytes()
    # The old file stays, for pages cached before the change.
    assert (tmp_path / "built" / first["css/a.css"]).is_file()
