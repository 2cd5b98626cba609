"""The three ranking engines over an in-memory snapshot of the catalogue.

Scoring, measured on a real catalogue in bench/eval_recommendations.py (docs/recommendations.md):

* A query has parts: each chosen interest (its label and description), the student's learning
  goal, a free text, or a resource ("more like this"). Each part scores every resource in [0, 1];
  a resource's text score is its best part, and that part is the reason shown to the student.
* `lexical`: BM25 over title, description and interest labels, divided by the part's best score.
* `semantic`: cosine of the part's embedding with the resource vector (the mean of its
  description's chunk embeddings plus 0.25 × its title embedding; for a goal or free text, its
  first chunk plus 0.25 × its title, and the goal plus half its nearest interest's vector),
  minus 0.5 × the resource's "genericness" (the mean of its 3 best similarities to the interest
  vocabulary: resources close to every interest are pushed down), z-scored and blended with
  0.25 × the z-scored BM25 (not for a goal written in Spanish), then scaled to [0, 1].
  A goal written in Spanish (and, on a computer without the main model, every goal) is scored
  the same way with the multilingual model's vectors (the snapshot's route), then blended with
  0.5 × the main model's similarity to the mean lead vector of its 10 best matches.
  Everything but encoding free text runs on stored vectors with numpy. A part with no vector
  (free text on a computer without the model) and a resource with no vector yet (added since the
  last reindex) are scored by keywords instead, as `lexical` does, and their reasons say so.
* Both add TAG_BONUS (1.0) when the resource carries one of the query's interest tags, so every
  tag match ranks above every other resource and text similarity orders each group.
* `tags`: the original behaviour, tag matches only, soonest first, undated last.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.embedder import Embedder
from studentres_desktop.services.recommendations.text import looks_spanish, tokens

TAG_BONUS = 1.0
TITLE_WEIGHT = 0.25
PRIOR_WEIGHT = 0.5
PRIOR_TOP = 3
LEXICAL_BLEND = 0.25
# A goal or free text is moved towards its nearest interest of the vocabulary by this much:
# "make websites and mobile apps" gains the vocabulary's words for its field.
GOAL_INTEREST_WEIGHT = 0.5
# A part the multilingual model ranks is blended with the main model's reading of its best
# matches: the mean of their lead vectors, as a query of the main model's vectors (pseudo-
# relevance feedback across the two models; measured in docs/recommendations.md).
FEEDBACK_DEPTH = 10
FEEDBACK_WEIGHT = 0.5
COMMON_SAMPLE = 4096  # resources sampled for the lead vectors' common direction

Vector = npt.NDArray[np.float32]


class PartKind(StrEnum):
    INTEREST = "interest"
    GOAL = "goal"
    TEXT = "text"
    RESOURCE = "resource"


# Parts a student typed: matched against the resources' lead vectors (see Snapshot).
FREE_TEXT_PARTS = frozenset({PartKind.GOAL, PartKind.TEXT})


@dataclass(frozen=True)
class QueryPart:
    kind: PartKind
    label: str  # what the reason quotes: an interest label, the goal, a title
    text: str  # what is matched
    tag: str | None = None  # the interest's tag, for its cached embedding
    resource: tuple[int, ResourceKind] | None = None  # "more like this": its stored vector


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
    # What a learning goal or free text is matched against: the description's first chunk (where
    # a catalogue's summary sits) plus the weighted title, and its own genericness prior. A goal
    # names a topic, as a summary does; the whole description adds all else a course touches.
    lead_vectors: Vector | None = None
    lead_prior: Vector | None = None
    lead_norms: Vector | None = None  # each lead vector's length (inf where there is none)
    # What every lead vector shares: their mean and their first principal direction, which in a
    # catalogue of two languages is the language. The feedback step reads a goal's best matches
    # without them, by topic (see _with_feedback); each lead vector's length once both are gone.
    # Set by attach_common_direction where a route is attached.
    lead_mean: Vector | None = None
    lead_common: Vector | None = None
    lead_topic_norms: Vector | None = None
    interest_vectors: dict[str, Vector] = field(default_factory=dict)
    # Every resource's similarity to each interest, one contiguous row per interest: computed
    # once with the prior, so an interest part costs no pass over the vectors at query time.
    interest_rows: dict[str, int] = field(default_factory=dict)
    interest_similarities: Vector | None = None
    indexed: npt.NDArray[np.bool_] | None = None  # which resources have a vector
    # The same catalogue with the multilingual model's vectors, when it is set: what a goal
    # written in Spanish (or any goal, where the main model is not installed) is ranked by.
    route: Snapshot | None = None
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

    def sibling(self) -> Snapshot:
        """The same catalogue with no vectors yet: for another model's."""
        twin = copy.copy(self)
        twin.vectors = twin.prior = twin.lead_vectors = twin.lead_prior = None
        twin.lead_norms = twin.lead_mean = twin.lead_common = twin.lead_topic_norms = None
        twin.interest_vectors, twin.interest_rows = {}, {}
        twin.interest_similarities = twin.indexed = twin.route = None
        return twin

    @property
    def indexed_count(self) -> int:
        return 0 if self.indexed is None else int(self.indexed.sum())

    @property
    def missing_vectors(self) -> int:
        return self.size - self.indexed_count

    @property
    def has_vectors(self) -> bool:
        """Whether semantic ranking has anything to work with (some resource has a vector)."""
        return self.vectors is not None and self.indexed_count > 0

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


