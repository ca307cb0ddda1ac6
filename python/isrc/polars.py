"""Polars expressions: ``import isrc.polars`` registers the ``isrc`` namespace on expressions
and series.

>>> import polars as pl, isrc.polars
>>> df = pl.DataFrame({"isrc": ["us-rc1-76-07839", "USRC176O7839", None]})
>>> df.select(pl.col("isrc").isrc.compact())["isrc"].to_list()
['USRC17607839', None, None]
>>> df.select(pl.col("isrc").isrc.is_valid())["isrc"].to_list()
[True, False, None]

Each batch crosses to the Rust kernel (``isrc-arrow``) through the Arrow C data interface as
Polars holds it (string views), and the struct comes back the same way: no copy of the
strings either way, and no Python per row. The methods are elementwise, so they work in
``select``, ``with_columns``, ``filter``, ``group_by().agg`` and lazy or streaming queries.
"""

from __future__ import annotations

from typing import Optional

from isrc._optional import missing

try:
    import polars as pl
    import pyarrow as pa
except ImportError as e:
    raise missing(e.name or "polars", "isrc.polars", "polars") from e

from isrc import arrow as _arrow
from isrc._native import Policy

__all__ = ["CHECK_DTYPE", "check_series", "IsrcExpr", "IsrcSeries"]

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


@pl.api.register_expr_namespace("isrc")
class IsrcExpr:
    """``pl.col(...).isrc``: the ISRC check as expressions."""

    def __init__(self, expr: pl.Expr) -> None:
        self._expr = expr

    def check(self, policy: Optional[Policy] = None) -> pl.Expr:
        """A struct a row: ``compact``, ``valid``, ``key``, ``rules``, ``fix``, ``severity``,
        ``prefix`` (see ``isrc.arrow.check``)."""
        return self._expr.map_batches(
            lambda s: check_series(s, policy), return_dtype=CHECK_DTYPE, is_elementwise=True
        )

    def compact(self, policy: Optional[Policy] = None) -> pl.Expr:
        """The compact code, null when the value is not valid."""
        return self.check(policy).struct.field("compact")

    def is_valid(self, policy: Optional[Policy] = None) -> pl.Expr:
        """Whether the value is a valid ISRC (null for null)."""
        return self._expr.map_batches(
            lambda s: _column(_arrow.is_valid, s, policy), return_dtype=pl.Boolean, is_elementwise=True
        )

    def key(self, policy: Optional[Policy] = None) -> pl.Expr:
        """``Isrc.key`` (UInt64) of the code, when one can be formed."""
        return self._expr.map_batches(
            lambda s: _column(_arrow.keys, s, policy), return_dtype=pl.UInt64, is_elementwise=True
        )

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
