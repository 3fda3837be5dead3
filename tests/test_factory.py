from app import create_app


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
