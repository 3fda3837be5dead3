"""Command-line tools for the people who run the campaign: `flask content check` and `status`,
`flask qr export`, `flask print-pdfs`."""

import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from safernights import (
    catalogs,
    config,
    content,
    directory,
    fact_check,
    languages,
    print_pdf,
    qr_codes,
    sources,
)
from safernights.problems import folder_problems


@click.group("content")
def content_commands():
    """Check the campaign's content."""


@content_commands.command("check")
def check():
    """Report every problem in everything start-up loads, at once; exit 1 if there are any."""
    folder = Path(config.from_environment()["CONTENT_DIR"])
    problems = folder_problems(folder)
    if not problems:
        pages, problems = content.read_all(folder)
        services, found = directory.read(folder)
        register, found_in_register = sources.read(folder)
        topics = sorted({page.slug for page in pages if page.slug != content.HOME})
        codes, found_in_codes = qr_codes.read(folder / "qr.toml", topics)
        problems += found + found_in_register + found_in_codes + catalogs.problems()
        if services and register and all(problem.warning for problem in problems):
            problems += fact_check.problems(pages, services, register, folder)
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [problem for problem in problems if not problem.warning]
    if errors:
        click.echo(f"{len(errors)} problem(s) in {folder}", err=True)
        sys.exit(1)
    distinct = {source for fact in register.facts for source in fact.sources}
    click.echo(
        f"{len(pages)} pages, {len(services.services)} services, {len(codes)} QR codes and "
        f"{len(register.facts)} facts from {len(distinct)} sources in {folder}: no problems"
    )


@content_commands.command("status")
def status():
    """Print the language × page matrix (and the directory): up to date, outdated, unchecked or missing."""
    folder = config.from_environment()["CONTENT_DIR"]
    library, (services, _) = content.load(folder), directory.load(Path(folder))
    columns = [*library.slugs, "services"]
    widths = [max(len(column), *map(len, content.STATES)) for column in columns]

    def row(lang):
        return [*(library.status(lang, slug) for slug in library.slugs), services.status(lang)]

    click.echo("    " + " ".join(f"{column:<{width}}" for column, width in zip(columns, widths, strict=True)))
    for lang in languages.REGISTRY:
        cells = zip(row(lang), widths, strict=True)
        click.echo(f"{lang:<4}" + " ".join(f"{state:<{width}}" for state, width in cells).rstrip())
    counts = Counter(state for lang in languages.REGISTRY for state in row(lang))
    click.echo(", ".join(f"{counts[state]} {state}" for state in content.STATES))


@click.group("qr")
def qr_commands():
    """QR codes for posters and cards."""


@qr_commands.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export(folder):
    """Write every code's QR image, SVG and PNG, into FOLDER for designers."""
    settings = config.from_environment()
    codes = qr_codes.load(settings["CONTENT_DIR"], content.load(settings["CONTENT_DIR"]))
    base = settings["BASE_URL"]
    folder.mkdir(parents=True, exist_ok=True)
    for name in sorted(codes):
        (folder / f"{name}.svg").write_text(qr_codes.svg(base, name))
        (folder / f"{name}.png").write_bytes(qr_codes.png(base, name))
        version, modules = qr_codes.version(base, name)
        click.echo(f"{qr_codes.short_url(base, name)}: QR version {version}, {modules}×{modules} modules")


@click.command("print-pdfs")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(list(languages.REGISTRY)), help="Only this language.")
@with_appcontext
def print_pdfs(folder, lang):
    """Write every poster (A4, A3, A5), the card sheet and the staff checklist as PDFs into FOLDER,
    one sub-folder per language, printed by Chromium as the preview shows them."""
    for path in print_pdf.write_all(current_app._get_current_object(), folder, [lang] if lang else None):
        click.echo(path)
