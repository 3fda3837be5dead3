"""The dashboard's door: a long token, wrong passwords limited without storing who sent them, https."""

import base64

import pytest

from safernights import admin_door

TOKEN = "campaign-team-token-0123"


def basic(password):
    return {"Authorization": "Basic " + base64.b64encode(f"team:{password}".encode()).decode()}


@pytest.fixture
def team(make_app, tmp_path):
    return make_app(ADMIN_TOKEN=TOKEN, DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}")


@pytest.mark.parametrize("token", ["a", "s3cret", "x" * (admin_door.MIN_LENGTH - 1)])
def test_start_up_refuses_a_short_token(make_app, token):
    with pytest.raises(ValueError, match=f"at least {admin_door.MIN_LENGTH}"):
        make_app(ADMIN_TOKEN=token)


def test_wrong_passwords_shut_the_door_for_a_minute_without_storing_who(team, caplog):
    client = team.test_client()
    for _ in range(admin_door.MAX_FAILURES):
        assert client.get("/admin/scans", headers=basic("guess")).status_code == 401
    refused = client.get("/admin/scans", headers=basic(TOKEN))  # even the right one, for the minute
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= admin_door.WINDOW
    assert f"({admin_door.MAX_FAILURES} in the last minute here)" in caplog.text
    assert "127.0.0.1" not in caplog.text
    assert vars(team.extensions["admin_door"]).keys() == {"clock", "lock", "failures"}  # times, nothing else


def test_the_door_opens_again_after_the_minute():
    now = [1000.0]
    door = admin_door.Door(clock=lambda: now[0])
    for _ in range(admin_door.MAX_FAILURES):
        door.failed()
    assert door.shut_for() > 0
    now[0] += admin_door.WINDOW
    assert door.shut_for() == 0


def test_a_browser_asking_before_it_prompts_is_not_a_failure(team):
    client = team.test_client()
    for _ in range(admin_door.MAX_FAILURES + 2):
        assert client.get("/admin/scans").status_code == 401
    assert client.get("/admin/scans", headers=basic(TOKEN)).status_code == 200


def test_the_password_is_never_taken_over_http_when_the_site_is_https(make_app, tmp_path):
    app = make_app(ADMIN_TOKEN=TOKEN, BASE_URL="https://safer.example", PROXY_COUNT=1)
    app.extensions["admin_door"] = admin_door.Door()
    client = app.test_client()
    plain = client.get("/admin/scans", headers=basic(TOKEN))  # the password is not even read
    assert (plain.status_code, plain.headers["Location"]) == (301, "https://safer.example/admin/scans")
    secure = {**basic(TOKEN), "X-Forwarded-Proto": "https"}
    assert client.get("/admin/scans", headers=secure).status_code == 200
