"""Semantic ranking on a computer without the model: from the vectors stored in the database,
per model, with keywords for what has no vector yet. A deterministic stand-in embedder plays the
model on the computer that indexes the catalogue."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from studentres_desktop.cli import main as admin
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.recommendations import service as service_module
from studentres_desktop.services.recommendations.embedder import (
    ModelChoice,
    SemanticUnavailable,
)
from studentres_desktop.services.recommendations.service import FREE_TEXT_BY_KEYWORDS
from tests.integration.test_recommendations import START, catalogue, student_token, titles
from tests.support.embedders import HashingEmbedder

MODEL = ModelChoice("hashing-test")
OTHER_MODEL = ModelChoice("hashing-narrow")


def no_model() -> HashingEmbedder:
    raise SemanticUnavailable("the [semantic] extra is not installed (torch)")


@pytest.fixture
def indexer(make_services):
    """The computer with the model (IT's reindex): it indexes the catalogue once."""
    services = make_services(recommendation_model=MODEL, embedder_loader=HashingEmbedder)
    services.catalogue.add(catalogue())
    services.recommendations.reindex()
    return services


@pytest.fixture
def workstation(make_services, indexer):
    """A student's workstation: same database and model setting, no model installed."""
    return make_services(recommendation_model=MODEL, embedder_loader=no_model)


def stored_rows(services, model: ModelChoice, table=t.resource_embeddings) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)
                                .where(table.c.model == model.key)).scalar_one())


def test_a_workstation_without_the_model_ranks_semantically_from_stored_vectors(workstation):
    recommender = workstation.recommendations
    status = recommender.prepare()
    assert (status.engine, status.label, status.note) == (
        "semantic", "Semantic ranking (hashing-test)", "")

    result = recommender.recommend(recommender.query_for(interests=["AI"]), limit=6)
    assert result.engine == "semantic"
    assert result.note == ""
    assert titles(result)[0] == "Deep learning reading group"  # the tagged one
    assert result.items[1].resource.title == "Machine learning with Python"
    assert result.items[1].reason == "Related to your interest: Artificial Intelligence"


def test_without_the_model_a_learning_goal_is_matched_by_keywords_and_says_so(workstation):
    token = student_token(workstation, ("Robotics",), goal="pottery and glaze chemistry")
    result = workstation.recommendations.for_student(token, limit=6)

    assert result.engine == "semantic"
    assert result.note == FREE_TEXT_BY_KEYWORDS
    assert titles(result)[:2] == ["Robot arm soldering", "Drone building lab"]
    assert titles(result)[2] == "Pottery for beginners"
    assert result.items[2].reason == ("Shares words with what you want to learn: "
                                      "'pottery and glaze chemistry' (keyword match)")


def test_more_like_this_without_the_model_uses_the_resource_own_vector(workstation):
    recommender = workstation.recommendations
    token = student_token(workstation)
    source = next(r for r in recommender.all_resources()
                  if r.title == "Deep learning reading group")
    similar = recommender.more_like(token, source.row_id, source.kind, limit=3)
    assert similar.engine == "semantic"
    assert titles(similar)[0] == "Machine learning with Python"
    assert similar.items[0].reason == "Similar to 'Deep learning reading group'"


def test_a_resource_added_without_the_model_ranks_by_keywords_until_the_next_reindex(
        workstation, indexer, monkeypatch):
    monkeypatch.setattr(service_module, "REFRESH_SECONDS", 0.0)
    recommender = workstation.recommendations
    recommender.prepare()
    workstation.catalogue.add([ResourceDraft(
        ResourceKind.EVENT, "Neural networks study group",
        "Deep learning papers and neural networks, every Friday.", (), START)])

    query = recommender.query_for(interests=["AI"])
    everything = recommender.recommend(query, limit=100)
    assert len(everything.items) == 7  # never dropped: every resource is ranked
    before = recommender.recommend(query, limit=3)
    assert "Neural networks study group" in titles(before)[1:]  # its words match the interest
    new = next(i for i in before.items if i.resource.title == "Neural networks study group")
    assert new.reason == "Shares words with your interest: Artificial Intelligence (keyword match)"
    assert before.note == ("1 new or edited resources are matched by keywords until IT runs "
                           "'studentres-admin reindex'.")
    assert stored_rows(workstation, MODEL) == 6

    report = indexer.recommendations.reindex()
    assert (report.computed, report.unchanged) == (1, 6)
    after = recommender.recommend(query, limit=3)
    assert after.note == ""
    new = next(i for i in after.items if i.resource.title == "Neural networks study group")
    assert new.reason == "Related to your interest: Artificial Intelligence"


def test_changing_the_model_reindexes_rather_than_mixing_vectors(make_services, indexer):
    narrow = HashingEmbedder(dimensions=64)
    changed = make_services(recommendation_model=OTHER_MODEL, embedder_loader=lambda: narrow)
    status = changed.recommendations.prepare()  # a small catalogue is embedded right away

    assert status.engine == "semantic"
    assert stored_rows(changed, OTHER_MODEL) == 6
    assert stored_rows(changed, OTHER_MODEL, t.interest_embeddings) == 12
    assert stored_rows(changed, MODEL) == 6  # the old model's vectors are left alone
    assert {"Pottery for beginners", "Drone building lab"} <= set(narrow.encoded)
    with changed.engine.connect() as conn:
        widths = set(conn.execute(select(t.resource_embeddings.c.dimensions)
                                  .where(t.resource_embeddings.c.model == OTHER_MODEL.key))
                     .scalars())
    assert widths == {64}

    # A workstation set to the new model ranks with its vectors only (64 wide, not 256).
    workstation = make_services(recommendation_model=OTHER_MODEL, embedder_loader=no_model)
    recommender = workstation.recommendations
    result = recommender.recommend(recommender.query_for(interests=["AI"]), limit=2)
    assert (result.engine, result.engine_label) == ("semantic", "Semantic ranking (hashing-narrow)")
    assert titles(result) == ["Deep learning reading group", "Machine learning with Python"]


def test_a_model_with_no_stored_vectors_and_not_installed_falls_back_to_keywords(
        make_services, indexer):
    workstation = make_services(recommendation_model=ModelChoice("never-indexed"),
                                embedder_loader=no_model)
    recommender = workstation.recommendations
    status = recommender.prepare()
    assert status.engine == "lexical"
    assert status.note.startswith("Semantic ranking is off: the [semantic] extra is not installed "
                                  "(torch), and no vectors of never-indexed are stored")
    assert recommender.recommend(recommender.query_for(text="pottery"), limit=1).engine == "lexical"
    with pytest.raises(ValidationError) as asked:
        recommender.recommend(recommender.query_for(text="pottery"), engine="semantic")
    assert asked.value.field == "engine"
    assert "reindex" in asked.value.message


def test_reindex_names_the_configured_model_when_it_cannot_load_it(database_url, tmp_path,
                                                                   monkeypatch):
    missing = tmp_path / "models" / "my-finetuned-model"
    config = tmp_path / "config.toml"
    config.write_text(f'[recommendations]\nmodel = "{missing.as_posix()}"\n', encoding="utf-8")
    monkeypatch.setenv("STUDENTRES_CONFIG", str(config))

    result = CliRunner().invoke(admin, ["reindex", "--db", database_url])

    assert result.exit_code == 1
    assert "Loading the models my-finetuned-model and multilingual-e5-small" in result.output
    assert "Error: recommendations.model: my-finetuned-model cannot be loaded here (the model " \
        "folder" in result.output
    assert "does not exist); reindex needs it." in result.output
