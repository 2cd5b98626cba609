"""The services one running app (or one CLI call) uses, built together from one configuration."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from studentres_desktop.domain.errors import SchemaNotReady
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.auth import AuthService, ThrottlePolicy
from studentres_desktop.services.catalogue import CatalogueService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.interests import InterestService
from studentres_desktop.services.passwords import PasswordHasher
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.recommendations.embedder import (
    DEFAULT_MODEL,
    Embedder,
    ModelChoice,
)
from studentres_desktop.services.resources import ResourceService
from studentres_desktop.services.tokens import TokenService

log = logging.getLogger(__name__)


@dataclass
class Services:
    engine: Engine
    tokens: TokenService
    auth: AuthService
    interests: InterestService
    resources: ResourceService
    catalogue: CatalogueService
    recommendations: RecommendationService

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
) -> Services:
    """Wire engine, unit of work and services; opens no connection yet."""
    engine = create_database_engine(database)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(engine)

    tokens = TokenService(clock=clock, ttl=token_ttl)
    auth = AuthService(uow_factory, PasswordHasher(bcrypt_cost), tokens, throttle, clock)
    recommendations = RecommendationService(uow_factory, auth, clock, engine=recommender,
                                            model=recommendation_model,
                                            embedder_loader=embedder_loader)
    return Services(
        engine=engine,
        tokens=tokens,
        auth=auth,
        interests=InterestService(uow_factory, auth),
        resources=ResourceService(uow_factory, auth, clock,
                                  on_catalogue_changed=recommendations.invalidate),
        catalogue=CatalogueService(uow_factory, clock,
                                   on_catalogue_changed=recommendations.invalidate),
        recommendations=recommendations,
    )


def prepare_embedded_database(services: Services) -> bool:
    """Create and fill the embedded demo database on first use; True if it was filled now."""
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    if not services.catalogue.is_empty():
        return False
    added = services.catalogue.seed_demo()
    log.info("filled the embedded database with %d demo resources", added)
    return True


def check_database(services: Services) -> None:
    """Connect and make sure the schema is the one this app expects (for configured servers)."""
    report = inspect_schema(services.engine)
    if not report.current:
        raise SchemaNotReady("; ".join(report.problems[:3]))
