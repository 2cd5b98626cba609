"""Hypothesis strategies for text and numbers as people, files and terminals supply them."""

from __future__ import annotations

import operator
import string

from hypothesis import strategies as st

# Characters that broke software before: NUL and other controls, bidi and zero-width marks, a
# byte order mark, lone surrogates, combining and case-changing letters, LIKE and SQL syntax.
AWKWARD = (
    "\x00", "\t", "\n", "\r", "\r\n", "\x0b", "\x1b", "\x7f", "\x85", "\u2028",
    "\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\ufffd",
    "\ud800", "\udfff", "\U0001f600", "\U0001f468\u200d\U0001f469", "e\u0301", "é", "ß",
    "İ", "ﬀ", "Σ", "ς", "%", "_", "/", "\\", "'", '"', "`", ";", "--", "*", "<", ">", "&",
    " ", "\u00a0", "\u3000", "\u0661", "\u0663", "\U0001d7d8",
)

# Every code point Python allows in a str, lone surrogates included.
any_char = st.characters(exclude_categories=())


def text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Arbitrary Unicode, often built from the awkward characters above."""
    return st.one_of(
        st.text(any_char, max_size=max_size),
        st.lists(st.sampled_from(AWKWARD) | st.text(any_char, max_size=3),
                 max_size=max(1, max_size // 2)).map("".join),
        st.text(string.ascii_letters + string.digits + " ", min_size=1, max_size=max_size),
    )


def around_limit(limit: int) -> st.SearchStrategy[str]:
    """Strings one below, at and one above `limit` characters, of narrow and wide characters."""
    return st.builds(
        operator.mul,
        st.sampled_from(["x", "é", "\U0001f600", "\u202e", " "]),
        st.integers(limit - 1, limit + 1),
    )


def field_text(limit: int) -> st.SearchStrategy[str]:
    return text() | around_limit(limit)


def emails() -> st.SearchStrategy[str]:
    """Addresses, valid and almost valid: case changes, padding, odd characters spliced in."""

    def splice(address: str, extra: str, at: int) -> str:
        at %= len(address) + 1
        return address[:at] + extra + address[at:]

    valid = st.emails()
    return st.one_of(
        valid,
        valid.map(str.upper),
        st.tuples(valid, st.sampled_from([" ", "\t", "\u00a0", ""])).map(
            lambda pair: f"{pair[1]}{pair[0]}{pair[1]}"),
        st.builds(splice, valid, st.sampled_from(AWKWARD), st.integers(0, 300)),
        st.builds(lambda local, domain: f"{local}@{domain}", text(20), text(20)),
        text(),
    )


# Whole numbers at the edges of every integer type a database or a driver has.
limit_integers = st.one_of(
    st.integers(),
    st.sampled_from([0, 1, -1, 100_000, 100_001, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1,
                     2**63, -(2**63), 2**64, 10**30]),
)


# What a command line can carry here: no NUL (argv is C strings), and of the lone surrogates
# only U+DC80–U+DCFF, which stand for bytes that are not UTF-8 (PEP 383).
NOT_IN_ARGV = {"\x00"} | {chr(n) for n in range(0xD800, 0xE000) if not 0xDC80 <= n <= 0xDCFF}


def argument(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The strategy's text as a command-line argument, sometimes with undecodable bytes."""
    undecodable = st.binary(min_size=1, max_size=3).map(
        lambda raw: raw.decode("utf-8", "surrogateescape"))
    return st.one_of(strategy, st.tuples(strategy, undecodable).map("".join)).map(
        lambda value: "".join(c for c in value if c not in NOT_IN_ARGV))
