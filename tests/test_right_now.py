"""Never an empty answer: every need, at every hour of the week, shows a way to get help now."""

from datetime import datetime, timedelta

import pytest

from safernights import directory, needs
from safernights.opening_hours import LONDON

from .conftest import APP, XHTML

DIRECTORY, REGISTER = APP.extensions["directory"], APP.extensions["sources"]
MONDAY = datetime(2026, 11, 30, 0, 30, tzinfo=LONDON)
WEEK = [MONDAY + timedelta(hours=hour) for hour in range(7 * 24)]


@pytest.mark.parametrize("need", [None, *needs.NEEDS])
def test_every_need_at_every_hour_of_the_week_has_someone_to_call_now(need):
    for at in WEEK:
        shown = DIRECTORY.listing(at, need=need, open_now=True)
        assert shown, f"{need} at {at:%a %H:%M}: no service shown"
        # Shown under open now: open, or hours not known (marked so), never closed.
        assert all(service.is_open(at) is not False for service in shown)
    answer = needs.RIGHT_NOW[need]
    assert answer, f"{need}: no right-now answer"
    assert all(REGISTER[fact_id].number for fact_id, _ in answer)


def test_services_checked_years_ago_never_come_before_checked_ones():
    for need in [None, *needs.NEEDS]:
        for at in WEEK[::6]:
            stale = [service.is_stale(at.date()) for service in DIRECTORY.listing(at, need=need)]
            assert stale == sorted(stale), f"{need} at {at:%a %H:%M}"


def test_the_24_hour_lines_carry_their_hours():
    for service_id in ("nhs-111", "childline", "crimestoppers", "rape-crisis", "samaritans"):
        assert DIRECTORY.get(service_id).hours.always, service_id


SATURDAY_2AM = datetime(2026, 11, 28, 2, 0, tzinfo=LONDON)


@pytest.mark.parametrize("need", needs.NEEDS)
def test_without_javascript_the_server_shows_the_need_first_at_2am(client, monkeypatch, need):
    monkeypatch.setattr(directory, "now", lambda: SATURDAY_2AM)
    document = client.get(f"/en/services?need={need}&open=now").document
    main = document.find(f".//{XHTML}main")
    sections = [s for s in main.iter(f"{XHTML}section") if s.get("data-right-now") is not None]
    visible = [s for s in sections if s.get("hidden") is None]
    assert [s.get("data-right-now") for s in visible] == [need]
    dialled = [a.get("href") for a in visible[0].iter(f"{XHTML}a")]
    assert dialled == [REGISTER[fact_id].href for fact_id, _ in needs.RIGHT_NOW[need]]
    cards = [
        li for li in main.iter(f"{XHTML}li") if li.get("data-needs") is not None and li.get("hidden") is None
    ]
    assert cards, f"{need}: no service card shown at 02:00"
