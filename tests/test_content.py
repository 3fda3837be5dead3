import os
import re
import shutil
import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from app import create_app
from safernights import cli, content, languages, problems

from .conftest import ROOT

TODAY = date.today()  # content carries real dates: none may be after today
TRANSLATED = set(languages.REGISTRY) - {languages.DEFAULT}


@pytest.fixture
def folder(tmp_path):
    """A copy of the real content folder, for a test to break."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def edit(folder, name, old, new):
    path = folder / "en" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# The consent page's own reviewed line, whatever date it carries now.
REVIEWED = re.search(r"^reviewed: .*\n", (ROOT / "content" / "en" / "consent.md").read_text(), re.M)[0]
BROKEN = [
    ("title: What consent is\n", "", 1, "metadata is missing 'title'"),
    ("order: 1\n", "order: first\n", 3, "bad 'order'"),
    (REVIEWED, "reviewed: 21/11/2026\n", 4, "bad 'reviewed'"),
    (REVIEWED, "reviewed: 2999-01-01\n", 4, "in the future"),
    ("order: 1\n", "order: 1\nauthor: me\n", 4, "known key"),
    ("order: 1\n", "order: 1\norder: 2\n", 4, "given twice"),
    ("summary: Consent means", "summary: " + "x" * 201 + " Consent", 2, "keep it under 200"),
    ("poster: Consent is", "poster: " + "x" * 61 + " Consent is", 5, "keep it under 60"),
    ("poster: Consent is", "poster: Call 999: consent is", 5, "holds no figures"),
    ("## Consent is a free choice", "# Consent is a free choice", 7, "use ## for headings"),
    ("withdrawn at any time", "withdrawn at any time (call 0808 500 2222)", 21, "write the number"),
    ("withdrawn at any time", "withdrawn at any time [[call us]]", 21, "must hold a phone number"),
    ("(get-help)", "(/en/get-help)", 41, "must be relative"),
    ("(get-help)", "(get-hepl)", 41, "not a page slug"),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BROKEN, ids=[case[3] for case in BROKEN])
def test_a_broken_page_is_reported_with_file_and_line(folder, old, new, line, message):
    edit(folder, "consent.md", old, new)
    _, problems = content.read_all(folder, today=TODAY)
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{folder / 'en' / 'consent.md'}:{line}: ")
    assert message in problems[0].message


def test_a_page_with_no_text_is_reported(folder):
    (folder / "en" / "look-out.md").write_text("title: T\nsummary: S\norder: 9\nreviewed: 2026-01-01\n\n")
    _, problems = content.read_all(folder, today=TODAY)
    assert [problem.message for problem in problems] == ["the page has no text"]


def test_a_file_that_is_not_utf8_is_reported(folder):
    (folder / "en" / "look-out.md").write_bytes("title: caf\xe9\n".encode("latin-1"))
    _, problems = content.read_all(folder, today=TODAY)
    assert problems[0].message.startswith("not UTF-8 text")


def test_a_bad_file_name_is_reported(folder):
    shutil.copy(folder / "en" / "consent.md", folder / "en" / "Consent Copy.md")
    _, problems = content.read_all(folder, today=TODAY)
    assert [problem.path.name for problem in problems] == ["Consent Copy.md"]


def test_a_missing_required_page_is_reported(folder):
    (folder / "en" / "staff.md").unlink()
    _, problems = content.read_all(folder, today=TODAY)
    assert str(problems[0]) == f"{folder / 'en' / 'staff.md'}:0: missing: this page must exist"
    # Its translations now have no original: each is named.
    orphans = {(problem.path.parent.name, problem.path.name, problem.message) for problem in problems[1:]}
    assert orphans == {(code, "staff.md", "there is no English page with this slug") for code in TRANSLATED}


def test_start_up_stops_on_broken_content_and_names_every_problem(folder, monkeypatch):
    edit(folder, "consent.md", "order: 1\n", "order: one\n")
    edit(folder, "staff.md", "[[101]]", "101")
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    with pytest.raises(problems.ContentError) as error:
        create_app()
    assert "consent.md:3: bad 'order'" in str(error.value)
    assert "staff.md:" in str(error.value)
    assert len(error.value.problems) == 2


def test_check_command_reports_all_problems_and_fails(folder, monkeypatch):
    edit(folder, "consent.md", "order: 1\n", "order: one\n")
    edit(folder, "get-help.md", "[[=18000]]", "18000")
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    result = CliRunner().invoke(cli.content_commands, ["check"])
    assert result.exit_code == 1
    assert "consent.md:3: bad 'order'" in result.output
    assert "get-help.md:" in result.output
    assert "2 problem(s)" in result.output


def test_check_command_passes_on_the_real_content():
    result = CliRunner().invoke(cli.content_commands, ["check"], env={"CONTENT_DIR": str(ROOT / "content")})
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_flask_content_check_runs_even_when_the_app_cannot_start(folder):
    edit(folder, "consent.md", "order: 1\n", "order: one\n")
    env = {**os.environ, "CONTENT_DIR": str(folder), "FLASK_APP": "app"}
    command = [sys.executable, "-m", "flask", "content", "check"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "consent.md:3: bad 'order'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "breakage", ["missing", "a file", "services.toml is a folder", "sources.toml is missing"]
)
def test_a_missing_folder_or_file_is_a_problem_with_its_path(tmp_path, breakage):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    if breakage in ("missing", "a file"):
        shutil.rmtree(folder)
        if breakage == "a file":
            folder.write_text("not a folder")
        expected = str(folder)
    elif breakage == "services.toml is a folder":
        (folder / "services.toml").unlink()
        (folder / "services.toml").mkdir()
        expected = f"{folder / 'services.toml'}:0: is a folder"
    else:
        (folder / "sources.toml").unlink()
        expected = f"{folder / 'sources.toml'}:0: missing"
    env = {**os.environ, "CONTENT_DIR": str(folder), "FLASK_APP": "app"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "content", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(problems.ContentError, match=re.escape(expected)):
        create_app({"CONTENT_DIR": str(folder)})
