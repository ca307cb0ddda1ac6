"""Polars expressions: ``import isrc.polars`` registers the ``isrc`` namespace on expressions
and series.

>>> import polars as pl, isrc.polars
>>> df = pl.DataFrame({"isrc": ["us-rc1-76-07839", "USRC176O7839", None]})
>>> df.select(pl.col("isrc").isrc.compact())["isrc"].to_list()
['USRC17607839', None, None]
>>> df.select(pl.col("isrc").isrc.is_valid())["isrc"].to_list()
[True, False, None]

The methods are compiled Polars expressions: a plugin (``polars.plugins``) in the package's
own extension module, which Polars calls in its threads on its own chunks, with no Python per
batch. Each chunk crosses to the Rust kernel (``isrc-arrow``, the one ``isrc.arrow`` uses)
through the Arrow C data interface as Polars holds it (string views), and the result comes
back the same way: no copy of the strings either way. The methods are elementwise, so they
work in ``select``, ``with_columns``, ``filter``, ``group_by().agg`` and lazy or streaming
queries.

When the plugin does not work in the installed Polars (it is built for Polars' plugin
interface of 2.1, and checked once at import), or ``ISRC_POLARS_PLUGIN=0`` is set, the same
methods run the same kernel through ``map_batches`` instead (one Python call per batch), with
the same results: ``ENGINE`` says which is in use and ``ENGINE_REASON`` why not the plugin.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

from isrc._optional import missing

try:
    import polars as pl
    import pyarrow as pa
except ImportError as e:
    raise missing(e.name or "polars", "isrc.polars", "polars") from e

from isrc import _native
from isrc import arrow as _arrow
from isrc._native import Policy

__all__ = ["CHECK_DTYPE", "ENGINE", "ENGINE_REASON", "check_series", "IsrcExpr", "IsrcSeries"]

#: The Polars type of ``.isrc.check()``: one struct a row (see ``isrc.arrow.CHECK_TYPE``).
CHECK_DTYPE = pl.Struct(
    {
        "compact": pl.String,
        "valid": pl.Boolean,
        "key": pl.UInt64,
        "rules": pl.List(pl.String),
        "fix": pl.String,
        "severity": pl.String,
        "prefix": pl.String,
    }
)


#: The extension module, which is also the Polars plugin.
_LIBRARY = Path(_native.__file__)


def _kwargs(policy: Optional[Policy]) -> Dict[str, Any]:
    """The policy as the plugin's keyword arguments (Polars pickles them)."""
    if policy is None:
        return {"today": None, "prefixes": None}
    return policy._plugin_kwargs()


def _plugin(function: str, expr: pl.Expr, policy: Optional[Policy]) -> pl.Expr:
    """A call of the plugin's ``function`` on ``expr``."""
    return pl.plugins.register_plugin_function(
        plugin_path=_LIBRARY,
        function_name=function,
        args=expr,
        kwargs=_kwargs(policy),
        is_elementwise=True,
    )


def _why_not_the_plugin() -> Optional[str]:
    """None when the plugin gives the kernel's results in this Polars, else why not."""
    if os.environ.get("ISRC_POLARS_PLUGIN") == "0":
        return "ISRC_POLARS_PLUGIN=0 is set"
    probe = pl.Series("isrc", ["us-rc1-76-07839", "USRC176O7839", None], dtype=pl.String)
    try:
        out = probe.to_frame().select(
            _plugin("check", pl.col("isrc"), None).alias("check"),
            _plugin("is_valid", pl.col("isrc"), None).alias("valid"),
        )
        same = out["check"].to_list() == check_series(probe).to_list() and out["valid"].to_list() == [
            True,
            False,
            None,
        ]
    except Exception as e:  # Polars raises its own errors (ComputeError...) for a plugin it refuses.
        return f"the plugin does not work in Polars {pl.__version__}: {type(e).__name__}: {e}"
    if not same:
        return f"the plugin's results differ from the kernel's in Polars {pl.__version__}"
    return None


def _column(function, series: pl.Series, policy: Optional[Policy]) -> pl.Series:
    """One column from a single-column kernel, chunk by chunk."""
    if series.dtype == pl.Null:
        series = series.cast(pl.String)
    chunks = [
        function(chunk.to_arrow(compat_level=pl.CompatLevel.newest()), policy)
        for chunk in series.get_chunks()
    ]
    out = pl.from_arrow(pa.chunked_array(chunks))
    assert isinstance(out, pl.Series)
    return out.alias(series.name)


