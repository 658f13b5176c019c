"""Documentation stays true: every command is in docs/cli.md and every setting in
docs/configuration.md, the README links every page of docs/ and every link resolves, and the
README's quick start is what CI runs."""

from __future__ import annotations

import re

import click
import pytest

from kg.cli import main
from kg.config import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
CLI = (DOCS / "cli.md").read_text(encoding="utf-8")
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _commands(group: click.Group, prefix: str = "kg") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_is_in_the_cli_reference():
    for command in _commands(main):
        assert f"| `{command}" in CLI, f"{command} is not documented in docs/cli.md"


def test_the_cli_reference_names_no_command_that_does_not_exist():
    documented = set(re.findall(r"^\| `(kg [a-z]+(?: [a-z]+)?)", CLI, flags=re.M))
    real = set(_commands(main))
    assert documented and documented <= real | {c.rsplit(" ", 1)[0] for c in real}


def test_every_setting_is_documented():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "kg").rglob("*.py"))
    for setting in set(re.findall(r"\bKG_[A-Z_]+\b", source)):
        assert f"`{setting}`" in CONFIGURATION, f"{setting} is read by kg/ but not documented in docs/configuration.md"


def test_the_readme_links_every_reference_page():
    linked = {m for m in LINK.findall(README)}
    for page in sorted(DOCS.glob("*.md")):
        assert f"docs/{page.name}" in linked, f"README.md does not link docs/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_resolves(page):
    text = page.read_text(encoding="utf-8")
    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for p in PAGES for h in re.findall(r"^#+ (.+)$", p.read_text(encoding="utf-8"), flags=re.M)}
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        if path:
            assert (page.parent / path).exists(), f"{page.name} links {target}, which does not exist"
        if anchor:
            assert anchor in headings, f"{page.name} links #{anchor}, a heading no page has"


def test_the_readme_is_a_front_page():
    assert len(README) < 6_000, "the reference belongs in docs/"
    assert "![" in README and (ROOT / "docs" / "images" / "ask.png").is_file()


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
