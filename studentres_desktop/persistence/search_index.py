"""The full-text index over the catalogue: FTS5 on SQLite, a FULLTEXT index on MariaDB/MySQL.

Both index every item a browse can show: an app-written row (its title, description and
location), and each workshop, training and event cell of a row written by plain SQL with only
the original columns. Both are kept current by the database itself, so rows inserted by plain
SQL, before or after the index was made, are searchable. The rules they implement are in
`domain/search.py`.

**SQLite.** An FTS5 table `resource_search` with `unicode61 remove_diacritics 2` (`_` as a word
character, the characters of `fts_separators.py` as separators), filled by triggers on
`interest_resources`. Its rowid names the item:
`id * 4` for an app row, `id * 4 + 1/2/3` for the workshop/training/event cell of an
original-style row.

**MariaDB/MySQL.** InnoDB drops words shorter than `innodb_ft_min_token_size` (3) and those on
its stopword list ("the", "about", "de", "la", "en", …), so "AI", "R" or "3D" could never be
found. Instead of a LIKE fallback, which scans every row, a stored generated column
`search_words` repeats the item's text with a two-letter mark before every word: "zz" for an app
row's words, "zw"/"zt"/"ze" for an original-style row's workshop/training/event cell. "AI"
becomes "zzai": long enough, and no stopword. The FULLTEXT index over that column answers every
word through the index, and the mark tells the cells of one row apart. The collation
(utf8mb4_unicode_ci) makes the comparison case- and accent-insensitive, for the accents it
reads as accents: words are asked for as typed (`server_words`). The FULLTEXT index ranks
a search by relevance; beside it, the word table `resource_words` (below), kept by triggers,
answers what InnoDB's FULLTEXT search cannot do without gathering every match first: how many
rows hold a word, a newest-first page of several words, and counts.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    table,
)
from sqlalchemy.dialects.mysql import match
from sqlalchemy.sql.elements import ColumnElement

from studentres_desktop.domain.models import ResourceKind
from studentres_desktop.domain.search import SearchTerms
from studentres_desktop.persistence.fts_separators import separator_characters

# --- SQLite: FTS5 ------------------------------------------------------------------------------

FTS_TABLE = "resource_search"
SLOT_BITS = 2
SLOTS = 1 << SLOT_BITS  # rowid = row id * 4 + slot: 0 for an app row, 1 + the kind's position
# for a cell of an original-style row
APP_SLOT = 0
# Title matches count most, then the place, then the description (bm25 column weights).
BM25_WEIGHTS = (10.0, 1.0, 3.0)


def legacy_slot(kind: ResourceKind) -> int:
    return 1 + list(ResourceKind).index(kind)


def _item_rows(row: str) -> str:
    """SELECT of the index entries of one `interest_resources` row (`new`, `old` or a table)."""
    app = (f"SELECT {row}.id * {SLOTS}, {row}.title, {row}.description, {row}.location"
           f" WHERE {row}.kind IS NOT NULL")
    cells = [
        f"SELECT {row}.id * {SLOTS} + {legacy_slot(kind)}, {row}.{kind.value}, NULL, NULL"
        f" WHERE {row}.kind IS NULL AND {row}.{kind.value} IS NOT NULL"
        for kind in ResourceKind
    ]
    return "\n    UNION ALL ".join([app, *cells])


_FTS_COLUMNS = f"INSERT INTO {FTS_TABLE} (rowid, title, description, location)"
_FTS_DELETE = (f"DELETE FROM {FTS_TABLE}"
               f" WHERE rowid BETWEEN old.id * {SLOTS} AND old.id * {SLOTS} + {SLOTS - 1}")

SQLITE_FTS_TABLE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, description, location, "
    "tokenize = \"unicode61 remove_diacritics 2 tokenchars '_' "
    f"separators '{separator_characters()}'\")"
)
SQLITE_TRIGGERS = {
    "trg_resource_search_insert": (
        "AFTER INSERT ON interest_resources BEGIN\n"
        f"  {_FTS_COLUMNS}\n    {_item_rows('new')};\nEND"
    ),
    "trg_resource_search_update": (
        "AFTER UPDATE OF id, kind, title, description, location, workshop, training, event"
        " ON interest_resources BEGIN\n"
        f"  {_FTS_DELETE};\n  {_FTS_COLUMNS}\n    {_item_rows('new')};\nEND"
    ),
    "trg_resource_search_delete": (
        f"AFTER DELETE ON interest_resources BEGIN\n  {_FTS_DELETE};\nEND"
    ),
}


def _sqlite_fill(conn: Connection) -> None:
    rows = _item_rows("interest_resources").replace(
        " WHERE", " FROM interest_resources WHERE"
    )
    conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    conn.exec_driver_sql(f"{_FTS_COLUMNS}\n    {rows}")


def _missing_sqlite(conn: Connection) -> list[str]:
    present = {
        row[0] for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
        )
    }
    return [name for name in (FTS_TABLE, *SQLITE_TRIGGERS) if name not in present]


def sqlite_index_outdated(conn: Connection) -> bool:
    """Whether the FTS5 table exists but splits words by other rules than this version's."""
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).scalar()
    return found is not None and found != SQLITE_FTS_TABLE


