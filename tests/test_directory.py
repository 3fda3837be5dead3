"""The directory: its data and checks, the pages with and without filters, and the HSDS API."""

import json
import shutil
from datetime import date, datetime

import jsonschema
import pytest

from safernights import directory, hsds, languages, needs, page_markdown, sources
from safernights.opening_hours import LONDON

from .conftest import ROOT, XHTML, text_of

DIRECTORY, _ = directory.read(ROOT / "content")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
SUNDAY_NOON = datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)


@pytest.fixture
def at_monday_noon(monkeypatch):
    monkeypatch.setattr(directory, "now", lambda: MONDAY_NOON)


def test_every_phone_number_in_the_data_is_in_the_sources_register():
    register, _ = sources.read(ROOT / "content")
    numbers = {page_markdown.tel_href(phone.number)[4:] for s in DIRECTORY.services for phone in s.phones}
    assert numbers <= register.dialled(), numbers - register.dialled()
    assert sum(1 for s in DIRECTORY.services if s.phones) >= 12


def test_every_need_has_a_service():
    covered = {need for s in DIRECTORY.services for need in s.needs}
    assert covered == set(needs.NEEDS)


def test_the_sarc_has_no_phone_until_one_is_sourced_and_aurora_is_not_a_helpline():
    assert DIRECTORY.get("treetops-sarc").phones == ()
    assert DIRECTORY.get("treetops-sarc").website == "https://www.nhs.uk/sarcs"
    assert DIRECTORY.get("aurora-new-dawn").phones == ()


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


