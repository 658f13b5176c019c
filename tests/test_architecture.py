"""The house's shape, checked: the one-way flow (import-linter's contracts in pyproject.toml), the
linter (ruff), and a docstring on every capability folder that says what it owns and may import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.config import ROOT

BIN = Path(sys.executable).parent
FOLDERS = sorted(p.parent for p in (ROOT / "kg").glob("*/__init__.py"))


def _run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_flow_runs_one_way():
    done = _run(str(BIN / "lint-imports"), "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_import_that_runs_back_up_fails(tmp_path):
    """The contract can fail: a copy of the tree where reading documents imports the service."""
    for name in ("kg", "web"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    source = tmp_path / "kg" / "documents" / "source.py"
    source.write_text(source.read_text(encoding="utf-8") + "\nfrom ..service import facade  # noqa\n", encoding="utf-8")
    done = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(tmp_path), "PATH": str(BIN)})
    assert done.returncode != 0
    assert "kg.documents.source -> kg.service.facade" in done.stdout


def test_the_linter_is_clean():
    done = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_each_capability_says_what_it_owns_and_may_import(folder):
    doc = (folder / "__init__.py").read_text(encoding="utf-8")
    assert doc.startswith('"""'), folder
    for words in ("Owns:", "May import:", "Must not"):
        assert words in doc, f"{folder.name}/__init__.py does not say {words!r}"


def test_the_package_map_names_every_folder():
    doc = (ROOT / "kg" / "__init__.py").read_text(encoding="utf-8")
    for folder in FOLDERS:
        assert f"kg.{folder.name}" in doc, folder.name