def _ensure_sqlite(conn: Connection) -> list[str]:
    missing = _missing_sqlite(conn)
    if sqlite_index_outdated(conn):
        # The triggers only write to the table by name: they stay, and the fill below rereads
        # every item with the new rules.
        conn.exec_driver_sql(f"DROP TABLE {FTS_TABLE}")
        missing.insert(0, FTS_TABLE)
    if not missing:
        return []
    if FTS_TABLE in missing:
        conn.exec_driver_sql(SQLITE_FTS_TABLE)
    for name in missing:
        if name in SQLITE_TRIGGERS:
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {SQLITE_TRIGGERS[name]}")
    # Without every trigger in place the index may have missed changes: fill it afresh.
    _sqlite_fill(conn)
    return [f"created search index {FTS_TABLE} ({', '.join(missing)})"]


# --- MariaDB / MySQL: FULLTEXT over a generated column ------------------------------------------

SEARCH_COLUMN = "search_words"
FULLTEXT_INDEX = "ft_interest_resources_search_words"
APP_MARK = "zz"
LEGACY_MARKS = {ResourceKind.WORKSHOP: "zw", ResourceKind.TRAINING: "zt", ResourceKind.EVENT: "ze"}
# A word as domain/search.py defines it; `\\` is one backslash once MySQL has read the literal.
_WORD_PATTERN = r"'([\\p{L}\\p{N}_]+)'"


_APP_TEXT = "CONCAT_WS(' ', title, description, location)"


def _marked(expression: str, mark: str, group: str) -> str:
    return f"REGEXP_REPLACE({expression}, {_WORD_PATTERN}, '{mark}{group}')"


def search_column_ddl(mariadb: bool = True) -> str:
    """The generated column. MariaDB (PCRE) names the matched word `\\1`, MySQL 8 (ICU) `$1`.

    The MariaDB text is the one in db/schema.sql (tests/integration/test_schema.py compares the
    two); the MySQL one is untested here.
    """
    group = "\\\\1" if mariadb else "$1"
    cells = ", ".join(_marked(kind.value, LEGACY_MARKS[kind], group) for kind in ResourceKind)
    return (
        f"{SEARCH_COLUMN} MEDIUMTEXT AS (CASE WHEN kind IS NULL THEN CONCAT_WS(' ', {cells}) "
        f"ELSE {_marked(_APP_TEXT, APP_MARK, group)} END) STORED"
    )


def _missing_mysql(conn: Connection) -> tuple[bool, bool]:
    """Whether the column, and whether the index, are missing."""
    columns = {
        row[0] for row in conn.exec_driver_sql(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = 'interest_resources'"
        )
    }
    indexes = {
        row[0] for row in conn.exec_driver_sql(
            "SELECT index_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND table_name = 'interest_resources'"
        )
    }
    return SEARCH_COLUMN not in columns, FULLTEXT_INDEX not in indexes


def _installed_word_triggers(conn: Connection) -> dict[str, str] | None:
    """Name → definition of the triggers on `interest_resources`, or None for an account that
    may not see them: information_schema shows a trigger only to holders of TRIGGER on its
    table, which workstation accounts lack (db/grants.sql)."""
    user, _, host = str(conn.exec_driver_sql("SELECT CURRENT_USER()").scalar()).rpartition("@")
    may_see = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM information_schema.user_privileges"
        "   WHERE grantee = %(me)s AND privilege_type = 'TRIGGER')"
        " OR EXISTS (SELECT 1 FROM information_schema.schema_privileges"
        "   WHERE grantee = %(me)s AND privilege_type = 'TRIGGER'"
        "   AND DATABASE() LIKE table_schema)"
        " OR EXISTS (SELECT 1 FROM information_schema.table_privileges"
        "   WHERE grantee = %(me)s AND privilege_type = 'TRIGGER'"
        "   AND table_schema = DATABASE() AND table_name = 'interest_resources')",
        {"me": f"'{user}'@'{host}'"},
    ).scalar()
    if not may_see:
        return None
    rows = conn.exec_driver_sql(
        "SELECT trigger_name, action_timing, event_manipulation, action_statement"
        " FROM information_schema.triggers"
        " WHERE trigger_schema = DATABASE() AND event_object_table = 'interest_resources'"
    )
    return {
        str(name): f"{timing} {event} ON interest_resources FOR EACH ROW\n{statement}"
        for name, timing, event, statement in rows
    }


