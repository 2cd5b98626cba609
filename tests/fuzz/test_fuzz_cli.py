"""`studentres-admin` options and arguments under generated input, on both databases.

Every call ends with exit 0, a one-line "Error: …" and exit 1, or a usage message and exit 2;
never a traceback or the catch-all "something unexpected". A refused call changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from hypothesis import event, given
from hypothesis import strategies as st

from studentres_desktop.cli import main
from studentres_desktop.domain.models import Interest
from studentres_desktop.services.validation import LABEL_MAX, TAG_MAX, check_email
from tests.fuzz.conftest import PASSWORD, VOCABULARY, FuzzDatabase, database_settings
from tests.fuzz.strategies import argument, emails, field_text, limit_integers, text


# Mostly a number the option takes, so the command runs; otherwise anything at all.
def numbers(low: int, high: int) -> st.SearchStrategy[str]:
    valid = st.integers(low, high).map(str)
    return st.one_of(valid, valid, valid, argument(limit_integers.map(str) | text(8)))


@pytest.fixture(autouse=True)
def _close_log_handlers() -> Iterator[None]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def run(*args: str) -> Result:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
    assert "Traceback" not in result.output
    assert "something unexpected" not in result.stderr, result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert lines[0].startswith("Error: "), result.stderr
        event("refused")
    elif result.exit_code == 2:
        assert "Usage:" in result.stderr, result.stderr
        event("usage error")
    else:
        assert result.exit_code == 0, result.output
        event("done")
    return result


@database_settings
@given(tag=argument(st.sampled_from(VOCABULARY) | field_text(TAG_MAX)),
       label=argument(field_text(LABEL_MAX)), description=argument(text()))
def test_add_interest_stores_exactly_or_refuses(
    fuzz_db: FuzzDatabase, tag: str, label: str, description: str
):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    result = run("add-interest", "--db", fuzz_db.url, tag, label, "--description", description)
    if result.exit_code != 0 or tag in VOCABULARY:
        assert fuzz_db.snapshot() == before
        return
    vocabulary = {i.tag: i for i in fuzz_db.services.interests.vocabulary()}
    assert vocabulary[tag] == Interest(tag, label, description)


@database_settings
@given(search=argument(text()),
       interests=st.lists(argument(st.sampled_from(VOCABULARY) | text(10)), max_size=3),
       limit=numbers(1, 500), offset=numbers(0, 100))
def test_list_resources_lists_or_refuses(
    fuzz_db: FuzzDatabase, search: str, interests: list[str], limit: str, offset: str
):
    fuzz_db.reset()
    fuzz_db.services.catalogue.seed_demo()
    before = fuzz_db.snapshot()
    tag_options = [arg for tag in interests for arg in ("--interest", tag)]
    result = run("list-resources", "--db", fuzz_db.url, "--json", "--search", search,
                 "--limit", limit, "--offset", offset, *tag_options)
    if result.exit_code == 0:
        listed = json.loads(result.stdout)
        assert len(listed) <= int(limit)
        assert all(set(item["interest_tags"]) & set(interests) for item in listed if interests)
    assert fuzz_db.snapshot() == before


@database_settings
@given(email=st.sampled_from(["grace@example.edu", "GRACE@Example.EDU", " grace@example.edu\t"])
       | argument(emails()))
def test_grant_advisor_finds_the_account_by_its_email_or_refuses(fuzz_db: FuzzDatabase,
                                                                email: str):
    fuzz_db.reset()
    fuzz_db.services.auth.register("Grace", "grace@example.edu", PASSWORD)
    before = fuzz_db.snapshot()
    result = run("grant-advisor", "--db", fuzz_db.url, email)
    if result.exit_code == 0:
        assert check_email(email) == "grace@example.edu"
        assert fuzz_db.services.auth.student_by_email(email).role.value == "advisor"
    else:
        assert fuzz_db.snapshot() == before


@database_settings
@given(interests=argument(text() | st.sampled_from(["AI;Robotics", " ai ; ", ";;"])),
       text_=argument(text()), limit=numbers(1, 100), email=st.none() | argument(emails()))
def test_recommend_ranks_or_refuses(fuzz_db: FuzzDatabase, interests: str, text_: str,
                                    limit: str, email: str | None):
    fuzz_db.reset()
    fuzz_db.services.catalogue.seed_demo()
    before = fuzz_db.snapshot()
    args = ["recommend", "--db", fuzz_db.url, "--engine", "lexical", "--json",
            "--interests", interests, "--text", text_, "--limit", limit]
    result = run(*args, *(["--email", email] if email is not None else []))
    if result.exit_code == 0:
        assert len(json.loads(result.stdout)["results"]) <= int(limit)
    assert fuzz_db.snapshot() == before


@database_settings
@given(path=argument(text()))
def test_import_resources_of_any_file_name_imports_or_refuses(fuzz_db: FuzzDatabase, path: str):
    fuzz_db.reset()
    before = fuzz_db.snapshot()
    result = run("import-resources", "--db", fuzz_db.url, path)
    assert result.exit_code != 0  # no such file, or a folder: nothing to import
    assert fuzz_db.snapshot() == before