BROKEN = [
    ('id = "galop"', 'id = "samaritans"', "duplicate id 'samaritans'"),
    ('needs = ["image-abuse"]', 'needs = ["image-abuse", "cats"]', "unknown need 'cats'"),
    ('number = "0345 6000 459"', 'number = "0345 60"', "is not a UK phone number"),
    (
        'kind = "voice", free = true }]\nhours = ["24/7"]\narea = "england',
        'kind = "fax", free = true }]\nhours = ["24/7"]\narea = "england',
        "phone kind 'fax'",
    ),
    ('"mon-thu 10:00-20:30"', '"mon-thu 10:00-25:30"', "not a time of day"),
    ('"fri 10:00-16:30"', '"thu 10:00-16:30"', "periods overlap"),
    ('website = "https://swgfl.org.uk"', 'website = "swgfl.org.uk"', "is not a web address"),
    ('checked = "2023-02"', 'checked = "2023-13"', "is not YYYY or YYYY-MM"),
    ('checked = "2023-02"', 'checked = "2099-01"', "in the future"),
    ('status = "active"\ndescription = "Women', 'status = "open"\ndescription = "Women', "status 'open'"),
    ('gender = "men"', 'gender = "men"\nfax = "x"', "unknown key 'fax'"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[case[2] for case in BROKEN])
def test_a_broken_service_is_reported_with_file_and_line(folder, old, new, message):
    path = folder / "services.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _, problems = directory.read(folder, today=date(2026, 11, 21))
    errors = [problem for problem in problems if not problem.warning]
    assert len(errors) == 1, errors
    assert errors[0].path == path
    assert message in errors[0].message
    assert errors[0].line > 1  # the line of the service's id


def test_a_toml_syntax_error_names_its_line(folder):
    path = folder / "services.toml"
    lines = path.read_text().splitlines()
    lines[20] = 'name = "unterminated'
    path.write_text("\n".join(lines))
    _, problems = directory.read(folder)
    assert (problems[0].path, problems[0].line) == (path, 21)
    assert "not valid TOML" in problems[0].message


def test_old_details_are_a_warning_not_an_error():
    _, problems = directory.read(ROOT / "content", today=date(2026, 11, 21))
    assert problems
    assert all(problem.warning for problem in problems)
    assert any("yellow-door: details checked 2017" in str(problem) for problem in problems)


def test_a_translation_must_keep_the_numbers(folder):
    path = folder / "pl" / "services.toml"
    text = path.read_text()
    path.write_text(text.replace("16", "61", 1))
    _, problems = directory.read(folder)
    assert [problem.message for problem in problems if not problem.warning] == [
        "rape-crisis: numbers differ from the English description"
    ]


def test_open_now_and_24_7_come_first_and_years_old_details_last():
    order = DIRECTORY.listing(MONDAY_NOON)
    stale = [s.is_stale(MONDAY_NOON.date()) for s in order]
    assert stale == sorted(stale)
    order = [s for s in order if not s.is_stale(MONDAY_NOON.date())]
    ranks = [
        "always"
        if s.hours.always
        else "open"
        if s.is_open(MONDAY_NOON)
        else "later"
        if s.next_opening(MONDAY_NOON)
        else "unknown"
        for s in order
    ]
    assert ranks == sorted(ranks, key=["always", "open", "later", "unknown"].index)
    assert order[0].id == "rape-crisis"


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_directory_in_every_language(client, code, at_monday_noon):
    document = client.get(f"/{code}/services").document
    cards = [li for li in document.iter(f"{XHTML}li") if li.get("data-needs") is not None]
    assert len(cards) == len([s for s in DIRECTORY.services if s.status == "active"])
    right_now = document.find(f".//{XHTML}section[@data-right-now='']")  # no need chosen
    assert right_now.get("hidden") is None
    dialled = [a.get("href") for a in right_now.iter(f"{XHTML}a")]
    assert dialled == ["tel:999", "tel:08085002222", "tel:116123", "tel:111"]


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_every_service_page_in_every_language(client, code, at_monday_noon):
    for service in DIRECTORY.services:
        document = client.get(f"/{code}/services/{service.id}").document
        assert text_of(document.find(f".//{XHTML}h1")) == service.name


def visible(document):
    return [
        text_of(li.find(f"{XHTML}h2"))
        for li in document.iter(f"{XHTML}li")
        if li.get("data-needs") is not None and li.get("hidden") is None
    ]


def test_filter_by_need_without_javascript(client, at_monday_noon):
    names = visible(client.get("/en/services?need=image-abuse").document)
    assert names == ["Revenge Porn Helpline"]


def test_filter_open_now_without_javascript(client, monkeypatch):
    monkeypatch.setattr(directory, "now", lambda: SUNDAY_NOON)
    names = visible(client.get("/en/services?open=now").document)
    assert "Galop LGBT+ Rape and Sexual Abuse Helpline" not in names  # closed on Sundays
    assert "Rape Crisis 24/7 Support Line" in names
    assert "Men's Advice Line" in names  # hours not known: shown, never hidden
    monkeypatch.setattr(directory, "now", lambda: MONDAY_NOON)
    assert "Galop LGBT+ Rape and Sexual Abuse Helpline" in visible(
        client.get("/en/services?open=now").document
    )


@pytest.mark.parametrize(
    "query",
    ["need=cats", "open=yesterday", "need=%00%ff", "need=Call+0800+000+0000+instead", "open=now&need=x"],
)
def test_unknown_filter_values_are_ignored_with_a_note_that_never_echoes_them(client, query, at_monday_noon):
    response = client.get(f"/en/services?{query}")
    assert response.status_code == 200
    notes = [text_of(p) for p in response.document.iterfind(f".//{XHTML}p[@class='notice']")]
    assert notes == ["An unknown filter in the address was ignored."]
    body = response.get_data(as_text=True)
    assert all(echo not in body for echo in ("0800 000 0000", "cats", "yesterday"))


def test_each_card_says_whether_it_is_open(client, monkeypatch):
    monkeypatch.setattr(directory, "now", lambda: SUNDAY_NOON)
    document = client.get("/en/services/galop").document
    assert (
        text_of(document.find(f".//{XHTML}p[@class='availability is-closed']"))
        == "Closed now. Opens Monday at 10:00"
    )
    assert "Open 24/7" in text_of(client.get("/en/services/rape-crisis").document.find(f".//{XHTML}main"))


def test_old_details_carry_a_gentle_warning(client, at_monday_noon):
    page = text_of(client.get("/en/services/yellow-door").document.find(f".//{XHTML}main"))
    assert "Details checked 2017. That was more than a year ago: they may have changed." in page
    fresh = text_of(client.get("/en/services/samaritans").document.find(f".//{XHTML}main"))
    assert "Details checked November 2026." in fresh
    assert "more than a year ago" not in fresh


def test_free_numbers_say_so(client, at_monday_noon):
    document = client.get("/en/services/samaritans").document
    assert text_of(document.find(f".//{XHTML}span[@class='free']")) == "Free from mobiles"
    assert "Does not show on your phone bill." in text_of(document.find(f".//{XHTML}main"))


def test_a_missing_description_falls_back_to_english(folder, monkeypatch, at_monday_noon):
    path = folder / "uk" / "services.toml"
    path.write_text(
        "\n".join(line for line in path.read_text().splitlines() if not line.startswith("samaritans"))
    )
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    from .test_languages import client_for

    document = client_for(folder, monkeypatch).get("/uk/services/samaritans").document
    english = document.find(f".//{XHTML}main/{XHTML}p[@lang='en']")
    assert text_of(english) == DIRECTORY.get("samaritans").description


# The API, validated against Open Referral HSDS 3 (tests/hsds/, with its licence and origin).


@pytest.fixture(scope="module")
def schemas():
    return {
        name: json.loads((ROOT / "tests" / "hsds" / f"{name}.json").read_text())
        for name in ("service", "service_list")
    }


def validate(instance, schema):
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]
    assert errors == []


