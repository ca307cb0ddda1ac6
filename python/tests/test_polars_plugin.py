"""The Polars expressions are the compiled plugin in the installed Polars, and the fallback
(`map_batches`) gives the same results when the plugin is turned off or refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polars as pl
import pytest

import isrc
import isrc.arrow
import isrc.polars
from conftest import generated_codes

CODES = ["us-rc1-76-07839", "USRC176O7839", None, "", "GBAYE2900001", "ISRC USRC17607839x"]


def test_the_plugin_is_the_engine_in_the_installed_polars():
    # The wheel is built for Polars' plugin interface of 2.1 (pyo3-polars 0.28, polars 0.55):
    # in that Polars, the methods must be the plugin, not the fallback.
    assert pl.__version__.startswith("2.1."), f"the plugin is built for Polars 2.1, not {pl.__version__}"
    assert isrc.polars.ENGINE_REASON is None
    assert isrc.polars.ENGINE == "plugin"
    plan = pl.LazyFrame({"isrc": CODES}).select(pl.col("isrc").isrc.is_valid()).explain()
    assert "_native.abi3.so:is_valid()" in plan and "map_batches" not in plan


def test_the_fallback_is_used_when_the_plugin_is_turned_off_and_gives_the_same_results(policy):
    script = f"""
import json, polars as pl, isrc, isrc.polars
policy = isrc.Policy(today={policy.today!r})
df = pl.DataFrame({{"isrc": {CODES!r}}}, schema={{"isrc": pl.String}})
out = df.select(
    pl.col("isrc").isrc.check(policy).alias("check"),
    pl.col("isrc").isrc.compact(policy).alias("compact"),
    pl.col("isrc").isrc.is_valid(policy).alias("valid"),
    pl.col("isrc").isrc.key(policy).alias("key"),
)
print(json.dumps({{"engine": isrc.polars.ENGINE, "reason": isrc.polars.ENGINE_REASON, "rows": out.to_dicts()}}))
"""
    env = dict(os.environ, ISRC_POLARS_PLUGIN="0")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    fallback = json.loads(run.stdout)
    assert fallback["engine"] == "map_batches"
    assert fallback["reason"] == "ISRC_POLARS_PLUGIN=0 is set"
    df = pl.DataFrame({"isrc": CODES}, schema={"isrc": pl.String})
    plugin = df.select(
        pl.col("isrc").isrc.check(policy).alias("check"),
        pl.col("isrc").isrc.compact(policy).alias("compact"),
        pl.col("isrc").isrc.is_valid(policy).alias("valid"),
        pl.col("isrc").isrc.key(policy).alias("key"),
    )
    assert json.loads(json.dumps(plugin.to_dicts())) == fallback["rows"]


def test_the_plugin_takes_the_policy_s_date_and_prefix_table(tmp_path):
    table = tmp_path / "prefixes.csv"
    table.write_text("prefix,territory,agency,status,introduced\nGB,United Kingdom,PPL,active,\n")
    policy = isrc.Policy(today="2030-01-01", prefixes=table)
    codes = ["GBAYE2900001", "USRC17607839", "GBAYE3100001", None]
    out = pl.DataFrame({"isrc": codes}).select(
        pl.col("isrc").isrc.check(policy).alias("check"), pl.col("isrc").isrc.is_valid(policy).alias("valid")
    )
    assert out["valid"].to_list() == [True, False, False, None]
    assert out["check"].to_list() == isrc.arrow.check(pl.Series(codes).to_arrow(), policy).to_pylist()


def test_the_output_keeps_the_column_name_and_the_check_dtype():
    df = pl.DataFrame({"code": CODES})
    out = df.select(pl.col("code").isrc.check(), pl.col("code").isrc.key().alias("key"))
    assert out.schema == pl.Schema({"code": isrc.polars.CHECK_DTYPE, "key": pl.UInt64})
    assert df.lazy().select(pl.col("code").isrc.compact()).collect_schema() == pl.Schema({"code": pl.String})


def test_many_chunks_and_the_streaming_engine_give_the_check_s_rows(policy):
    codes = generated_codes(20_000)
    parts = [pl.DataFrame({"isrc": codes[i : i + 3_000]}, schema={"isrc": pl.String}) for i in range(0, 20_000, 3_000)]
    df = pl.concat(parts, rechunk=False)
    assert df["isrc"].n_chunks() > 1
    expected = isrc.arrow.check(pl.Series(codes, dtype=pl.String).to_arrow(), policy).to_pylist()
    assert df.select(pl.col("isrc").isrc.check(policy))["isrc"].to_list() == expected
    streamed = df.lazy().select(pl.col("isrc").isrc.check(policy)).collect(engine="streaming")
    assert streamed["isrc"].to_list() == expected


def test_an_all_null_column_gives_null_rows():
    out = pl.DataFrame({"isrc": [None, None]}).select(pl.col("isrc").isrc.is_valid(), pl.col("isrc").isrc.key().alias("k"))
    assert out.to_dicts() == [{"isrc": None, "k": None}, {"isrc": None, "k": None}]


def test_a_column_that_is_not_text_is_an_error_that_names_it():
    with pytest.raises(pl.exceptions.PolarsError, match=r"String column, not i64 \(column \"n\"\)"):
        pl.DataFrame({"n": [1, 2]}).select(pl.col("n").isrc.is_valid())
