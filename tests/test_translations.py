"""The gettext catalogs: messages.pot matches the code, and every language's catalog is complete."""

import re
import shutil
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from safernights import catalogs, languages

from .conftest import ROOT

TRANSLATIONS = ROOT / "translations"
TRANSLATED = [code for code in languages.REGISTRY if code != languages.DEFAULT]


def read_catalog(path, locale=None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def ids(catalog):
    return {message.id for message in catalog if message.id}


@pytest.fixture(scope="module")
def template():
    return read_catalog(TRANSLATIONS / "messages.pot")


def test_messages_pot_is_not_stale(tmp_path, template):
    fresh = tmp_path / "messages.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "-q",
        "extract",
        "-k",
        "_l",
        "-F",
        "babel.cfg",
    ]
    subprocess.run([*command, "-o", str(fresh), "."], cwd=ROOT, check=True)
    assert ids(read_catalog(fresh)) == ids(template), "run `make translations` and translate what is new"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_has_a_complete_catalog(code, template):
    catalog = read_catalog(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", locale=code)
    assert ids(catalog) == ids(template)
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{message.id!r} is not translated"
        assert not message.fuzzy, f"{message.id!r} is fuzzy"
        errors = list(message.check(catalog))
        assert not errors, f"{message.id!r}: {errors}"
        # Phone numbers (999, 55, 24/7…) must survive translation exactly.
        assert sorted(re.findall(r"\d+", message.string)) == sorted(re.findall(r"\d+", message.id)), (
            message.id
        )


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_has_a_content_folder_and_a_catalog(code):
    assert (ROOT / "content" / code).is_dir()
    assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file()


RELAY = "Emergency %(emergency)s · Can’t speak: %(emergency)s then %(silent)s · Text relay %(relay)s"
SILENT = "Can’t speak? Call %(emergency)s, then press %(silent)s"


def msgstr_of(text, msgid):
    """The msgstr line that follows a msgid in a catalog written without wrapping."""
    lines = text.splitlines()
    return lines[lines.index(f'msgid "{msgid}"') + 1]


@pytest.mark.parametrize(
    ("msgid", "old", "new", "message"),
    [
        (RELAY, "%(relay)s", "", "placeholders differ"),  # the relay number would vanish from the poster
        (SILENT, "%(silent)s", "%(lines)s", "placeholders differ"),  # an unknown name fails the page
        ("Emergency", "msgstr", "msgid_oops", "not a valid catalog"),
    ],
)
def test_a_broken_catalog_is_named_with_file_and_line(tmp_path, msgid, old, new, message):
    shutil.copytree(TRANSLATIONS, tmp_path / "translations")
    path = tmp_path / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
    text = path.read_text()
    line = msgstr_of(text, msgid)
    assert old in line
    path.write_text(text.replace(line, line.replace(old, new, 1), 1))
    found = catalogs.problems(tmp_path / "translations")
    assert [problem.path for problem in found] == [path]
    assert message in found[0].message
    assert found[0].line > 0


def test_the_real_catalogs_have_no_problems():
    assert catalogs.problems() == []
