"""Recommendations: the three engines, reasons, stored embeddings and the fallback.

Most tests use a small deterministic embedder (hashed bag of words) so they run in
milliseconds on both backends; tests marked `semantic` load the real all-MiniLM-L6-v2.
"""

from __future__ import annotations

import importlib.abc
import json
import sys
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from studentres_desktop.cli import main as admin
from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.domain.models import ResourceDraft, ResourceFilter, ResourceKind, Role
from studentres_desktop.persistence import tables as t
from studentres_desktop.services.recommendations import RecommendationService
from studentres_desktop.services.recommendations import service as service_module
from studentres_desktop.services.recommendations.embedder import (
    SemanticUnavailable,
    load_embedder,
)
from tests.support.embedders import HashingEmbedder

PASSWORD = "correct horse battery"
START = datetime(2027, 2, 1, 10, 0)


def catalogue() -> list[ResourceDraft]:
    def item(title, description, tags=(), day=None, kind=ResourceKind.WORKSHOP):
        starts = START + timedelta(days=day) if day is not None else None
        return ResourceDraft(kind, title, description, tuple(tags), starts)

    return [
        item("Machine learning with Python", "Train classifiers and neural networks on real "
             "data. Gradient descent, overfitting and model evaluation.", (), 5),
        item("Pottery for beginners", "Throw bowls on the wheel and glaze them. Clay, kiln "
             "and glaze chemistry explained.", (), 1),
        item("Drone building lab", "Build a quadcopter drone: motors, flight controller and "
             "obstacle avoidance with cameras.", ("Robotics",), 9, ResourceKind.TRAINING),
        item("Robot arm soldering", "Solder the controller board of a robot arm.",
             ("Robotics",), 2),
        item("Capture the flag night", "Attack and defend a practice network; cryptography "
             "puzzles.", ("Cybersecurity",), 3, ResourceKind.EVENT),
        item("Deep learning reading group", "Neural networks papers: transformers, "
             "convolutional networks and training tricks.", ("AI",), None, ResourceKind.EVENT),
    ]


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def services(make_services, embedder):
    """Services whose recommender uses the hashing embedder instead of the real model."""
    return make_services(embedder_loader=lambda: embedder)


@pytest.fixture
def recommender(services) -> RecommendationService:
    services.catalogue.add(catalogue())
    services.recommendations.prepare()
    return services.recommendations


def student_token(services, interests=("Robotics",), goal="") -> str:
    services.auth.register("Maya", "maya@example.edu", PASSWORD)
    token = services.auth.login("maya@example.edu", PASSWORD).token
    services.interests.set_for_student(token, list(interests))
    if goal:
        services.auth.set_learning_goal(token, goal)
    return token


def titles(result) -> list[str]:
    return [item.resource.title for item in result.items]


def count_rows(services, table) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- engines --------------------------------------------------------------------------------------


def test_tags_engine_is_the_original_exact_match_soonest_first(services, recommender):
    token = student_token(services, ("Robotics",))
    result = recommender.for_student(token, engine="tags")
    assert result.engine == "tags"
    assert titles(result) == ["Robot arm soldering", "Drone building lab"]
    assert {item.reason for item in result.items} == {"Matches your interest: Robotics"}


@pytest.mark.parametrize("engine", ["lexical", "semantic"])
def test_text_engines_rank_tag_matches_first_then_find_untagged_resources(
        services, recommender, engine):
    token = student_token(services, ("Robotics",), goal="machine learning with python")
    result = recommender.for_student(token, engine=engine, limit=6)

    assert result.engine == engine
    assert set(titles(result)[:2]) == {"Robot arm soldering", "Drone building lab"}
    assert titles(result)[2] == "Machine learning with Python"
    assert result.items[2].reason == "Close to what you want to learn: " \
        "'machine learning with python'"
    assert result.items[0].reason == "Matches your interest: Robotics"
    assert all(a.score >= b.score for a, b in zip(result.items, result.items[1:], strict=False))


