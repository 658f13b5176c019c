"""The duty table ask ranks from (kg/search/postings.py): what the build writes equals what SPARQL finds,
it follows every write to the graph, and ask answers the same without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ask.asker import Asker
from kg.build.pipeline import build
from kg.config import Settings
from kg.errors import KgError
from kg.search.postings import TABLE_FILE, DutyTable, TableWriter, load_table, table_from_store
from kg.service.facade import Service
from web import create_app

from .servers import close_app

DATA = Path(__file__).parent / "data"
TOKEN = "table-token"
QUESTIONS = ["工地扬尘归谁管？", "who checks refined oil quality?", "谁管渣土车", "学校健康防护找谁",
             "who handles snow removal?", "森林火灾谁负责扑救", "特种设备事故归谁管"]


def facts(table: DutyTable) -> dict[str, tuple]:
    """Per duty IRI: its role, units and concepts, whatever numbers the table gave them."""
    concepts: dict[int, set[str]] = {}
    for concept, duties in table.by_concept.items():
        for duty in duties:
            concepts.setdefault(duty, set()).add(concept)
    return {
        iri: (table.role_iri(n), frozenset(table.units[u] for u in table.units_of(n)),
              frozenset(concepts.get(n, ())), table.evidence(n))
        for n, iri in enumerate(table.duties)
    }


@pytest.fixture(scope="module")
def dev_service(tmp_path_factory) -> Service:
    """The seed and the six dev fragments: several plans, layouts and units sharing names."""
    settings = Settings.from_env(tmp_path_factory.mktemp("home"), plans_dir=DATA.parent.parent / "data" / "plans")
    build(settings, [settings.plans_dir, DATA / "dev"])
    return Service(settings)


def test_the_build_writes_what_sparql_finds(dev_service):
    written = load_table(dev_service.build.path / TABLE_FILE)
    found = table_from_store(dev_service.store)
    assert len(written) > 150 and facts(written) == facts(found)
    # every duty of the table has a unit, a known role and its evidence; no boilerplate is in it
    assert all(role.endswith(("#lead", "#joint", "#support")) for role, _, _, _ in facts(written).values())
    assert all(evidence and evidence["text"] and evidence["plan"] for *_, evidence in facts(written).values())
    boilerplate = {row["d"] for row in dev_service.select(
        "SELECT ?d WHERE { ?d a dg:BoilerplateDuty }")}
    assert boilerplate and not boilerplate & set(written.duties)


def test_the_vector_views_say_what_the_lists_say(dev_service):
    """ask ranks with NumPy views of the table (postings, masks, roles, units): each agrees with the
    plain lists it is made from."""
    table = dev_service.duty_table
    assert table.more_units  # duties of several units: the seed has them
    for concept, duties in table.by_concept.items():
        assert table.postings([concept]).tolist() == sorted(set(duties))
    some = sorted(table.by_concept)[:5]
    assert table.postings(some).tolist() == sorted(set().union(*(table.by_concept[c] for c in some)))
    assert table.postings(["urn:no-such-concept"]).tolist() == []
    assert table.mask(table.postings(some)).nonzero()[0].tolist() == table.postings(some).tolist()
    assert [int(r) for r in table.unit_array] == list(table.unit_of)
    assert set(table.several.nonzero()[0].tolist()) == set(table.more_units)
    assert table.role_array.tolist() == list(table.roles)


def test_ask_answers_the_same_from_sparql_as_from_the_table(dev_service):
    service = dev_service
    from_sparql = Asker(service.store, service.thesaurus, service.searcher, service.organisation_labels,
                        table_from_store(service.store).warm(), service.scenes, service.bridge, service.unit_types)
    # and with no evidence in the table, the evidence read from the store is the same
    from array import array

    bare = table_from_store(service.store).warm()
    bare.plan_of = array("i", [-1] * len(bare))
    from_store = Asker(service.store, service.thesaurus, service.searcher, service.organisation_labels, bare,
                       service.scenes, service.bridge, service.unit_types)
    for question in QUESTIONS:
        answer = service.asker.ask(question)
        assert answer["answers"], question
        assert from_sparql.ask(question) == answer == from_store.ask(question), question


def test_a_build_without_a_table_reads_it_from_the_store(built, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(built.home, home)
    settings = Settings.from_env(home)
    table_file = Service(settings).build.path / TABLE_FILE
    expected = Service(settings).ask("工地扬尘归谁管？")
    table_file.unlink()
    assert Service(settings).ask("工地扬尘归谁管？") == expected


def test_a_damaged_table_is_named_and_an_old_one_is_read_from_the_store(tmp_path, built):
    import pickle
    import shutil

    path = tmp_path / TABLE_FILE
    path.write_bytes(b"not a table")
    with pytest.raises(KgError, match="run `kg build` again"):
        load_table(path)
    TableWriter().write(path)
    assert len(load_table(path)) == 0
    # A table an earlier version wrote: the service reads the store instead, and answers the same.
    home = tmp_path / "home"
    shutil.copytree(built.home, home)
    settings = Settings.from_env(home)
    expected = Service(settings).ask("工地扬尘归谁管？")
    table_file = Service(settings).build.path / TABLE_FILE
    table_file.write_bytes(pickle.dumps({"format": 1, "duties": []}))
    assert load_table(table_file) is None
    assert Service(settings).ask("工地扬尘归谁管？") == expected


def test_the_table_follows_an_update(tmp_path):
    """A write through /sparql rebuilds what is derived from the graph; the table is."""
    settings = Settings.from_env(tmp_path / "home", update_token=TOKEN)
    build(settings)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        service = app.extensions["kg"]
        before = load_table(service.build.path / TABLE_FILE)
        duty = next(iri for iri in before.duties if iri.endswith("/08-04"))  # 市城管局: construction-site dust
        assert any(a["label_zh"] == "市城管局" for a in service.ask("工地扬尘归谁管？")["answers"])
        response = app.test_client().post("/sparql", data={"update": f"DELETE WHERE {{ GRAPH ?g {{ <{duty}> ?p ?o }} }}"},
                                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code in (200, 204), response.data
        service.refresh()
        after = load_table(service.build.path / TABLE_FILE)
        assert duty not in after.duties and len(after) == len(before) - 1
        assert facts(after) == facts(table_from_store(service.store))
        assert duty not in {e["duty"] for a in service.ask("工地扬尘归谁管？")["answers"] for e in a["evidence"]}
    finally:
        close_app(app)


def test_assignments_give_each_duty_once_per_unit():
    """A shared entry's duty counts for every unit of the entry (ask's ranking and its joining of a
    unit's clauses both read this)."""
    import numpy as np

    from kg.search.postings import ROLE_IRIS

    writer = TableWriter()
    writer.add("d0", ["A"], [], ROLE_IRIS[0])
    writer.add("d1", ["B", "C"], [], ROLE_IRIS[0])
    writer.add("d2", ["C"], [], ROLE_IRIS[0])
    table = writer.table()
    duties, units = table.assignments(np.array([0, 1, 2]))
    assert sorted(zip(duties.tolist(), (table.units[u] for u in units.tolist()))) == [
        (0, "A"), (1, "B"), (1, "C"), (2, "C")]
    duties, units = table.assignments(np.array([0, 2]))  # no shared entry among them
    assert duties.tolist() == [0, 2] and [table.units[u] for u in units.tolist()] == ["A", "C"]
