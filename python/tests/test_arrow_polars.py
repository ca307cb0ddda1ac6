"""The Arrow and Polars paths equal `isrc.check` row by row on 100,000 generated values."""

from __future__ import annotations

import pyarrow as pa
import polars as pl
import pytest

import isrc
import isrc.arrow
import isrc.polars  # noqa: F401 - registers the namespace
from conftest import generated_codes

RULE_ORDER = [
    "empty", "length", "invalid_character", "country_not_letters", "letter_in_digits",
    "unknown_prefix", "example_code", "year_future", "other_identifier", "trailing_text",
    "not_canonical", "retired_prefix", "prefix_before_introduction", "legacy_year", "designation_zero",
]


def guess_prefix(text):
    """The prefix `isrc check` groups a value that is no code under (PrefixCode::guess)."""
    t = text.lstrip()
    if t[:4].lower() == "isrc":
        t = t[4:]
    five = ""
    for c in t:
        if c.isascii() and c.isalnum():
            five += c.upper()
            if len(five) == 5:
                break
        elif c not in "- :\u2010\u2011\u2012\u2013\u2014\u2015":
            return None
    return five if len(five) == 5 and five[:2].isalpha() else None


def expected_row(text, policy):
    if text is None:
        return None
    report = isrc.check(text, policy=policy)
    rules = sorted({f.rule for f in report.findings}, key=RULE_ORDER.index)
    return {
        "compact": str(report.isrc) if report.valid and report.isrc else None,
        "valid": report.valid,
        "key": report.isrc.key if report.isrc else None,
        "rules": rules,
        "fix": str(report.fix) if report.fix else None,
        "severity": report.severity,
        "prefix": report.isrc.prefix if report.isrc else guess_prefix(text),
    }


@pytest.fixture(scope="module")
def codes():
    return generated_codes(100_000)


@pytest.fixture(scope="module")
def expected(codes, policy):
    return [expected_row(t, policy) for t in codes]


def test_the_generated_values_cover_every_outcome(expected):
    seen = {r for row in expected if row for r in row["rules"]}
    assert {"length", "letter_in_digits", "unknown_prefix", "year_future", "trailing_text", "not_canonical",
            "other_identifier", "empty", "country_not_letters", "legacy_year"} <= seen
    assert any(row is None for row in expected)


@pytest.mark.parametrize("arrow_type", [pa.string(), pa.large_string(), pa.string_view()])
def test_arrow_check_equals_check_row_by_row(codes, expected, policy, arrow_type):
    out = isrc.arrow.check(pa.array(codes, type=arrow_type), policy=policy)
    assert out.type == isrc.arrow.CHECK_TYPE
    assert out.to_pylist() == expected


def test_a_chunked_array_gives_a_chunked_result(codes, expected, policy):
    chunked = pa.chunked_array([codes[:30_000], codes[30_000:]], type=pa.string())
    out = isrc.arrow.check(chunked, policy=policy)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert out.to_pylist() == expected


def test_the_input_buffers_are_shared_not_copied(policy):
    array = pa.array(["CBYZ92200001"] * 1000)
    before = pa.total_allocated_bytes()
    out = isrc.arrow.check(array, policy=policy)
    # The output is the kernel's (compact, keys, lists...); the input is not duplicated on the way in.
    assert out.field("compact").to_pylist()[0] == "CBYZ92200001"
    assert pa.total_allocated_bytes() == before


def test_polars_expressions_equal_check_row_by_row(codes, expected, policy):
    df = pl.DataFrame({"isrc": codes}, schema={"isrc": pl.String})
    out = df.select(
        pl.col("isrc").isrc.check(policy).alias("check"),
        pl.col("isrc").isrc.compact(policy).alias("compact"),
        pl.col("isrc").isrc.is_valid(policy).alias("valid"),
        pl.col("isrc").isrc.key(policy).alias("key"),
    )
    assert out["check"].to_list() == expected
    assert out["compact"].to_list() == [r and r["compact"] for r in expected]
    assert out["valid"].to_list() == [r and r["valid"] for r in expected]
    assert out["key"].to_list() == [r and r["key"] for r in expected]


def test_polars_expressions_work_lazily_in_filters_and_groups(codes, expected, policy):
    lf = pl.LazyFrame({"isrc": codes}, schema={"isrc": pl.String}).with_row_index("row")
    invalid = lf.filter(~pl.col("isrc").isrc.is_valid(policy)).collect()
    assert invalid["row"].to_list() == [i for i, r in enumerate(expected) if r and not r["valid"]]
    by_prefix = (
        lf.with_columns(pl.col("isrc").isrc.compact(policy).str.slice(0, 5).alias("prefix"))
        .group_by("prefix")
        .agg(pl.len())
        .collect()
    )
    assert by_prefix["len"].sum() == len(codes)
    series = pl.Series("isrc", codes[:100])
    assert series.isrc.is_valid(policy).to_list() == [r and r["valid"] for r in expected[:100]]
