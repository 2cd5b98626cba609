"""Text handling shared by the engines: tokens for BM25, sentence chunks for embeddings."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

_TOKEN = re.compile(r"\w+")
# Splits after . ! ? before a capital (also "word.Next", common in imported catalogues) or at
# line breaks.
_SENTENCE = re.compile(r"(?<=[.!?])\s*(?=[A-ZÁÉÍÓÚÑ¿¡\"“(])|\n+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "s")
# Very frequent words only: dropping them keeps posting lists short without changing rankings.
_STOPWORD_TEXT = """
a an and are as at be by for from has have how in is it its of on or that the this to was were
will with you your we our can into about what which who their they not but all more also than
el la los las un una y o de del al en por para con que se su sus es son lo le como más
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


# A catalogue repeats a few thousand words: building the lexical index of 600 resources called
# this 7,000 times, a quarter of a workstation's first recommendations.
@functools.lru_cache(maxsize=1 << 16)
def light_stem(word: str) -> str:
    """Strip a plural or -ing/-ation ending, so 'drones' finds 'drone' and 'coding' 'code'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [light_stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if part and part.strip()]


def pack_chunks(text: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """Whole sentences packed greedily into chunks of at most `max_tokens` model tokens.

    A long description is embedded in several pieces instead of being cut off at the model's
    input limit; a single over-long sentence becomes its own (truncated) chunk.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences(text):
        length = count_tokens(sentence)
        if current and size + length > max_tokens:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += length
    if current:
        chunks.append(" ".join(current))
    return chunks


def text_hash(*parts: str) -> str:
    """SHA-256 of the text an embedding was computed from, to notice when it changes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


# Frequent function words that are common in one language and rare in the other, so a handful of
# them tell a short goal or a course summary apart ("quiero aprender a programar en python").
_SPANISH_WORDS = frozenset("""
el la los las un una unos unas y del al en por para con como que se su sus es son lo le les más
pero muy sin sobre también hasta hay donde desde entre cuando porque este esta estos estas ese
esa eso nos mi mis tu tus yo quiero aprender curso cómo qué mejor hacer ser las datos
""".split())
_ENGLISH_WORDS = frozenset("""
the of and to in is that for it with as on be at by this are from or an was how what my i want
learn about your you can will do get make into their which
""".split())
_SPANISH_MARKS = frozenset("áéíóúñ¿¡")


def looks_spanish(text: str) -> bool:
    """Whether a text reads as Spanish rather than English, by its function words and accents.

    The catalogue and the students' goals are in one of the two; a course or goal in another
    language reads as English, which keeps the English model for it."""
    words = _TOKEN.findall(text.lower())
    spanish = sum(w in _SPANISH_WORDS for w in words) + sum(c in _SPANISH_MARKS for c in text)
    english = sum(w in _ENGLISH_WORDS for w in words)
    return spanish > english
