"""The three ranking engines over an in-memory snapshot of the catalogue.

Scoring, measured on a real catalogue in bench/eval_recommendations.py (docs/recommendations.md):

* A query has parts: each chosen interest (its label and description), the student's learning
  goal, a free text, or a resource ("more like this"). Each part scores every resource in [0, 1];
  a resource's text score is its best part, and that part is the reason shown to the student.
* `lexical`: BM25 over title, description and interest labels, divided by the part's best score.
* `semantic`: cosine of the part's embedding with the resource vector (the mean of its
  description's chunk embeddings plus 0.25 × its title embedding), minus 0.5 × the resource's
  "genericness" (the mean of its 3 best similarities to the interest vocabulary: resources close
  to every interest are pushed down), z-scored and blended with 0.25 × the z-scored BM25, then
  scaled to [0, 1].
* Both add TAG_BONUS (1.0) when the resource carries one of the query's interest tags, so every
  tag match ranks above every other resource and text similarity orders each group.
* `tags`: the original behaviour, tag matches only, soonest first, undated last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.embedder import Embedder
from studentres_desktop.services.recommendations.text import tokens

TAG_BONUS = 1.0
TITLE_WEIGHT = 0.25
PRIOR_WEIGHT = 0.5
PRIOR_TOP = 3
LEXICAL_BLEND = 0.25

Vector = npt.NDArray[np.float32]


class PartKind(StrEnum):
    INTEREST = "interest"
    GOAL = "goal"
    TEXT = "text"
    RESOURCE = "resource"


@dataclass(frozen=True)
class QueryPart:
    kind: PartKind
    label: str  # what the reason quotes: an interest label, the goal, a title
    text: str  # what is matched
    tag: str | None = None  # the interest's tag, for its cached embedding


@dataclass(frozen=True)
class RecommendationQuery:
    parts: tuple[QueryPart, ...]
    tags: tuple[str, ...] = ()  # interest tags earning the bonus, most important first
    exclude: frozenset[tuple[int, ResourceKind]] = frozenset()


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    reason: str


@dataclass
class Snapshot:
    """The catalogue as the engines see it; rebuilt when the catalogue changes."""

    resources: list[Resource]
    interests: dict[str, Interest]
    bm25: BM25Index
    tag_members: dict[str, npt.NDArray[np.int64]]
    vectors: Vector | None = None  # one combined vector per resource (zeros when missing)
    prior: Vector | None = None
    interest_vectors: dict[str, Vector] = field(default_factory=dict)
    missing_vectors: int = 0
    # Each resource's place in "soonest first, undated last", and where each key sits.
    date_rank: npt.NDArray[np.int64] = field(init=False)
    position: dict[tuple[int, ResourceKind], int] = field(init=False)

    def __post_init__(self) -> None:
        soonest = sorted(range(self.size), key=lambda i: (
            self.resources[i].starts_at is None, self.resources[i].starts_at or datetime.max,
            self.resources[i].row_id))
        self.date_rank = np.empty(self.size, dtype=np.int64)
        self.date_rank[soonest] = np.arange(self.size)
        self.position = {(r.row_id, r.kind): i for i, r in enumerate(self.resources)}

    @property
    def size(self) -> int:
        return len(self.resources)

    def label(self, tag: str) -> str:
        found = self.interests.get(tag)
        return found.label if found else tag


class Engine(Protocol):
    name: str

    def rank(self, snapshot: Snapshot, query: RecommendationQuery, limit: int) -> list[Scored]: ...


def _tag_mask(snapshot: Snapshot, tags: Sequence[str]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(snapshot.size, dtype=bool)
    for tag in tags:
        members = snapshot.tag_members.get(tag)
        if members is not None:
            mask[members] = True
    return mask


def _tag_reason(snapshot: Snapshot, resource: Resource, tags: Sequence[str]) -> str | None:
    matched = next((tag for tag in tags if tag in resource.interest_tags), None)
    return None if matched is None else f"Matches your interest: {snapshot.label(matched)}"


def _part_reason(part: QueryPart) -> str:
    if part.kind is PartKind.GOAL:
        return f"Close to what you want to learn: '{_quote(part.label)}'"
    if part.kind is PartKind.INTEREST:
        return f"Related to your interest: {part.label}"
    if part.kind is PartKind.RESOURCE:
        return f"Similar to '{_quote(part.label)}'"
    return f"Close to '{_quote(part.label)}'"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _top(scores: npt.NDArray[np.float64], limit: int) -> npt.NDArray[np.int64]:
    """Indices of the best `limit` finite scores, best first (ties: catalogue order)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        return finite
    if finite.size > limit:
        part = np.argpartition(-scores[finite], limit - 1)[:limit]
        finite = finite[part]
    order = np.lexsort((finite, -scores[finite]))
    return finite[order]


def _excluded(snapshot: Snapshot, query: RecommendationQuery) -> list[int]:
    return [snapshot.position[key] for key in query.exclude if key in snapshot.position]


