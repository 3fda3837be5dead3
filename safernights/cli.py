"""Command-line tools for the people who edit the site: `flask content check` and `status`."""

import sys
from collections import Counter
from pathlib import Path

import click

from safernights import config, content, languages, services


@click.group("content")
def content_commands():
    """Check the campaign's content."""


@content_commands.command("check")
def check():
    """Report every problem in the content folder at once; exit 1 if there are any."""
    folder = Path(config.from_environment()["CONTENT_DIR"])
    pages, problems = content.read_all(folder)
    directory, found = services.read(folder)
    for problem in problems + found:
        click.echo(str(problem), err=True)
    errors = [problem for problem in problems + found if not problem.warning]
    if errors:
        click.echo(f"{len(errors)} problem(s) in {folder}", err=True)
        sys.exit(1)
    click.echo(f"{len(pages)} pages and {len(directory.services)} services in {folder}: no problems")


@content_commands.command("status")
def status():
    """Print the language × page matrix: up to date, outdated, unchecked or missing."""
    library = content.load(config.from_environment()["CONTENT_DIR"])
    slugs = library.slugs
    widths = [max(len(slug), *map(len, content.STATES)) for slug in slugs]
    click.echo("    " + " ".join(f"{slug:<{width}}" for slug, width in zip(slugs, widths, strict=True)))
    for lang in languages.REGISTRY:
        states = [library.status(lang, slug) for slug in slugs]
        click.echo(
            f"{lang:<4}" + " ".join(f"{state:<{width}}" for state, width in zip(states, widths, strict=True))
        )
    counts = Counter(library.status(lang, slug) for lang in languages.REGISTRY for slug in slugs)
    click.echo(", ".join(f"{counts[state]} {state}" for state in content.STATES))