@pytest.mark.parametrize("engine", ["lexical", "semantic"])
def test_free_text_query_and_more_like_this(services, recommender, engine):
    query = recommender.query_for(text="neural networks")
    result = recommender.recommend(query, engine=engine, limit=2)
    assert titles(result)[0] in {"Deep learning reading group", "Machine learning with Python"}
    assert result.items[0].reason == "Close to 'neural networks'"

    token = student_token(services)
    source = next(item.resource for item in recommender.recommend(query, engine=engine).items
                  if item.resource.title == "Deep learning reading group")
    similar = recommender.more_like(token, source.row_id, source.kind, engine=engine, limit=3)
    assert "Deep learning reading group" not in titles(similar)
    assert titles(similar)[0] == "Machine learning with Python"
    assert similar.items[0].reason == "Similar to 'Deep learning reading group'"


def test_interests_and_text_combine_on_the_command_line(services, recommender):
    query = recommender.query_for(interests=["Cybersecurity"], text="pottery wheel")
    result = recommender.recommend(query, engine="lexical", limit=2)
    assert titles(result) == ["Capture the flag night", "Pottery for beginners"]


def test_a_query_needs_something_and_known_interests(recommender):
    with pytest.raises(ValidationError) as empty:
        recommender.query_for()
    assert empty.value.field == "query"
    with pytest.raises(ValidationError) as unknown:
        recommender.query_for(interests=["Underwater Basket Weaving"])
    assert unknown.value.field == "interests"
    with pytest.raises(ValidationError):
        recommender.recommend(recommender.query_for(text="x"), engine="psychic")
    with pytest.raises(ValidationError):
        recommender.recommend(recommender.query_for(text="x"), limit=0)


def test_original_style_rows_are_recommended_too(services, recommender):
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop, event) "
                          "VALUES (NULL, 'Intro to pottery glazes', 'Kiln open day')"))
    recommender.invalidate()
    result = recommender.recommend(recommender.query_for(text="pottery glazes"),
                                   engine="lexical", limit=3)
    assert "Intro to pottery glazes" in titles(result)


# --- stored embeddings ----------------------------------------------------------------------------


def test_embeddings_are_stored_once_and_recomputed_only_for_changed_text(
        services, make_services, embedder):
    services.catalogue.add(catalogue())
    services.recommendations.prepare()
    assert count_rows(services, t.resource_embeddings) == 6
    assert count_rows(services, t.interest_embeddings) == 12
    with services.engine.connect() as conn:
        stored = conn.execute(select(t.resource_embeddings.c.chunks,
                                     t.resource_embeddings.c.vectors)).first()
    assert len(stored.vectors) == (stored.chunks + 1) * embedder.dimensions * 4

    # Another workstation starts: nothing is embedded again.
    again = HashingEmbedder()
    second = make_services(embedder_loader=lambda: again)
    second.recommendations.prepare()
    assert again.encoded == []

    # An advisor edits one resource: only its text is embedded again, and rankings follow.
    services.auth.register("Grace", "grace@example.edu", PASSWORD)
    services.auth.set_role("grace@example.edu", Role.ADVISOR)
    advisor = second.auth.login("grace@example.edu", PASSWORD).token
    pottery = next(r for r in second.catalogue.list(ResourceFilter()).items
                   if r.title == "Pottery for beginners")
    recommender = second.recommendations
    before = recommender.recommend(recommender.query_for(text="orbital mechanics"),
                                   engine="semantic", limit=1)
    assert titles(before) != ["Orbital mechanics for beginners"]
    encoded_before = len(again.encoded)
    second.resources.update(advisor, pottery.row_id, pottery.kind, ResourceDraft(
        ResourceKind.WORKSHOP, "Orbital mechanics for beginners",
        "Orbital mechanics: satellites, orbits and rockets.", (), START))
    after = recommender.recommend(recommender.query_for(text="orbital mechanics"),
                                  engine="semantic", limit=1)
    assert titles(after) == ["Orbital mechanics for beginners"]
    assert again.encoded[encoded_before:] == [  # its title and its one chunk, then the query
        "Orbital mechanics for beginners", "Orbital mechanics: satellites, orbits and rockets.",
        "orbital mechanics"]


def test_catalogue_changes_made_elsewhere_are_noticed(services, recommender, monkeypatch):
    monkeypatch.setattr(service_module, "REFRESH_SECONDS", 0.0)
    services.catalogue.add([ResourceDraft(ResourceKind.EVENT, "Quantum computing meetup",
                                          "Qubits and quantum algorithms.", (), START)])
    result = recommender.recommend(recommender.query_for(text="quantum qubits"),
                                   engine="semantic", limit=1)
    assert titles(result) == ["Quantum computing meetup"]


