"""ISRC (International Standard Recording Code, ISO 3901), with the rules of the isrc tools.

A drop-in for python-stdnum's ``stdnum.isrc`` (``compact``, ``validate``, ``is_valid``,
``format``), plus ``check`` (every finding with its rule id, span and fix), ``Isrc`` values,
and, in submodules, Arrow (``isrc.arrow``), Polars (``isrc.polars``) and PySpark
(``isrc.spark``).

>>> import isrc
>>> isrc.validate("us-rc1-76-07839")
'USRC17607839'
>>> isrc.is_valid("USRC176O7839")
False
>>> isrc.check("USRC176O7839").fix
isrc.Isrc('USRC17607839')
"""

from isrc._native import (
    PREFIX_TABLE_DATE,
    Finding,
    Isrc,
    Policy,
    Report,
    check,
    compact,
    format,
    is_valid,
    validate,
)
from isrc.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

try:
    from importlib.metadata import version as _version

    #: The installed package's version.
    __version__ = _version("isrc")
except Exception:  # noqa: BLE001 - not installed as a distribution (a source checkout)
    __version__ = "0.1.0"

__all__ = [
    "__version__",
    "PREFIX_TABLE_DATE",
    "Finding",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "Isrc",
    "Policy",
    "Report",
    "ValidationError",
    "check",
    "compact",
    "format",
    "is_valid",
    "validate",
]
