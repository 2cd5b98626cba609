"""Evaluate the recommendation engines on a real catalogue: 975 edX courses, 31 subjects.

    python bench/eval_recommendations.py [--data ../shared/data]

The courses are imported through the app's CSV import as an untagged catalogue (title; summary
and course description as the description), embedded with `reindex`, and ranked by each engine.
Every subject is a query three ways: its name, the one-sentence description written for it in
bench/subject_descriptions.py, and both as an interest (label plus description, the way the app
asks for a student's interests). A course is relevant when its subject is the query's subject.
The tags engine runs on a variant where every course is tagged with its subject, next to the
semantic engine with the tag bonus. Prints nDCG@10, P@5 and MRR@10, macro-averaged over
subjects, and the median time per query (free-text queries include encoding them).
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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
from studentres_desktop.services.resources import check_draft

CUTOFF = 10
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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


def evaluate(services: Services, engine: str, kind: str, subject_of: dict[tuple[int, str], str],
             tagged: bool, timings: list[float]) -> tuple[float, float, float]:
    recommender = services.recommendations
    totals = []
    counts: dict[str, int] = {}
    for subject in subject_of.values():
        counts[subject] = counts.get(subject, 0) + 1
    for subject in sorted(SUBJECT_DESCRIPTIONS):
        started = time.perf_counter()
        result = recommender.recommend(query(kind, subject, tagged), engine=engine, limit=CUTOFF)
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
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="studentres-eval-"))
    url = f"sqlite:///{workdir / 'eval.sqlite3'}"
    rows = edx_rows(args.data)
    services = build_services(DatabaseSettings(url), bcrypt_cost=10)
    prepare_catalogue(services, rows, workdir)
    embed_seconds = reindex(services)
    status = services.recommendations.prepare()
    resources = services.recommendations.all_resources()
    subject_of = {(r.row_id, r.kind.value): rows[n]["subject"] for n, r in enumerate(resources)}

    kinds = ("name", "description", "interest")
    table: list[tuple[str, dict[str, tuple[float, float, float]], float]] = []

    def run(label: str, engine: str, tagged: bool, kinds_: tuple[str, ...] = kinds) -> None:
        results, timings = {}, []
        for kind in kinds_:
            results[kind] = evaluate(services, engine, kind, subject_of, tagged, timings)
        table.append((label, results, statistics.median(timings)))

    run("lexical (BM25)", "lexical", tagged=False)
    run(f"semantic ({status.label.removeprefix('Semantic ranking ').strip('()')})", "semantic",
        tagged=False)
    tag_every_course(services, subject_of)
    run("tags, tagged variant", "tags", tagged=True, kinds_=("interest",))
    run("semantic + tag bonus, tagged variant", "semantic", tagged=True)
    print_table(table, len(resources), embed_seconds)
    return 0


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