def test_reindex_can_be_interrupted_and_resumed(services):
    services.catalogue.add([*catalogue(), *(
        ResourceDraft(ResourceKind.WORKSHOP, f"Extra {n}", "Some words.", (), START)
        for n in range(40))])
    service = services.recommendations

    def interrupt(done: int, total: int) -> None:
        if done >= 32:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        service.reindex(interrupt)
    assert count_rows(services, t.resource_embeddings) == 32
    report = service.reindex()
    assert (report.computed, report.unchanged) == (14, 32)
    assert count_rows(services, t.resource_embeddings) == 46


# --- the fallback ---------------------------------------------------------------------------------


def test_without_the_semantic_extra_the_lexical_engine_is_used_and_said_once(
        make_services, caplog):
    def missing():
        raise SemanticUnavailable("the [semantic] extra is not installed (sentence_transformers)")

    services = make_services(embedder_loader=missing)
    services.catalogue.add(catalogue())
    service = services.recommendations
    status = service.prepare()
    assert status.engine == "lexical"
    assert "Semantic ranking is off" in status.note
    result = service.recommend(service.query_for(text="pottery"), limit=1)
    service.recommend(service.query_for(text="drone"), limit=1)
    assert result.engine == "lexical"
    assert titles(result) == ["Pottery for beginners"]
    warnings = [r for r in caplog.records if "semantic recommendations unavailable" in r.message]
    assert len(warnings) == 1
    with pytest.raises(ValidationError) as asked:
        service.recommend(service.query_for(text="pottery"), engine="semantic")
    assert "[semantic] extra" in asked.value.message


def test_a_failing_import_of_sentence_transformers_becomes_semantic_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import raises ImportError
    with pytest.raises(SemanticUnavailable, match="not installed"):
        load_embedder()


class _BrokenPackage(importlib.abc.MetaPathFinder):
    """A package whose import fails reading its own data file, as `kernels` did in a bundle."""

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == "sentence_transformers":
            raise FileNotFoundError("Cannot load dependency data, is `kernels` installed?")
        return None


def test_a_package_missing_its_data_files_becomes_semantic_unavailable(monkeypatch):
    monkeypatch.delitem(sys.modules, "sentence_transformers", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenPackage(), *sys.meta_path])
    with pytest.raises(SemanticUnavailable, match="incomplete here"):
        load_embedder()


# --- the admin CLI --------------------------------------------------------------------------------


def test_recommend_command_prints_ranked_ids_scores_and_reasons(services, database_url):
    services.catalogue.add(catalogue())
    services.auth.register("Maya", "maya@example.edu", PASSWORD)
    token = services.auth.login("maya@example.edu", PASSWORD).token
    services.interests.set_for_student(token, ["Cybersecurity"])
    runner = CliRunner()
    result = runner.invoke(admin, ["recommend", "--db", database_url, "--email",
                                   "maya@example.edu", "--text", "pottery", "--engine",
                                   "lexical", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["engine"] == "lexical"
    assert [r["title"] for r in payload["results"]] == ["Capture the flag night",
                                                        "Pottery for beginners"]
    assert payload["results"][0]["reason"] == "Matches your interest: Cybersecurity"
    assert payload["results"][1]["reason"] == "Close to 'pottery'"
    assert all({"row_id", "kind", "score"} <= set(r) for r in payload["results"])

    table = runner.invoke(admin, ["recommend", "--db", database_url, "--interests",
                                  "Robotics", "--engine", "tags"])
    assert table.exit_code == 0
    assert "Robot arm soldering" in table.output
    assert "Matches your interest: Robotics" in table.output

    nothing = runner.invoke(admin, ["recommend", "--db", database_url])
    assert nothing.exit_code != 0
    assert "--email, --interests or --text" in nothing.output


# --- the real model -------------------------------------------------------------------------------


@pytest.mark.semantic
def test_real_model_ranks_a_machine_learning_workshop_above_pottery(make_services,
                                                                    semantic_extra):
    services = make_services()
    services.catalogue.add(catalogue())
    status = services.recommendations.prepare()
    assert status.engine == "semantic"
    query = services.recommendations.query_for(text="I want to learn about machine learning")
    result = services.recommendations.recommend(query, limit=6)
    ranked = titles(result)
    assert result.engine == "semantic"
    assert ranked.index("Machine learning with Python") < ranked.index("Pottery for beginners")
    assert ranked[0] in {"Machine learning with Python", "Deep learning reading group"}