def _part_reason(part: QueryPart, keyword: bool = False) -> str:
    if keyword:
        return f"{_keyword_reason(part)} (keyword match)"
    if part.kind is PartKind.GOAL:
        return f"Close to what you want to learn: '{_quote(part.label)}'"
    if part.kind is PartKind.INTEREST:
        return f"Related to your interest: {part.label}"
    if part.kind is PartKind.RESOURCE:
        return f"Similar to '{_quote(part.label)}'"
    return f"Close to '{_quote(part.label)}'"


def _keyword_reason(part: QueryPart) -> str:
    if part.kind is PartKind.GOAL:
        return f"Shares words with what you want to learn: '{_quote(part.label)}'"
    if part.kind is PartKind.INTEREST:
        return f"Shares words with your interest: {part.label}"
    return f"Shares words with '{_quote(part.label)}'"


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


@dataclass(frozen=True)
class PartScores:
    """One row per query part, one column per resource, each row in [0, 1]; which cells were
    scored by keywords in an engine that otherwise compares meaning (None: none)."""

    scores: npt.NDArray[np.float32]
    keyword: npt.NDArray[np.bool_] | None = None

    @classmethod
    def of(cls, scores: npt.NDArray[np.float32], keyword_parts: frozenset[int] = frozenset(),
           keyword_resources: npt.NDArray[np.bool_] | None = None) -> PartScores:
        """Whole parts (a part with no vector) and whole columns (a resource with no vector)
        scored by keywords."""
        if not keyword_parts and keyword_resources is None:
            return cls(scores)
        keyword = np.zeros(scores.shape, dtype=bool)
        if keyword_resources is not None:
            keyword[:] = keyword_resources
        keyword[sorted(keyword_parts)] = True
        return cls(scores, keyword)

    def by_keywords(self, part: int, resource: int) -> bool:
        return self.keyword is not None and bool(self.keyword[part, resource])


class _TextEngine:
    """Shared by lexical and semantic: per-part scores in [0, 1], best part wins, tag bonus."""

    name = ""

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]) -> PartScores:
        raise NotImplementedError

    def rank(self, snapshot: Snapshot, query: RecommendationQuery, limit: int) -> list[Scored]:
        if snapshot.size == 0 or (not query.parts and not query.tags):
            return []
        scored = PartScores.of(np.zeros((0, snapshot.size), dtype=np.float32))
        if query.parts:
            scored = self.part_scores(snapshot, query.parts)
            best_part = scored.scores.argmax(axis=0)
            text = scored.scores.max(axis=0)
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
                part = int(best_part[index])
                reason = _part_reason(query.parts[part], scored.by_keywords(part, int(index)))
            ranked.append(Scored(int(index), float(scores[index]), reason or ""))
        return ranked

    @staticmethod
    def lexical(snapshot: Snapshot, parts: Sequence[QueryPart]) -> npt.NDArray[np.float32]:
        return np.vstack([snapshot.bm25.score(tokens(part.text)) for part in parts])


Mask = npt.NDArray[np.bool_]


def _unit_range(rows: npt.NDArray[np.float32], among: Mask | None = None
                ) -> npt.NDArray[np.float32]:
    """Each row scaled to [0, 1] by its range over the columns `among` (default: all); a
    constant row becomes zeros."""
    seen = rows if among is None else rows[:, among]
    low = seen.min(axis=1, keepdims=True)
    spread = seen.max(axis=1, keepdims=True) - low
    spread[spread < 1e-12] = np.inf
    scaled = (rows - low) / spread
    if among is not None:
        np.clip(scaled, 0.0, 1.0, out=scaled)
    return np.asarray(scaled, dtype=np.float32)


