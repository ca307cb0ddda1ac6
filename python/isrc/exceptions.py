"""The exceptions of `isrc.validate`, as python-stdnum names them.

When python-stdnum is installed they are also subclasses of its exceptions, so that code
catching ``stdnum.exceptions.ValidationError`` keeps working after the import changes.
"""

from __future__ import annotations

from typing import Optional

try:  # pragma: no cover - depends on what is installed
    from stdnum import exceptions as _stdnum
except ImportError:  # pragma: no cover
    _stdnum = None

__all__ = ["ValidationError", "InvalidLength", "InvalidFormat", "InvalidComponent"]

_Base: type = _stdnum.ValidationError if _stdnum is not None else ValueError


class ValidationError(_Base):  # type: ignore[misc, valid-type]
    """The text is not a valid ISRC; ``rule`` is the id of the rule of its first error."""

    message = "not a valid ISRC"

    def __init__(self, message: Optional[str] = None, rule: Optional[str] = None) -> None:
        if message is not None:
            self.message = message
        self.rule = rule
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message


def _also(name: str) -> tuple:
    return (getattr(_stdnum, name),) if _stdnum is not None else ()


class InvalidLength(ValidationError, *_also("InvalidLength")):  # type: ignore[misc]
    """Not 12 characters once separators and the label are removed (or another identifier)."""

    message = "the number has an invalid length"


class InvalidFormat(ValidationError, *_also("InvalidFormat")):  # type: ignore[misc]
    """A character that cannot be where it is (a digit in the country code, a letter among the digits)."""

    message = "the number has an invalid format"


class InvalidComponent(ValidationError, *_also("InvalidComponent")):  # type: ignore[misc]
    """A part that is not valid: an unknown prefix, a year that has not occurred, an illustrative code."""

    message = "one of the parts of the number are invalid or unknown"
