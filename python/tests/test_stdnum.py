"""The python-stdnum API on python-stdnum's own test vectors (tests/test_isrc.doctest)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import isrc

# The inputs of python-stdnum 2.2's tests/test_isrc.doctest and the outcome it expects:
# a compact code, or the exception's name. $STDNUM_ISRC_DOCTEST (set by .ci/run after
# `pip download python-stdnum`) names the file itself, read by the next test.
STDNUM_VECTORS = [
    ("validate", "US-SKG-19-12345", "USSKG1912345"),
    ("validate", "USSKG1912345", "USSKG1912345"),
    ("validate", "us-skg1912345", "USSKG1912345"),
    ("validate", "GX26J2400002", "GX26J2400002"),
    ("validate", "FXR592300639", "FXR592300639"),
    ("validate", "US-SKG-19-123456", "InvalidLength"),
    ("validate", "US-SKG-19-1234*", "InvalidFormat"),
    ("validate", "XX-SKG-19-12345", "InvalidComponent"),
    ("format", "USSKG1912345", "US-SKG-19-12345"),
]

# Inputs where the standard (ISO 3901 and the International ISRC Agency's prefix list, as the
# isrc tools apply it) says otherwise than python-stdnum: docs/python.md lists each one.
DIFFERENCES = [
    # (input, stdnum's outcome, ours, why)
    ("USRC13907839", "USRC13907839", "InvalidComponent", "year_future: 2039 has not occurred"),
    ("JMK400000001", "JMK400000001", "InvalidComponent", "example_code: JM-K40 is illustrative"),
    ("AQRC12600001", "AQRC12600001", "InvalidComponent", "unknown_prefix: AQ is ISO 3166, not in the ISRC prefix list"),
    ("ISRC USRC17607839", "InvalidLength", "USRC17607839", "the ISRC label is not part of the code"),
    ("USRC176O7839", "InvalidFormat", "InvalidFormat", "same verdict; ours also offers the fix USRC17607839"),
]


def outcome(function, text, **kwargs):
    try:
        return function(text, **kwargs)
    except isrc.ValidationError as e:
        return type(e).__name__


def test_stdnum_test_vectors_give_the_same_verdicts(policy):
    for function, text, expected in STDNUM_VECTORS:
        got = outcome(getattr(isrc, function), text, **({"policy": policy} if function == "validate" else {}))
        assert got == expected, (function, text)


def read_doctest(path: Path):
    """(function, input, expected) of each `>>> isrc.f('...')` example of a stdnum doctest."""
    lines = path.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        m = re.match(r">>> isrc\.(\w+)\('([^']*)'\)$", line.strip())
        if not m:
            continue
        nxt = lines[i + 1].strip()
        if nxt.startswith("Traceback"):
            j = i + 2
            while not re.match(r"\w+: ", lines[j].strip()):
                j += 1
            expected = lines[j].strip().split(":")[0]
        else:
            expected = nxt.strip("'")
        found.append((m.group(1), m.group(2), expected))
    return found


def test_the_vectors_are_those_of_the_stdnum_doctest_file():
    path = os.environ.get("STDNUM_ISRC_DOCTEST")
    if not path:
        pytest.skip("STDNUM_ISRC_DOCTEST is not set (.ci/run sets it from `pip download python-stdnum`)")
    assert read_doctest(Path(path)) == STDNUM_VECTORS


def test_the_listed_differences_from_stdnum_hold(policy):
    stdnum = pytest.importorskip("stdnum.isrc")
    for text, theirs, ours, why in DIFFERENCES:
        try:
            got_theirs = stdnum.validate(text)
        except Exception as e:  # noqa: BLE001 - stdnum's own exception classes
            got_theirs = type(e).__name__
        assert got_theirs == theirs, (text, why)
        assert outcome(isrc.validate, text, policy=policy) == ours, (text, why)


def test_the_exceptions_are_stdnums_when_it_is_installed(policy):
    exceptions = pytest.importorskip("stdnum.exceptions")
    with pytest.raises(exceptions.InvalidComponent) as info:
        isrc.validate("XX-SKG-19-12345", policy=policy)
    assert isinstance(info.value, exceptions.ValidationError)
    assert info.value.rule == "unknown_prefix"
    assert "XX" in str(info.value)


def test_is_valid_agrees_with_validate(policy):
    for _, text, _ in STDNUM_VECTORS + [(None, d[0], None) for d in DIFFERENCES]:
        assert isrc.is_valid(text, policy=policy) == (outcome(isrc.validate, text, policy=policy)[:7] != "Invalid")


def test_compact_and_format_behave_like_stdnums():
    stdnum = pytest.importorskip("stdnum.isrc")
    for text in ["US-SKG-19-12345", "us skg 19 12345", " USSKG1912345 ", "US-SKG-19-1234*", "ab-c", ""]:
        assert isrc.compact(text) == stdnum.compact(text), text
        assert isrc.format(text) == stdnum.format(text), text
        assert isrc.format(text, separator=" ") == stdnum.format(text, separator=" "), text
    # The label is read as ours, not kept: stdnum would give 'ISRCUSSKG1912345'.
    assert isrc.compact("ISRC US-SKG-19-12345") == "USSKG1912345"