def _stored_trigger(name: str) -> str:
    """A trigger of WORDS_TRIGGERS as information_schema shows it: the server keeps the body with
    its string literals' escapes read (the pattern's `\\\\p` shows as `\\p`)."""
    return WORDS_TRIGGERS[name].replace("\\\\", "\\")


def _missing_words(conn: Connection) -> list[str]:
    """Which of the word table and its triggers are missing (the triggers only to an account
    that may see them)."""
    tables = {row[0] for row in conn.exec_driver_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        f" AND table_name = '{WORDS_TABLE}'")}
    triggers = _installed_word_triggers(conn)
    missing = [WORDS_TABLE] if WORDS_TABLE not in tables else []
    if triggers is None:
        return missing
    return missing + [name for name in WORDS_TRIGGERS if name not in triggers]


def _outdated_word_triggers(conn: Connection) -> list[str]:
    """The word table's triggers that are there with another definition than this version's."""
    triggers = _installed_word_triggers(conn) or {}
    return [name for name in WORDS_TRIGGERS
            if name in triggers and triggers[name] != _stored_trigger(name)]


def _ensure_words(conn: Connection) -> list[str]:
    missing, outdated = _missing_words(conn), _outdated_word_triggers(conn)
    if not missing and not outdated:
        return []
    for name in outdated:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    if WORDS_TABLE in missing:
        conn.exec_driver_sql(WORDS_TABLE_DDL)
    for name in WORDS_TRIGGERS:
        if name in missing or name in outdated:
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {WORDS_TRIGGERS[name]}")
    # Without every trigger in place, or with older ones, the table may be wrong: fill it afresh.
    if WORDS_TABLE not in missing:
        conn.exec_driver_sql(f"DELETE FROM {WORDS_TABLE}")
    conn.exec_driver_sql(WORDS_FILL)
    changes = [f"created word index {WORDS_TABLE} ({', '.join(missing)})"] if missing else []
    return changes + [f"replaced trigger {name}" for name in outdated]


def _ensure_mysql(conn: Connection) -> list[str]:
    column_missing, index_missing = _missing_mysql(conn)
    changes = []
    if column_missing:
        mariadb = bool(getattr(conn.dialect, "is_mariadb", True))
        conn.exec_driver_sql(
            f"ALTER TABLE interest_resources ADD COLUMN {search_column_ddl(mariadb)}"
        )
        changes.append(f"added column interest_resources.{SEARCH_COLUMN}")
    if index_missing:
        conn.exec_driver_sql(
            f"ALTER TABLE interest_resources ADD FULLTEXT INDEX {FULLTEXT_INDEX} ({SEARCH_COLUMN})"
        )
        changes.append(f"added index {FULLTEXT_INDEX}")
    return changes + _ensure_words(conn)


# --- MariaDB / MySQL: the word table -----------------------------------------------------------
#
# InnoDB's FULLTEXT search gathers every match before it returns a row, so two common words
# ('machine learning') cost the whole posting list of each. `resource_words` lists each item's
# distinct words (split as `domain/search.py` splits them, compared by the collation, so case and
# accents do not matter) with its row id: a newest-first page walks one word's entries backwards
# and probes the other words by row id, and stops after the page; how many items a word is in is
# counted up to a cap by reading its entries alone. Triggers keep it in step with every write,
# plain SQL included. A slot tells an app row's text (0) from the cells of an original-style row
# (1 + the kind's position, as on SQLite). Words are cut to WORD_CHARS: a candidate is checked by
# `domain.search.holds` before anyone sees it.

WORDS_TABLE = "resource_words"
WORD_CHARS = 84
_NOT_WORD = r"'[^\\p{L}\\p{N}_]+'"

WORDS_TABLE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {WORDS_TABLE} (\n"
    f"    word VARCHAR({WORD_CHARS}) NOT NULL,\n"
    "    slot TINYINT NOT NULL,\n"
    "    resource_id INTEGER NOT NULL,\n"
    "    PRIMARY KEY (slot, word, resource_id),\n"
    f"    KEY ix_{WORDS_TABLE}_resource (resource_id, slot, word)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
)


