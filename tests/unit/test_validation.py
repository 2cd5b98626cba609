"""Field checks: clear messages that name the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from studentres_desktop.domain.errors import ValidationError
from studentres_desktop.services import validation as v


def test_email_is_trimmed_and_lower_cased():
    assert v.check_email("  Ada.Lovelace@Example.EDU ") == "ada.lovelace@example.edu"


@pytest.mark.parametrize(
    "email", ["", "   ", "plain", "@example.edu", "ada@", "ada@@example.edu", "ada@exa mple.edu",
              "ada@example", "a" * 250 + "@x.edu", "ada\n@example.edu"],
)
def test_bad_emails_are_refused_by_name(email):
    with pytest.raises(ValidationError) as caught:
        v.check_email(email)
    assert caught.value.field == "email"


def test_password_rules_are_length_and_blocklist_only():
    assert v.check_password("no digits or capitals here") == "no digits or capitals here"
    for bad, reason in [("short", "too short"), ("x" * 129, "too long"),
                        ("Password1234", "too common"), ("QWERTYUIOPAS", "too common"),
                        ("zzzzzzzzzzzzzz", "too common")]:
        with pytest.raises(ValidationError, match=reason):
            v.check_password(bad)


def test_name_keeps_unicode_but_refuses_control_characters():
    assert v.check_name("Zoë Ñúñez-O'Brien 李") == "Zoë Ñúñez-O'Brien 李"
    for bad in ["", "  ", "Ada\x00", "Ada\r\nBob", "x" * 101]:
        with pytest.raises(ValidationError) as caught:
            v.check_name(bad)
        assert caught.value.field == "name"


def test_tags_accept_the_vocabulary_style_and_refuse_the_rest():
    for good in ["AI", "Data Science", "C++", "Human-Computer Interaction", "R&D"]:
        assert v.check_tag(good) == good
    for bad in ["", " AI", "AI ", "a;b", "<script>", "x" * 65, "DROP TABLE;--"]:
        with pytest.raises(ValidationError):
            v.check_tag(bad)


def test_urls_must_be_web_addresses():
    assert v.check_url("") == ""
    assert v.check_url("https://events.example.edu/x?y=1") == "https://events.example.edu/x?y=1"
    for bad in ["ftp://x.edu", "javascript:alert(1)", "https://", "www.example.edu"]:
        with pytest.raises(ValidationError) as caught:
            v.check_url(bad)
        assert caught.value.field == "url"


def test_period_needs_a_start_before_the_end():
    start = datetime(2027, 1, 1, 10)
    v.check_period(start, start)
    v.check_period(None, None)
    with pytest.raises(ValidationError, match="before"):
        v.check_period(start, datetime(2027, 1, 1, 9))
    with pytest.raises(ValidationError) as caught:
        v.check_period(None, start)
    assert caught.value.field == "starts_at"


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize("moment", [
    datetime(2000, 1, 1, tzinfo=UTC),
    "2027-01-01",
    # Found by fuzzing: MariaDB stored 2000-01-01 00:00:00.000001 as 00:00:00, SQLite kept it.
    datetime(2000, 1, 1, 0, 0, 0, 1),
], ids=["aware", "text", "microseconds"])
def test_a_time_with_a_zone_or_not_a_time_is_refused_by_name(field, moment):
    # Found by fuzzing: an aware start next to a naive end raised TypeError from the comparison.
    times = {"starts_at": datetime(2027, 1, 1, 9), "ends_at": datetime(2027, 1, 1, 10)}
    times[field] = moment
    with pytest.raises(ValidationError) as caught:
        v.check_period(times["starts_at"], times["ends_at"])
    assert caught.value.field == field
