"""How a person's search text becomes the words the index looks for."""

from __future__ import annotations

import pytest

from studentres_desktop.domain.search import WORD_MAX, SearchTerms, fold, holds, search_terms


@pytest.mark.parametrize(
    ("typed", "words", "prefix"),
    [
        ("Programación", ("programacion",), True),
        ("RÉSUMÉ clinic", ("resume", "clinic"), True),
        ("robo", ("robo",), True),
        ("AI", ("ai",), False),  # too short to be the start of another word
        ("C++", ("c",), False),  # ends with a separator: the word is complete
        ("3D printing", ("3d", "printing"), True),
        ("my_module", ("my_module",), True),
        ('+python -ethics "deep learning" (ml*) ~x <y> @3', (
            "python", "ethics", "deep", "learning", "ml", "x", "y", "3"), False),
        ("\uff5a\u00fc\uff52\uff49\uff43\uff48", ("zurich",), True),  # full-width "zürich"
        ("ﬁnance", ("finance",), True),  # a ligature
        ("", (), False),
        ("+-*\"@()~<>", (), False),
        ("😀 🤖", (), False),
    ],
)
def test_search_text_becomes_folded_words(typed, words, prefix):
    assert search_terms(typed) == SearchTerms(words, prefix)


@pytest.mark.parametrize(
    ("typed", "accented"),
    [
        ("Résumé clinic", ("résumé", "clinic")),
        ("Высший пилотаж", ("высший", "пилотаж")),  # the short i keeps its breve
        ("ΕΛΛΗΝΙΚΆ", ("ελληνικά",)),
        ("e\u0301te\u0301", ("été",)),  # typed as letters and combining accents
        ("plain words", ()),
        ("пилотаж", ()),  # no accent to keep
    ],
)
def test_words_keep_their_accents_beside_the_folded_form(typed, accented):
    terms = search_terms(typed)
    assert terms.accented == accented
    assert [fold(word) for word in terms.accented or terms.words] == list(terms.words)


def test_nothing_is_findable_without_words_or_with_an_overlong_one():
    assert not search_terms("***").findable
    assert not search_terms("robot " + "a" * (WORD_MAX + 1)).findable
    assert search_terms("a" * WORD_MAX).findable


def test_fold_keeps_letters_that_are_not_accented_forms():
    assert fold("Øresund Straße") == "øresund straße"


def test_holds_checks_a_text_by_the_same_rules():
    assert holds(search_terms("robo"), "Robotics club")
    assert holds(search_terms("programacion intro"), "Introducción a la Programación")
    assert not holds(search_terms("robotics"), "Jazzrobotics night")  # inside a longer word
    assert not holds(search_terms("data "), "Databases")  # a whole word, not a prefix
    assert not holds(search_terms("machine learning"), "machines learning")
    assert not holds(search_terms("+-"), "anything")
