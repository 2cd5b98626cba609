"""Recommendations: pick the best engine available, keep embeddings and the snapshot current."""

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
from studentres_desktop.persistence.embeddings import CatalogueFingerprint, StoredVectors
from studentres_desktop.persistence.uow import UnitOfWork, UnitOfWorkFactory, read_with_retry
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.embedder import (
    CHUNK_TOKENS,
    MODEL_KEY,
    MODEL_NAME,
    Embedder,
    SemanticUnavailable,
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
    Vector,
    combine_vectors,
    genericness,
)
from studentres_desktop.services.recommendations.text import pack_chunks, text_hash, tokens
from studentres_desktop.services.validation import SEARCH_MAX, check_tag, check_text

log = logging.getLogger(__name__)

ENGINES = ("tags", "lexical", "semantic")
AUTO = "auto"
MAX_LIMIT = 100
# The app embeds missing resources itself up to this many; larger catalogues use the CLI.
AUTO_INDEX_LIMIT = 2000
REFRESH_SECONDS = 10.0
BATCH = 32

Progress = Callable[[int, int], None]


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


class RecommendationService:
    """Ranks the catalogue for a student, for free text, or like a given resource.

    `engine="auto"` uses `semantic` when the [semantic] extra is installed and `lexical`
    otherwise (said once in the log). Preparing loads the model lazily: call `prepare()` off the
    UI thread.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        auth: AuthService,
        clock: Clock = utc_now,
        *,
        engine: str = AUTO,
        embedder_loader: Callable[[], Embedder] = load_embedder,
        auto_index_limit: int = AUTO_INDEX_LIMIT,
    ) -> None:
        if engine not in (AUTO, *ENGINES):
            raise ValueError(f"unknown engine {engine!r}")
        self._uow = uow_factory
        self._auth = auth
        self._clock = clock
        self._preferred = engine
        self._load_embedder = embedder_loader
        self._auto_index_limit = auto_index_limit
        self._lock = threading.RLock()
        self._embedder: Embedder | None = None
        self._semantic_note = ""
        self._embedder_tried = False
        self._snapshot: Snapshot | None = None
        self._fingerprint: CatalogueFingerprint | None = None
        self._checked_at = 0.0
        self._stale = True

    # --- engines --------------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Which engine ranks now (after prepare(); before it, what it will try)."""
        name = self._default_engine_name()
        note = self._semantic_note
        snapshot = self._snapshot
        if name == "semantic" and snapshot is not None and snapshot.missing_vectors:
            note = (f"{snapshot.missing_vectors} resources have no embedding yet; "
                    "ask IT to run 'studentres-admin reindex'.")
        return EngineStatus(name, ENGINE_LABELS[name], note)

    def _default_engine_name(self) -> str:
        if self._preferred != AUTO:
            return self._preferred
        if self._embedder is not None:
            return "semantic"
        return "lexical" if self._embedder_tried or not semantic_installed() else "semantic"

    def _ensure_embedder(self) -> Embedder | None:
        with self._lock:
            if not self._embedder_tried and self._preferred in (AUTO, "semantic"):
                self._embedder_tried = True
                try:
                    self._embedder = self._load_embedder()
                except SemanticUnavailable as error:
                    self._semantic_note = (
                        f"Semantic ranking is off: {error}. Using keyword ranking instead.")
                    log.warning("semantic recommendations unavailable (%s); using lexical", error)
            return self._embedder

    def _engine(self, name: str | None) -> Engine:
        chosen = name or self._preferred
        if chosen not in (AUTO, *ENGINES):
            raise ValidationError("engine", f"must be one of: {', '.join(ENGINES)}.")
        if chosen == "tags":
            return TagsEngine()
        if chosen == "lexical":
            return LexicalEngine()
        embedder = self._ensure_embedder()
        if embedder is not None:
            return SemanticEngine(embedder)
        if chosen == "semantic":
            raise ValidationError(
                "engine", "semantic needs the [semantic] extra: pip install torch==2.13.0, then "
                "pip install '.[semantic]'.")
        return LexicalEngine()

    # --- preparing ------------------------------------------------------------------------------

    def prepare(self, progress: Progress | None = None) -> EngineStatus:
        """Load the model if there is one, embed what is missing (small catalogues), snapshot."""
        embedder = self._ensure_embedder()
        if embedder is not None:
            self._sync_interest_vectors(embedder)
        self._current_snapshot(force=True, progress=progress)
        return self.status()

    def invalidate(self) -> None:
        """The catalogue changed in this process: rebuild the snapshot before the next ranking."""
        self._stale = True

    def _current_snapshot(self, force: bool = False, progress: Progress | None = None
                          ) -> Snapshot:
        with self._lock:
            now = time.monotonic()
            due = force or self._stale or self._snapshot is None or (
                now - self._checked_at >= REFRESH_SECONDS)
            if not due:
                assert self._snapshot is not None
                return self._snapshot
            self._checked_at = now
            fingerprint = read_with_retry(self._uow, lambda uow: uow.catalogue.fingerprint(
                MODEL_KEY))
            changed = self._stale or fingerprint != self._fingerprint
            if self._snapshot is not None and not changed and not force:
                return self._snapshot
            resources = None
            if self._embedder is not None:  # new and edited resources get their vectors first
                resources, missing = self._missing()
                if 0 < len(missing) <= self._auto_index_limit:
                    self._embed(self._embedder, missing, progress)
                    fingerprint = read_with_retry(
                        self._uow, lambda uow: uow.catalogue.fingerprint(MODEL_KEY))
            self._snapshot = self._build_snapshot(resources)
            self._fingerprint = fingerprint
            self._stale = False
            return self._snapshot

    def _build_snapshot(self, resources: list[Resource] | None) -> Snapshot:
        """The engines' view of the catalogue; `resources` when the caller just read them."""
        started = time.perf_counter()
        if resources is None:
            resources = self.all_resources()
        vocabulary = read_with_retry(self._uow, lambda uow: uow.interests.list())
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
        if self._embedder is not None:
            self._attach_vectors(snapshot, self._embedder)
        log.info("recommendation snapshot: %d resources in %.1f s", len(resources),
                 time.perf_counter() - started)
        return snapshot

    def _attach_vectors(self, snapshot: Snapshot, embedder: Embedder) -> None:
        position = {(r.row_id, r.kind): i for i, r in enumerate(snapshot.resources)}
        matrix = np.zeros((snapshot.size, embedder.dimensions), dtype=np.float32)
        found = 0

        def read(uow: UnitOfWork) -> tuple[int, dict[str, tuple[str, bytes]]]:
            count = 0
            for stored in uow.catalogue.vectors(MODEL_KEY):
                index = position.get((stored.row_id, stored.kind))
                if index is None:
                    continue
                rows = np.frombuffer(stored.vectors, dtype=np.float32).reshape(
                    stored.chunks + 1, stored.dimensions)
                matrix[index] = combine_vectors(rows[0], rows[1:])
                count += 1
            return count, uow.catalogue.interest_vectors(MODEL_KEY)

        found, interest_rows = read_with_retry(self._uow, read)
        snapshot.vectors = matrix
        snapshot.interest_vectors = {
            tag: np.frombuffer(vector, dtype=np.float32).copy()
            for tag, (_hash, vector) in interest_rows.items() if tag in snapshot.interests
        }
        snapshot.prior = genericness(matrix, list(snapshot.interest_vectors.values()))
        snapshot.missing_vectors = snapshot.size - found

    # --- embeddings -----------------------------------------------------------------------------

    def _missing(self) -> tuple[list[Resource], list[Resource]]:
        """Every resource, and those whose vectors are missing or were made from other text."""

        def read(uow: UnitOfWork) -> tuple[list[Resource], dict[tuple[int, ResourceKind], str]]:
            return uow.catalogue.all_resources(), uow.catalogue.stored_hashes(MODEL_KEY)

        resources, stored = read_with_retry(self._uow, read)
        missing = [r for r in resources if stored.get((r.row_id, r.kind)) != resource_text_hash(r)]
        return resources, missing

    def _embed(self, embedder: Embedder, resources: Sequence[Resource],
               progress: Progress | None) -> int:
        """Compute and store vectors in batches, each committed: an interruption keeps them."""
        done = 0
        for start in range(0, len(resources), BATCH):
            batch = resources[start:start + BATCH]
            items = [self._vectors_for(embedder, r) for r in batch]
            with self._uow() as uow:
                uow.catalogue.save_vectors(MODEL_KEY, items)
                uow.commit()
            done += len(batch)
            if progress is not None:
                progress(done, len(resources))
        return done

    @staticmethod
    def _vectors_for(embedder: Embedder, resource: Resource) -> StoredVectors:
        chunks = pack_chunks(resource.description, embedder.count_tokens, CHUNK_TOKENS)
        rows = embedder.encode([resource.title or resource.kind.label, *chunks])
        return StoredVectors(resource.row_id, resource.kind, resource_text_hash(resource),
                             embedder.dimensions, len(chunks), rows.astype(np.float32).tobytes())

    def _sync_interest_vectors(self, embedder: Embedder) -> None:
        def read(uow: UnitOfWork) -> tuple[list[Interest], dict[str, tuple[str, bytes]]]:
            return uow.interests.list(), uow.catalogue.interest_vectors(MODEL_KEY)

        vocabulary, stored = read_with_retry(self._uow, read)
        for interest in vocabulary:
            digest = text_hash(MODEL_KEY, interest.label, interest.description)
            if stored.get(interest.tag, ("", b""))[0] == digest:
                continue
            vector = interest_vector(embedder, interest)
            with self._uow() as uow:
                uow.catalogue.save_interest_vector(MODEL_KEY, interest.tag, digest,
                                                   embedder.dimensions, vector.tobytes())
                uow.commit()

    def reindex(self, progress: Progress | None = None) -> ReindexReport:
        """Embed every resource whose text changed or that has none yet (the admin CLI)."""
        embedder = self._ensure_embedder()
        if embedder is None:
            raise ValidationError("engine", self._semantic_note or "semantic is not available.")
        self._sync_interest_vectors(embedder)
        resources, missing = self._missing()
        if progress is not None:
            progress(0, len(missing))
        computed = self._embed(embedder, missing, progress)
        with self._uow() as uow:
            removed = uow.catalogue.delete_orphans(MODEL_KEY, [(r.row_id, r.kind)
                                                               for r in resources])
            uow.commit()
        self.invalidate()
        return ReindexReport(computed, len(resources) - len(missing), removed)

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
                         f"{source.title}\n{source.description}".strip())
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
        ranker = self._engine(engine)
        snapshot = self._current_snapshot()
        if isinstance(ranker, SemanticEngine) and snapshot.vectors is None:
            snapshot = self._current_snapshot(force=True)
        ranked = ranker.rank(snapshot, query, limit)
        items = tuple(Recommendation(snapshot.resources[s.index], round(s.score, 4), s.reason)
                      for s in ranked)
        status = self.status()
        note = status.note if ranker.name == status.engine else ""
        return Recommendations(ranker.name, ENGINE_LABELS[ranker.name], items, note)


def interest_vector(embedder: Embedder, interest: Interest) -> Vector:
    """An interest as a query: the normalised sum of its label's and description's embeddings."""
    texts = [interest.label, interest.description or interest.label]
    summed = embedder.encode(texts).sum(axis=0)
    return np.asarray(summed / max(float(np.linalg.norm(summed)), 1e-12), dtype=np.float32)


def resource_text_hash(resource: Resource) -> str:
    """The hash stored with a resource's vectors: they are current while it matches."""
    return text_hash(MODEL_KEY, resource.title, resource.description)


def _lexical_text(resource: Resource, interests: dict[str, Interest]) -> str:
    labels = " ".join(interests[t].label if t in interests else t for t in resource.interest_tags)
    return f"{resource.title}\n{resource.description}\n{labels}"

