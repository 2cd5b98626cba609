"""db/schema.sql and the table definitions in code describe the same schema."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from studentres_desktop.persistence import tables as t
from studentres_desktop.persistence.engine import DatabaseSettings, create_database_engine
from studentres_desktop.persistence.schema import ensure_schema, inspect_schema
from tests.conftest import apply_schema_sql


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


@pytest.mark.mysql
def test_schema_sql_matches_the_table_definitions(mysql_databases):
    from_sql, from_code = mysql_databases(), mysql_databases()
    apply_schema_sql(from_sql)
    ensure_schema(create_database_engine(DatabaseSettings(from_code)))

    sql_schema, code_schema = describe(from_sql), describe(from_code)

    assert sorted(sql_schema) == sorted(table.name for table in t.metadata.sorted_tables)
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
        for table in ("student_interests", "resource_interests", "resource_embeddings",
                      "interest_embeddings", "students_data", "interest_resources", "interests",
                      "login_throttle", "schema_meta"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
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