def check_series(series: pl.Series, policy: Optional[Policy] = None) -> pl.Series:
    """The check of every string of ``series``, as a struct series of ``CHECK_DTYPE``."""
    if series.dtype == pl.Null:
        series = series.cast(pl.String)
    # Chunk by chunk, as Polars holds them: no concatenation.
    chunks = [
        _arrow.check(chunk.to_arrow(compat_level=pl.CompatLevel.newest()), policy)
        for chunk in series.get_chunks()
    ]
    out = pl.from_arrow(pa.chunked_array(chunks, type=_arrow.CHECK_TYPE))
    assert isinstance(out, pl.Series)
    return out.alias(series.name)


#: Why the methods do not use the plugin (None when they do).
ENGINE_REASON: Optional[str] = _why_not_the_plugin()
#: ``"plugin"`` (the compiled expressions) or ``"map_batches"`` (the fallback; see
#: ``ENGINE_REASON``).
ENGINE = "plugin" if ENGINE_REASON is None else "map_batches"


def _map_batches(function: str, expr: pl.Expr, policy: Optional[Policy]) -> pl.Expr:
    """The fallback: the kernel's ``function`` through ``map_batches`` (a Python call a batch)."""
    if function == "check":
        return expr.map_batches(lambda s: check_series(s, policy), return_dtype=CHECK_DTYPE, is_elementwise=True)
    if function == "compact":
        return _map_batches("check", expr, policy).struct.field("compact")
    kernel, dtype = {"is_valid": (_arrow.is_valid, pl.Boolean), "key": (_arrow.keys, pl.UInt64)}[function]
    return expr.map_batches(lambda s: _column(kernel, s, policy), return_dtype=dtype, is_elementwise=True)


def _expression(function: str, expr: pl.Expr, policy: Optional[Policy]) -> pl.Expr:
    """``function`` on ``expr`` by the engine in use."""
    if ENGINE == "plugin":
        return _plugin(function, expr, policy)
    return _map_batches(function, expr, policy)


@pl.api.register_expr_namespace("isrc")
class IsrcExpr:
    """``pl.col(...).isrc``: the ISRC check as expressions."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def check(self, policy: Optional[Policy] = None) -> pl.Expr:
        """A struct a row: ``compact``, ``valid``, ``key``, ``rules``, ``fix``, ``severity``,
        ``prefix`` (see ``isrc.arrow.check``)."""
        return _expression("check", self._expr, policy)

    def compact(self, policy: Optional[Policy] = None) -> pl.Expr:
        """The compact code, null when the value is not valid."""
        return _expression("compact", self._expr, policy)

    def is_valid(self, policy: Optional[Policy] = None) -> pl.Expr:
        """Whether the value is a valid ISRC (null for null)."""
        return _expression("is_valid", self._expr, policy)

    def key(self, policy: Optional[Policy] = None) -> pl.Expr:
        """``Isrc.key`` (UInt64) of the code, when one can be formed."""
        return _expression("key", self._expr, policy)

    def fix(self, policy: Optional[Policy] = None) -> pl.Expr:
        """The corrected code, where one is offered."""
        return self.check(policy).struct.field("fix")

    def rules(self, policy: Optional[Policy] = None) -> pl.Expr:
        """The ids of the rules with a finding."""
        return self.check(policy).struct.field("rules")


@pl.api.register_series_namespace("isrc")
class IsrcSeries:
    """``series.isrc``: the same on a series."""

    def __init__(self, series: pl.Series) -> None:
        self._series = series

    def check(self, policy: Optional[Policy] = None) -> pl.Series:
        """See ``IsrcExpr.check``."""
        return check_series(self._series, policy)

    def compact(self, policy: Optional[Policy] = None) -> pl.Series:
        """See ``IsrcExpr.compact``."""
        return self.check(policy).struct.field("compact").alias(self._series.name)

    def is_valid(self, policy: Optional[Policy] = None) -> pl.Series:
        """See ``IsrcExpr.is_valid``."""
        return _column(_arrow.is_valid, self._series, policy)

    def key(self, policy: Optional[Policy] = None) -> pl.Series:
        """See ``IsrcExpr.key``."""
        return _column(_arrow.keys, self._series, policy)
