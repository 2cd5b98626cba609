"""Okapi BM25 over a fixed document set, with numpy only (no heavy dependencies)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

K1 = 1.5
B = 0.75


class BM25Index:
    """Posting lists per term hold each document's saturated, idf-weighted term frequency."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.size = len(documents)
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                docs, counts = postings.setdefault(term, ([], []))
                docs.append(doc_id)
                counts.append(count)
        self._terms: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = {}
        for term, (docs, counts) in postings.items():
            ids = np.array(docs, dtype=np.int32)
            tf = np.array(counts, dtype=np.float32)
            df = len(docs)
            idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
            norm = k1 * (1 - b + b * lengths[ids] / average)
            self._terms[term] = (ids, (idf * tf * (k1 + 1) / (tf + norm)).astype(np.float32))

    def score(self, query: Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 of every document for the query terms (a repeated term counts again)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, count in Counter(query).items():
            found = self._terms.get(term)
            if found is not None:
                ids, weights = found
                scores[ids] += count * weights  # ids are unique within one posting list
        return scores
