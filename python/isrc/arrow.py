"""The check over Arrow arrays, through the Arrow C data interface (no copy of the input).

>>> import pyarrow as pa, isrc.arrow
>>> out = isrc.arrow.check(pa.array(["us-rc1-76-07839", "USRC176O7839", None]))
>>> out.field("compact").to_pylist()
['USRC17607839', None, None]
>>> out.field("fix").to_pylist()
['USRC17607839', 'USRC17607839', None]
"""

from __future__ import annotations

from typing import Any, Optional

from isrc._optional import missing

try:
    import pyarrow as pa
except ImportError as e:
    raise missing("pyarrow", "isrc.arrow", "arrow") from e

from isrc import _native
from isrc._native import Policy

__all__ = ["check", "is_valid", "keys", "fingerprints", "durations", "CHECK_TYPE"]

#: The type of ``check``'s result: one struct a row.
CHECK_TYPE = pa.struct(
    [
        pa.field("compact", pa.string()),
        pa.field("valid", pa.bool_()),
        pa.field("key", pa.uint64()),
        pa.field("rules", pa.list_(pa.field("item", pa.string(), nullable=False))),
        pa.field("fix", pa.string()),
        pa.field("severity", pa.string()),
        pa.field("prefix", pa.string()),
    ]
)


class _Capsules:
    """Capsules from the native module, offered to pyarrow through ``__arrow_c_array__``."""

    def __init__(self, capsules: Any) -> None:
        self._capsules = capsules

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        return self._capsules


def _capsules(array: Any) -> Any:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not hasattr(array, "__arrow_c_array__"):
        array = pa.array(array, type=pa.string())
    return array.__arrow_c_array__()


def _imported(capsules: Any) -> pa.Array:
    return pa.array(_Capsules(capsules))


def check(array: Any, policy: Optional[Policy] = None) -> Any:
    """Checks every string of ``array`` (a pyarrow string, large_string or string_view array,
    a chunked array, or anything with ``__arrow_c_array__``); gives a ``StructArray`` of
    ``CHECK_TYPE`` (a ``ChunkedArray`` of them for a chunked input), one row per input row,
    null where the input is null."""
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([check(chunk, policy) for chunk in array.chunks], type=CHECK_TYPE)
    return _imported(_native.arrow_check(_capsules(array), policy))


def _each_chunk(function: Any, array: Any, policy: Optional[Policy]) -> Any:
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([_each_chunk(function, c, policy) for c in array.chunks])
    return _imported(function(_capsules(array), policy))


def is_valid(array: Any, policy: Optional[Policy] = None) -> Any:
    """Whether each string is a valid ISRC (null for null): ``check(array).field("valid")``
    without the other columns, on every core."""
    return _each_chunk(_native.arrow_is_valid, array, policy)


def keys(array: Any, policy: Optional[Policy] = None) -> Any:
    """``Isrc.key`` of each string's code, where one can be formed: ``check(array).field("key")``
    without the other columns, on every core."""
    return _each_chunk(_native.arrow_keys, array, policy)


def fingerprints(title: Any = None, artist: Any = None, version: Any = None) -> pa.StructArray:
    """The fingerprints ``isrc check`` compares per record (``title_artist``, ``version``,
    ``recording``), from the folded title, artist and version columns given."""
    given = [None if a is None else _capsules(a) for a in (title, artist, version)]
    return _imported(_native.arrow_fingerprints(*given))


def durations(array: Any, milliseconds: bool = False) -> pa.DoubleArray:
    """Durations in seconds (``m:ss``, ``h:mm:ss``, ``PT3M25S``, plain numbers in seconds, or in
    milliseconds with ``milliseconds=True``), null where the text is none of these."""
    return _imported(_native.arrow_durations(_capsules(array), milliseconds))
