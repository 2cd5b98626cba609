"""Vectors shipped inside the package for the demo catalogue and the starting interests.

A fresh install ranks its demo catalogue semantically without torch or the model: when a resource
or interest has no stored vector, the recommender looks its text hash up here and stores the
shipped vector. The hashes include the model key, so a different model or chunking rule never
picks them up. Regenerate with `python scripts/build_demo_vectors.py` after changing the demo
texts (a test fails until then).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from studentres_desktop.services.recommendations.embedder import (
    E5_MODEL_NAME,
    MODEL_NAME,
    ModelChoice,
)

log = logging.getLogger(__name__)

BUNDLE_FILE = "demo_vectors.npz"
# The multilingual model's, in a file of its own: one model per file.
BUNDLE_FILES = {MODEL_NAME: BUNDLE_FILE, E5_MODEL_NAME: "demo_vectors_e5.npz"}


@dataclass(frozen=True)
class BundledResource:
    chunks: int
    vectors: bytes  # float32 rows: the title, then each description chunk


@dataclass(frozen=True)
class VectorBundle:
    model_key: str
    dimensions: int
    resources: dict[str, BundledResource]  # by text hash
    interests: dict[str, bytes]  # float32 vector by text hash


def bundle_path(name: str = BUNDLE_FILE) -> Path:
    return Path(str(resources.files(__package__ or __name__) / name))


def load_bundle_for(model: ModelChoice) -> VectorBundle | None:
    """The shipped vectors of a packaged model (None for a model folder or another model)."""
    name = BUNDLE_FILES.get(model.name) if model.folder is None else None
    return None if name is None else load_bundle(bundle_path(name))


def load_bundle(path: Path | None = None) -> VectorBundle | None:
    """The shipped vectors, or None when the file is missing or unreadable (logged)."""
    path = path or bundle_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            model_key = str(data["model_key"])
            hashes = [h.decode("ascii") for h in data["resource_hashes"]]
            chunks = data["resource_chunks"].astype(np.int64)
            rows = data["resource_vectors"].astype(np.float32)
            interest_hashes = [h.decode("ascii") for h in data["interest_hashes"]]
            interest_rows = data["interest_vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError) as error:
        log.warning("no bundled demo vectors (%s): %s", path, error)
        return None
    starts = np.concatenate([[0], np.cumsum(chunks + 1)])
    bundled = {
        digest: BundledResource(int(chunks[n]), rows[starts[n]:starts[n + 1]].tobytes())
        for n, digest in enumerate(hashes)
    }
    return VectorBundle(model_key, int(rows.shape[1]), bundled,
                        {digest: interest_rows[n].tobytes()
                         for n, digest in enumerate(interest_hashes)})


def write_bundle(
    path: Path,
    model_key: str,
    items: Sequence[tuple[str, npt.NDArray[np.float32]]],
    interests: Sequence[tuple[str, npt.NDArray[np.float32]]],
) -> None:
    """Store (text hash, title-and-chunk rows) per resource and (text hash, vector) per interest
    as float16: half the size, and rankings do not change at that precision."""
    np.savez_compressed(
        path,
        model_key=np.array(model_key),
        resource_hashes=np.array([digest.encode("ascii") for digest, _ in items]),
        resource_chunks=np.array([len(rows) - 1 for _, rows in items], dtype=np.int16),
        resource_vectors=np.vstack([rows for _, rows in items]).astype(np.float16),
        interest_hashes=np.array([digest.encode("ascii") for digest, _ in interests]),
        interest_vectors=np.vstack([vector for _, vector in interests]).astype(np.float16),
    )