def _split_words(text: str, row: str, slot: int, condition: str) -> str:
    """SELECT of (word, slot, row id) for every word of `text`: separators become one space, the
    spaces become the commas of a JSON array, which JSON_TABLE reads as rows (a word holds no
    character that JSON would need escaped)."""
    words = (f"CONCAT('[\"', REPLACE(TRIM(REGEXP_REPLACE({text}, {_NOT_WORD}, ' ')), ' ', "
             f"'\",\"'), '\"]')")
    return (f"SELECT LEFT(j.word, {WORD_CHARS}), {slot}, {row}.id FROM {{source}}"
            f"JSON_TABLE({words}, '$[*]' COLUMNS (word TEXT PATH '$')) AS j"
            f" WHERE {condition} AND j.word <> ''")


def _word_rows(row: str, source: str = "") -> str:
    """INSERT of the words of one `interest_resources` row (`NEW`), or of every row (`source`)."""
    selects = [_split_words(f"CONCAT_WS(' ', {row}.title, {row}.description, {row}.location)",
                            row, APP_SLOT, f"{row}.kind IS NOT NULL")]
    selects += [_split_words(f"{row}.{kind.value}", row, legacy_slot(kind), f"{row}.kind IS NULL")
                for kind in ResourceKind]
    union = "\n    UNION ALL ".join(s.replace("{source}", source) for s in selects)
    return f"INSERT IGNORE INTO {WORDS_TABLE} (word, slot, resource_id)\n    {union}"


_TEXT_COLUMNS = ("kind", "title", "description", "location", "workshop", "training", "event")
_TEXT_CHANGED = " OR ".join(f"NOT (OLD.{name} <=> NEW.{name})" for name in ("id", *_TEXT_COLUMNS))
WORDS_TRIGGERS = {
    "trg_resource_words_insert": (
        f"AFTER INSERT ON interest_resources FOR EACH ROW\n{_word_rows('NEW')}"
    ),
    "trg_resource_words_update": (
        "AFTER UPDATE ON interest_resources FOR EACH ROW\n"
        f"IF {_TEXT_CHANGED} THEN\n"
        f"  DELETE FROM {WORDS_TABLE} WHERE resource_id = OLD.id;\n"
        f"  {_word_rows('NEW')};\n"
        "END IF"
    ),
    "trg_resource_words_delete": (
        "AFTER DELETE ON interest_resources FOR EACH ROW\n"
        f"DELETE FROM {WORDS_TABLE} WHERE resource_id = OLD.id"
    ),
}
WORDS_FILL = _word_rows("r", "interest_resources AS r, ")


# --- both ---------------------------------------------------------------------------------------


def ensure_search_index(conn: Connection) -> list[str]:
    """Create whatever part of the search index is missing; returns what was done, in words."""
    if conn.dialect.name == "sqlite":
        return _ensure_sqlite(conn)
    return _ensure_mysql(conn)


def search_index_problems(conn: Connection) -> list[str]:
    """What of the search index is missing, in words (nothing when it is current)."""
    if conn.dialect.name == "sqlite":
        problems = [f"search index: {name} is missing" for name in _missing_sqlite(conn)]
        if sqlite_index_outdated(conn):
            problems.append(f"search index: {FTS_TABLE} splits words by older rules")
        return problems
    column_missing, index_missing = _missing_mysql(conn)
    names = [f"column interest_resources.{SEARCH_COLUMN}"] if column_missing else []
    names += [f"index {FULLTEXT_INDEX}"] if index_missing else []
    names += _missing_words(conn)
    problems = [f"search index: {name} is missing" for name in names]
    return problems + [f"search index: trigger {name} is outdated"
                       for name in _outdated_word_triggers(conn)]


# --- queries ------------------------------------------------------------------------------------

fts = table(FTS_TABLE, column("rowid", Integer))
words_table = table(WORDS_TABLE, column("word", String), column("slot", Integer),
                    column("resource_id", Integer))


def server_words(terms: SearchTerms) -> tuple[str, ...]:
    """The words as MariaDB/MySQL is asked for them: with their accents (case folded) when typed
    with any, as utf8mb4_unicode_ci compares text: it ignores what it reads as an accent ("e"
    finds "é") and keeps letters it reads as letters of their own (a Cyrillic short i is not an
    i), which the folded word would lose. A word holding a mark that is no part of a letter
    stays folded: the index reads such marks as separators."""
    if not terms.accented:
        return terms.words
    return tuple(
        accented if all(unicodedata.category(c) != "Mn" for c in accented) else word
        for word, accented in zip(terms.words, terms.accented, strict=True))


