"""`kg serve` as a real process, one or several: answers, drains in-flight requests on SIGTERM,
then exits 0."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(params=["1", "2"], ids=["waitress", "gunicorn"])
def server(built, request):
    """``kg serve`` with one process (waitress) and with two (gunicorn's threaded workers)."""
    kg = Path(sys.executable).with_name("kg")
    env = {**os.environ, "KG_QUERY_TIMEOUT": "3", "KG_RATE_LIMIT": "0"}
    process = subprocess.Popen([str(kg), "--home", str(built.home), "serve", "--port", "0", "--workers", request.param],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = ""
    for _ in range(200):  # bounded: the line comes once the port is bound
        line = process.stderr.readline()
        if "serving" in line or process.poll() is not None:
            break
    found = re.search(r"http://[\d.]+:(\d+)/", line)
    assert found, line + (process.stderr.read() if process.poll() is not None else "")
    yield process, f"http://127.0.0.1:{found.group(1)}"
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()
    process.stderr.close()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_answers_pages_and_api(server):
    _, base = server
    assert _get(base + "/healthz") == 200
    assert _get(base + "/api/ask?" + urllib.parse.urlencode({"q": "工地扬尘归谁管？"})) == 200
    assert _get(base + "/") == 200


def test_sigterm_drains_requests_in_flight(server):
    process, base = server
    assert _get(base + "/healthz") == 200
    outcome: dict = {}

    def slow() -> None:
        outcome["status"] = _get(base + "/sparql?" + urllib.parse.urlencode({"query": SLOW}))

    thread = threading.Thread(target=slow)
    thread.start()
    for _ in range(300):  # bounded poll until the slow query is in flight (it runs to the 3 s timeout)
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            if json.loads(response.read())["in_flight"] >= 1:
                break
    else:
        pytest.fail("the slow query never showed up as in flight")
    process.send_signal(signal.SIGTERM)
    thread.join(timeout=60)
    assert outcome.get("status") == 503  # answered (timed out by the endpoint), not cut off
    assert process.wait(timeout=60) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/healthz", timeout=5)


def test_serving_is_said_once_a_process_can_answer(tmp_path):
    # gunicorn binds its port before its workers load the app (at 10,000 plans: a minute of reading
    # the store and index); "serving" must come after that, or the first request waits unseen.
    script = tmp_path / "slow_app.py"
    script.write_text(
        "import sys, time\n"
        "from flask import Flask\n"
        "from kg.serving import serve_workers\n"
        "def make_app():\n"
        "    time.sleep(1)\n"
        "    print('loaded', flush=True, file=sys.stderr)\n"
        "    return Flask('slow')\n"
        "serve_workers(make_app, '127.0.0.1', 0, workers=2, threads=1,\n"
        "              on_ready=lambda port: print('ready', port, flush=True, file=sys.stderr))\n",
        encoding="utf-8",
    )
    process = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for _ in range(50):
            lines.append(process.stderr.readline().strip())
            if lines[-1].startswith("ready") or process.poll() is not None:
                break
        assert lines[-1].startswith("ready") and "loaded" in lines[:-1], lines
        assert sum(line.startswith("ready") for line in lines) == 1
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()