def _zscore(rows: npt.NDArray[np.float32], among: Mask | None = None) -> npt.NDArray[np.float32]:
    """Each row to mean 0 and standard deviation 1 over the columns `among` (default: all); a
    constant row becomes zeros."""
    seen = rows if among is None else rows[:, among]
    spread = seen.std(axis=1, keepdims=True)
    spread[spread < 1e-12] = np.inf
    return np.asarray((rows - seen.mean(axis=1, keepdims=True)) / spread, dtype=np.float32)


def _scaled_by_best(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """BM25 rows divided by their best score: the keyword score in [0, 1]."""
    best = scores.max(axis=1, keepdims=True)
    best[best <= 0] = np.inf
    return np.asarray(scores / best, dtype=np.float32)


class LexicalEngine(_TextEngine):
    name = "lexical"

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]) -> PartScores:
        return PartScores.of(_scaled_by_best(self.lexical(snapshot, parts)))


class SemanticEngine(_TextEngine):
    """Ranks from the stored vectors; `encoder` (the model, when installed) encodes free text.
    `route_encoder`, the multilingual model, encodes a goal written in Spanish, and any goal
    when `encoder` is None, which are then ranked by the snapshot's route (its vectors)."""

    name = "semantic"

    def __init__(self, encoder: Embedder | None, route_encoder: Embedder | None = None) -> None:
        self._encoder = encoder
        self._route_encoder = route_encoder

    def routed(self, snapshot: Snapshot, part: QueryPart) -> bool:
        """Whether the multilingual model ranks this part."""
        route = snapshot.route
        if part.kind not in FREE_TEXT_PARTS or self._route_encoder is None or route is None \
                or not route.has_vectors:
            return False
        return self._encoder is None or looks_spanish(part.text)

    def part_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]) -> PartScores:
        routed = [n for n, part in enumerate(parts) if self.routed(snapshot, part)]
        if not routed:
            return self._own_scores(snapshot, parts)
        assert snapshot.route is not None
        kept = [n for n in range(len(parts)) if n not in routed]
        pieces = [(routed, self._with_feedback(snapshot, SemanticEngine(
            self._route_encoder)._own_scores(snapshot.route, [parts[n] for n in routed])))]
        if kept:
            pieces.append((kept, self._own_scores(snapshot, [parts[n] for n in kept])))
        scores = np.empty((len(parts), snapshot.size), dtype=np.float32)
        keyword = np.zeros(scores.shape, dtype=bool)
        for rows, piece in pieces:
            scores[rows] = piece.scores
            if piece.keyword is not None:
                keyword[rows] = piece.keyword
        return PartScores(scores, keyword if keyword.any() else None)

    def query_vector(self, snapshot: Snapshot, part: QueryPart) -> Vector | None:
        """The part's vector: stored for an interest (or, without the model, for the resource
        of "more like this"), encoded for free text; None when it cannot be had here."""
        if part.tag is not None and part.tag in snapshot.interest_vectors:
            return snapshot.interest_vectors[part.tag]
        if self._encoder is not None:
            vector = np.asarray(self._encoder.encode_queries([part.text])[0],
                                dtype=np.float32)
            return _towards_nearest_interest(snapshot, vector) \
                if part.kind in FREE_TEXT_PARTS else vector
        source = snapshot.position.get(part.resource) if part.resource else None
        if source is not None and snapshot.vectors is not None and snapshot.indexed is not None \
                and snapshot.indexed[source]:
            vector = snapshot.vectors[source]
            return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12),
                              dtype=np.float32)
        return None

    def _with_feedback(self, snapshot: Snapshot, routed: PartScores) -> PartScores:
        """The multilingual model's scores blended with FEEDBACK_WEIGHT × the main model's
        similarity to the mean lead vector of their FEEDBACK_DEPTH best resources; resources
        without both models' vectors keep the multilingual (or keyword) score."""
        route = snapshot.route
        lead, norms, prior = snapshot.lead_vectors, snapshot.lead_norms, snapshot.lead_prior
        if route is None or lead is None or norms is None or prior is None \
                or snapshot.indexed is None or route.indexed is None:
            return routed
        both = snapshot.indexed & route.indexed
        if not both.any():
            return routed
        queries = []
        for row in routed.scores:
            best = _top(np.where(both, row, -np.inf), FEEDBACK_DEPTH)
            queries.append((lead[best] / norms[best, None]).mean(axis=0))
        feedback = _topic_similarities(snapshot, self._similarities, np.vstack(queries)) \
            - PRIOR_WEIGHT * prior
        blended = _unit_range(_zscore(routed.scores, both)
                              + FEEDBACK_WEIGHT * _zscore(feedback, both), both)
        return PartScores(np.where(both, blended, routed.scores).astype(np.float32),
                          routed.keyword)

    def _own_scores(self, snapshot: Snapshot, parts: Sequence[QueryPart]) -> PartScores:
        lexical = self.lexical(snapshot, parts)
        scores = _scaled_by_best(lexical)  # what a part or resource without a vector gets
        if not snapshot.has_vectors:
            return PartScores.of(scores, frozenset(range(len(parts))))
        assert snapshot.vectors is not None and snapshot.prior is not None
        assert snapshot.indexed is not None
        cached = snapshot.interest_similarities
        rows = {n: snapshot.interest_rows[part.tag] for n, part in enumerate(parts)
                if cached is not None and part.tag in snapshot.interest_rows}
        found = [(n, vector) for n, part in enumerate(parts) if n not in rows
                 and (vector := self.query_vector(snapshot, part)) is not None]
        lead = snapshot.lead_vectors is not None and snapshot.lead_prior is not None
        by_lead = [(n, v) for n, v in found if lead and parts[n].kind in FREE_TEXT_PARTS]
        by_whole = [(n, v) for n, v in found if not lead or parts[n].kind not in FREE_TEXT_PARTS]
        semantic_parts = [*rows, *(n for n, _ in by_whole), *(n for n, _ in by_lead)]
        if semantic_parts:
            products = [cached[list(rows.values())] - PRIOR_WEIGHT * snapshot.prior] \
                if cached is not None and rows else []
            for group, matrix, prior in ((by_whole, snapshot.vectors, snapshot.prior),
                                         (by_lead, snapshot.lead_vectors, snapshot.lead_prior)):
                if group:
                    assert matrix is not None and prior is not None
                    products.append(self._similarities(
                        matrix, np.vstack([vector for _, vector in group])) - PRIOR_WEIGHT * prior)
            semantic = np.vstack(products)
            partial = None if snapshot.missing_vectors == 0 else snapshot.indexed
            weights = np.array([[_lexical_weight(parts[n])] for n in semantic_parts],
                               dtype=np.float32)
            blended = _zscore(semantic, partial) + weights * _zscore(lexical[semantic_parts])
            blended = _unit_range(blended, partial)
            if partial is not None:
                blended = np.where(partial, blended, scores[semantic_parts])
            scores[semantic_parts] = blended
        keyword_parts = frozenset(range(len(parts))) - frozenset(semantic_parts)
        return PartScores.of(scores, keyword_parts,
                             None if snapshot.missing_vectors == 0 else ~snapshot.indexed)

    def _similarities(self, vectors: Vector, queries: Vector) -> npt.NDArray[np.float32]:
        """One row per query, one column per resource, contiguous: the reductions that follow
        run along rows (3 ms each if not). One pass over the matrix for all queries: it is
        memory-bound."""
        if self._encoder is not None:  # the model's own (torch) product, when it is loaded
            products = self._encoder.similarities(vectors, queries)
            return np.ascontiguousarray(products.T)
        return np.asarray(queries @ vectors.T, dtype=np.float32)


