"""`studentres-admin`: set up the database and keep the catalogue current from a terminal."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from studentres_desktop.config import AppConfig, load_config
from studentres_desktop.domain.errors import DomainError
from studentres_desktop.domain.models import Interest, Resource, ResourceFilter, Role
from studentres_desktop.logging_setup import configure_logging
from studentres_desktop.persistence.engine import safe_url
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema
from studentres_desktop.services.container import (
    Services,
    build_services,
    prepare_embedded_database,
)

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def db_option(command: F) -> F:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="Database URL, e.g. mysql+mysqlconnector://user:pw@host:3306/studentres "
        "(default: STUDENTRES_DB_URL, the config file, then the embedded SQLite file).",
    )(command)


@contextmanager
def open_services(db_url: str | None, *, prepare_default: bool = True) -> Iterator[Services]:
    config = load_config(db_url)
    log.info("database %s (from %s)", safe_url(config.database.url), config.source)
    services = build_services(config.database, bcrypt_cost=config.bcrypt_cost,
                              recommendation_model=config.recommendation_model)
    try:
        if prepare_default and config.is_default_database:
            prepare_embedded_database(services)
        yield services
    finally:
        services.dispose()


class AdminGroup(click.Group):
    """Turns domain errors into one readable line and an exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # e.g. `studentres-admin list-resources | head`
            sys.stderr.close()
            ctx.exit(0)
        except Exception:
            log.exception("unexpected error in studentres-admin")
            click.echo(
                "Error: something unexpected went wrong; the details are in the log file.",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=AdminGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
def main(verbose: bool) -> None:
    """Administer StudentRes Desktop: database set-up and the resource catalogue."""
    configure_logging(filename="studentres-admin.log", verbose=verbose)


@main.command("init-db")
@db_option
def init_db(db_url: str | None) -> None:
    """Create or upgrade the tables and seed the interests; safe to run twice."""
    with open_services(db_url, prepare_default=False) as services:
        changes = ensure_schema(services.engine)
        added = services.catalogue.seed_interests()
    for change in changes:
        click.echo(f"  {change}")
    click.echo(f"Schema is current ({len(changes)} changes); {added} interests added.")


@main.command("seed-demo")
@db_option
def seed_demo(db_url: str | None) -> None:
    """Add the demo catalogue (resources across the starting interests)."""
    with open_services(db_url) as services:
        added = services.catalogue.seed_demo()
    click.echo(f"Added {added} demo resources.")


@main.command("import-resources")
@db_option
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
def import_resources(db_url: str | None, csv_file: Path) -> None:
    """Import resources from CSV_FILE in one transaction: all rows or none.

    Columns: kind,title,description,interest_tags,starts_at,ends_at,location,url,capacity.
    interest_tags is separated by semicolons; times are ISO 8601.
    """
    with open_services(db_url) as services:
        added = services.catalogue.import_csv(csv_file)
    click.echo(f"Imported {added} resources from {csv_file}.")


@main.command("list-resources")
@db_option
@click.option("--interest", "interests", multiple=True, metavar="TAG",
              help="Only resources with this interest tag (repeatable).")
@click.option("--search", default="", help="Only resources whose title or description has this.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 500))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_resources(
    db_url: str | None,
    interests: tuple[str, ...],
    search: str,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List resources, soonest first, undated last."""
    flt = ResourceFilter(interests=interests or None, text=search, limit=limit, offset=offset)
    with open_services(db_url) as services:
        page = services.catalogue.list(flt)
    if as_json:
        click.echo(json.dumps([_resource_json(r) for r in page.items], ensure_ascii=False,
                              indent=2))
        return
    if not page.items:
        click.echo("No resources match.")
        return
    for resource in page.items:
        when = resource.starts_at.strftime("%Y-%m-%d %H:%M") if resource.starts_at else "undated"
        tags = ",".join(resource.interest_tags) or "-"
        click.echo(f"{resource.key:>10}  {resource.kind.value:<8}  {when:<16}  "
                   f"{tags[:24]:<24}  {resource.title}")
    if page.has_more:
        click.echo(f"… more follow: use --offset {page.offset + page.limit}")


@main.command("add-interest")
@db_option
@click.argument("tag")
@click.argument("label")
@click.option("--description", default="", help="One or two sentences for students.")
def add_interest(db_url: str | None, tag: str, label: str, description: str) -> None:
    """Add TAG with LABEL to the interest vocabulary."""
    with open_services(db_url) as services:
        added = services.interests.add([Interest(tag, label, description)])
    click.echo(f"Added interest {tag}." if added else f"Interest {tag} already exists.")


@main.command("grant-advisor")
@db_option
@click.argument("email")
def grant_advisor(db_url: str | None, email: str) -> None:
    """Make the registered account EMAIL an advisor (able to edit the catalogue)."""
    with open_services(db_url) as services:
        services.auth.set_role(email, Role.ADVISOR)
    click.echo(f"{email} is now an advisor.")


@main.command("check")
@db_option
def check(db_url: str | None) -> None:
    """Can it connect, is the schema current, which server version."""
    config: AppConfig = load_config(db_url)
    click.echo(f"Database:  {safe_url(config.database.url)}  (from {config.source})")
    click.echo(f"Config:    {config.config_file}")
    with open_services(db_url, prepare_default=False) as services:
        report = inspect_schema(services.engine)
    click.echo(f"Server:    {report.server}")
    click.echo(f"Schema:    version {report.version if report.version is not None else 'none'}")
    if report.current:
        click.echo("Status:    OK, the schema is current.")
        return
    for problem in report.problems:
        click.echo(f"  - {problem}")
    click.echo("Status:    the schema is not current; run 'studentres-admin init-db'.", err=True)
    sys.exit(1)


@main.command("reindex")
@db_option
def reindex(db_url: str | None) -> None:
    """Compute the sentence embeddings that are missing or out of date (resumable)."""
    with open_services(db_url) as services:
        recommender = services.recommendations
        click.echo(f"Loading the model {recommender.model_name} …")
        with click.progressbar(length=1, label="Embedding resources", show_pos=True,
                               file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            try:
                report = recommender.reindex(progress)
            except KeyboardInterrupt:
                click.echo("\nInterrupted: what was embedded so far is saved; run reindex again "
                           "to continue.", err=True)
                sys.exit(130)
    click.echo(f"Embedded {report.computed} resources; {report.unchanged} were up to date; "
               f"removed {report.removed} stale vectors.")


@main.command("recommend")
@db_option
@click.option("--email", default=None, help="Rank for this student's interests and goal.")
@click.option("--interests", default="", metavar="TAGS", help='e.g. "AI;Robotics"')
@click.option("--text", default="", help="What to learn, in your own words.")
@click.option("--engine", type=click.Choice(["tags", "lexical", "semantic"]), default=None,
              help="Default: semantic when installed, else lexical.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def recommend(db_url: str | None, email: str | None, interests: str, text: str,
              engine: str | None, limit: int, as_json: bool) -> None:
    """Rank resources for a student, for interests, for free text, or all combined."""
    tags = [tag.strip() for tag in interests.split(";") if tag.strip()]
    if not (email or tags or text.strip()):
        raise click.UsageError("give --email, --interests or --text (they combine).")
    with open_services(db_url) as services:
        student = services.auth.student_by_email(email) if email else None
        recommender = services.recommendations
        query = recommender.query_for(student=student, interests=tags, text=text)
        if engine in (None, "semantic"):
            recommender.prepare()
        result = recommender.recommend(query, engine=engine, limit=limit)
    if as_json:
        click.echo(json.dumps({
            "engine": result.engine,
            "note": result.note,
            "results": [{**_resource_json(item.resource), "score": item.score,
                         "reason": item.reason} for item in result.items],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"Engine: {result.engine_label}")
    if result.note:
        click.echo(f"Note:   {result.note}")
    if not result.items:
        click.echo("Nothing to recommend.")
    for rank, item in enumerate(result.items, 1):
        click.echo(f"{rank:>3}. {item.score:6.3f}  {item.resource.key:>10}  {item.resource.title}")
        click.echo(f"{'':20}{item.reason}")


def _resource_json(resource: Resource) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "key": resource.key,
        "row_id": resource.row_id,
        "kind": resource.kind.value,
        "title": resource.title,
        "description": resource.description,
        "interest_tags": list(resource.interest_tags),
        "starts_at": iso(resource.starts_at),
        "ends_at": iso(resource.ends_at),
        "location": resource.location,
        "url": resource.url,
        "capacity": resource.capacity,
    }


if __name__ == "__main__":  # pragma: no cover
    main()
