"""db/schema.sql and the table definitions in code describe the same schema."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from studentres_desktop.domain.models import ThrottlePolicy
from studentres_desktop.persistence import procedures
from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.procedures import PROCEDURES
from studentres_desktop.persistence.revisions import VERSION_TABLE
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema
from studentres_desktop.persistence.search_index import WORDS_TABLE, WORDS_TRIGGERS
from tests.conftest import apply_schema_sql
from tests.support.original import drop_every_table


def describe(url: str) -> dict[str, Any]:
    """Tables, columns (type, nullability, generation), indexes and foreign keys, as reflected."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        described: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            columns = {
                c["name"]: (str(c["type"].compile(dialect=engine.dialect)), c["nullable"],
                            str(c.get("computed", {}).get("sqltext", "")))
                for c in inspector.get_columns(table)
            }
            indexes = {
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            }
            foreign = {
                (tuple(f["constrained_columns"]), f["referred_table"],
                 tuple(f["referred_columns"]), f["options"].get("ondelete"))
                for f in inspector.get_foreign_keys(table)
            }
            primary = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
            described[table] = {"columns": columns, "indexes": indexes, "foreign": foreign,
                                "primary": primary}
        return described
    finally:
        engine.dispose()


def sql_and_code_databases(mysql_databases) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two fresh databases: one made by db/schema.sql, one by init-db's code."""
    from_sql, from_code = mysql_databases(), mysql_databases()
    apply_schema_sql(from_sql)
    ensure_schema(create_database_engine(DatabaseSettings(from_code)))
    return from_sql, from_code


@pytest.mark.mysql
def test_schema_sql_matches_the_table_definitions(mysql_databases):
    from_sql, from_code = sql_and_code_databases(mysql_databases)

    sql_schema, code_schema = describe(from_sql), describe(from_code)

    assert sorted(sql_schema) == sorted(
        [table.name for table in t.metadata.sorted_tables] + [VERSION_TABLE, WORDS_TABLE])
    for table in sql_schema:
        assert sql_schema[table] == code_schema[table], table


