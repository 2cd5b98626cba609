"""A deterministic stand-in for the sentence model, so tests run in milliseconds."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from studentres_desktop.services.recommendations.text import tokens


class HashingEmbedder:
    """Unit vectors of hashed word counts: texts sharing words are close, others are not."""

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions  # another width stands for another model
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.encoded += list(texts)
        rows = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, item in enumerate(texts):
            for token in tokens(item):
                bucket = int(hashlib.md5(token.encode()).hexdigest(), 16) % self.dimensions
                rows[row, bucket] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.encode(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def similarities(self, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
                     ) -> npt.NDArray[np.float32]:
        return vectors @ queries.T