def _topic_similarities(snapshot: Snapshot, similarities: Callable[[Vector, Vector], Vector],
                        queries: Vector) -> Vector:
    """Cosine of each query with each lead vector, both seen without what every lead vector
    shares (their mean and first principal direction). The common direction is the
    catalogue's language: the mean of a Spanish goal's best matches, mostly Spanish, would
    otherwise find Spanish resources on any subject (measured in docs/recommendations.md)."""
    lead, norms = snapshot.lead_vectors, snapshot.lead_norms
    mean, common, topic_norms = snapshot.lead_mean, snapshot.lead_common, snapshot.lead_topic_norms
    assert lead is not None and norms is not None
    if mean is None or common is None or topic_norms is None:
        unit = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        return similarities(lead, unit.astype(np.float32)) / norms
    centred = queries - mean
    centred -= np.outer(centred @ common, common)
    centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)
    centred = centred.astype(np.float32)
    # (unit lead - mean) · query = lead · query / norm - mean · query: no centred copy of the
    # matrix is made; the query has no part along the common direction to remove.
    products = similarities(lead, centred) / norms - (centred @ mean)[:, None]
    return np.asarray(products / topic_norms, dtype=np.float32)


def attach_common_direction(snapshot: Snapshot) -> None:
    """The unit lead vectors' mean and first principal direction (from up to COMMON_SAMPLE
    evenly spaced resources), and each one's length once both are removed: for the feedback,
    so only a snapshot with a route needs them (355 ms at 100,000 resources). Call it after
    attach_interest_similarities."""
    lead, norms, indexed = snapshot.lead_vectors, snapshot.lead_norms, snapshot.indexed
    if lead is None or norms is None or indexed is None or int(indexed.sum()) < 2:
        return
    weights = (1.0 / norms).astype(np.float32)  # 0 where a resource has no vector (norm inf)
    mean = (weights @ lead) / float(indexed.sum())
    rows = np.flatnonzero(indexed)
    picked = rows[np.linspace(0, len(rows) - 1, min(len(rows), COMMON_SAMPLE)).astype(np.int64)]
    sample = lead[picked] * weights[picked, None] - mean
    common = np.linalg.svd(sample, full_matrices=False)[2][0]
    # |unit - mean|² less its part along the common direction, from two passes over the matrix
    along = (lead @ common) * weights - float(mean @ common)
    squared = 1.0 - 2.0 * (lead @ mean) * weights + float(mean @ mean) - along ** 2
    topic_norms = np.sqrt(np.maximum(squared, 0.0)).astype(np.float32)
    topic_norms[~indexed | (topic_norms < 1e-6)] = np.inf
    snapshot.lead_mean = mean.astype(np.float32)
    snapshot.lead_common = common.astype(np.float32)
    snapshot.lead_topic_norms = topic_norms