class TagsEngine:
    """The original design: exact tag matches only, soonest first, undated last."""

    name = "tags"

    def rank(self, snapshot: Snapshot, query: RecommendationQuery, limit: int) -> list[Scored]:
        mask = _tag_mask(snapshot, query.tags)
        mask[_excluded(snapshot, query)] = False
        candidates = np.flatnonzero(mask)
        if candidates.size > limit:
            candidates = candidates[np.argpartition(snapshot.date_rank[candidates], limit - 1)
                                    [:limit]]
        chosen = candidates[np.argsort(snapshot.date_rank[candidates])]
        return [
            Scored(int(i), 1.0, _tag_reason(snapshot, snapshot.resources[i], query.tags) or "")
            for i in chosen
        ]


class _TextEngine:
    """Shared by lexical and semantic: per-part scores in [0, 1], best part wins, tag bonus."""

    name = ""

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]
                    ) -> npt.NDArray[np.float32]:
        """One row per part, one column per resource, each row scaled to [0, 1]."""
        raise NotImplementedError

    def rank(self, snapshot: Snapshot, query: RecommendationQuery, limit: int) -> list[Scored]:
        if snapshot.size == 0 or (not query.parts and not query.tags):
            return []
        if query.parts:
            per_part = self.part_scores(snapshot, query.parts)
            best_part = per_part.argmax(axis=0)
            text = per_part.max(axis=0)
        else:
            best_part = np.zeros(snapshot.size, dtype=np.int64)
            text = np.zeros(snapshot.size)
        scores = text + TAG_BONUS * _tag_mask(snapshot, query.tags)
        scores[_excluded(snapshot, query)] = -np.inf
        ranked = []
        for index in _top(scores, limit):
            resource = snapshot.resources[index]
            reason = _tag_reason(snapshot, resource, query.tags)
            if reason is None and query.parts:
                reason = _part_reason(query.parts[int(best_part[index])])
            ranked.append(Scored(int(index), float(scores[index]), reason or ""))
        return ranked

    @staticmethod
    def lexical(snapshot: Snapshot, parts: Sequence[QueryPart]) -> npt.NDArray[np.float32]:
        return np.vstack([snapshot.bm25.score(tokens(part.text)) for part in parts])


def _unit_range(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Each row scaled to [0, 1] (a constant row becomes zeros)."""
    low = rows.min(axis=1, keepdims=True)
    spread = rows.max(axis=1, keepdims=True) - low
    spread[spread < 1e-12] = np.inf
    return np.asarray((rows - low) / spread, dtype=np.float32)


def _zscore(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Each row to mean 0 and standard deviation 1 (a constant row becomes zeros)."""
    spread = rows.std(axis=1, keepdims=True)
    spread[spread < 1e-12] = np.inf
    return np.asarray((rows - rows.mean(axis=1, keepdims=True)) / spread, dtype=np.float32)


class LexicalEngine(_TextEngine):
    name = "lexical"

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]
                    ) -> npt.NDArray[np.float32]:
        scores = self.lexical(snapshot, parts)
        best = scores.max(axis=1, keepdims=True)
        best[best <= 0] = np.inf
        return np.asarray(scores / best, dtype=np.float32)


class SemanticEngine(_TextEngine):
    name = "semantic"

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def query_vector(self, snapshot: Snapshot, part: QueryPart) -> Vector:
        if part.tag is not None and part.tag in snapshot.interest_vectors:
            return snapshot.interest_vectors[part.tag]
        return np.asarray(self._embedder.encode([part.text])[0], dtype=np.float32)

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]
                    ) -> npt.NDArray[np.float32]:
        assert snapshot.vectors is not None and snapshot.prior is not None
        queries = np.vstack([self.query_vector(snapshot, part) for part in parts])
        # One pass over the resource matrix for every part at once: it is memory-bound.
        products = self._embedder.similarities(snapshot.vectors, queries)
        # One row per part, contiguous: the reductions below run along rows (3 ms each if not).
        semantic = np.ascontiguousarray(products.T) - PRIOR_WEIGHT * snapshot.prior
        blended = _zscore(semantic) + LEXICAL_BLEND * _zscore(self.lexical(snapshot, parts))
        return _unit_range(blended)


def combine_vectors(title: Vector, chunks: Vector) -> Vector:
    """The one vector a resource is ranked by: mean of its chunks plus a weighted title."""
    body = chunks.mean(axis=0) if len(chunks) else title
    return (body + TITLE_WEIGHT * title).astype(np.float32)


def genericness(vectors: Vector, vocabulary: Sequence[Vector]) -> Vector:
    """Per resource, the mean of its PRIOR_TOP best similarities to the interest vocabulary."""
    if not vocabulary or vectors.size == 0:
        return np.zeros(len(vectors), dtype=np.float32)
    similarities = vectors @ np.vstack(vocabulary).T
    top = min(PRIOR_TOP, similarities.shape[1])
    best = -np.sort(-similarities, axis=1)[:, :top]
    return np.asarray(best.mean(axis=1), dtype=np.float32)
