"""What is wrong with a content file, said with its path and line, and the reading every loader shares.

Every file start-up loads is read through here, so a missing file, a folder where a file should be,
text that is not UTF-8 or TOML that does not parse is a Problem naming the path, never a traceback.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    warning: bool = False  # worth fixing, but the site can start

    def __str__(self):
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class ContentError(Exception):
    """The content folder has problems; the message lists every one, with file and line."""

    def __init__(self, problems):
        super().__init__("content problems:\n" + "\n".join(map(str, problems)))
        self.problems = problems


def read_text(path):
    """(text or None, problems) for a UTF-8 text file that must exist."""
    try:
        return Path(path).read_text(encoding="utf-8"), []
    except FileNotFoundError:
        return None, [Problem(path, 0, "missing: this file must exist")]
    except IsADirectoryError:
        return None, [Problem(path, 0, "is a folder: this must be a file")]
    except UnicodeDecodeError as error:
        return None, [Problem(path, 1, f"not UTF-8 text ({error.reason})")]
    except OSError as error:
        return None, [Problem(path, 0, f"cannot be read: {error.strerror}")]


def read_toml(path):
    """(data or None, lines, problems) for a TOML file; a syntax error names its line."""
    text, problems = read_text(path)
    if text is None:
        return None, [], problems
    try:
        return tomllib.loads(text), text.splitlines(), []
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        return (
            None,
            text.splitlines(),
            [Problem(path, int(line[1]) if line else 1, f"not valid TOML: {error}")],
        )


def read_entries(path, table, entry_problems):
    """Read a TOML file of [[table]] entries, each with a unique id; (entries or None, lines, problems).

    entry_problems(entry) says what is wrong with one entry; each problem names the entry's line.
    """
    data, lines, problems = read_toml(path)
    if data is None:
        return None, lines, problems
    entries, seen = data.get(table, []), set()
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        return None, lines, [Problem(path, 1, f"entries are [[{table}]] tables")]
    for entry in entries:
        at = line_of(lines, "id", entry.get("id"))
        if entry.get("id") in seen:
            problems.append(Problem(path, at, f"duplicate id {entry['id']!r}"))
        seen.add(entry.get("id"))
        problems += [
            Problem(path, at, f"{entry.get('id', '?')}: {message}") for message in entry_problems(entry)
        ]
    return entries, lines, problems


def folder_problems(folder):
    """A content folder that is missing or is a file is one problem with its path."""
    folder = Path(folder)
    if not folder.exists():
        return [Problem(folder, 0, "missing: the content folder must exist")]
    if not folder.is_dir():
        return [Problem(folder, 0, "is a file: this must be a folder")]
    return []


def line_of(lines, key, value):
    """The line where `key = "value"` is set, to point people at an entry (1 if it is not found)."""
    target = f'{key} = "{value}"'
    return next((number for number, line in enumerate(lines, 1) if line.strip() == target), 1)
