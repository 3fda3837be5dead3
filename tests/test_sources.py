"""The sources register: every number a reader can see or dial comes from content/sources.toml, and
`flask content check` refuses one that does not, wherever it is, naming the file and line."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from safernights import content, directory, fact_check, languages, needs, sources

from .conftest import APP, PAGES, ROOT, XHTML, path_of

REGISTER = APP.extensions["sources"]
TODAY = date.today()
# Every kind of page that shows numbers: each page in each language, the directory, each service,
# the print sheets and the help cards partners embed.
PRINTED = ["/print/cards", "/print/help", "/print/poster/consent", "/print/poster/get-help?size=a3"]
EMBEDDED = [f"/embed/help?lang={code}" for code in languages.REGISTRY] + [
    "/embed/services?need=sexual-violence"
]
DIRECTORY = ["/en/services", "/ar/services"] + [
    f"/pl/services/{service.id}" for service in APP.extensions["directory"].services
]


def dialled(document):
    return [a.get("href")[4:] for a in document.iter(f"{XHTML}a") if a.get("href", "").startswith("tel:")]


@pytest.mark.parametrize("path", [*map(path_of, PAGES), *DIRECTORY, *PRINTED, *EMBEDDED])
def test_every_phone_link_dials_a_number_in_the_register(served, path):
    document = served(path).document
    numbers = dialled(document)
    if not path.startswith("/print/"):  # paper has no links: its numbers are checked below
        assert numbers, "every page and card shows the emergency numbers"
    assert set(numbers) <= REGISTER.dialled(), f"numbers with no source: {set(numbers) - REGISTER.dialled()}"


@pytest.mark.parametrize("path", PRINTED)
def test_every_number_printed_on_paper_is_in_the_register(served, path):
    text = " ".join("".join(served(path).document.itertext()).split())
    printed = {fact_check.digits(number) for number in fact_check.PHONE.findall(text)}
    registered = {fact_check.digits(fact.number) for fact in REGISTER.facts if fact.number}
    assert printed, "a poster, card or help sheet shows the emergency numbers"
    assert printed <= registered


def test_the_register_gives_every_fact_a_source_and_a_date():
    assert len(REGISTER.facts) >= 50
    for fact in REGISTER.facts:
        assert fact.sources, fact.id
        assert all(source.strip() for source in fact.sources), fact.id
        assert fact.checked <= date.today(), fact.id
    assert {fact.id for fact in REGISTER.facts} >= {"emergency-999", "silent-solution", "rape-crisis-line"}


def test_the_emergency_strip_takes_its_numbers_from_the_register(client):
    strip = client.get("/en/").document.find(f".//{XHTML}nav[@class='strip']")
    expected = [REGISTER[name].dialled for name in ("emergency-999", "silent-solution", "police-101")]
    assert dialled(strip) == expected
    assert REGISTER["silent-solution"].dialled == REGISTER["emergency-999"].dialled  # press 55 after dialling


@pytest.fixture
def folder(tmp_path):
    """A copy of the content folder, templates and catalogs, for a test to break."""
    for name in ("content", "templates", "translations"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path / "content"


def problems_in(folder):
    """What `flask content check` would say of this copy, beyond its warnings."""
    pages, found = content.read_all(folder, today=TODAY)
    services, found_in_directory = directory.read(folder, today=TODAY)
    register, found_in_register = sources.read(folder, today=TODAY)
    found += [problem for problem in found_in_directory + found_in_register if not problem.warning]
    if not found:
        found = fact_check.problems(pages, services, register, folder, root=folder.parent)
    return [str(problem).removeprefix(f"{folder.parent}/") for problem in found]


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_copy_has_no_problems(folder):
    assert problems_in(folder) == []


# (file, old text, new text, what the check must say[, the file it blames, when another]). For a
# page, template or catalog the problem must also name the line the new text is on.
PAGE, SERVICES, REGISTER_FILE = "content/en/get-help.md", "content/services.toml", "content/sources.toml"
BROKEN = [
    (PAGE, "[[116 123]]", "[[116 124]]", "the number 116 124 is not held"),
    ("content/pl/staff.md", "w ciągu 12 godzin", "w ciągu 48 godzin", "the figure 48"),
    ("content/en/staff.md", "## You think", "Call in 48 hours.\n\n## You think", "the figure 48"),
    (SERVICES, '"116 123"', '"116 111"', "samaritans: phone 116 111 is not held"),
    (SERVICES, '"0345 6000 459", kind = "voice"', '"0345 6000 459", free = true', "459 is marked free"),
    (SERVICES, "min_age = 16", "min_age = 15", "rape-crisis: age 15"),
    (SERVICES, '"mon-thu 10:00-20:30"', '"mon-thu 09:00-20:30"', "galop: its hours are not"),
    (SERVICES, "Women's refuges.", "Women's refuges, 24 beds.", "stoneham-housing: the figure 24"),
    (REGISTER_FILE, '"service:respect"', '"service:respekt"', "used_by names 'service:respekt'"),
    (
        REGISTER_FILE,
        'used_by = ["service:pippa"]',
        "used_by = []",
        "pippa: no fact in sources.toml",
        SERVICES,
    ),
    ("templates/print/cards.html", '{{ fact("emergency-999").number }}', "999", "phone number 999"),
    ("templates/components/help_now.html", '"rape-crisis-line"', '"rape-x"', "fact('rape-x') is not in"),
    ("templates/components/help_now.html", '"emergency-999"', '"samaritans"', "'samaritans' does not list"),
    ("translations/pl/LC_MESSAGES/messages.po", "%(relay)s", "18000", "phone number 18000"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[case[3][:60] for case in BROKEN])
def test_a_number_the_register_does_not_hold_is_refused_with_file_and_line(folder, case):
    name, old, new, message, blamed = case if len(case) == 5 else (*case, case[0])
    edit(folder.parent / name, old, new)
    problems = problems_in(folder)
    found = [problem for problem in problems if problem.startswith(f"{blamed}:") and message in problem]
    assert found, problems
    if name.endswith((".md", ".html", ".po")):
        text = (folder.parent / name).read_text()
        line = text[: text.index(new)].count("\n") + 1
        assert found[0].startswith(f"{name}:{line}: "), found


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "samaritans"\n', 'id = "samaritans"\nid = "samaritans"\n', "not valid TOML"),
        ("checked = 2026-11-28\n", "checked = 2099-01-01\n", "not in the future"),
        ('number = "116 123"', 'number = "116 12"', "'116 12' is not a UK phone number"),
        ('id = "samaritans"\n', 'id = "samaritans"\nwho = "me"\n', "unknown key 'who'"),
        ("sources = [\n", "sources = [] and_then = [\n", "not valid TOML"),
    ],
)
def test_a_broken_register_names_its_line(folder, old, new, message):
    edit(folder / "sources.toml", old, new)
    _, found = sources.read(folder, today=TODAY)
    assert found
    assert message in found[0].message
    assert found[0].path == folder / "sources.toml"
    assert found[0].line > 1


def test_every_fact_a_template_uses_is_checked_at_start_up():
    used = {
        fact_id
        for path in (ROOT / "templates").rglob("*.html")
        for fact_id in fact_check.TEMPLATE_FACT.findall(path.read_text())
    }
    assert used
    assert used <= {fact.id for fact in REGISTER.facts}
    assert not any(
        re.search(fact_check.PHONE, path.read_text()) for path in (ROOT / "templates").rglob("*.html")
    )


OUTSIDE = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared[\"']|SHARED_DIR")


def test_nothing_reads_outside_the_project():
    """A fresh clone has nothing beside it: no module, test or tool may read the folder beside it."""
    code = [*ROOT.glob("*.py"), *(ROOT / "safernights").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    code += [*(ROOT / "bench").glob("*.py"), ROOT / "Makefile"]
    assert not [path for path in code if path != Path(__file__) and OUTSIDE.search(path.read_text())]


def test_a_right_now_answer_must_name_a_sourced_fact(monkeypatch):
    answers = {**needs.RIGHT_NOW, "spiking": [("police-1O1", "a typo"), *needs.RIGHT_NOW["spiking"]]}
    monkeypatch.setattr(needs, "RIGHT_NOW", answers)
    found = [str(problem) for problem in fact_check.right_now_problems(REGISTER)]
    assert len(found) == 1
    assert found[0].endswith("right now for spiking: no fact 'police-1O1' in sources.toml")
    assert "needs.py:" in found[0]
    assert ":0:" not in found[0]  # it names the line of the need
