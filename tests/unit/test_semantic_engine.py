"""The semantic engine's arithmetic on a snapshot built by hand: no database, no model."""

from __future__ import annotations

import numpy as np

from studentres_desktop.domain.models import Interest, Resource, ResourceKind
from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.engines import (
    FEEDBACK_DEPTH,
    LexicalEngine,
    PartKind,
    QueryPart,
    SemanticEngine,
    Snapshot,
    attach_common_direction,
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
    assert engine.part_scores(cached, PARTS).keyword is None


def test_resources_without_vectors_get_the_keyword_score_and_the_rest_stay_in_range():
    partial = snapshot(indexed_share=0.7)
    assert partial.indexed is not None
    scored = SemanticEngine(None).part_scores(partial, PARTS)
    keyword = LexicalEngine().part_scores(partial, PARTS).scores

    missing = ~partial.indexed
    assert np.allclose(scored.scores[:, missing], keyword[:, missing])
    assert scored.scores.min() >= 0.0 and scored.scores.max() <= 1.0
    assert np.isclose(scored.scores[:, partial.indexed].max(axis=1), 1.0).all()
    assert scored.keyword is not None
    assert (scored.keyword == missing).all()


def test_free_text_without_a_model_is_a_keyword_part():
    goal = QueryPart(PartKind.GOAL, "python data", "python data")
    scored = SemanticEngine(None).part_scores(snapshot(), (*PARTS, goal))
    assert scored.keyword is not None
    assert scored.keyword[2].all() and not scored.keyword[:2].any()
    assert np.allclose(scored.scores[2], LexicalEngine().part_scores(snapshot(), (goal,)).scores[0])


class FixedEncoder:
    """Encodes every text to one known vector, so the test knows what a goal is compared with."""

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector.astype(np.float32)
        self.dimensions = len(vector)

    def encode(self, texts):
        return np.vstack([self.vector] * len(texts))

    encode_queries = encode

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def similarities(self, vectors, queries):
        return vectors @ queries.T


def test_a_goal_is_matched_against_the_lead_vectors_and_an_interest_against_the_whole():
    rng = np.random.default_rng(9)
    with_lead = snapshot()
    assert with_lead.vectors is not None
    with_lead.lead_vectors = rng.normal(size=with_lead.vectors.shape).astype(np.float32)
    attach_interest_similarities(with_lead)
    as_whole = snapshot()
    as_whole.vectors = with_lead.lead_vectors.copy()
    attach_interest_similarities(as_whole)
    encoder = FixedEncoder(rng.normal(size=32))
    goal = QueryPart(PartKind.GOAL, "python data", "python data")

    mixed = SemanticEngine(encoder).part_scores(with_lead, (*PARTS, goal)).scores
    assert np.allclose(mixed[2], SemanticEngine(encoder).part_scores(as_whole, (goal,)).scores[0],
                       atol=1e-5)
    assert np.allclose(mixed[:2], SemanticEngine(encoder).part_scores(snapshot(), PARTS).scores,
                       atol=1e-5)
    assert not np.allclose(mixed[2], SemanticEngine(encoder).part_scores(snapshot(), (goal,))
                           .scores[0], atol=1e-3)


def test_a_goal_is_moved_towards_its_nearest_interest_and_an_interest_part_is_not():
    built = snapshot()
    robot = built.interest_vectors["robot"]
    nearly_robot = robot + 0.1 * np.random.default_rng(3).normal(size=len(robot))
    engine = SemanticEngine(FixedEncoder(nearly_robot))
    goal = engine.query_vector(built, QueryPart(PartKind.GOAL, "robots", "robots"))
    text = engine.query_vector(built, QueryPart(PartKind.RESOURCE, "a robot", "a robot"))

    assert goal is not None and text is not None
    assert np.isclose(np.linalg.norm(goal), 1.0)
    unit = robot / np.linalg.norm(robot)
    assert goal @ unit > (nearly_robot / np.linalg.norm(nearly_robot)) @ unit
    assert np.allclose(text, nearly_robot)


def test_a_goal_in_spanish_is_not_blended_with_keywords_and_one_in_english_is():
    built = snapshot()
    encoder = FixedEncoder(np.random.default_rng(4).normal(size=32))
    engine = SemanticEngine(encoder)
    spanish = QueryPart(PartKind.GOAL, "quiero aprender", "quiero aprender robot con python")
    english = QueryPart(PartKind.GOAL, "i want to learn", "i want to learn robot with python")
    no_words = QueryPart(PartKind.GOAL, "x", "zzz")  # same vector, no BM25 match at all

    alone = engine.part_scores(built, (no_words,)).scores[0]
    assert np.allclose(engine.part_scores(built, (spanish,)).scores[0], alone, atol=1e-5)
    assert not np.allclose(engine.part_scores(built, (english,)).scores[0], alone, atol=1e-3)


def with_route(width: int = 16) -> Snapshot:
    """A snapshot whose route holds another model's vectors (another width) for the same
    resources, in the same order."""
    built = snapshot()
    rng = np.random.default_rng(11)
    route = built.sibling()
    route.vectors = rng.normal(size=(built.size, width)).astype(np.float32)
    route.lead_vectors = rng.normal(size=(built.size, width)).astype(np.float32)
    route.indexed = np.ones(built.size, dtype=bool)
    route.interest_vectors = {tag: rng.normal(size=width).astype(np.float32)
                              for tag in built.interests}
    attach_interest_similarities(route)
    built.route = route
    return built


SPANISH_GOAL = QueryPart(PartKind.GOAL, "quiero aprender", "quiero aprender robot con python")
ENGLISH_GOAL = QueryPart(PartKind.GOAL, "i want to learn", "i want to learn robot with python")


def test_a_goal_in_spanish_is_ranked_by_the_multilingual_vectors_and_the_rest_by_the_model():
    built = with_route()
    assert built.route is not None
    main, multilingual = (FixedEncoder(np.random.default_rng(n).normal(size=width))
                          for n, width in ((1, 32), (2, 16)))
    engine = SemanticEngine(main, multilingual)
    parts = (*PARTS, SPANISH_GOAL, ENGLISH_GOAL)

    scored = engine.part_scores(built, parts).scores
    assert engine.routed(built, SPANISH_GOAL) and not engine.routed(built, ENGLISH_GOAL)
    assert not any(engine.routed(built, part) for part in PARTS)
    assert np.allclose(scored[2], SemanticEngine(multilingual).part_scores(
        built.route, (SPANISH_GOAL,)).scores[0], atol=1e-5)
    assert np.allclose(scored[[0, 1, 3]], SemanticEngine(main).part_scores(
        built, (*PARTS, ENGLISH_GOAL)).scores, atol=1e-5)
    assert not np.allclose(scored[2], SemanticEngine(main).part_scores(
        built, (SPANISH_GOAL,)).scores[0], atol=1e-3)


def test_without_the_model_every_goal_is_read_by_the_multilingual_model_not_by_keywords():
    built = with_route()
    assert built.route is not None
    multilingual = FixedEncoder(np.random.default_rng(2).normal(size=16))
    engine = SemanticEngine(None, multilingual)

    scored = engine.part_scores(built, (*PARTS, ENGLISH_GOAL))
    assert engine.routed(built, ENGLISH_GOAL)
    assert scored.keyword is None
    assert np.allclose(scored.scores[2], SemanticEngine(multilingual).part_scores(
        built.route, (ENGLISH_GOAL,)).scores[0], atol=1e-5)
    assert np.allclose(scored.scores[:2], SemanticEngine(None).part_scores(built, PARTS).scores,
                       atol=1e-5)


def test_a_route_without_vectors_or_without_its_model_leaves_goals_to_the_model_or_keywords():
    built = with_route()
    assert built.route is not None
    multilingual = FixedEncoder(np.random.default_rng(2).normal(size=16))
    assert not SemanticEngine(None, None).routed(built, ENGLISH_GOAL)
    built.route.indexed = np.zeros(built.size, dtype=bool)
    engine = SemanticEngine(None, multilingual)
    assert not engine.routed(built, SPANISH_GOAL)
    scored = engine.part_scores(built, (SPANISH_GOAL,))
    assert scored.keyword is not None and scored.keyword.all()


def test_resources_missing_from_the_route_are_keyword_cells_of_the_routed_part_only():
    built = with_route()
    assert built.route is not None and built.route.indexed is not None
    built.route.indexed[:40] = False
    main, multilingual = (FixedEncoder(np.random.default_rng(n).normal(size=width))
                          for n, width in ((1, 32), (2, 16)))
    scored = SemanticEngine(main, multilingual).part_scores(built, (ENGLISH_GOAL, SPANISH_GOAL))

    assert scored.keyword is not None
    assert not scored.keyword[0].any()
    assert scored.keyword[1, :40].all() and not scored.keyword[1, 40:].any()
    assert scored.by_keywords(1, 0) and not scored.by_keywords(0, 0)


def test_the_main_models_reading_of_the_routed_best_matches_lifts_their_neighbours():
    built = with_route()
    assert built.route is not None and built.vectors is not None
    rng = np.random.default_rng(21)
    unit = [rng.normal(size=built.vectors.shape) for _ in range(2)]
    built.vectors, built.lead_vectors = (
        (rows / np.linalg.norm(rows, axis=1)[:, None]).astype(np.float32) for rows in unit)
    built.interest_vectors = {tag: (v / np.linalg.norm(v)).astype(np.float32)
                              for tag, v in built.interest_vectors.items()}
    attach_interest_similarities(built)
    multilingual = FixedEncoder(np.random.default_rng(2).normal(size=16))
    alone = SemanticEngine(multilingual).part_scores(built.route, (SPANISH_GOAL,)).scores[0]
    best = np.argsort(-alone)[:FEEDBACK_DEPTH]
    neighbour = int(np.argsort(-alone)[len(alone) // 2])  # a middling resource for e5 alone
    lead = built.lead_vectors[best] / np.linalg.norm(built.lead_vectors[best], axis=1)[:, None]
    built.lead_vectors[neighbour] = lead.mean(axis=0)  # what the main model reads in the best
    attach_interest_similarities(built)

    engine = SemanticEngine(None, multilingual)
    blended = engine.part_scores(built, (SPANISH_GOAL,)).scores[0]

    rank = int((blended > blended[neighbour]).sum())
    assert rank < len(blended) // 10  # from the middle to the top tenth
    assert blended.min() >= 0.0 and np.isclose(blended.max(), 1.0)
    assert np.argsort(-blended)[0] in best  # the route's own best still leads


def test_without_the_main_models_lead_vectors_a_routed_part_keeps_the_multilingual_score():
    built = with_route()
    assert built.route is not None
    built.lead_vectors = built.lead_norms = None
    multilingual = FixedEncoder(np.random.default_rng(2).normal(size=16))
    routed = SemanticEngine(None, multilingual).part_scores(built, (SPANISH_GOAL,)).scores[0]
    alone = SemanticEngine(multilingual).part_scores(built.route, (SPANISH_GOAL,)).scores[0]
    assert np.allclose(routed, alone)


def two_language_catalogue(seed: int = 3) -> tuple[Snapshot, np.ndarray, np.ndarray]:
    """Resources in two languages on four topics. The main model's vectors are dominated by
    the language (as all-MiniLM-L6-v2's are), the multilingual model's by the topic with a
    weaker language pull; returns the snapshot, each resource's topic and whether it is
    Spanish."""
    rng = np.random.default_rng(seed)
    size, width = 240, 24
    topic = np.arange(size) % 4
    spanish = (np.arange(size) // 4) % 2 == 1
    built = snapshot(size=size, width=width)
    built.interests = {}
    built.interest_vectors = {}
    lead = rng.normal(scale=0.3, size=(size, width))
    lead[:, 0] += np.where(spanish, 3.0, -3.0)
    lead[np.arange(size), 1 + topic] += 1.0
    built.vectors = built.lead_vectors = lead.astype(np.float32)
    built.indexed = np.ones(size, dtype=bool)
    attach_interest_similarities(built)
    route = built.sibling()
    multilingual = rng.normal(scale=0.45, size=(size, 16))
    multilingual[np.arange(size), topic] += 1.0
    multilingual[:, 15] += np.where(spanish, 0.6, 0.0)
    route.vectors = route.lead_vectors = multilingual.astype(np.float32)
    route.indexed = np.ones(size, dtype=bool)
    attach_interest_similarities(route)
    built.route = route
    attach_common_direction(built)
    return built, topic, spanish


def test_the_main_models_feedback_reads_the_best_matches_topic_not_their_language():
    built, topic, spanish = two_language_catalogue()
    assert built.route is not None and built.lead_common is not None
    assert abs(built.lead_common[0]) > 0.9  # the common direction found is the language
    goal = np.zeros(16, dtype=np.float32)
    goal[0], goal[15] = 1.0, 0.6  # topic 0, written in Spanish
    multilingual = FixedEncoder(goal)
    engine = SemanticEngine(None, multilingual)
    on_topic = int((topic == 0).sum())

    def top(scores: np.ndarray) -> tuple[int, int]:
        """Of the best `on_topic` resources: how many are on the topic, how many of those in
        English."""
        best = np.argsort(-scores)[:on_topic]
        return int((topic[best] == 0).sum()), int(((topic[best] == 0) & ~spanish[best]).sum())

    alone = top(SemanticEngine(multilingual).part_scores(built.route, (SPANISH_GOAL,)).scores[0])
    by_topic = top(engine.part_scores(built, (SPANISH_GOAL,)).scores[0])
    built.lead_mean = built.lead_common = None  # the feedback as it read before
    with_language = top(engine.part_scores(built, (SPANISH_GOAL,)).scores[0])

    assert by_topic[0] > alone[0] > with_language[0]  # feedback helps now; it used to hurt
    assert by_topic[1] > alone[1] > with_language[1]  # by finding the topic in English too