@pytest.mark.mysql
def test_schema_sql_is_safe_to_run_twice_and_keeps_data(mysql_url):
    apply_schema_sql(mysql_url)
    engine = create_engine(mysql_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO interest_resources (interest_tag, workshop) "
                          "VALUES ('AI', 'Kept')"))
    apply_schema_sql(mysql_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT workshop FROM interest_resources")).scalar_one() == "Kept"
    engine.dispose()


def test_init_is_safe_to_run_twice_and_reports_current(database_url):
    engine = create_database_engine(DatabaseSettings(database_url))
    ensure_schema(engine)
    assert ensure_schema(engine) == []
    report = inspect_schema(engine)
    assert report.current, report.problems
    assert report.version == t.SCHEMA_VERSION
    engine.dispose()


def test_a_database_from_the_original_design_is_upgraded_in_place(database_url):
    """Only the two original tables with their original columns, and rows in them."""
    engine = create_database_engine(DatabaseSettings(database_url))
    serial = "INTEGER PRIMARY KEY" + ("" if engine.dialect.name == "sqlite" else " AUTO_INCREMENT")
    with engine.begin() as conn:
        drop_every_table(conn)
        conn.exec_driver_sql(
            f"CREATE TABLE students_data (id {serial}, name VARCHAR(100),"
            " email VARCHAR(254) UNIQUE, password_hash VARCHAR(255), interest VARCHAR(64))"
        )
        conn.exec_driver_sql(
            f"CREATE TABLE interest_resources (id {serial}, interest_tag VARCHAR(64),"
            " workshop TEXT, training TEXT, event TEXT)"
        )
        conn.exec_driver_sql(
            "INSERT INTO interest_resources (interest_tag, workshop, event) "
            "VALUES ('AI', 'Old workshop', 'Old event')"
        )
    assert not inspect_schema(engine).current

    changes = ensure_schema(engine)

    assert "added column interest_resources.kind" in changes
    assert "added column students_data.role" in changes
    assert inspect_schema(engine).current
    with engine.connect() as conn:
        row = conn.execute(text("SELECT workshop, event FROM interest_resources")).one()
    assert tuple(row) == ("Old workshop", "Old event")
    engine.dispose()


def server_rows(url: str, *queries: str) -> list[list[Any]]:
    """The rows of each query, read on a connection of its own to the database at url."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [list(conn.execute(text(query)).all()) for query in queries]
    finally:
        engine.dispose()


def describe_procedures(url: str) -> dict[str, Any]:
    """Each stored procedure: body, security, data access, comment and parameters."""
    routines, parameters = server_rows(
        url,
        "SELECT ROUTINE_NAME, ROUTINE_DEFINITION, SECURITY_TYPE, SQL_DATA_ACCESS,"
        " ROUTINE_COMMENT FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
        "SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME,"
        " DTD_IDENTIFIER FROM information_schema.PARAMETERS"
        " WHERE SPECIFIC_SCHEMA = DATABASE() ORDER BY SPECIFIC_NAME, ORDINAL_POSITION",
    )
    return {
        name: (body, security, access, comment,
               [tuple(p[1:]) for p in parameters if p[0] == name])
        for name, body, security, access, comment in routines
    }


@pytest.mark.mysql
def test_schema_sql_installs_the_same_procedures_as_init(mysql_databases):
    from_sql, from_code = sql_and_code_databases(mysql_databases)

    sql_procedures, code_procedures = describe_procedures(from_sql), describe_procedures(from_code)

    assert sorted(sql_procedures) == sorted(p.name for p in PROCEDURES)
    assert sql_procedures == code_procedures
    security = {name: described[1] for name, described in code_procedures.items()}
    assert security == {
        "sr_throttle_wait": "INVOKER", "sr_check_proof": "INVOKER",
        "sr_login_challenge": "DEFINER", "sr_login_attempt": "DEFINER",
        "sr_change_password": "DEFINER", "sr_register": "DEFINER",
    }


@pytest.mark.mysql
def test_init_replaces_an_outdated_procedure_and_reports_a_missing_one(mysql_url):
    engine = create_database_engine(DatabaseSettings(mysql_url))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP PROCEDURE sr_register")
        conn.exec_driver_sql("DROP PROCEDURE sr_login_attempt")
        conn.exec_driver_sql("CREATE PROCEDURE sr_login_attempt() SQL SECURITY DEFINER BEGIN END")
    assert inspect_schema(engine).problems == ("procedure sr_register is missing",)

    changes = ensure_schema(engine)

    assert sorted(changes) == ["created procedure sr_register",
                               "replaced procedure sr_login_attempt"]
    assert inspect_schema(engine).current
    assert ensure_schema(engine) == []
    engine.dispose()


def describe_triggers(url: str) -> dict[str, tuple[str, ...]]:
    """Each trigger: table, timing, event, orientation and body, as the server stores them."""
    (rows,) = server_rows(
        url,
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,"
        " ACTION_ORIENTATION, ACTION_STATEMENT FROM information_schema.TRIGGERS"
        " WHERE TRIGGER_SCHEMA = DATABASE()",
    )
    return {str(row[0]): tuple(str(value) for value in row[1:]) for row in rows}


@pytest.mark.mysql
def test_schema_sql_installs_the_same_word_triggers_as_init(mysql_databases):
    from_sql, from_code = sql_and_code_databases(mysql_databases)

    sql_triggers, code_triggers = describe_triggers(from_sql), describe_triggers(from_code)

    assert sorted(sql_triggers) == sorted(WORDS_TRIGGERS)
    assert sql_triggers == code_triggers
    assert {name: d[:4] for name, d in sql_triggers.items()} == {
        "trg_resource_words_insert": ("interest_resources", "AFTER", "INSERT", "ROW"),
        "trg_resource_words_update": ("interest_resources", "AFTER", "UPDATE", "ROW"),
        "trg_resource_words_delete": ("interest_resources", "AFTER", "DELETE", "ROW"),
    }
    engine = create_database_engine(DatabaseSettings(from_sql))
    assert inspect_schema(engine).current
    engine.dispose()


@pytest.mark.mysql
def test_schema_sql_fills_the_words_of_rows_written_before_it(mysql_url):
    apply_schema_sql(mysql_url)
    engine = create_engine(mysql_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER trg_resource_words_insert")
        conn.exec_driver_sql("INSERT INTO interest_resources (workshop) VALUES ('Early bird')")
    apply_schema_sql(mysql_url)
    with engine.connect() as conn:
        words = conn.exec_driver_sql(f"SELECT word, slot FROM {WORDS_TABLE} ORDER BY word").all()
    engine.dispose()
    assert [tuple(w) for w in words] == [("bird", 1), ("Early", 1)]


@pytest.mark.mysql
def test_init_replaces_an_outdated_word_trigger_and_refills_the_table(mysql_url):
    engine = create_database_engine(DatabaseSettings(mysql_url))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER trg_resource_words_insert")
        conn.exec_driver_sql("CREATE TRIGGER trg_resource_words_insert AFTER INSERT"
                             " ON interest_resources FOR EACH ROW SET @ignored = NEW.id")
        conn.exec_driver_sql("INSERT INTO interest_resources (event) VALUES ('Missed talk')")
    assert inspect_schema(engine).problems == (
        "search index: trigger trg_resource_words_insert is outdated",)

    changes = ensure_schema(engine)

    assert changes == ["replaced trigger trg_resource_words_insert"]
    assert inspect_schema(engine).current
    assert ensure_schema(engine) == []
    with engine.connect() as conn:
        words = conn.exec_driver_sql(f"SELECT word, slot FROM {WORDS_TABLE} ORDER BY word").all()
        conn.exec_driver_sql("INSERT INTO interest_resources (event) VALUES ('Next')")
        after = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {WORDS_TABLE}").scalar()
    engine.dispose()
    assert [tuple(w) for w in words] == [("Missed", 3), ("talk", 3)]
    assert after == 3  # the replaced trigger writes again


def test_the_servers_throttle_policy_is_the_apps():
    policy = ThrottlePolicy()
    assert policy.free_failures == procedures.FREE_FAILURES
    assert policy.base_delay.total_seconds() == procedures.BASE_DELAY_SECONDS
    assert policy.max_delay.total_seconds() == procedures.MAX_DELAY_SECONDS
