"""Recommendations: pick the best engine available, keep embeddings and the snapshot current.

The model is needed only to compute vectors (reindex, or an advisor's kiosk with the [semantic]
extra); every workstation ranks from the vectors stored in the database, and the demo catalogue's
come with the package (bundled.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from studentres_desktop.domain.errors import NotFound, ValidationError
from studentres_desktop.domain.models import (
    EngineStatus,
    Interest,
    Recommendation,
    Recommendations,
    Resource,
    ResourceKind,
    Student,
)
from studentres_desktop.persistence.embeddings import CatalogueFingerprint
from studentres_desktop.persistence.uow import UnitOfWork, UnitOfWorkFactory, read_with_retry
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.bundled import VectorBundle, load_bundle_for
from studentres_desktop.services.recommendations.embedder import (
    DEFAULT_MODEL,
    MODEL_NAME,
    Embedder,
    ModelChoice,
    load_embedder,
    semantic_installed,
)
from studentres_desktop.services.recommendations.engines import (
    Engine,
    LexicalEngine,
    PartKind,
    QueryPart,
    RecommendationQuery,
    SemanticEngine,
    Snapshot,
    TagsEngine,
    attach_common_direction,
)
from studentres_desktop.services.recommendations.stored import ModelVectors, Progress
from studentres_desktop.services.recommendations.text import tokens
from studentres_desktop.services.validation import SEARCH_MAX, check_tag, check_text

log = logging.getLogger(__name__)

ENGINES = ("tags", "lexical", "semantic")
AUTO = "auto"
MAX_LIMIT = 100
# The app embeds missing resources itself up to this many; larger catalogues use the CLI.
AUTO_INDEX_LIMIT = 2000
# The multilingual model is on every workstation, not only on the computers that change the
# catalogue (those with the main model, which embed up to AUTO_INDEX_LIMIT with both): a
# workstation embeds an advisor's few edits (about 0.2 s a resource), never an import, which
# waits for `reindex` or such a computer (meanwhile matched by keywords for such goals).
MULTILINGUAL_AUTO_INDEX_LIMIT = 50
REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class ReindexReport:
    computed: int
    unchanged: int
    removed: int


ENGINE_LABELS = {
    "tags": "Exact interest match",
    "lexical": "Keyword ranking (BM25)",
    "semantic": f"Semantic ranking ({MODEL_NAME})",
}
FREE_TEXT_BY_KEYWORDS = ("What you want to learn is matched by its words, not its meaning: the "
                         "language model is not installed on this computer.")


class RecommendationService:
    """Ranks the catalogue for a student, for free text, or like a given resource.

    `engine="auto"` uses `semantic` when the model is installed or the catalogue has vectors of
    `model` stored, and `lexical` otherwise (said once in the log and in the note). Vectors are
    stored per model: another model never ranks with them, and changing it re-embeds (here, for
    small catalogues; with `reindex` for large ones). Preparing loads the model lazily: call
    `prepare()` off the UI thread.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        clock: Clock = utc_now,
        *,
        engine: str = AUTO,
        model: ModelChoice = DEFAULT_MODEL,
        embedder_loader: Callable[[], Embedder] | None = None,
        auto_index_limit: int = AUTO_INDEX_LIMIT,
        bundle_loader: Callable[[ModelChoice], VectorBundle | None] = load_bundle_for,
        multilingual_model: ModelChoice | None = None,
        multilingual_loader: Callable[[], Embedder] | None = None,
    ) -> None:
        if engine not in (AUTO, *ENGINES):
            raise ValueError(f"unknown engine {engine!r}")
        self._uow = uow_factory
        self._auth = auth
        self._clock = clock
        self._preferred = engine
        self._model = model
        self._labels = {**ENGINE_LABELS, "semantic": f"Semantic ranking ({model.name})"}
        self._main = ModelVectors(uow_factory, model,
                                  embedder_loader or (lambda: load_embedder(model)),
                                  lambda: bundle_loader(model))
        # The multilingual model reads goals written in Spanish, and every goal where the main
        # model is not installed: it needs no torch (see docs/recommendations.md).
        self._route: ModelVectors | None = None
        if multilingual_model is not None and multilingual_model.key != model.key:
            chosen = multilingual_model
            self._route = ModelVectors(
                uow_factory, chosen, multilingual_loader or (lambda: load_embedder(chosen)),
                lambda: bundle_loader(chosen))
        self._auto_index_limit = auto_index_limit
        self._lock = threading.RLock()
        self._lexical_said = False
        self._snapshot: Snapshot | None = None
        self._fingerprint: tuple[CatalogueFingerprint, ...] | None = None
        self._checked_at = 0.0
        self._stale = True
        self._vectors_stored = False  # the snapshot was built after storing missing vectors

    @property
    def model_name(self) -> str:
        """The model whose vectors rank the catalogue (the `[recommendations] model` setting)."""
        return self._model.name

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every model whose vectors this recommender keeps: the model, then the multilingual
        one when it is set."""
        return tuple(stored.model.name for stored in self._models())

    def _models(self) -> list[ModelVectors]:
        return [self._main] if self._route is None else [self._main, self._route]

    # --- engines --------------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Which engine ranks now (after prepare(); before it, what it will try)."""
        name = self._default_engine_name()
        snapshot = self._snapshot
        note = ""
        if name == "lexical" and self._preferred == AUTO and self._main.unavailable:
            note = (f"Semantic ranking is off: {self._main.unavailable}, and no vectors of "
                    f"{self._model.name} are stored for this catalogue. Using keyword ranking "
                    "instead; IT can run 'studentres-admin reindex'.")
        elif name == "semantic" and snapshot is not None and snapshot.missing_vectors:
            note = (f"{snapshot.missing_vectors} new or edited resources are matched by keywords "
                    "until IT runs 'studentres-admin reindex'.")
        return EngineStatus(name, self._labels[name], note)

    def _default_engine_name(self) -> str:
        if self._preferred != AUTO:
            return self._preferred
        if self._main.embedder is not None:
            return "semantic"
        snapshot = self._snapshot
        if snapshot is not None:
            return "semantic" if snapshot.has_vectors else "lexical"
        return "lexical" if self._main.tried or not semantic_installed(self._model) \
            else "semantic"

    def _ensure_embedder(self) -> Embedder | None:
        """Load the models this computer has (once); the main model, or None."""
        if self._preferred not in (AUTO, "semantic"):
            return None
        for stored in self._models():
            stored.ensure_embedder()
        return self._main.embedder

    def _route_encoder(self) -> Embedder | None:
        return None if self._route is None else self._route.embedder

    def _reads_free_text(self, snapshot: Snapshot) -> bool:
        """Whether a learning goal is read by its meaning here: by the model, or by the
        multilingual model over its stored vectors."""
        route = snapshot.route
        return self._main.embedder is not None or (
            self._route_encoder() is not None and route is not None and route.has_vectors)

    def _engine(self, name: str | None, snapshot: Snapshot) -> Engine:
        chosen = name or self._preferred
        if chosen == "tags":
            return TagsEngine()
        if chosen == "lexical":
            return LexicalEngine()
        embedder = self._ensure_embedder()
        if embedder is not None or snapshot.has_vectors:
            return SemanticEngine(embedder, self._route_encoder())
        if chosen == "semantic":
            raise ValidationError(
                "engine", f"semantic ranking needs vectors of {self._model.name}: run "
                "'studentres-admin reindex' on a computer with the [semantic] extra (pip install "
                "torch==2.13.0, then pip install '.[semantic]').")
        if not self._lexical_said:
            self._lexical_said = True
            log.warning("semantic recommendations unavailable (%s; no stored vectors of %s); "
                        "using lexical", self._main.unavailable or "no model", self._model.name)
        return LexicalEngine()

    # --- preparing ------------------------------------------------------------------------------

    def prepare(self, progress: Progress | None = None) -> EngineStatus:
        """Load the model if there is one, store missing vectors (the demo's from the package;
        computed for small catalogues when the model is here) and build the snapshot."""
        self._ensure_embedder()
        self._current_snapshot(force=True, progress=progress)
        return self.status()

    def invalidate(self) -> None:
        """The catalogue changed in this process: rebuild the snapshot before the next ranking."""
        self._stale = True

    def _current_snapshot(self, force: bool = False, progress: Progress | None = None,
                          *, store_vectors: bool = True) -> Snapshot:
        """The catalogue as the engines see it, rebuilt when it changed. `store_vectors=False`
        is for a ranking that needs no vectors (tags, lexical): it only reads, and the next
        ranking that needs them rebuilds the snapshot after storing what is missing."""
        with self._lock:
            now = time.monotonic()
            incomplete = store_vectors and not self._vectors_stored
            due = force or incomplete or self._stale or self._snapshot is None or (
                now - self._checked_at >= REFRESH_SECONDS)
            if not due:
                assert self._snapshot is not None
                return self._snapshot
            self._checked_at = now
            fingerprint = read_with_retry(self._uow, self._fingerprints)
            changed = self._stale or fingerprint != self._fingerprint
            if self._snapshot is not None and not changed and not force and not incomplete:
                return self._snapshot
            if store_vectors:
                # New and edited resources get their vectors first, where this computer can.
                vocabulary, resources, wrote = self._store_missing_vectors(progress)
                if wrote:
                    fingerprint = read_with_retry(self._uow, self._fingerprints)
            else:
                vocabulary, resources = read_with_retry(
                    self._uow, lambda uow: (uow.interests.list(), uow.catalogue.all_resources()))
            self._snapshot = self._build_snapshot(resources, vocabulary)
            self._fingerprint = fingerprint
            self._stale = False
            self._vectors_stored = store_vectors
            return self._snapshot

    def _build_snapshot(self, resources: list[Resource], vocabulary: list[Interest]) -> Snapshot:
        """The engines' view of the catalogue, from what the caller just read."""
        started = time.perf_counter()
        interests = {i.tag: i for i in vocabulary}
        documents = [tokens(_lexical_text(r, interests)) for r in resources]
        members: dict[str, list[int]] = {}
        for index, resource in enumerate(resources):
            for tag in resource.interest_tags:
                members.setdefault(tag, []).append(index)
        snapshot = Snapshot(
            resources=resources,
            interests=interests,
            bm25=BM25Index(documents),
            tag_members={tag: np.array(ids, dtype=np.int64) for tag, ids in members.items()},
        )
        self._main.attach(snapshot)
        if self._route is not None:
            snapshot.route = snapshot.sibling()
            self._route.attach(snapshot.route, lead_only=True)
            attach_common_direction(snapshot)  # the feedback reads the main model's by topic
        log.info("recommendation snapshot: %d resources (%d with vectors of %s%s) in %.1f s",
                 len(resources), snapshot.indexed_count, self._model.name,
                 "" if snapshot.route is None else
                 f", {snapshot.route.indexed_count} of {self._route_name()}",
                 time.perf_counter() - started)
        return snapshot

    def _route_name(self) -> str:
        return "" if self._route is None else self._route.model.name

    def _fingerprints(self, uow: UnitOfWork) -> tuple[CatalogueFingerprint, ...]:
        return tuple(stored.fingerprint(uow) for stored in self._models())

    def _store_missing_vectors(self, progress: Progress | None
                               ) -> tuple[list[Interest], list[Resource], bool]:
        """Store the vectors this computer can provide, for each model (the main model's
        progress is reported; the multilingual model's demo vectors ship with the package)."""
        vocabulary, resources, wrote = self._main.store_missing(self._auto_index_limit, progress)
        if self._route is not None:
            limit = self._auto_index_limit if self._main.embedder is not None \
                else min(self._auto_index_limit, MULTILINGUAL_AUTO_INDEX_LIMIT)
            wrote = self._route.store_missing(limit, None)[2] or wrote
        return vocabulary, resources, wrote

    # --- embeddings -----------------------------------------------------------------------------

    def reindex(self, progress: Progress | None = None) -> ReindexReport:
        """Embed every resource whose text changed or that has none yet, with the model and,
        when set, the multilingual model (the admin CLI). `progress` counts both."""
        models = self._models()
        for stored in models:
            if stored.ensure_embedder() is None:
                raise ValidationError(
                    "recommendations.model" if stored is self._main
                    else "recommendations.multilingual_model",
                    f"{stored.model.name} cannot be loaded here "
                    f"({stored.unavailable or 'semantic ranking is off'}); reindex needs it.")
        plans = []
        for stored in models:
            stored.store_interest_vectors()
            resources, missing = stored.missing()
            plans.append((stored, resources, stored.store_bundled(missing)))
        total = sum(len(missing) for _, _, missing in plans)
        if progress is not None:
            progress(0, total)
        computed = removed = offset = 0
        for stored, resources, missing in plans:
            embedder = stored.embedder
            assert embedder is not None
            counted = None if progress is None else (
                lambda done, _total, before=offset: progress(before + done, total))
            computed += stored.embed(embedder, missing, counted)
            offset += len(missing)
            removed += stored.delete_orphans([(r.row_id, r.kind) for r in resources])
        self.invalidate()
        resources = plans[0][1]
        return ReindexReport(computed, len(resources) - len(plans[0][2]), removed)

    def all_resources(self) -> list[Resource]:
        """Every resource as the recommender sees it, in catalogue order (evaluation, CLI)."""
        return read_with_retry(self._uow, lambda uow: uow.catalogue.all_resources())

    # --- queries --------------------------------------------------------------------------------

    def for_student(self, token: str, limit: int = 20, engine: str | None = None
                    ) -> Recommendations:
        """'Recommended for you': the student's interests and learning goal."""
        student = self._auth.current_student(token)
        return self.recommend(self.query_for(student=student), engine=engine, limit=limit)

    def more_like(self, token: str, row_id: int, kind: ResourceKind, limit: int = 20,
                  engine: str | None = None) -> Recommendations:
        self._auth.authenticate(token)
        snapshot = self._current_snapshot()
        source = next((r for r in snapshot.resources if (r.row_id, r.kind) == (row_id, kind)),
                      None)
        if source is None:
            raise NotFound("This resource no longer exists.")
        part = QueryPart(PartKind.RESOURCE, source.title,
                         f"{source.title}\n{source.description}".strip(), resource=(row_id, kind))
        query = RecommendationQuery((part,), exclude=frozenset({(row_id, kind)}))
        chosen = engine or (self._preferred if self._preferred != "tags" else AUTO)
        return self.recommend(query, engine=chosen, limit=limit)

    def query_for(
        self,
        *,
        student: Student | None = None,
        interests: Sequence[str] = (),
        text: str = "",
    ) -> RecommendationQuery:
        """A query from a student's profile, interest tags and/or free text (they combine)."""
        tags = list(dict.fromkeys([*(student.interests if student else ()),
                                   *(check_tag(t) for t in interests)]))
        listed = read_with_retry(self._uow, lambda uow: uow.interests.list())
        vocabulary = {interest.tag: interest for interest in listed}
        unknown = [t for t in tags if t not in vocabulary]
        if unknown:
            raise ValidationError("interests", f"Unknown interest: {', '.join(unknown)}.")
        parts = [QueryPart(PartKind.INTEREST, vocabulary[t].label,
                           f"{vocabulary[t].label}. {vocabulary[t].description}", t)
                 for t in tags]
        goal = student.learning_goal.strip() if student else ""
        if goal:
            parts.append(QueryPart(PartKind.GOAL, goal, goal))
        text = check_text("text", text, max_length=SEARCH_MAX, required=False).strip()
        if text:
            parts.append(QueryPart(PartKind.TEXT, text, text))
        if not parts:
            raise ValidationError("query", "Give at least one interest or some text.")
        return RecommendationQuery(tuple(parts), tuple(tags))

    def recommend(self, query: RecommendationQuery, engine: str | None = None,
                  limit: int = 10) -> Recommendations:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError("limit", f"must be between 1 and {MAX_LIMIT}.")
        chosen = engine or self._preferred
        if chosen not in (AUTO, *ENGINES):
            raise ValidationError("engine", f"must be one of: {', '.join(ENGINES)}.")
        needs_vectors = chosen in (AUTO, "semantic")
        if needs_vectors:
            self._ensure_embedder()  # before the snapshot, which then embeds what it can
        snapshot = self._current_snapshot(store_vectors=needs_vectors)
        ranker = self._engine(chosen, snapshot)
        ranked = ranker.rank(snapshot, query, limit)
        items = tuple(Recommendation(snapshot.resources[s.index], round(s.score, 4), s.reason)
                      for s in ranked)
        status = self.status()
        notes = [status.note] if ranker.name == status.engine and status.note else []
        if isinstance(ranker, SemanticEngine) and not self._reads_free_text(snapshot) and any(
                part.kind in (PartKind.GOAL, PartKind.TEXT) for part in query.parts):
            notes.append(FREE_TEXT_BY_KEYWORDS)
        label = self._labels[ranker.name]
        if isinstance(ranker, SemanticEngine) and any(
                ranker.routed(snapshot, part) for part in query.parts):
            label = f"Semantic ranking ({self._model.name}; your goal read by {self._route_name()})"
        return Recommendations(ranker.name, label, items, " ".join(notes))


def _lexical_text(resource: Resource, interests: dict[str, Interest]) -> str:
    labels = " ".join(interests[t].label if t in interests else t for t in resource.interest_tags)
    return f"{resource.title}\n{resource.description}\n{labels}"

