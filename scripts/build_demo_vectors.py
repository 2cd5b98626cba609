"""Compute the vectors shipped for the demo catalogue and the starting interests.

    python scripts/build_demo_vectors.py

Needs the [semantic] extra. Seeds the demo catalogue into a temporary SQLite file, reads it back
the way the recommender does, embeds every resource (title, then description chunks) and
interest with the default model, and writes
studentres_desktop/services/recommendations/demo_vectors.npz. Run it after changing a demo
title, description or interest: tests/unit/test_bundled_vectors.py fails until then.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from studentres_desktop.bootstrap import build_services
from studentres_desktop.persistence.engine import DatabaseSettings
from studentres_desktop.persistence.schema import ensure_schema
from studentres_desktop.services.recommendations.bundled import bundle_path, write_bundle
from studentres_desktop.services.recommendations.embedder import DEFAULT_MODEL, load_embedder
from studentres_desktop.services.recommendations.service import (
    interest_text_hash,
    interest_vector,
    resource_text_hash,
    resource_vectors,
)


def main() -> int:
    embedder = load_embedder(DEFAULT_MODEL)
    key = DEFAULT_MODEL.key
    with tempfile.TemporaryDirectory(prefix="studentres-demo-vectors-") as folder:
        services = build_services(DatabaseSettings(f"sqlite:///{Path(folder) / 'demo.sqlite3'}"),
                                  bcrypt_cost=10, embedder_loader=lambda: embedder)
        try:
            ensure_schema(services.engine)
            services.catalogue.seed_demo()
            resources = services.recommendations.all_resources()
            interests = services.interests.vocabulary()
        finally:
            services.dispose()
    items = [(resource_text_hash(r, key), resource_vectors(embedder, r)) for r in resources]
    vocabulary = [(interest_text_hash(i, key), interest_vector(embedder, i)) for i in interests]
    path = bundle_path()
    write_bundle(path, key, items, vocabulary)
    rows = sum(len(rows) for _, rows in items)
    print(f"{path}: {len(items)} resources ({rows} rows), {len(vocabulary)} interests, "
          f"{embedder.dimensions} dimensions, {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
