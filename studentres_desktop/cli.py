"""`studentres-admin`: set up the database and keep the catalogue current from a terminal."""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from studentres_desktop.bootstrap import (
    Services,
    build_services,
    prepare_embedded_database,
)
from studentres_desktop.config import AppConfig, load_config
from studentres_desktop.domain.errors import DomainError
from studentres_desktop.domain.models import (
    Attendance,
    AuditAction,
    AuditEntry,
    AuditFilter,
    Interest,
    Resource,
    ResourceFilter,
    Role,
)
from studentres_desktop.logging_setup import configure_logging
from studentres_desktop.persistence.accounts import AccountRole, create_account
from studentres_desktop.persistence.engine import client_driver, create_database_engine, safe_url
from studentres_desktop.persistence.nodes import format_hosts
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


DB_HOSTS = "db_hosts"


def _remember_db_hosts(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    ctx.meta[DB_HOSTS] = value


def db_option(command: F) -> F:
    command = click.option(
        "--db-hosts",
        metavar="HOST:PORT,...",
        default=None,
        expose_value=False,
        callback=_remember_db_hosts,
        help="The database servers of a cluster, tried in turn, e.g. db1:3306,db2:3306 "
        "(default: ?hosts= in the URL, then [database] hosts in the config file).",
    )(command)
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="Database URL, e.g. mysql+mysqlconnector://user:pw@host:3306/studentres "
        "(default: STUDENTRES_DB_URL, the config file, then the embedded SQLite file).",
    )(command)


def _load_config(db_url: str | None) -> AppConfig:
    """The settings, with the --db-hosts of the running command."""
    context = click.get_current_context(silent=True)
    db_hosts = context.meta.get(DB_HOSTS) if context is not None else None
    return load_config(db_url, db_hosts=db_hosts)


@contextmanager
def open_services(db_url: str | None, *, prepare_default: bool = True) -> Iterator[Services]:
    config = _load_config(db_url)
    log.info("database %s (from %s)", safe_url(config.database.url), config.source)
    services = build_services(config.database, bcrypt_cost=config.bcrypt_cost,
                              site_zone=config.site_timezone,
                              recommendation_model=config.recommendation_model,
                              multilingual_model=config.multilingual_model)
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


@main.command("upgrade-db")
@db_option
def upgrade_db(db_url: str | None) -> None:
    """Apply the schema migrations this version brings; safe to run twice.

    Run it with the owner account (workstation accounts may not change the schema), after a
    backup (docs/deployment.md).
    """
    with open_services(db_url, prepare_default=False) as services:
        before = inspect_schema(services.engine).revision
        changes = ensure_schema(services.engine)
        after = inspect_schema(services.engine).revision
    for change in changes:
        click.echo(f"  {change}")
    if before == after:
        click.echo(f"Schema is current (revision {after}); {len(changes)} changes.")
    else:
        click.echo(f"Schema upgraded from revision {before or 'none'} to {after}; "
                   f"{len(changes)} changes.")


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
@click.option("--search", default="",
              help="Only resources with every word of this (the last may be a word's start).")
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
    """List resources, soonest first, undated last (best matches first with --search, or the
    newest first when the search finds very many, on SQLite)."""
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
    if page.newest_first:
        click.echo("Many matches, so the newest are listed first; add words to see the best "
                   "matches first.", err=True)


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


@main.command("create-db-user")
@db_option
@click.option("--role", type=click.Choice([r.value for r in AccountRole]), required=True,
              help="owner: schema installation (IT only); app: student workstations; "
              "advisor: kiosks, with catalogue management.")
@click.option("--host", default="%", show_default=True,
              help="Where the account may connect from: a host, an IP or a pattern with %.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of a prompt.")