def test_every_service_validates_as_hsds(client, schemas):
    for service in DIRECTORY.services:
        response = client.get(f"/api/services/{hsds.uid(service.id)}")
        assert response.status_code == 200
        record = response.get_json()
        validate(record, schemas["service"])
        assert record["id"] == hsds.uid(service.id)
        assert [phone["number"] for phone in record["phones"]] == [phone.number for phone in service.phones]
    galop = client.get("/api/services/galop").get_json()
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in galop["schedules"]][-1] == (
        "FR",
        "10:00",
        "16:30",
    )
    assert {a["taxonomy_term"]["code"] for a in galop["attributes"]} == {"lgbt", "sexual-violence"}


def test_service_list_pages_validate_as_hsds(client, schemas):
    first = client.get("/api/services?per_page=10").get_json()
    assert (first["total_items"], first["total_pages"], first["size"]) == (len(DIRECTORY.services), 3, 10)
    assert first["first_page"]
    assert not first["last_page"]
    assert not first["empty"]
    last = client.get("/api/services?per_page=10&page=3").get_json()
    assert last["last_page"]
    assert last["size"] == len(DIRECTORY.services) - 20
    for item in first["contents"] + last["contents"]:
        validate(item, schemas["service_list"])
    ids = [item["id"] for item in first["contents"]] + [item["id"] for item in last["contents"]]
    assert len(set(ids)) == len(ids)


def test_api_filters_by_need(client):
    found = client.get("/api/services?need=changing-behaviour").get_json()
    assert {item["alternate_name"] for item in found["contents"]} == {
        "probation-southampton",
        "hampton-trust",
        "respect",
    }


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=0", 400),
        ("page=99", 400),
        ("per_page=1000", 400),
        ("per_page=-1", 400),
        ("page=one", 400),
        ("need=cats", 400),
    ],
)
def test_api_bad_input_is_a_json_error(client, query, status):
    response = client.get(f"/api/services?{query}")
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["status"] == status


def test_api_unknown_service_is_a_json_404(client):
    response = client.get("/api/services/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_api_is_readable_from_any_origin_and_cacheable(client):
    response = client.get("/api/services", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/api/services", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_directory_is_made_once_a_minute_and_junk_shares_one_page(make_app, monkeypatch):
    app = make_app()  # its page store starts empty
    client, rendered = app.test_client(), []
    monkeypatch.setattr(directory.Directory, "listing", counting(directory.Directory.listing, rendered))
    monkeypatch.setattr(directory, "now", lambda: MONDAY_NOON)
    for _ in range(3):
        client.get("/en/services?need=lgbt")
    assert len(rendered) == 2  # one page: every card, and those shown
    monkeypatch.setattr(directory, "now", lambda: MONDAY_NOON.replace(minute=1))
    client.get("/en/services?need=lgbt")
    assert len(rendered) == 4  # a new minute, made again
    minute, kept = app.extensions["pages_this_minute"]
    assert minute == MONDAY_NOON.replace(minute=1)
    assert list(kept) == [(minute, "/en/services", "lgbt", False, False)]  # the last minute's are gone
    client.get("/en/services?need=cats")
    client.get("/en/services?need=dogs")
    assert len(app.extensions["pages_this_minute"][1]) == 2  # every unknown value shares one page


def counting(method, calls):
    def wrapper(*args, **kwargs):
        calls.append(args)
        return method(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("path", ["/{}/services", "/{}/services/galop", "/embed/help?lang={}"])
def test_unchecked_translations_say_so_on_the_directory_and_the_help_card(client, path):
    notice = f".//{XHTML}p[@class='notice']"
    assert client.get(path.format("en")).document.find(notice) is None
    assert DIRECTORY.status("pl") != "up to date"  # while no qualified translator has checked it
    found = client.get(path.format("pl")).document.find(notice)
    assert found is not None
    assert found.find(f"{XHTML}a").get("hreflang") == "en"
