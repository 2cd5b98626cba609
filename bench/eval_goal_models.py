"""Which sentence model suits students' learning goals, in English and in Spanish?

    python bench/eval_goal_models.py [--models all-MiniLM-L6-v2 multilingual-e5-small] [--held-out]

A quick, model-only comparison: each of the 975 edX courses is one short text (its title and its
one-sentence summary), each learning goal of bench/learning_goals.py and each subject description
is encoded by the model, and courses are ranked by plain cosine; relevant = same subject.
No chunks, no prior, no BM25 blend: it isolates the model (the full pipeline is
bench/eval_recommendations.py). Vectors are cached like there, outside the repository.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_recommendations import DEFAULT_CACHE, DEFAULT_DATA, CachingEmbedder, edx_rows, metrics
from learning_goals import goal_sets
from subject_descriptions import SUBJECT_DESCRIPTIONS

from studentres_desktop.services.recommendations.embedder import choose_model, load_embedder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--models", nargs="+", default=["all-MiniLM-L6-v2",
                                                         "multilingual-e5-small"])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--held-out", action="store_true")
    args = parser.parse_args()
    rows = edx_rows(args.data)
    subjects = [row["subject"] for row in rows]
    counts = {s: subjects.count(s) for s in set(subjects)}
    texts = [f"{row['title'].strip()}. {row['summary'].strip()}" for row in rows]
    sets = {"subject descriptions": [(d, s) for s, d in sorted(SUBJECT_DESCRIPTIONS.items())],
            **goal_sets(args.held_out)}
    spanish = np.array([row["language"] == "Español" for row in rows])
    results = []
    for name in args.models:
        choice = choose_model(name)
        embedder = CachingEmbedder(f"{choice.key}/short", lambda c=choice: load_embedder(c),
                                   args.cache)
        started = time.perf_counter()
        courses = embedder.encode(texts)
        seconds = time.perf_counter() - started
        embedder.save()
        scores = {}
        for label, cases in sets.items():
            queries = embedder.encode([text for text, _ in cases])
            ranked = np.argsort(-(queries @ courses.T), axis=1)[:, :10]
            found = [metrics([subjects[i] == subject for i in top], counts[subject])[0]
                     for top, (_, subject) in zip(ranked, cases, strict=True)]
            scores[label] = float(np.mean(found))
        share = float(np.mean([spanish[top].mean() for top in np.argsort(
            -(embedder.encode([t for t, _ in sets["goals es"]]) @ courses.T), axis=1)[:, :10]]))
        embedder.save()
        results.append((name, scores, seconds, embedder.computed, share))
    labels = list(sets)
    print(f"\n{len(rows)} courses as 'title. summary', plain cosine; nDCG@10 "
          f"({', '.join(f'{k}: {len(v)}' for k, v in sets.items())})\n")
    print(f"| model | {' | '.join(labels)} | Spanish share of the top 10 for Spanish goals | "
          "encoding the courses, s (texts encoded) |")
    print(f"|---|{'---:|' * len(labels)}---:|---:|")
    for name, scores, seconds, computed, share in results:
        print(f"| {name} | {' | '.join(f'{scores[k]:.3f}' for k in labels)} | {share:.2f} | "
              f"{seconds:.0f} ({computed}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
