"""Reading the whole catalogue for ranking, and storing sentence embeddings next to it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, tuple_

from studentres_desktop.domain.models import Resource, ResourceKind
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.rows import app_resource, legacy_items


@dataclass(frozen=True)
class CatalogueFingerprint:
    """Cheap to read; changes when resources are added, removed or edited through the app, when
    the interest vocabulary changes, or when embeddings are (re)computed elsewhere."""

    rows: int
    last_id: int
    last_update: datetime | None
    interests: int
    embeddings: int


@dataclass(frozen=True)
class StoredVectors:
    row_id: int
    kind: ResourceKind
    text_hash: str
    dimensions: int
    chunks: int
    vectors: bytes


class CatalogueIndexRepository:
    """What the recommender reads and writes; the browse queries live in ResourceRepository."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def fingerprint(self, model: str) -> CatalogueFingerprint:
        r = t.interest_resources
        rows, last_id, last_update = self._conn.execute(
            select(func.count(), func.max(r.c.id), func.max(r.c.updated_at))
        ).one()
        interests = self._conn.execute(select(func.count()).select_from(t.interests)).scalar_one()
        embeddings = self._conn.execute(
            select(func.count()).select_from(t.resource_embeddings)
            .where(t.resource_embeddings.c.model == model)
        ).scalar_one()
        return CatalogueFingerprint(int(rows), int(last_id or 0), last_update, int(interests),
                                    int(embeddings))

    def all_resources(self) -> list[Resource]:
        """Every resource in the catalogue, original-style rows expanded into their items."""
        r = t.interest_resources
        tags: dict[int, list[str]] = {}
        for link in self._conn.execute(
            select(t.resource_interests.c.resource_id, t.resource_interests.c.interest_tag)
            .order_by(t.resource_interests.c.resource_id, t.resource_interests.c.interest_tag)
        ):
            tags.setdefault(link.resource_id, []).append(link.interest_tag)
        found: list[Resource] = []
        for row in self._conn.execute(select(r).order_by(r.c.id)):
            if row.kind is None:
                found += legacy_items(row)
            else:
                found.append(app_resource(row, tags.get(row.id, ())))
        return found

    # --- resource embeddings --------------------------------------------------------------------

    def stored_hashes(self, model: str) -> dict[tuple[int, ResourceKind], str]:
        e = t.resource_embeddings
        rows = self._conn.execute(
            select(e.c.resource_id, e.c.kind, e.c.text_hash).where(e.c.model == model)
        )
        return {(row.resource_id, ResourceKind(row.kind)): row.text_hash for row in rows}

    def vectors(self, model: str) -> Iterator[StoredVectors]:
        e = t.resource_embeddings
        result = self._conn.execution_options(yield_per=2000).execute(
            select(e.c.resource_id, e.c.kind, e.c.text_hash, e.c.dimensions, e.c.chunks,
                   e.c.vectors).where(e.c.model == model)
        )
        for row in result:
            yield StoredVectors(row.resource_id, ResourceKind(row.kind), row.text_hash,
                                row.dimensions, row.chunks, bytes(row.vectors))

    def save_vectors(self, model: str, items: Sequence[StoredVectors]) -> None:
        """Insert or replace the vectors of these items for this model."""
        if not items:
            return
        e = t.resource_embeddings
        self._conn.execute(delete(e).where(
            e.c.model == model,
            tuple_(e.c.resource_id, e.c.kind).in_([(i.row_id, i.kind.value) for i in items]),
        ))
        self._conn.execute(insert(e), [
            {"resource_id": i.row_id, "kind": i.kind.value, "model": model,
             "text_hash": i.text_hash, "dimensions": i.dimensions, "chunks": i.chunks,
             "vectors": i.vectors}
            for i in items
        ])

    def delete_orphans(self, model: str, keep: Iterable[tuple[int, ResourceKind]]) -> int:
        """Drop vectors of items that no longer exist (a cleared original-style cell)."""
        wanted = {(row_id, kind.value) for row_id, kind in keep}
        e = t.resource_embeddings
        stale = [(row.resource_id, row.kind) for row in self._conn.execute(
            select(e.c.resource_id, e.c.kind).where(e.c.model == model))
            if (row.resource_id, row.kind) not in wanted]
        for start in range(0, len(stale), 500):
            part = stale[start:start + 500]
            self._conn.execute(delete(e).where(
                e.c.model == model, tuple_(e.c.resource_id, e.c.kind).in_(part)))
        return len(stale)

    # --- interest embeddings --------------------------------------------------------------------

    def interest_vectors(self, model: str) -> dict[str, tuple[str, bytes]]:
        """tag -> (text hash, vector bytes)."""
        e = t.interest_embeddings
        rows = self._conn.execute(
            select(e.c.interest_tag, e.c.text_hash, e.c.vector).where(e.c.model == model)
        )
        return {row.interest_tag: (row.text_hash, bytes(row.vector)) for row in rows}

    def save_interest_vector(self, model: str, tag: str, text_hash: str, dimensions: int,
                             vector: bytes) -> None:
        e = t.interest_embeddings
        self._conn.execute(delete(e).where(e.c.model == model, e.c.interest_tag == tag))
        self._conn.execute(insert(e).values(interest_tag=tag, model=model, text_hash=text_hash,
                                            dimensions=dimensions, vector=vector))

