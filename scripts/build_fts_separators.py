"""Regenerate the characters SQLite's search index must treat as separators.

    python scripts/build_fts_separators.py

Rewrites `RANGES` and `UNICODE_VERSION` in studentres_desktop/persistence/fts_separators.py from
this Python's Unicode tables and SQLite's FTS5 tokenizer. Run it when tests/unit/
test_fts_separators.py says they changed; a changed list needs a migration that rebuilds the
SQLite index (see persistence/migrations/versions/0004_search_word_separators.py).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from studentres_desktop.persistence import fts_separators


def main() -> int:
    path = Path(fts_separators.__file__)
    ranges = fts_separators.compute_ranges()
    lines = "".join(f"    (0x{first:05X}, 0x{last:05X}),\n" for first, last in ranges)
    source = path.read_text(encoding="utf-8")
    source = re.sub(r'UNICODE_VERSION = "[^"]*"',
                    f'UNICODE_VERSION = "{unicodedata.unidata_version}"', source)
    source = re.sub(r"RANGES: tuple\[tuple\[int, int\], \.\.\.\] = \((?:\n.*?)*?\)\n",
                    f"RANGES: tuple[tuple[int, int], ...] = (\n{lines})\n", source, count=1)
    path.write_text(source, encoding="utf-8")
    count = sum(last - first + 1 for first, last in ranges)
    version = unicodedata.unidata_version
    print(f"{path}: {len(ranges)} ranges, {count} characters, Unicode {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
