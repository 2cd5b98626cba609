"""What a person's search text asks for: its words, folded the way the search indexes fold them.

The rules, the same on SQLite (FTS5) and MariaDB/MySQL (FULLTEXT):

- A word is a run of letters, digits and underscores; everything else separates words, so the
  boolean operators of either engine (`+ - < > ( ) ~ * " @ ^ :`) never reach it as syntax.
- Case and accents do not matter: "Programacion" finds "Programación", "resume" finds "résumé";
  a final sigma is a sigma, as both indexes fold case.
- Every word must be found (AND). The last word also matches as the start of a longer word
  ("robo" finds "robotics") while it is being typed: when it has at least PREFIX_MIN characters
  and the text does not end with a separator ("C++" and "AI" find those words, not "cat" or "air").
- A text with no word, or with a word longer than WORD_MAX characters, finds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
WORD_MAX = 80  # InnoDB indexes words up to 84 characters; the index marks each with 2 more
PREFIX_MIN = 3
_FINAL_SIGMA = str.maketrans("\N{GREEK SMALL LETTER FINAL SIGMA}", "\N{GREEK SMALL LETTER SIGMA}")


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    last_is_prefix: bool
    # The same words with their accents kept (case folded), when any has one: for an index
    # that removes only some accents itself, which is asked for both forms (FTS5 removes those
    # of Latin letters only, so "высший" is not "высшии" there). Empty otherwise.
    accented: tuple[str, ...] = field(default=(), compare=False)

    @property
    def findable(self) -> bool:
        """False when nothing can match, so no query needs to run."""
        return bool(self.words) and all(len(word) <= WORD_MAX for word in self.words)


def fold(text: str) -> str:
    """Compatibility forms unified (full-width letters, ligatures), lower case, accents (and
    every other non-spacing mark) removed."""
    if text.isascii():  # the same answer, without a loop over every character in Python
        return text.lower()
    lowered = _cased(text)
    bare = "".join(c for c in unicodedata.normalize("NFKD", lowered)
                   if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare)


def _cased(text: str) -> str:
    """Compatibility forms unified, lower case, a final sigma as a sigma: fold() up to accents."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FINAL_SIGMA)


def is_word_character(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LN"


def split_words(text: str) -> list[str]:
    """The runs of word characters in text, in order."""
    if text.isascii():  # the same answer, from the regex engine
        return _ASCII_WORD.findall(text)
    return _runs(text, is_word_character)


def _runs(text: str, inside: Callable[[str], bool]) -> list[str]:
    """The runs of characters `inside` accepts, in order."""
    runs: list[str] = []
    current: list[str] = []
    for char in text:
        if inside(char):
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def search_terms(text: str) -> SearchTerms:
    folded = fold(text)
    words = tuple(split_words(folded))
    open_ended = bool(folded) and is_word_character(folded[-1])
    return SearchTerms(words, bool(words) and open_ended and len(words[-1]) >= PREFIX_MIN,
                       _accented(text, words))


def _accented(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words of text folded but for their accents (`SearchTerms.accented`), or ()."""
    if text.isascii():
        return ()
    cased = unicodedata.normalize("NFC", _cased(text))
    # Runs of word characters and marks: fold() removes the marks, joining what they part.
    pieces = _runs(cased, lambda c: is_word_character(c) or unicodedata.category(c) == "Mn")
    accented = tuple(piece for piece in pieces if fold(piece))
    if accented == words or [fold(word) for word in accented] != list(words):
        return ()
    return accented


def holds(terms: SearchTerms, text: str) -> bool:
    """Whether an item whose searchable text is `text` matches the terms, by the rules above:
    what the indexes answer, checked in Python (for candidates a broader SQL test found)."""
    if not terms.findable:
        return False
    words = set(split_words(fold(text)))
    *whole, last = terms.words
    if not all(word in words for word in whole):
        return False
    return last in words or (terms.last_is_prefix and any(w.startswith(last) for w in words))
