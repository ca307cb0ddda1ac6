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


def _stub_names(tree):
    """Top-level names of a stub file, and each class's methods and properties."""
    import ast

    names, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign)) and hasattr(n, "name")}
            members[node.name] |= {n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    return names, members


def test_the_stubs_name_every_native_function_class_and_member():
    import ast
    from pathlib import Path

    import isrc._native as native

    stub = Path(isrc.__file__).with_name("_native.pyi")
    assert (Path(isrc.__file__).with_name("py.typed")).is_file()
    names, members = _stub_names(ast.parse(stub.read_text()))
    public = {n for n in dir(native) if not n.startswith("_")}
    assert public == names, (public ^ names)
    for cls, stubbed in members.items():
        have = {m for m in dir(getattr(native, cls)) if not m.startswith("_")}
        assert have <= stubbed, (cls, have - stubbed)


@pytest.mark.parametrize("module", ["isrc", "isrc.arrow", "isrc.polars", "isrc.spark", "isrc.exceptions"])
def test_every_public_name_has_a_docstring(module):
    import importlib
    import inspect

    mod = importlib.import_module(module)
    assert mod.__doc__ and mod.__doc__.strip(), module
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.isbuiltin(obj) or callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{module}.{name}"
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if not attr.startswith("_") and callable(value):
                        assert value.__doc__, f"{module}.{name}.{attr}"


def _readme_examples(text):
    """The README's `>>>` examples before its PySpark section: (statement, output lines)."""
    import re

    text = text.split("## PySpark")[0]
    out = []
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if lines[i].startswith(">>> "):
                statement = [lines[i][4:]]
                i += 1
                while i < len(lines) and lines[i].startswith("... "):
                    statement.append(lines[i][4:])
                    i += 1
                output = []
                while i < len(lines) and not lines[i].startswith(">>> "):
                    output.append(lines[i])
                    i += 1
                out.append(("\n".join(statement), output))
            else:
                i += 1
    return out


def test_the_readme_examples_run_and_print_what_they_show(tmp_path, monkeypatch):
    """Every example of python/README.md before PySpark (which needs a cluster) runs; where it
    shows a value in full, it prints that value; where it shows a traceback, it raises."""
    from pathlib import Path

    # The source README, beside the tests: the installed package (site-packages) has none.
    readme = Path(__file__).resolve().parents[1] / "README.md"
    examples = _readme_examples(readme.read_text())
    assert len(examples) >= 15
    # The prefix-table example reads a file of the table's shape.
    (tmp_path / "isrc-prefixes.csv").write_text("prefix,territory,agency,status,introduced\nCB,Test,Test,active,\n")
    monkeypatch.chdir(tmp_path)
    scope = {}
    for statement, output in examples:
        shown = "\n".join(output).strip()
        if shown.startswith("Traceback"):
            with pytest.raises(Exception) as e:
                exec(compile(statement, "README", "exec"), scope)
            assert shown.splitlines()[-1].endswith(str(e.value)), statement
            continue
        try:
            value = eval(compile(statement, "README", "eval"), scope)
        except SyntaxError:
            exec(compile(statement, "README", "exec"), scope)
            continue
        if shown and "..." not in shown:
            assert repr(value) == shown, statement


def test_the_extension_is_built_for_the_stable_abi_of_cpython_3_9_and_later():
    """One wheel for every CPython from 3.9 (pyo3's abi3-py39): the module is `*.abi3.so`
    (`*.pyd` on Windows) and the package asks for Python 3.9 or later."""
    from importlib.metadata import metadata

    import isrc._native as native

    name = native.__file__.rsplit("/", 1)[-1]
    assert name.endswith(".abi3.so") or name.endswith(".pyd"), name
    assert metadata("isrc")["Requires-Python"] == ">=3.9"