@click.argument("user")
def create_db_user(db_url: str | None, role: str, host: str, password_stdin: bool,
                   user: str) -> None:
    """Create the server account USER with the grants of db/grants.sql for ROLE.

    Run by IT with an administrator's URL naming the app's database. Create the owner first, run
    init-db as the owner, then create the app and advisor accounts.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {user}@{host}", hide_input=True,
                                confirmation_prompt=True)
    config = _load_config(db_url)
    engine = create_database_engine(config.database)
    try:
        grants = create_account(engine, AccountRole(role), user, host, password)
    finally:
        engine.dispose()
    click.echo(f"Created '{user}'@'{host}' ({role}):")
    for grant in grants:
        click.echo(f"  {grant}")


@main.command("check")
@db_option
def check(db_url: str | None) -> None:
    """Can it connect, is the schema current, which server version."""
    config: AppConfig = _load_config(db_url)
    click.echo(f"Database:  {safe_url(config.database.url)}  (from {config.source})")
    click.echo(f"Config:    {config.config_file}")
    if config.database.hosts:
        click.echo(f"Nodes:     {format_hosts(config.database.hosts)}  (tried in turn)")
    with open_services(db_url, prepare_default=False) as services:
        report = inspect_schema(services.engine)
        driver = client_driver(services.engine)
    click.echo(f"Server:    {report.server}")
    click.echo(f"Driver:    {driver}")
    click.echo(f"Schema:    version {report.version if report.version is not None else 'none'}")
    click.echo(f"Revision:  {report.revision or 'none'} (this app expects {report.expected})")
    if report.current:
        click.echo("Status:    OK, the schema is current.")
        return
    for problem in report.problems:
        click.echo(f"  - {problem}")
    if report.too_new:
        advice = "this app is older than the database; install the newer version"
    elif report.revision is None and report.version is None:
        advice = "run 'studentres-admin init-db'"
    else:
        advice = "run 'studentres-admin upgrade-db' with the owner account"
    click.echo(f"Status:    the schema is not current; {advice}.", err=True)
    sys.exit(1)


@main.command("reindex")
@db_option
def reindex(db_url: str | None) -> None:
    """Compute the sentence embeddings that are missing or out of date (resumable)."""
    with open_services(db_url) as services:
        recommender = services.recommendations
        names = recommender.model_names
        click.echo(f"Loading the model{'s' if len(names) > 1 else ''} {' and '.join(names)} …")
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


@main.command("export-resources")
@db_option
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
def export_resources(db_url: str | None, csv_file: Path) -> None:
    """Write the whole catalogue to CSV_FILE in the format import-resources reads."""
    with open_services(db_url) as services:
        written = services.catalogue.export_csv(csv_file)
    click.echo(f"Exported {written} resources to {csv_file}.")


@main.command("audit")
@db_option
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--action", type=click.Choice([a.value for a in AuditAction]), default=None,
              help="Only this kind of change.")
@click.option("--advisor", default="", metavar="EMAIL", help="Only advisors whose email has this.")
@click.option("--resource", "resource_id", type=click.IntRange(1), default=None, metavar="ID",
              help="Only changes to this resource row.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="From this UTC date or time on.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="Before this UTC date or time (a date alone includes that day).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def audit_log(db_url: str | None, limit: int, action: str | None, advisor: str,
              resource_id: int | None, since: datetime | None, until: datetime | None,
              as_json: bool) -> None:
    """What advisors and studentres-admin changed, newest first (times in UTC)."""
    if until is not None and until.hour == until.minute == 0:
        until += timedelta(days=1)
    flt = AuditFilter(action=AuditAction(action) if action else None, advisor=advisor,
                      resource_id=resource_id, since=since, until=until, limit=limit)
    with open_services(db_url) as services:
        entries = services.reports.audit(flt)
    if as_json:
        click.echo(json.dumps([_audit_json(e) for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("No audit entries match.")
        return
    for entry in entries:
        what = f"{entry.resource_key or '-':>12}  {entry.resource_title[:40]}"
        click.echo(f"{entry.occurred_at:%Y-%m-%d %H:%M:%S}  {entry.advisor_email[:32]:<32}  "
                   f"{entry.action.value:<16}  {what}  {entry.detail}".rstrip())


def _audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": entry.occurred_at.isoformat(),
        "advisor_id": entry.advisor_id,
        "advisor_email": entry.advisor_email,
        "action": entry.action.value,
        "resource_key": entry.resource_key,
        "resource_title": entry.resource_title,
        "before": entry.before,
        "after": entry.after,
        "detail": entry.detail,
    }


@main.command("attendees")
@db_option
@click.argument("resource")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (for a spreadsheet).")
def attendees(db_url: str | None, resource: str, as_csv: bool) -> None:
    """Who is going to RESOURCE (a row id, or row:kind such as 12:workshop) and its waitlist."""
    with open_services(db_url) as services:
        attendance = services.reports.attendees(services.reports.resolve(resource))
    if as_csv:
        _attendance_csv(attendance)
        return
    r = attendance.resource
    capacity = r.capacity if r.capacity is not None else "no capacity"
    click.echo(f"{r.key}  {r.title}  ({len(attendance.going)} going of {capacity}, "
               f"{len(attendance.waitlisted)} waitlisted)")
    click.echo("Going:" if attendance.going else "Going: nobody yet")
    for n, person in enumerate(attendance.going, 1):
        click.echo(f"  {n:>3}. {person.name}  <{person.email}>")
    if attendance.waitlisted:
        click.echo("Waitlist:")
    for person in attendance.waitlisted:
        click.echo(f"  {person.position:>3}. {person.name}  <{person.email}>")


def _attendance_csv(attendance: Attendance) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["status", "position", "name", "email", "since_utc"])
    for person in (*attendance.going, *attendance.waitlisted):
        writer.writerow([person.state.value, person.position or "", person.name, person.email,
                         person.since.isoformat(timespec="seconds")])
    click.echo(out.getvalue(), nl=False)


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
