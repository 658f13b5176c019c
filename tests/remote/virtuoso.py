"""A throwaway Virtuoso for the remote-store tests: Debian's virtuoso-opensource 7.2 run from a
directory of its own on two free loopback ports, with result limits raised and anonymous SPARQL
Update and Graph Store Protocol writes granted. It takes a directory and yields the URLs; it is
test plumbing, not part of the flow. Only Debian's package files are read; nothing under /etc or
/var is written, so several instances can run side by side."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

SERVER = "virtuoso-t"
ISQL = "isql-vt"
TEMPLATE = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
INSTALL = "apt-get install virtuoso-opensource (`make test` does it when run as root)"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0

# Out of the box /sparql and /sparql-graph-crud run as the SQL user "SPARQL", which may read but
# not write; SPARQL_UPDATE is the role that lets it insert into and delete from DB.DBA.RDF_QUAD.
# It is all that is needed: with it, form-POSTed updates and GSP PUT/POST/DELETE work unauthenticated.
GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";'


@dataclass(frozen=True)
class Virtuoso:
    """A running server: where to send queries, updates and Graph Store requests."""

    http_port: int
    isql_port: int
    directory: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """Query (GET, or form POST `query=`) and update (form POST `update=`)."""
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol without authentication; name the graph with `?graph-uri=`."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def log(self) -> Path:
        return self.directory / "virtuoso.log"

    def isql(self, sql: str) -> str:
        """Run SQL as dba over the ISQL port. isql-vt exits 0 even when a statement fails, so its
        error lines are what tells."""
        done = subprocess.run([ISQL, f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or "*** Error" in done.stderr or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed on {sql!r}:\n{done.stdout}\n{done.stderr}")
        return done.stdout


def settings_for(directory: Path, http_port: int, isql_port: int) -> dict[str, dict[str, str]]:
    """The virtuoso.ini keys changed from Debian's template, by section."""
    db = directory / "virtuoso"
    return {
        "Database": {
            "DatabaseFile": f"{db}.db", "ErrorLogFile": f"{db}.log", "LockFile": f"{db}.lck",
            "TransactionFile": f"{db}.trx", "xa_persistent_file": f"{db}.pxa",
        },
        "TempDatabase": {"DatabaseFile": f"{db}-temp.db", "TransactionFile": f"{db}-temp.trx"},
        "Parameters": {
            "ServerPort": f"127.0.0.1:{isql_port}",
            # ld_dir/file_to_string may read files from the instance's directory only.
            "DirsAllowed": f"., {directory}",
            # 8 KB pages: 20,000 buffers is about 160 MB, plenty for test data.
            "NumberOfBuffers": "20000",
            "MaxDirtyBuffers": "15000",
            "MaxQueryMem": "1G",
            # ORDER BY … LIMIT n is refused (SR353) above this many rows; the default is 10,000.
            "MaxSortedTopRows": "10000000",
        },
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}", "ServerRoot": str(directory / "vsp")},
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "SPARQL": {
            # Debian's 10,000 silently cuts SELECT, CONSTRUCT and even GSP GET answers.
            "ResultSetMaxRows": "10000000",
            # 0 turns off the "anytime" mode, which answers 200 with partial results on timeout,
            # and the refusal of queries whose estimated cost looks too high.
            "MaxQueryExecutionTime": "0",
            "MaxQueryCostEstimationTime": "0",
        },
    }


def configure(template: str, settings: Mapping[str, Mapping[str, str]]) -> str:
    """``template`` with the given keys set: replaced where the section has them, added at the
    end of the section where not. Line-based, because virtuoso.ini repeats keys and keeps inline
    `;` comments that configparser would mangle."""
    out: list[str] = []
    section: str | None = None
    missing: dict[str, dict[str, str]] = {name: dict(keys) for name, keys in settings.items()}

    def close_section() -> None:
        for key, value in missing.pop(section, {}).items() if section else ():
            out.append(f"{key} = {value}")

    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            close_section()
            section = stripped[1:-1]
        elif section in settings and "=" in stripped and not stripped.startswith(";"):
            key = stripped.split("=", 1)[0].strip()
            if key in settings[section]:
                line = f"{key} = {settings[section][key]}"
                missing.get(section, {}).pop(key, None)
        out.append(line)
    close_section()
    for name, keys in missing.items():
        out.append(f"[{name}]")
        out.extend(f"{key} = {value}" for key, value in keys.items())
    return "\n".join(out) + "\n"


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now (held open together so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def wait_until_up(server: Virtuoso, process: subprocess.Popen) -> None:
    """Poll /sparql until it answers; fail with the error log if the server dies or stays silent.
    The first start of an empty database takes about 5 s (it builds its system tables)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{SERVER} exited with {process.returncode} while starting:\n{log_tail(server.log)}")
        try:
            with urlopen(f"{server.sparql}?query=ASK%7B%7D", timeout=5) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{SERVER} did not answer on {server.sparql} within {START_TIMEOUT:.0f} s:\n"
                       f"{log_tail(server.log)}")


def stop(process: subprocess.Popen) -> None:
    """TERM the process group (Virtuoso shuts down in about a second), KILL it if that fails."""
    for sig, timeout in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


@contextmanager
def running_virtuoso(directory: Path) -> Iterator[Virtuoso]:
    """A fresh Virtuoso whose database, log and ini live in ``directory``; stopped on exit."""
    for program in (SERVER, ISQL):
        if shutil.which(program) is None:
            raise FileNotFoundError(f"{program} is missing: {INSTALL}")
    if not TEMPLATE.exists():
        raise FileNotFoundError(f"{TEMPLATE} is missing: {INSTALL}")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vsp").mkdir(exist_ok=True)
    http_port, isql_port = free_ports(2)
    server = Virtuoso(http_port=http_port, isql_port=isql_port, directory=directory)
    ini = directory / "virtuoso.ini"
    ini.write_text(configure(TEMPLATE.read_text(encoding="utf-8"), settings_for(directory, http_port, isql_port)),
                   encoding="utf-8")
    with open(directory / "stdout.log", "wb") as output:
        # Its own session (so its own process group): stopping it can never reach pytest.
        process = subprocess.Popen([SERVER, "+foreground", "+configfile", str(ini)], cwd=directory,
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_until_up(server, process)
        server.isql(GRANTS)
        yield server
    finally:
        stop(process)