def word_value(terms: SearchTerms, n: int) -> str:
    """The bound value of `word_test` for the terms' n-th word: the word, or, for a last word
    being typed, a LIKE pattern of its start (`_` is the only wildcard a word can hold)."""
    word = server_words(terms)[n]
    if terms.last_is_prefix and n == len(terms.words) - 1:
        return word.replace("_", "\\_") + "%"
    return word


def word_test(word: ColumnElement[Any], name: str, prefix: bool) -> ColumnElement[bool]:
    """A word table entry's word is the bound word (`word_value`), or starts with it."""
    value = bindparam(name, type_=String())
    found: ColumnElement[bool] = word.like(value) if prefix else word == value
    return found


def sqlite_match(terms: SearchTerms) -> str:
    """An FTS5 query: every word as a quoted string (words hold no quote), the last maybe `*`;
    a word with accents also as typed, `("folded" OR "as typed")`, as FTS5 keeps the accents of
    letters other than Latin ones in its index (a Cyrillic short i, a Greek tonos)."""
    last = len(terms.words) - 1
    required = []
    for n, (word, accented) in enumerate(zip(terms.words, terms.accented or terms.words,
                                             strict=True)):
        star = "*" if terms.last_is_prefix and n == last else ""
        forms = [f'"{form}"{star}' for form in dict.fromkeys((word, accented))]
        required.append(forms[0] if len(forms) == 1 else f"({' OR '.join(forms)})")
    return " AND ".join(required)


def mysql_against(terms: SearchTerms, mark: str) -> str:
    """A boolean-mode query: every word required, marked as the index marks it."""
    required = [f"+{mark}{word}" for word in server_words(terms)]
    if terms.last_is_prefix:
        required[-1] += "*"
    return " ".join(required)


def search_values(terms: SearchTerms, dialect: str) -> dict[str, Any]:
    """The bound values of the search conditions `condition` builds."""
    if dialect == "sqlite":
        return {"fts_query": sqlite_match(terms)}
    values = {"match_app": mysql_against(terms, APP_MARK)}
    values |= {f"match_{kind.value}": mysql_against(terms, LEGACY_MARKS[kind])
               for kind in ResourceKind}
    return values


def like_values(terms: SearchTerms) -> dict[str, Any]:
    """The bound values of `mysql_like`: each word, marked, anywhere in the column.

    `_` is the only LIKE wildcard a word can hold; the backslash is MySQL's default escape.
    """
    values: dict[str, Any] = {}
    words = server_words(terms)
    for mark in (APP_MARK, *LEGACY_MARKS.values()):
        for n, word in enumerate(words):
            escaped = word.replace("_", "\\_")
            values[f"like_{mark}_{n}"] = f"%{mark}{escaped}%"
    for n, word in enumerate(words):
        values[f"like_cell_{n}"] = "%" + word.replace("_", "\\_") + "%"
    return values


def cell_like(cell: ColumnElement[Any], words: int) -> ColumnElement[bool]:
    """Like `mysql_like`, on one original-style cell as written (it has no marks): a superset of
    the matches, which also accepts a word inside a longer one."""
    tests = [cell.like(bindparam(f"like_cell_{n}", type_=String())) for n in range(words)]
    found: ColumnElement[bool] = and_(*tests)
    return found


def mysql_like(kind: ResourceKind | None, words: int) -> ColumnElement[bool]:
    """A superset of `mysql_match` that needs no FULLTEXT lookup: every marked word somewhere in
    the column, compared by its collation (case and accents ignored), so a walk of the primary
    key can test row by row and stop early. It also accepts a word found inside a longer one
    ("jazzlearning" holds "zzlearning") and a whole word not typed as a prefix: its candidates
    are checked by `domain.search.holds` before anyone sees them."""
    mark = APP_MARK if kind is None else LEGACY_MARKS[kind]
    column = literal_column(f"interest_resources.{SEARCH_COLUMN}", String())
    tests = [column.like(bindparam(f"like_{mark}_{n}", type_=String())) for n in range(words)]
    found: ColumnElement[bool] = and_(*tests)
    return found


def mysql_match(kind: ResourceKind | None) -> ColumnElement[float]:
    """MATCH … AGAINST for app rows (kind None) or one cell of original-style rows."""
    name = "match_app" if kind is None else f"match_{kind.value}"
    column = literal_column(f"interest_resources.{SEARCH_COLUMN}", String())
    found: ColumnElement[float] = match(
        column, against=bindparam(name, type_=String())
    ).in_boolean_mode()
    return found


def sqlite_score() -> ColumnElement[float]:
    """Higher is better, like MySQL's MATCH (bm25 is lower for better matches)."""
    score: ColumnElement[float] = -func.bm25(
        literal_column(FTS_TABLE), *BM25_WEIGHTS, type_=Float()
    )
    return score
