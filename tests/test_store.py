"""The data home: a build swaps in atomically, and a failed build leaves the previous data serving."""

from __future__ import annotations

import threading

import pytest

from kg.build.pipeline import _Feed, build
from kg.errors import KgError
from kg.service.facade import Service
from kg.stores.local import Build, DataHome

from .conftest import SEED


def _plans(settings) -> list[str]:
    return Service(settings).status()["plans"]


def test_nothing_built_is_a_clear_error(home):
    with pytest.raises(KgError, match="run `kg build` first"):
        Service(home).units()
    assert Service(home).status() == {"built": False, "home": str(home.home)}


def test_build_replaces_what_the_home_held(home, other_plan):
    build(home)
    first = DataHome(home.home).current()
    build(home, [other_plan])
    assert _plans(home) == ["other-plan"]
    assert DataHome(home.home).current() != first


def test_failed_build_leaves_previous_data(home, tmp_path):
    build(home, [SEED])
    before = DataHome(home.home).current()
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(KgError, match="empty document"):
        build(home, [SEED, empty])
    assert DataHome(home.home).current() == before
    assert len(Service(home).units()) == 18
    assert not [t for t in threading.enumerate() if t.name == "bulk-load"]  # the loader was stopped


def test_loader_failure_reaches_the_writer_instead_of_blocking_it(tmp_path):
    """The loader reads N-Quads through a pipe: when it stops reading (here: a line that is not
    N-Quads), the build gets its error, at the latest once the pipe is full, and never waits."""
    with _Feed(Build(tmp_path)) as feed:
        feed.write(b"<http://example.org/s> <http://example.org/p> \"o\" <http://example.org/g> .\n")
        feed.write(b"not N-Quads\n")
        with pytest.raises(KgError, match="could not be loaded"):
            for _ in range(64):  # far more than the pipe and the write buffer hold
                feed.write(b"<http://example.org/s> <http://example.org/p> \"o\" <http://example.org/g> .\n" * 20000)
    assert not [t for t in threading.enumerate() if t.name == "bulk-load"]
    assert not (tmp_path / "quads.nq").exists()


def test_feed_loads_what_it_was_given(tmp_path):
    with _Feed(Build(tmp_path)) as feed:
        for n in range(3):
            feed.write(f"<http://example.org/s{n}> <http://example.org/p> \"o\" <http://example.org/g> .\n".encode())
        feed.finish()
    assert feed.quads == 3


def test_failure_while_writing_removes_the_half_build(home, monkeypatch):
    build(home)
    before = DataHome(home.home).current()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("kg.build.pipeline.write_store", explode)
    with pytest.raises(OSError):
        build(home)
    builds = sorted(p.name for p in (home.home / "builds").iterdir())
    assert builds == [before.path.name]
    assert DataHome(home.home).current() == before


def test_damaged_current_build_is_reported(home):
    build(home)
    current = DataHome(home.home).current()
    (current.path / "manifest.json").unlink()
    with pytest.raises(KgError, match="incomplete or damaged"):
        DataHome(home.home).current()


def _ground_triples(settings) -> set[str]:
    """The N-Triples lines without blank nodes (the ontology's OWL lists have some)."""
    lines = Service(settings).export("nt").decode("utf-8").splitlines()
    return {line for line in lines if "_:" not in line}


def test_iris_are_stable_across_rebuilds(home):
    build(home)
    first = _ground_triples(home)
    build(home)
    assert _ground_triples(home) == first
    assert len(first) > 1000


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("damage", ["index", "store", "manifest", "table"])
def test_damage_is_found_at_start_with_a_rebuild_path(home, runner, damage, workers):
    from kg.cli import main

    build(home)
    current = DataHome(home.home).current().path
    if damage == "index":
        for segment in (current / "index").glob("*.seg"):
            segment.write_bytes(b"garbage")
        for toc in (current / "index").glob("*.toc"):
            toc.unlink()
    elif damage == "table":
        (current / "duties.table").write_bytes(b"garbage")
    elif damage == "store":
        import shutil

        shutil.rmtree(current / "store")
        (current / "store").mkdir()
    else:
        (current / "manifest.json").write_text("{", encoding="utf-8")
    result = runner.invoke(main, ["--home", str(home.home), "serve", "--port", "0", "--workers", workers])
    assert result.exit_code == 1
    assert "kg build" in result.output
    assert "Traceback" not in result.output
    build(home)  # the rebuild path works
    assert Service(home).check()["triples"] > 1000


