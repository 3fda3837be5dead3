"""Command-line tools for the people who edit the site: `flask content check`."""

import sys

import click

from safernights import config, content


@click.group("content")
def content_commands():
    """Check the campaign's content."""


@content_commands.command("check")
def check():
    """Report every problem in the content folder at once; exit 1 if there are any."""
    folder = config.from_environment()["CONTENT_DIR"]
    pages, problems = content.read_all(folder)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {folder}", err=True)
        sys.exit(1)
    click.echo(f"{len(pages)} pages in {folder}: no problems")
