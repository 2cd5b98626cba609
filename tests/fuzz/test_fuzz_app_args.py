"""The desktop app's command line under generated input: parsed, then read as settings.

argparse either takes the arguments or exits with its usage message (code 2, or 0 for --help);
a --db value it takes is used exactly or refused by load_config naming --db.
"""

from __future__ import annotations

import contextlib
import io

from hypothesis import given
from hypothesis import strategies as st

from studentres_desktop.app import parse_args
from studentres_desktop.config import load_config
from studentres_desktop.domain.errors import ValidationError
from tests.fuzz.strategies import argument, text

OPTIONS = ["--db", "-v", "--verbose", "--exit-when-ready", "--", "-h", "--d", "--db=", "-"]
URLS = ["sqlite:///x.db", "mysql+mysqlconnector://u:pw@db.example.edu:3306/sr"]
argv = st.lists(st.sampled_from(OPTIONS) | st.sampled_from(URLS) | argument(text()), max_size=5)


@given(argv=argv)
def test_the_app_takes_its_arguments_exactly_or_exits_with_usage(tmp_path_factory,
                                                                argv: list[str]):
    messages = io.StringIO()
    try:
        with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
            args = parse_args(argv)
    except SystemExit as stop:
        shown = messages.getvalue()
        assert "usage: studentres-desktop" in shown
        if stop.code == 0:  # -h, --help or a prefix of it, also as in -vh
            assert "show this help message" in shown
        else:
            assert stop.code == 2 and "studentres-desktop: error:" in shown, shown
        return
    missing = tmp_path_factory.mktemp("config") / "absent.toml"
    try:
        config = load_config(args.db, environ={}, config_file=missing)
    except ValidationError as error:
        assert error.field == "--db", error
        return
    if args.db:
        assert config.database.url == args.db
        assert args.db in argv or f"--db={args.db}" in argv
