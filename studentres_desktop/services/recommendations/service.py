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
from functools import partial

import numpy as np
import numpy.typing as npt

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
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services.auth import AuthService
from studentres_desktop.services.clock import Clock, utc_now
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.bundled import VectorBundle, load_bundle
from studentres_desktop.services.recommendations.embedder import (
    CHUNK_TOKENS,
    DEFAULT_MODEL,
    MODEL_KEY,
    MODEL_NAME,
    Embedder,
    ModelChoice,
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
    attach_interest_similarities,
    combine_vectors,
    lead_vector,
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
STORE_BATCH = 500

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
        bundle_loader: Callable[[], VectorBundle | None] = load_bundle,
    ) -> None:
        if engine not in (AUTO, *ENGINES):
            raise ValueError(f"unknown engine {engine!r}")
        self._uow = uow_factory
        self._auth = auth
        self._clock = clock
        self._preferred = engine
        self._model = model
        self._key = model.key
        self._labels = {**ENGINE_LABELS, "semantic": f"Semantic ranking ({model.name})"}
        self._load_embedder = embedder_loader or (lambda: load_embedder(model))
        self._auto_index_limit = auto_index_limit
        self._load_bundle = bundle_loader
        self._bundle: VectorBundle | None = None
        self._bundle_read = False
        self._lock = threading.RLock()
        self._embedder: Embedder | None = None
        self._unavailable = ""  # why the model could not be loaded
        self._lexical_said = False
        self._embedder_tried = False
        self._snapshot: Snapshot | None = None
        self._fingerprint: CatalogueFingerprint | None = None
        self._checked_at = 0.0
        self._stale = True
        self._vectors_stored = False  # the snapshot was built after storing missing vectors

    @property
    def model_name(self) -> str:
        """The model whose vectors rank the catalogue (the `[recommendations] model` setting)."""
        return self._model.name

    # --- engines --------------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Which engine ranks now (after prepare(); before it, what it will try)."""
        name = self._default_engine_name()
        snapshot = self._snapshot
        note = ""
        if name == "lexical" and self._preferred == AUTO and self._unavailable:
            note = (f"Semantic ranking is off: {self._unavailable}, and no vectors of "
                    f"{self._model.name} are stored for this catalogue. Using keyword ranking "
                    "instead; IT can run 'studentres-admin reindex'.")
        elif name == "semantic" and snapshot is not None and snapshot.missing_vectors:
            note = (f"{snapshot.missing_vectors} new or edited resources are matched by keywords "
                    "until IT runs 'studentres-admin reindex'.")
        return EngineStatus(name, self._labels[name], note)

    def _default_engine_name(self) -> str:
        if self._preferred != AUTO:
            return self._preferred
        if self._embedder is not None:
            return "semantic"
        snapshot = self._snapshot
        if snapshot is not None:
            return "semantic" if snapshot.has_vectors else "lexical"
        return "lexical" if self._embedder_tried or not semantic_installed(self._model) \
            else "semantic"

    def _ensure_embedder(self) -> Embedder | None:
        with self._lock:
            if not self._embedder_tried and self._preferred in (AUTO, "semantic"):
                self._embedder_tried = True
                try:
                    self._embedder = self._load_embedder()
                except SemanticUnavailable as error:
                    self._unavailable = str(error)
                    log.info("no sentence model here (%s): ranking from stored vectors of %s, "
                             "free text by keywords", error, self._model.name)
            return self._embedder

    def _engine(self, name: str | None, snapshot: Snapshot) -> Engine:
        chosen = name or self._preferred
        if chosen == "tags":
            return TagsEngine()
        if chosen == "lexical":
            return LexicalEngine()
        embedder = self._ensure_embedder()
        if embedder is not None or snapshot.has_vectors:
            return SemanticEngine(embedder)
        if chosen == "semantic":
            raise ValidationError(
                "engine", f"semantic ranking needs vectors of {self._model.name}: run "
                "'studentres-admin reindex' on a computer with the [semantic] extra (pip install "
                "torch==2.13.0, then pip install '.[semantic]').")
        if not self._lexical_said:
            self._lexical_said = True
            log.warning("semantic recommendations unavailable (%s; no stored vectors of %s); "
                        "using lexical", self._unavailable or "no model", self._model.name)
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
            fingerprint = read_with_retry(self._uow, lambda uow: uow.catalogue.fingerprint(
                self._key))
            changed = self._stale or fingerprint != self._fingerprint
            if self._snapshot is not None and not changed and not force and not incomplete:
                return self._snapshot
            if store_vectors:
                # New and edited resources get their vectors first, where this computer can.
                vocabulary, resources, wrote = self._store_missing_vectors(progress)
                if wrote:
                    fingerprint = read_with_retry(
                        self._uow, lambda uow: uow.catalogue.fingerprint(self._key))
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
        self._attach_vectors(snapshot)
        log.info("recommendation snapshot: %d resources (%d with vectors of %s) in %.1f s",
                 len(resources), snapshot.indexed_count, self._model.name,
                 time.perf_counter() - started)
        return snapshot

    def _attach_vectors(self, snapshot: Snapshot) -> None:
        """Read the stored vectors of this model: one combined row per resource that has them.

        Rows of another width than the model's (or, without the model, than the first row) are
        left out rather than mixed in."""
        position = snapshot.position
        expected = self._embedder.dimensions if self._embedder is not None else None

        def read(uow: UnitOfWork) -> tuple[Vector | None, Vector | None, npt.NDArray[np.bool_],
                                           dict[str, tuple[str, bytes]]]:
            matrix: Vector | None = None
            lead: Vector | None = None
            indexed = np.zeros(snapshot.size, dtype=bool)
            for stored in uow.catalogue.vectors(self._key):
                index = position.get((stored.row_id, stored.kind))
                if index is None:
                    continue
                if matrix is None and stored.dimensions == (expected or stored.dimensions):
                    matrix = np.zeros((snapshot.size, stored.dimensions), dtype=np.float32)
                    lead = np.zeros_like(matrix)
                if matrix is None or stored.dimensions != matrix.shape[1]:
                    continue
                rows = np.frombuffer(stored.vectors, dtype=np.float32).reshape(
                    stored.chunks + 1, stored.dimensions)
                matrix[index] = combine_vectors(rows[0], rows[1:])
                assert lead is not None
                lead[index] = lead_vector(rows[0], rows[1:])
                indexed[index] = True
            return matrix, lead, indexed, uow.catalogue.interest_vectors(self._key)

        matrix, lead, indexed, interest_rows = read_with_retry(self._uow, read)
        width = matrix.shape[1] if matrix is not None else expected
        snapshot.interest_vectors = {
            tag: np.frombuffer(vector, dtype=np.float32).copy()
            for tag, (_hash, vector) in interest_rows.items()
            if tag in snapshot.interests and (width is None or len(vector) == 4 * width)
        }
        snapshot.indexed = indexed
        if matrix is not None:
            snapshot.vectors, snapshot.lead_vectors = matrix, lead
            attach_interest_similarities(snapshot)

    # --- embeddings -----------------------------------------------------------------------------

    def _store_missing_vectors(self, progress: Progress | None
                               ) -> tuple[list[Interest], list[Resource], bool]:
        """Store the vectors this computer can provide for what has none or outdated ones: the
        bundled demo vectors, and with the model everything in a small catalogue.

        Returns the interests, the resources and whether any vectors were written."""
        vocabulary, wrote = self._store_interest_vectors()
        resources, missing = self._missing()
        still_missing = self._store_bundled(missing)
        wrote = wrote or len(still_missing) < len(missing)
        if self._embedder is not None and 0 < len(still_missing) <= self._auto_index_limit:
            self._embed(self._embedder, still_missing, progress)
            wrote = True
        return vocabulary, resources, wrote

    def _missing(self) -> tuple[list[Resource], list[Resource]]:
        """Every resource, and those whose vectors are missing or were made from other text."""

        def read(uow: UnitOfWork) -> tuple[list[Resource], dict[tuple[int, ResourceKind], str]]:
            return uow.catalogue.all_resources(), uow.catalogue.stored_hashes(self._key)

        resources, stored = read_with_retry(self._uow, read)
        missing = [r for r in resources
                   if stored.get((r.row_id, r.kind)) != resource_text_hash(r, self._key)]
        return resources, missing

    def _usable_bundle(self) -> VectorBundle | None:
        """The shipped demo vectors, when they come from this service's model."""
        if not self._bundle_read:
            self._bundle_read = True
            self._bundle = self._load_bundle()
        bundle = self._bundle
        if bundle is None or bundle.model_key != self._key or (
                self._embedder is not None and bundle.dimensions != self._embedder.dimensions):
            return None
        return bundle

    def _store_bundled(self, missing: list[Resource]) -> list[Resource]:
        """Store the shipped vectors of missing resources; returns those still missing."""
        bundle = self._usable_bundle() if missing else None
        if bundle is None:
            return missing
        found, rest = [], []
        for resource in missing:
            digest = resource_text_hash(resource, self._key)
            shipped = bundle.resources.get(digest)
            if shipped is None:
                rest.append(resource)
            else:
                found.append(StoredVectors(resource.row_id, resource.kind, digest,
                                           bundle.dimensions, shipped.chunks, shipped.vectors))
        for start in range(0, len(found), STORE_BATCH):
            run_write(self._uow, partial(self._save_vectors, found[start:start + STORE_BATCH]))
        if found:
            log.info("stored the bundled vectors of %d demo resources", len(found))
        return rest

    def _embed(self, embedder: Embedder, resources: Sequence[Resource],
               progress: Progress | None) -> int:
        """Compute and store vectors in batches, each committed: an interruption keeps them."""
        done = 0
        for start in range(0, len(resources), BATCH):
            batch = resources[start:start + BATCH]
            items = [self._vectors_for(embedder, r) for r in batch]
            run_write(self._uow, partial(self._save_vectors, items))
            done += len(batch)
            if progress is not None:
                progress(done, len(resources))
        return done

    def _save_vectors(self, items: Sequence[StoredVectors], uow: UnitOfWork) -> None:
        uow.catalogue.save_vectors(self._key, items)

    def _save_interest_vector(self, tag: str, digest: str, width: int, vector: bytes,
                              uow: UnitOfWork) -> None:
        uow.catalogue.save_interest_vector(self._key, tag, digest, width, vector)

    def _vectors_for(self, embedder: Embedder, resource: Resource) -> StoredVectors:
        rows = resource_vectors(embedder, resource)
        return StoredVectors(resource.row_id, resource.kind,
                             resource_text_hash(resource, self._key), embedder.dimensions,
                             len(rows) - 1, rows.tobytes())

    def _store_interest_vectors(self) -> tuple[list[Interest], bool]:
        """Give each interest a current vector: computed with the model, else shipped."""

        def read(uow: UnitOfWork) -> tuple[list[Interest], dict[str, tuple[str, bytes]]]:
            return uow.interests.list(), uow.catalogue.interest_vectors(self._key)

        vocabulary, stored = read_with_retry(self._uow, read)
        embedder = self._embedder
        bundle = None if embedder is not None else self._usable_bundle()
        wrote = False
        for interest in vocabulary:
            digest = interest_text_hash(interest, self._key)
            current, vector_bytes = stored.get(interest.tag, ("", b""))
            if current == digest and (embedder is None
                                      or len(vector_bytes) == 4 * embedder.dimensions):
                continue
            if embedder is not None:
                vector, width = interest_vector(embedder, interest).tobytes(), embedder.dimensions
            elif bundle is not None and digest in bundle.interests:
                vector, width = bundle.interests[digest], bundle.dimensions
            else:
                continue
            run_write(self._uow, partial(self._save_interest_vector, interest.tag, digest, width,
                                         vector))
            wrote = True
        return vocabulary, wrote

    def reindex(self, progress: Progress | None = None) -> ReindexReport:
        """Embed every resource whose text changed or that has none yet (the admin CLI)."""
        embedder = self._ensure_embedder()
        if embedder is None:
            raise ValidationError(
                "recommendations.model", f"{self._model.name} cannot be loaded here "
                f"({self._unavailable or 'semantic ranking is off'}); reindex needs it.")
        self._store_interest_vectors()
        resources, missing = self._missing()
        missing = self._store_bundled(missing)
        if progress is not None:
            progress(0, len(missing))
        computed = self._embed(embedder, missing, progress)
        live = [(r.row_id, r.kind) for r in resources]
        removed = run_write(self._uow, lambda uow: uow.catalogue.delete_orphans(self._key, live))
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
        if isinstance(ranker, SemanticEngine) and self._embedder is None and any(
                part.kind in (PartKind.GOAL, PartKind.TEXT) for part in query.parts):
            notes.append(FREE_TEXT_BY_KEYWORDS)
        return Recommendations(ranker.name, self._labels[ranker.name], items, " ".join(notes))


