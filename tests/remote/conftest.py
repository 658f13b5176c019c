"""One real Virtuoso per session (Debian's virtuoso-opensource, started on loopback from a temporary
directory) for the remote-store tests.

These tests fail, not skip, when Virtuoso is missing: `make test` installs it (as root)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from .virtuoso import INSTALL, SERVER, Virtuoso, running_virtuoso


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[Virtuoso]:
    if shutil.which(SERVER) is None:
        pytest.fail(f"{SERVER} is missing: {INSTALL}", pytrace=False)
    directory = tmp_path_factory.mktemp("virtuoso")
    with running_virtuoso(directory) as server:
        yield server
    # pytest keeps the last runs' temporary directories: keep the logs, not ~100 MB of database.
    for path in [*directory.glob("*.db"), *directory.glob("*.trx")]:
        path.unlink()
