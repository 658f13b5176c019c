"""Documentation stays true: every command and setting is in the README, and the README's
quick start is what CI runs."""

from __future__ import annotations

import re

import click

from kg.cli import main
from kg.config import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "kg") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_is_in_the_readme_table():
    for command in _commands(main):
        assert f"| `{command}" in README, f"{command} is not documented in README.md"


def test_readme_names_no_command_that_does_not_exist():
    documented = set(re.findall(r"^\| `(kg [a-z]+(?: [a-z]+)?)", README, flags=re.M))
    real = set(_commands(main))
    assert documented <= {c for c in real} | {c.rsplit(" ", 1)[0] for c in real}


def test_every_setting_is_documented():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "kg").rglob("*.py"))
    for setting in set(re.findall(r"\bKG_[A-Z_]+\b", source)):
        assert f"`{setting}`" in README, f"{setting} is read by kg/ but not documented in README.md"


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
