import re

from app import create_app
from safernights import config

from .conftest import ROOT


def test_zero_configuration_gives_a_working_site(monkeypatch):
    for name in ("SITE_NAME", "BASE_URL", "EXIT_URL", "CONTENT_DIR", "PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert not app.testing
    assert app.config["SITE_NAME"] == "Safer Nights"
    assert app.config["EXIT_URL"].startswith("https://")
    assert app.test_client().get("/en/").status_code == 200


def test_testing_flag_is_passed_through():
    assert create_app({"TESTING": True}).testing


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SITE_NAME", "Nuits sûres")
    monkeypatch.setenv("EXIT_URL", "https://example.org/news")
    monkeypatch.setenv("BASE_URL", "https://safer.example/")
    app = create_app()
    page = app.test_client().get("/en/consent").get_data(as_text=True)
    assert "– Nuits sûres</title>" in page
    assert 'href="https://example.org/news" rel="noreferrer" data-exit' in page
    assert app.config["BASE_URL"] == "https://safer.example"


def documented_settings():
    """The variables in the README's Configuration table, with the default each row gives."""
    section = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([A-Z_]+)` \| (.+?) \|", section, re.M))


def test_the_readme_lists_exactly_the_settings_the_site_reads():
    """So the documentation cannot drift: the app's settings and gunicorn.conf.py's, no more, no less."""
    gunicorn = set(re.findall(r"os\.environ\.get\(['\"](\w+)['\"]", (ROOT / "gunicorn.conf.py").read_text()))
    assert set(documented_settings()) == set(config.SETTINGS) | gunicorn


def test_the_readme_gives_each_literal_default():
    documented = documented_settings()
    for name, (default, _) in config.SETTINGS.items():
        if (default and "/" not in default) or default.startswith("http"):
            assert documented[name] == f"`{default}`", name