def _processes_of(home_dir) -> list[int]:
    """Processes whose command line names ``home_dir`` (a build and what it forked)."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(home_dir).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile
    return found


def test_build_killed_midway_leaves_previous_data(home):
    """SIGKILL a `kg build` while it writes: the previous build still serves; the next build cleans up."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    build(home)
    before = DataHome(home.home).current()
    builds = home.home / "builds"
    kg = Path(sys.executable).with_name("kg")
    process = subprocess.Popen([str(kg), "--home", str(home.home), "build"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while len(list(builds.iterdir())) < 2 and time.monotonic() < deadline:
            try:
                process.wait(timeout=0.05)  # bounded poll until the new build directory exists
                break  # the build ended before it could be killed: the assertion below says so
            except subprocess.TimeoutExpired:
                continue
        assert process.poll() is None, "the build finished before it was killed"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    # what the build forked (its index process) ends with it rather than waiting forever
    deadline = time.monotonic() + 30
    while _processes_of(home.home) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_of(home.home)
    assert DataHome(home.home).current() == before
    assert len(Service(home).units()) == 18
    build(home)
    assert sorted(p.name for p in builds.iterdir()) == sorted(
        {DataHome(home.home).current().path.name, before.path.name}
    )


def _age(settings, data_format: int | None) -> None:
    """Make the current build look like one an earlier DutyGraph wrote."""
    import json

    manifest = DataHome(settings.home).require().path / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data.pop("format")
    if data_format is not None:
        data["format"] = data_format
    manifest.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("data_format", [None, 1, 99])
def test_a_build_of_another_version_says_to_rebuild(home, other_plan, data_format):
    build(home, [other_plan])
    _age(home, data_format)
    with pytest.raises(KgError, match=r"another version of DutyGraph \(data format \d+, this one reads \d+\); run `kg build` again"):
        Service(home).units()


def test_serve_rebuilds_a_build_of_another_version_from_its_documents(home, other_plan):
    """`kg serve` (what `make run` calls) on a data home from before an upgrade: rebuilt from the
    documents the manifest names, then served."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    build(home, [other_plan])
    _age(home, 1)
    kg = Path(sys.executable).with_name("kg")
    process = subprocess.Popen([str(kg), "--home", str(home.home), "serve", "--port", "0", "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ), text=True)
    try:
        line = ""
        for _ in range(200):
            line = process.stderr.readline()
            if "serving" in line or process.poll() is not None:
                break
        assert "serving" in line, line + (process.stderr.read() if process.poll() is not None else "")
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=60)
    assert "built by another version of DutyGraph: building its 1 document again" in out
    assert _plans(home) == ["other-plan"]


def test_a_manifest_is_read_again_when_its_file_changes(tmp_path):
    # Manifests are parsed once per version of the file; a rewritten one is never served stale.
    from kg.stores.local import write_manifest

    build = Build(tmp_path)
    write_manifest(build, {"format": 4, "plans": []})
    assert build.manifest == {"format": 4, "plans": []}
    assert Build(tmp_path).manifest is build.manifest  # parsed once
    write_manifest(build, {"format": 4, "plans": [{"key": "a"}]})
    assert Build(tmp_path).manifest["plans"] == [{"key": "a"}]
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(KgError, match="manifest unreadable"):
        assert Build(tmp_path).manifest is None
