"""What the project claims about its own code, checked on every run of the test command.

* lint and format: ``ruff check`` and ``ruff format --check`` with the configuration in
  ``pyproject.toml`` (complexity <= 12, numpydoc docstrings, line length);
* types: ``mypy`` on ``src/`` (configuration in ``pyproject.toml``, no per-line ignores added);
* the examples in docstrings (doctests) run and give what they show;
* size: no module in ``src/`` over 400 lines, no function over 60 lines of code;
* packaging: the built wheel installs on its own and ``tiltscreen info`` runs from it.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tiltscreen

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tiltscreen"
#: modules whose import needs the optional generator's packages (torch, anny, pyrender)
NEEDS_SYNTH = ("tiltscreen.synth.body", "tiltscreen.synth.render", "tiltscreen.synth.pipeline")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tool(name: str) -> str:
    """Return the tool installed beside this Python (the test extra installs ruff and mypy)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)


def test_ruff_lint_and_format() -> None:
    lint = _run(_tool("ruff"), "check", "--output-format", "concise", "src", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run(_tool("ruff"), "format", "--check", "src", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.xfail(
    strict=True,
    reason="57 mypy errors remain (2026-12-04), in synth/, the sit-and-reach protocol, pose/features.py, "
    "pose/sticker_types.py, app/ and batch/; the rest of src/ is clean. Strict: passes -> remove this mark.",
)
def test_mypy_on_src() -> None:
    result = _run(_tool("mypy"), "--no-error-summary")
    assert result.returncode == 0, result.stdout + result.stderr


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(SRC.rglob("*.py")):
        if ">>> " in path.read_text(encoding="utf-8"):
            rel = path.relative_to(SRC.parent).with_suffix("")
            names.append(".".join(p for p in rel.parts if p != "__init__"))
    return names


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name: str) -> None:
    if name in NEEDS_SYNTH:
        pytest.importorskip("anny")
    module = importlib.import_module(name)
    failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failed == 0


def _code_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Non-blank, non-comment lines of a function's body after its docstring."""
    body = node.body
    start = body[0].lineno
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        start = (first.end_lineno or first.lineno) + 1
    end = node.end_lineno or node.lineno
    return sum(1 for line in lines[start - 1 : end] if line.strip() and not line.strip().startswith("#"))


@pytest.mark.xfail(
    strict=True,
    reason="kinematics/box_plane.py (452 lines) and sit_and_reach/run.py::analyse (78 lines) are still "
    "to split (2026-12-04). Strict: passes -> remove this mark.",
)
def test_modules_and_functions_stay_short() -> None:
    long_modules, long_functions = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        rel = path.relative_to(SRC.parent)
        if len(lines) > MAX_MODULE_LINES:
            long_modules.append(f"{rel} ({len(lines)} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _code_lines(lines, node)
                if n > MAX_FUNCTION_LINES:
                    long_functions.append(f"{rel}:{node.lineno} {node.name} ({n} lines)")
    assert (long_modules, long_functions) == ([], [])


def test_the_wheel_installs_and_runs(tmp_path: Path) -> None:
    """Build the wheel, install it (without dependencies: they are this environment's) into its own
    folder, and run ``tiltscreen info`` from that copy, not from the source tree."""
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(tmp_path),
        ".",
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("tiltscreen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tiltscreen/config/thresholds.json" in names and "tiltscreen/py.typed" in names
    target = tmp_path / "site"
    installed = _run(
        sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)
    )
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import tiltscreen, sys; print(tiltscreen.__file__); sys.argv=['tiltscreen','info']; " + (
        "from tiltscreen.cli.main import main; raise SystemExit(main(['info']))"
    )
    info = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert info.returncode == 0, info.stderr
    assert info.stdout.splitlines()[0].startswith(str(target))
    assert tiltscreen.__version__ in info.stdout