def _lexical_weight(part: QueryPart) -> float:
    """The BM25 blend's weight for a part: none for a goal or free text read as Spanish, whose
    words match Spanish resources on any subject rather than resources on its topic (measured in
    bench/eval_goal_levers.py)."""
    if part.kind in FREE_TEXT_PARTS and looks_spanish(part.text):
        return 0.0
    return LEXICAL_BLEND


def _towards_nearest_interest(snapshot: Snapshot, vector: Vector) -> Vector:
    """The vector plus GOAL_INTEREST_WEIGHT × the interest of the vocabulary closest to it,
    normalised (measured in bench/eval_goal_levers.py)."""
    if not snapshot.interest_vectors:
        return vector
    vocabulary = np.vstack(list(snapshot.interest_vectors.values()))
    if vocabulary.shape[1] != len(vector):
        return vector
    moved = vector + GOAL_INTEREST_WEIGHT * vocabulary[int(np.argmax(vocabulary @ vector))]
    return np.asarray(moved / max(float(np.linalg.norm(moved)), 1e-12), dtype=np.float32)


def combine_vectors(title: Vector, chunks: Vector) -> Vector:
    """The one vector a resource is ranked by: mean of its chunks plus a weighted title."""
    body = chunks.mean(axis=0) if len(chunks) else title
    return (body + TITLE_WEIGHT * title).astype(np.float32)


def lead_vector(title: Vector, chunks: Vector) -> Vector:
    """The vector a goal is matched against: the first chunk plus the weighted title."""
    body = chunks[0] if len(chunks) else title
    return (body + TITLE_WEIGHT * title).astype(np.float32)


def _genericness(vocabulary: Vector, vectors: Vector) -> tuple[Vector, Vector]:
    """Every interest's similarity to every resource, and per resource the mean of its
    PRIOR_TOP best."""
    similarities = np.ascontiguousarray(vocabulary @ vectors.T, dtype=np.float32)
    top = min(PRIOR_TOP, len(vocabulary))
    best = -np.sort(-similarities, axis=0)[:top]
    return similarities, np.asarray(best.mean(axis=0), dtype=np.float32)


def attach_interest_similarities(snapshot: Snapshot) -> None:
    """Every resource's similarity to every interest, and from them the genericness prior: per
    resource, the mean of its PRIOR_TOP best similarities to the interest vocabulary."""
    vectors = snapshot.vectors
    if vectors is None:
        return
    if snapshot.lead_vectors is not None:
        norms = np.linalg.norm(snapshot.lead_vectors, axis=1).astype(np.float32)
        norms[norms < 1e-12] = np.inf  # no vector: no similarity
        snapshot.lead_norms = norms
    tags = list(snapshot.interest_vectors)
    if not tags or vectors.size == 0:
        snapshot.prior = np.zeros(len(vectors), dtype=np.float32)
        snapshot.lead_prior = None if snapshot.lead_vectors is None else snapshot.prior
        return
    vocabulary = np.vstack([snapshot.interest_vectors[tag] for tag in tags])
    similarities, snapshot.prior = _genericness(vocabulary, vectors)
    if snapshot.lead_vectors is not None:
        snapshot.lead_prior = _genericness(vocabulary, snapshot.lead_vectors)[1]
    snapshot.interest_similarities = similarities
    snapshot.interest_rows = {tag: row for row, tag in enumerate(tags)}
