"""The optional dependencies of the submodules, with an error that says how to install them."""

from __future__ import annotations


def missing(package: str, submodule: str, extra: str) -> ImportError:
    """The error for ``submodule`` when ``package`` is not installed: it names the package
    extra that brings it (``pip install 'isrc[arrow]'``)."""
    return ImportError(
        f"{submodule} needs {package}, which is not installed: "
        f"pip install 'isrc[{extra}]' (or pip install {package})"
    )
