"""Shared fixtures: settings over a temporary data home, one build of the bundled plans per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.config import ROOT, Settings
from kg.extraction.thesaurus import load_thesaurus
from kg.service.facade import Service

SEED = ROOT / "data" / "plans" / "liaocheng_heavy-pollution_member-duties.txt"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def thesaurus():
    return load_thesaurus(ROOT / "ontology")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """A data home holding the bundled plans; read-only for the tests that use it."""
    settings = Settings.from_env(tmp_path_factory.mktemp("home"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def service(built) -> Service:
    return Service(built)


@pytest.fixture
def home(tmp_path) -> Settings:
    """An empty data home of the test's own."""
    return Settings.from_env(tmp_path / "home")


@pytest.fixture
def other_plan(tmp_path) -> Path:
    """A one-row plan to rebuild a home with: 市公安局 and one duty on traffic control."""
    path = tmp_path / "other_plan.txt"
    path.write_text("某市应急指挥部成员单位及职责\n1\t市公安局\t负责道路交通管制。\n", encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _test_app(settings: Settings):
    """An app over ``settings`` for a test module (its SPARQL workers stopped afterwards)."""
    import gc

    from web import create_app

    gc.collect()  # no writable store of an earlier build may still be open (see pipeline.finish_build)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    yield app
    app.extensions["kg_endpoint"].close()


@pytest.fixture(scope="module")
def app(built):
    """One app per test module over the session build."""
    yield from _test_app(built)


@pytest.fixture
def client(app):
    return app.test_client()


SEVEN = (ROOT / "data" / "plans", DATA / "dev")  # the review's seven plans: `kg build data/plans tests/data/dev`


@pytest.fixture(scope="session")
def seven(tmp_path_factory) -> Settings:
    """A data home of seven plans (several 市公安局, 市卫生局 …): what plan identity is for."""
    settings = Settings.from_env(tmp_path_factory.mktemp("seven"))
    build(settings, list(SEVEN))
    return settings


@pytest.fixture(scope="module")
def seven_app(seven):
    yield from _test_app(seven)


@pytest.fixture
def seven_client(seven_app):
    return seven_app.test_client()
