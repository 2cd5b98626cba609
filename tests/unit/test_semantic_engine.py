"""The semantic engine's arithmetic on a snapshot built by hand: no database, no model."""

from __future__ import annotations

import numpy as np

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.engines import (
    LexicalEngine,
    PartKind,
    QueryPart,
    SemanticEngine,
    Snapshot,
    attach_interest_similarities,
)
from studentres_desktop.services.recommendations.text import tokens

WORDS = "robot sensor neural network data cloud security design python statistics".split()


def snapshot(size: int = 300, width: int = 32, indexed_share: float = 1.0) -> Snapshot:
    rng = np.random.default_rng(5)
    texts = [" ".join(rng.choice(WORDS, 6)) for _ in range(size)]
    resources = [Resource(row_id=n, kind=ResourceKind.WORKSHOP, title=text)
                 for n, text in enumerate(texts)]
    interests = {tag: Interest(tag, tag.title(), "") for tag in ("robot", "data", "cloud")}
    built = Snapshot(resources, interests, BM25Index([tokens(t) for t in texts]), {})
    vectors = rng.normal(size=(size, width)).astype(np.float32)
    indexed = rng.random(size) < indexed_share
    vectors[~indexed] = 0.0
    built.vectors, built.indexed = vectors, indexed
    built.interest_vectors = {tag: rng.normal(size=width).astype(np.float32)
                              for tag in interests}
    attach_interest_similarities(built)
    return built


PARTS = (QueryPart(PartKind.INTEREST, "Robot", "robot sensor", "robot"),
         QueryPart(PartKind.INTEREST, "Data", "data statistics", "data"))


def test_interest_parts_from_the_precomputed_similarities_equal_a_fresh_product():
    cached = snapshot()
    fresh = snapshot()
    fresh.interest_similarities, fresh.interest_rows = None, {}

    engine = SemanticEngine(None)
    assert cached.interest_similarities is not None
    assert np.allclose(engine.part_scores(cached, PARTS).scores,
                       engine.part_scores(fresh, PARTS).scores, atol=1e-5)
    assert engine.part_scores(cached, PARTS).keyword_parts == frozenset()


def test_resources_without_vectors_get_the_keyword_score_and_the_rest_stay_in_range():
    partial = snapshot(indexed_share=0.7)
    assert partial.indexed is not None
    scored = SemanticEngine(None).part_scores(partial, PARTS)
    keyword = LexicalEngine().part_scores(partial, PARTS).scores

    missing = ~partial.indexed
    assert np.allclose(scored.scores[:, missing], keyword[:, missing])
    assert scored.scores.min() >= 0.0 and scored.scores.max() <= 1.0
    assert np.isclose(scored.scores[:, partial.indexed].max(axis=1), 1.0).all()
    assert scored.keyword_resources is not None
    assert (scored.keyword_resources == missing).all()


def test_free_text_without_a_model_is_a_keyword_part():
    goal = QueryPart(PartKind.GOAL, "python data", "python data")
    scored = SemanticEngine(None).part_scores(snapshot(), (*PARTS, goal))
    assert scored.keyword_parts == frozenset({2})
    assert np.allclose(scored.scores[2], LexicalEngine().part_scores(snapshot(), (goal,)).scores[0])
