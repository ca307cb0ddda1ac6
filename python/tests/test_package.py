"""The package as a new user meets it: its version, and the submodules' errors when an extra
is not installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

import isrc


def test_the_version_is_the_distribution_s():
    from importlib.metadata import version

    assert isrc.__version__ == version("isrc")


@pytest.mark.parametrize(
    "submodule, blocked, extra",
    [("arrow", "pyarrow", "arrow"), ("polars", "polars", "polars"), ("spark", "pyarrow", "spark")],
)
def test_a_missing_extra_is_named(submodule, blocked, extra):
    # `sys.modules[name] = None` makes `import name` fail as when it is not installed.
    code = f"import sys; sys.modules[{blocked!r}] = None\nimport isrc.{submodule}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last == (
        f"ImportError: isrc.{submodule} needs {blocked}, which is not installed: "
        f"pip install 'isrc[{extra}]' (or pip install {blocked})"
    ), out.stderr
