"""Type stubs of the extension module (Rust, pyo3); the documented API is re-exported by
``isrc``, ``isrc.arrow``, ``isrc.polars`` and ``isrc.spark``."""

import datetime
import os
from typing import Any, List, Optional, Tuple, Union

#: The date of the built-in prefix table (the International ISRC Agency's list).
PREFIX_TABLE_DATE: Optional[str]

class Policy:
    """The reference date (default: today, read at each check) and the prefix table
    (default: the built-in one), as ``isrc --today`` and ``--prefixes``."""

    def __init__(
        self,
        today: Union[str, datetime.date, None] = None,
        prefixes: Union[str, "os.PathLike[str]", None] = None,
    ) -> None: ...
    @property
    def today(self) -> str:
        """The reference date, ``YYYY-MM-DD``."""
    @property
    def prefix_table(self) -> Optional[str]:
        """The date of the prefix table, when it has one."""

class Isrc:
    """An ISRC, parsed leniently (any case, separators, the ``ISRC`` label); ``str()`` is
    the compact form. Ordered, hashable; ``ValueError`` when the text is not well-formed."""

    def __init__(self, text: str) -> None: ...
    @staticmethod
    def from_key(key: int) -> "Isrc":
        """The code of a ``key``."""
    @property
    def country(self) -> str: ...
    @property
    def registrant(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def year(self) -> int:
        """The two-digit year of reference, 0-99."""
    @property
    def designation(self) -> int: ...
    @property
    def key(self) -> int:
        """A stable integer, ordered like the compact form (``isrc check``'s key)."""
    @property
    def compact(self) -> str: ...
    def hyphenated(self) -> str:
        """``CB-YZ9-22-00001``."""
    def __lt__(self, other: "Isrc") -> bool: ...
    def __le__(self, other: "Isrc") -> bool: ...
    def __gt__(self, other: "Isrc") -> bool: ...
    def __ge__(self, other: "Isrc") -> bool: ...
    def __hash__(self) -> int: ...

class Finding:
    """One thing a check found."""

    rule: str
    """The rule id (docs/rules.md), such as ``letter_in_digits``."""
    severity: str
    """``error``, ``warning`` or ``info``."""
    message: str
    span: Tuple[int, int]
    """The part of the input concerned, as indices of the Python string."""
    byte_span: Tuple[int, int]
    """The same part in UTF-8 bytes, as in ``isrc validate --json``."""
    fix: Optional[Isrc]

class Report:
    """What ``check`` says about one input; true when valid."""

    input: str
    isrc: Optional[Isrc]
    """The code, when the input is well-formed (it may still have errors)."""
    valid: bool
    severity: Optional[str]
    findings: List[Finding]
    fix: Optional[Isrc]
    alternatives: List[Isrc]
    """Look-alike readings that each pass every check, when more than one does."""
    def to_json(self) -> str:
        """The report as ``isrc validate --json`` prints it."""
    def __bool__(self) -> bool: ...

def compact(text: str) -> str:
    """The compact form (python-stdnum's ``compact``, reading the ``ISRC`` label too)."""

def validate(text: str, policy: Optional[Policy] = None) -> str:
    """The compact code, or raises ``InvalidLength``, ``InvalidFormat`` or
    ``InvalidComponent`` (all ``ValidationError``)."""

def is_valid(text: str, policy: Optional[Policy] = None) -> bool:
    """Whether ``text`` is a valid ISRC."""

def format(text: str, separator: str = "-") -> str:
    """``CC-XXX-YY-NNNNN`` with ``separator`` between the elements."""

def check(text: str, policy: Optional[Policy] = None) -> Report:
    """Every finding about ``text``: rule ids, severities, spans, messages and fixes."""

def arrow_check(capsules: Tuple[Any, Any], policy: Optional[Policy] = None) -> Tuple[Any, Any]: ...
def arrow_is_valid(capsules: Tuple[Any, Any], policy: Optional[Policy] = None) -> Tuple[Any, Any]: ...
def arrow_keys(capsules: Tuple[Any, Any], policy: Optional[Policy] = None) -> Tuple[Any, Any]: ...
def arrow_fingerprints(
    title: Optional[Tuple[Any, Any]] = None,
    artist: Optional[Tuple[Any, Any]] = None,
    version: Optional[Tuple[Any, Any]] = None,
) -> Tuple[Any, Any]: ...
def arrow_durations(capsules: Tuple[Any, Any], milliseconds: bool = False) -> Tuple[Any, Any]: ...
