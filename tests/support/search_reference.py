"""The search rules in plain Python, written apart from the app's: every item read, each query's
words folded (case, accents, compatibility forms), every word required, the last one a prefix
while typed. Tests compare what the indexes find with what this finds."""

from __future__ import annotations

import re
import unicodedata

from studentres_desktop.domain.models import Resource


def ref_fold(value: str) -> str:
    lowered = unicodedata.normalize("NFKC", value).lower().replace(
        "\N{GREEK SMALL LETTER FINAL SIGMA}", "\N{GREEK SMALL LETTER SIGMA}")
    decomposed = unicodedata.normalize("NFKD", lowered)
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if unicodedata.category(c) != "Mn"
    ))


def ref_words(value: str) -> list[str]:
    return re.findall(r"\w+", ref_fold(value))


def ref_search(items: dict[str, set[str]], query: str) -> set[str]:
    """Keys of the items holding every word of the query, the last maybe as a prefix."""
    folded = ref_fold(query.strip())
    words = re.findall(r"\w+", folded)
    if not words or any(len(w) > 80 for w in words):
        return set()
    *whole, last = words
    prefix = re.search(r"\w$", folded) is not None and len(last) >= 3

    def holds(tokens: set[str]) -> bool:
        if not all(w in tokens for w in whole):
            return False
        return last in tokens or (prefix and any(t.startswith(last) for t in tokens))

    return {key for key, tokens in items.items() if holds(tokens)}


def item_words(resource: Resource) -> set[str]:
    """What the index holds for an item: an original-style cell is its title alone."""
    return set(ref_words(" ".join((resource.title, resource.description, resource.location))))