def interest_vector(embedder: Embedder, interest: Interest) -> Vector:
    """An interest as a query: the normalised sum of its label's and description's embeddings."""
    texts = [interest.label, interest.description or interest.label]
    summed = embedder.encode(texts).sum(axis=0)
    return np.asarray(summed / max(float(np.linalg.norm(summed)), 1e-12), dtype=np.float32)


def resource_vectors(embedder: Embedder, resource: Resource) -> Vector:
    """A resource's rows to store: its title, then its description in chunks of whole
    sentences."""
    chunks = pack_chunks(resource.description, embedder.count_tokens, CHUNK_TOKENS)
    rows = embedder.encode([resource.title or resource.kind.label, *chunks])
    return np.asarray(rows, dtype=np.float32)


def resource_text_hash(resource: Resource, key: str = MODEL_KEY) -> str:
    """The hash stored with a resource's vectors: they are current while it matches."""
    return text_hash(key, resource.title, resource.description)


def interest_text_hash(interest: Interest, key: str = MODEL_KEY) -> str:
    return text_hash(key, interest.label, interest.description)


def _lexical_text(resource: Resource, interests: dict[str, Interest]) -> str:
    labels = " ".join(interests[t].label if t in interests else t for t in resource.interest_tags)
    return f"{resource.title}\n{resource.description}\n{labels}"

