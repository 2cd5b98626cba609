"""One model's vectors in the database: keeping them current and reading them into a snapshot.

The recommender keeps the vectors of its model (`[recommendations] model`) and, when set, of a
multilingual model that reads learning goals written in Spanish and, on a computer without the
main model, every learning goal (`[recommendations] multilingual_model`). Each is a ModelVectors:
its model is loaded only where this computer has it, the demo's shipped vectors are stored
without it, and everything else waits for a reindex.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import numpy.typing as npt

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.persistence.embeddings import CatalogueFingerprint, StoredVectors
from studentres_desktop.persistence.uow import (
    UnitOfWork,
    UnitOfWorkFactory,
    read_with_retry,
    run_write,
)
from studentres_desktop.services.recommendations.bundled import VectorBundle
from studentres_desktop.services.recommendations.embedder import (
    CHUNK_TOKENS,
    MODEL_KEY,
    Embedder,
    ModelChoice,
    SemanticUnavailable,
)
from studentres_desktop.services.recommendations.engines import (
    Snapshot,
    Vector,
    attach_interest_similarities,
    combine_vectors,
    lead_vector,
)
from studentres_desktop.services.recommendations.text import pack_chunks, text_hash

log = logging.getLogger(__name__)

BATCH = 32
STORE_BATCH = 500

Progress = Callable[[int, int], None]


class ModelVectors:
    """The stored vectors of one model, and the model itself where this computer has it."""

    def __init__(self, uow_factory: UnitOfWorkFactory, model: ModelChoice,
                 load_embedder: Callable[[], Embedder],
                 load_bundle: Callable[[], VectorBundle | None]) -> None:
        self._uow = uow_factory
        self.model = model
        self.key = model.key
        self._load_embedder = load_embedder
        self._load_bundle = load_bundle
        self._bundle: VectorBundle | None = None
        self._bundle_read = False
        self._lock = threading.Lock()
        self.embedder: Embedder | None = None
        self.unavailable = ""  # why the model could not be loaded
        self.tried = False

    def ensure_embedder(self) -> Embedder | None:
        """Load the model once; None (and `unavailable` says why) where it is not installed."""
        with self._lock:
            if not self.tried:
                self.tried = True
                try:
                    self.embedder = self._load_embedder()
                except SemanticUnavailable as error:
                    self.unavailable = str(error)
                    log.info("no %s here (%s): ranking from its stored vectors, free text by "
                             "other means", self.model.name, error)
            return self.embedder

    def fingerprint(self, uow: UnitOfWork) -> CatalogueFingerprint:
        return uow.catalogue.fingerprint(self.key)

    # --- storing ----------------------------------------------------------------------------------

    def store_missing(self, auto_index_limit: int, progress: Progress | None
                      ) -> tuple[list[Interest], list[Resource], bool]:
        """Store the vectors this computer can provide for what has none or outdated ones: the
        bundled demo vectors, and with the model everything in a catalogue of up to
        `auto_index_limit` missing resources.

        Returns the interests, the resources and whether any vectors were written."""
        vocabulary, wrote = self.store_interest_vectors()
        resources, missing = self.missing()
        still_missing = self.store_bundled(missing)
        wrote = wrote or len(still_missing) < len(missing)
        if self.embedder is not None and 0 < len(still_missing) <= auto_index_limit:
            self.embed(self.embedder, still_missing, progress)
            wrote = True
        return vocabulary, resources, wrote

    def missing(self) -> tuple[list[Resource], list[Resource]]:
        """Every resource, and those whose vectors are missing or were made from other text."""

        def read(uow: UnitOfWork) -> tuple[list[Resource], dict[tuple[int, ResourceKind], str]]:
            return uow.catalogue.all_resources(), uow.catalogue.stored_hashes(self.key)

        resources, stored = read_with_retry(self._uow, read)
        missing = [r for r in resources
                   if stored.get((r.row_id, r.kind)) != resource_text_hash(r, self.key)]
        return resources, missing

    def _usable_bundle(self) -> VectorBundle | None:
        """The shipped demo vectors, when they come from this model."""
        if not self._bundle_read:
            self._bundle_read = True
            self._bundle = self._load_bundle()
        bundle = self._bundle
        if bundle is None or bundle.model_key != self.key or (
                self.embedder is not None and bundle.dimensions != self.embedder.dimensions):
            return None
        return bundle

    def store_bundled(self, missing: list[Resource]) -> list[Resource]:
        """Store the shipped vectors of missing resources; returns those still missing."""
        bundle = self._usable_bundle() if missing else None
        if bundle is None:
            return missing
        found, rest = [], []
        for resource in missing:
            digest = resource_text_hash(resource, self.key)
            shipped = bundle.resources.get(digest)
            if shipped is None:
                rest.append(resource)
            else:
                found.append(StoredVectors(resource.row_id, resource.kind, digest,
                                           bundle.dimensions, shipped.chunks, shipped.vectors))
        for start in range(0, len(found), STORE_BATCH):
            run_write(self._uow, partial(self._save_vectors, found[start:start + STORE_BATCH]))
        if found:
            log.info("stored the bundled %s vectors of %d demo resources", self.model.name,
                     len(found))
        return rest

    def embed(self, embedder: Embedder, resources: Sequence[Resource],
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

    def delete_orphans(self, live: Sequence[tuple[int, ResourceKind]]) -> int:
        return run_write(self._uow, lambda uow: uow.catalogue.delete_orphans(self.key, live))

    def _save_vectors(self, items: Sequence[StoredVectors], uow: UnitOfWork) -> None:
        uow.catalogue.save_vectors(self.key, items)

    def _save_interest_vector(self, tag: str, digest: str, width: int, vector: bytes,
                              uow: UnitOfWork) -> None:
        uow.catalogue.save_interest_vector(self.key, tag, digest, width, vector)

    def _vectors_for(self, embedder: Embedder, resource: Resource) -> StoredVectors:
        rows = resource_vectors(embedder, resource)
        return StoredVectors(resource.row_id, resource.kind,
                             resource_text_hash(resource, self.key), embedder.dimensions,
                             len(rows) - 1, rows.tobytes())

    def store_interest_vectors(self) -> tuple[list[Interest], bool]:
        """Give each interest a current vector: shipped with the package, else computed with
        the model."""

        def read(uow: UnitOfWork) -> tuple[list[Interest], dict[str, tuple[str, bytes]]]:
            return uow.interests.list(), uow.catalogue.interest_vectors(self.key)

        vocabulary, stored = read_with_retry(self._uow, read)
        embedder = self.embedder
        bundle = self._usable_bundle()
        wrote = False
        for interest in vocabulary:
            digest = interest_text_hash(interest, self.key)
            current, vector_bytes = stored.get(interest.tag, ("", b""))
            if current == digest and (embedder is None
                                      or len(vector_bytes) == 4 * embedder.dimensions):
                continue
            if bundle is not None and digest in bundle.interests:
                vector, width = bundle.interests[digest], bundle.dimensions
            elif embedder is not None:
                vector, width = interest_vector(embedder, interest).tobytes(), embedder.dimensions
            else:
                continue
            run_write(self._uow, partial(self._save_interest_vector, interest.tag, digest, width,
                                         vector))
            wrote = True
        return vocabulary, wrote

    # --- reading ----------------------------------------------------------------------------------

    def attach(self, snapshot: Snapshot, *, lead_only: bool = False) -> None:
        """Read this model's stored vectors into the snapshot: one combined row per resource
        that has them, and its lead row (title and first chunk). `lead_only`: the lead rows
        stand for both, for a model that only ranks free text (the multilingual one), which is
        matched against lead rows (half the memory: 154 MB less at 100,000 resources).

        Rows of another width than the model's (or, without the model, than the first row) are
        left out rather than mixed in."""
        position = snapshot.position
        expected = self.embedder.dimensions if self.embedder is not None else None

        def read(uow: UnitOfWork) -> tuple[Vector | None, Vector | None, npt.NDArray[np.bool_],
                                           dict[str, tuple[str, bytes]]]:
            matrix: Vector | None = None
            lead: Vector | None = None
            indexed = np.zeros(snapshot.size, dtype=bool)
            for stored in uow.catalogue.vectors(self.key):
                index = position.get((stored.row_id, stored.kind))
                if index is None:
                    continue
                if matrix is None and stored.dimensions == (expected or stored.dimensions):
                    lead = np.zeros((snapshot.size, stored.dimensions), dtype=np.float32)
                    matrix = lead if lead_only else np.zeros_like(lead)
                if matrix is None or stored.dimensions != matrix.shape[1]:
                    continue
                rows = np.frombuffer(stored.vectors, dtype=np.float32).reshape(
                    stored.chunks + 1, stored.dimensions)
                assert lead is not None
                lead[index] = lead_vector(rows[0], rows[1:])
                if not lead_only:
                    matrix[index] = combine_vectors(rows[0], rows[1:])
                indexed[index] = True
            return matrix, lead, indexed, uow.catalogue.interest_vectors(self.key)

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
