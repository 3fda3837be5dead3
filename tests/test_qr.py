"""QR codes: every code scans back to its address, and the address opens the right page."""

import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from app import create_app
from safernights import cli, qr_codes

from .conftest import APP, ROOT, XHTML, text_of

CODES = sorted(APP.extensions["qr_codes"])


def zbarimg():
    path = shutil.which("zbarimg")
    if not path:
        pytest.fail("zbarimg is missing: `make test` installs zbar-tools as root")
    return path


def decode(png, tmp_path):
    image = tmp_path / "code.png"
    image.write_bytes(png)
    result = subprocess.run(
        [zbarimg(), "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.parametrize("name", CODES)
def test_every_code_scans_back_to_its_address_and_lands_in_the_phones_language(client, name, tmp_path):
    response = client.get(f"/q/{name}.png")
    assert response.mimetype == "image/png"
    address = decode(response.get_data(), tmp_path)
    assert address == f"{APP.config['BASE_URL']}/q/{name}"
    code = APP.extensions["qr_codes"][name]
    slug = "" if code.target == "home" else code.target
    for header, lang in [("pl-PL,pl;q=0.9", "pl"), ("ar", "ar"), ("zh-Hans-CN", "zh"), ("de", "en")]:
        scanned = client.get(urlsplit(address).path, headers={"Accept-Language": header})
        assert scanned.status_code == 302
        assert scanned.headers["Location"] == f"/{lang}/{slug}"
        assert scanned.headers["Cache-Control"] == "no-store"
        assert "Accept-Language" in scanned.headers["Vary"]


def test_the_svg_carries_the_short_address_for_people_who_type(client):
    svg = client.get("/q/consent.svg").get_data(as_text=True)
    assert svg.startswith("<svg ")
    assert ">127.0.0.1:8000/q/consent</text>" in svg


def test_codes_use_error_correction_q_and_a_quiet_zone():
    made = qr_codes.make(APP.config["BASE_URL"], "get-help")
    assert made.error == "Q"
    assert qr_codes.QUIET_ZONE == 4


def test_a_retired_code_opens_the_home_page(tmp_path, monkeypatch):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "qr.toml").write_text('[codes.old]\ntarget = "staff"\nretired = true\n')
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'scans.db'}")
    response = create_app().test_client().get("/q/old", headers={"Accept-Language": "ro"})
    assert response.headers["Location"] == "/ro/"


def test_an_unknown_code_is_a_friendly_404_in_the_phones_language(client):
    response = client.get("/q/nope", headers={"Accept-Language": "uk"})
    assert response.status_code == 404
    assert response.document.get("lang") == "uk"
    links = {a.get("href") for a in response.document.iter(f"{XHTML}a")}
    assert {"/uk/consent", "/uk/get-help", "/uk/staff"} <= links
    assert text_of(response.document.find(f".//{XHTML}h1"))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[codes.Bad_Code]\ntarget = "staff"\n', "use a-z"),
        ('[codes.x1]\ntarget = "nowhere"\n', "needs a target"),
        ('[codes.x1]\ntarget = "staff"\ncolour = "red"\n', "needs a target"),
        ("[codes.x1\n", "not valid TOML"),
        ('[codes.card]\ntarget = "home"\n', "built in: it always opens get-help"),
        ('[codes.staff]\ntarget = "staff"\nretired = true\n', "built in"),
    ],
)
def test_a_broken_qr_file_is_reported_with_file_and_line(tmp_path, toml, message):
    path = tmp_path / "qr.toml"
    path.write_text(toml)
    _, problems = qr_codes.read(path, ["staff"])
    assert [problem.path for problem in problems] == [path]
    assert problems[0].line == 1
    assert message in problems[0].message


def test_export_command_writes_every_code_for_designers(tmp_path):
    result = CliRunner().invoke(
        cli.qr_commands, ["export", str(tmp_path)], env={"BASE_URL": "https://safer.example"}
    )
    assert result.exit_code == 0, result.output
    for name in CODES:
        assert (tmp_path / f"{name}.svg").read_text().startswith("<svg ")
        assert decode((tmp_path / f"{name}.png").read_bytes(), tmp_path) == f"https://safer.example/q/{name}"
    assert "version" in result.output


def test_the_card_and_topic_codes_outlive_their_lines_in_the_file(tmp_path, make_app, monkeypatch):
    """Contact cards already handed out print /q/card: deleting its line must not break it."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "qr.toml").write_text('[codes.k7]\ntarget = "consent"\n')
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'scans.db'}")
    client = make_app(CONTENT_DIR=str(folder)).test_client()
    assert client.get("/q/card", headers={"Accept-Language": "pl"}).headers["Location"] == "/pl/get-help"
    assert client.get("/q/staff").status_code == 302
    assert client.get("/print/cards").status_code == 200


def test_check_names_a_broken_qr_file_and_its_line(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "qr.toml").write_text('[codes.k7]\ntarget = "consent"\n\n[codes.k8\n')
    result = CliRunner().invoke(cli.content_commands, ["check"], env={"CONTENT_DIR": str(folder)})
    assert result.exit_code == 1
    assert f"{folder / 'qr.toml'}:4: not valid TOML" in result.output


PRINTS = ["/print/poster/consent?lang=pl", "/print/help", "/print/cards?lang=ar"]


@pytest.mark.parametrize("path", PRINTS)
def test_a_print_while_base_url_is_this_machine_is_marked_a_test_print(client, path):
    marks = client.get(path).document.findall(f".//{XHTML}div[@class='test-print']")
    assert marks, "an unmissable mark on the sheet"
    assert "TEST PRINT — set BASE_URL" in text_of(marks[0])
    assert APP.config["BASE_URL"] in text_of(marks[0])


@pytest.mark.parametrize("path", PRINTS)
def test_a_print_for_a_public_base_url_has_no_mark(make_app, path):
    client = make_app(BASE_URL="https://safer.example").test_client()
    assert client.get(path).document.find(f".//{XHTML}div[@class='test-print']") is None


def test_readers_pages_never_carry_the_mark(client):
    for path in ("/en/", "/pl/get-help", "/ar/services", "/embed/help?lang=en"):
        assert b"test-print" not in client.get(path).get_data()


def test_start_up_warns_when_base_url_is_not_public(make_app, caplog):
    make_app(BASE_URL="http://192.168.1.20:8000")
    assert "BASE_URL is http://192.168.1.20:8000, which no phone outside can reach" in caplog.text
    caplog.clear()
    make_app(BASE_URL="https://safer.example", PROXY_COUNT=1)
    assert "BASE_URL" not in caplog.text
