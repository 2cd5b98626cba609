"""The composition root: configuration in, engine, unit of work, services and UI out.

Nothing else builds an engine or wires services; the desktop UI receives only the token-checked
`Gateway`, never the engine, a session factory or a service that takes no token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from studentres_desktop.domain.connection import ConnectionFailed, ConnectionProblem
from studentres_desktop.domain.errors import DomainError, SchemaNotReady
from studentres_desktop.persistence.db_errors import connection_problem
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import SchemaReport, ensure_schema, inspect_schema
from studentres_desktop.persistence.uow import UnitOfWork, prune_operations
from studentres_desktop.services.auth import AuthService, ThrottlePolicy
from studentres_desktop.services.calendar import CalendarService
from studentres_desktop.services.catalogue import CatalogueService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.desk import DeskReports, DeskService
from studentres_desktop.services.interests import InterestService
from studentres_desktop.services.passwords import PasswordHasher
from studentres_desktop.services.plan import PlanService, machine_zone
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.recommendations.embedder import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    Embedder,
    ModelChoice,
)
from studentres_desktop.services.resources import ResourceService
from studentres_desktop.services.session_api import ConnectionAdmin, Gateway, SessionServices
from studentres_desktop.services.tokens import TokenService

if TYPE_CHECKING:  # the CLI builds services without loading Qt
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from studentres_desktop.ui.shell import Shell

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Every service over one engine: for the CLI, the tests and the gateway built from them."""

    engine: Engine
    tokens: TokenService
    auth: AuthService
    interests: InterestService
    resources: ResourceService
    catalogue: CatalogueService
    recommendations: RecommendationService
    plan: PlanService
    calendar: CalendarService
    desk: DeskService
    reports: DeskReports

    def dispose(self) -> None:
        self.engine.dispose()


def build_services(
    database: DatabaseSettings,
    *,
    bcrypt_cost: int = 12,
    token_ttl: timedelta = timedelta(minutes=30),
    throttle: ThrottlePolicy | None = None,
    clock: Clock = utc_now,
    recommender: str = "auto",
    recommendation_model: ModelChoice = DEFAULT_MODEL,
    embedder_loader: Callable[[], Embedder] | None = None,
    multilingual_model: ModelChoice | None = MULTILINGUAL_MODEL,
    multilingual_loader: Callable[[], Embedder] | None = None,
    site_zone: tzinfo | None = None,
) -> Services:
    """Wire engine, unit of work and services; opens no connection yet."""
    engine = create_database_engine(database)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(engine)

    tokens = TokenService(clock=clock, ttl=token_ttl)
    auth = AuthService(uow_factory, PasswordHasher(bcrypt_cost), tokens, throttle, clock)
    recommendations = RecommendationService(uow_factory, auth, clock, engine=recommender,
                                            model=recommendation_model,
                                            embedder_loader=embedder_loader,
                                            multilingual_model=multilingual_model,
                                            multilingual_loader=multilingual_loader)
    catalogue = CatalogueService(uow_factory, clock,
                                 on_catalogue_changed=recommendations.invalidate)
    zone = site_zone or machine_zone()
    return Services(
        engine=engine,
        tokens=tokens,
        auth=auth,
        interests=InterestService(uow_factory, auth),
        resources=ResourceService(uow_factory, auth, clock,
                                  on_catalogue_changed=recommendations.invalidate),
        catalogue=catalogue,
        recommendations=recommendations,
        plan=PlanService(uow_factory, auth, clock, zone),
        calendar=CalendarService(uow_factory, auth, zone, clock),
        desk=DeskService(uow_factory, auth, catalogue, recommendations, clock, zone),
        reports=DeskReports(uow_factory),
    )


def prepare_embedded_database(services: Services) -> bool:
    """Create or upgrade the embedded database and fill it on first use; True if filled now."""
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    if not services.catalogue.is_empty():
        return False
    added = services.catalogue.seed_demo()
    log.info("filled the embedded database with %d demo resources", added)
    return True


def check_database(services: Services) -> SchemaReport:
    """Connect and make sure the schema is the one this app expects (for configured servers)."""
    report = inspect_schema(services.engine)
    report.raise_unless_current()
    return report


def probe_database(database: DatabaseSettings) -> SchemaReport:
    """Connect once with these settings and check the schema; ConnectionFailed says why not."""
    engine = create_database_engine(database)
    try:
        try:
            engine.connect().close()
        except SQLAlchemyError as error:
            problem = connection_problem(error)
            log.warning("connection test failed: %s (errno %s)", problem.value,
                        getattr(getattr(error, "orig", None), "errno", None))
            raise ConnectionFailed(problem) from None
        report = inspect_schema(engine)
        try:
            report.raise_unless_current()
        except SchemaNotReady as error:
            raise ConnectionFailed(ConnectionProblem.SCHEMA_OUT_OF_DATE, str(error)) from None
        return report
    finally:
        engine.dispose()


def forget_old_operations(services: Services) -> None:
    """Prune the ids that make reruns of writes safe (a day old and more); best effort."""
    try:
        removed = prune_operations(lambda: UnitOfWork(services.engine),
                                   datetime.now(UTC).replace(tzinfo=None))
    except DomainError as error:
        log.info("old operation ids not pruned this time: %s", error)
    else:
        log.debug("pruned %d old operation ids", removed)


def build_gateway(services: Services, *, embedded: bool,
                  connection: ConnectionAdmin | None = None) -> Gateway:
    """The desktop's only way in: the embedded database fills itself, a server is checked."""

    def prepare() -> None:
        if embedded:
            prepare_embedded_database(services)
        else:
            check_database(services)
        forget_old_operations(services)

    return Gateway(SessionServices(services.auth, services.interests, services.resources,
                                   services.recommendations, services.plan, services.calendar,
                                   services.desk), prepare, connection)


def build_desktop(gateway: Gateway, settings: QSettings, *, log_file: Path | None = None,
                  clock: Clock = utc_now, kiosk_idle_timeout: timedelta | None = None) -> Shell:
    """The windows and their controllers over the gateway (Qt is loaded only here)."""
    from studentres_desktop.ui.shell import Shell

    return Shell(lambda: gateway, settings, log_file=log_file, clock=clock,
                 kiosk_idle_timeout=kiosk_idle_timeout)
