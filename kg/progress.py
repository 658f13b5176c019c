"""A one-line progress display for long builds, on standard error: done/total, rate and ETA per phase.

``Progress(enabled)`` is handed down the build; when not enabled every method does nothing, so the
code that reports progress never asks whether anyone is watching. On a terminal the line is redrawn
in place a few times a second; elsewhere (``--progress`` into a log) a line is added every
``LOG_EVERY`` seconds. Each phase ends on a line of its own with its time.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

REDRAW_EVERY = 0.25  # seconds, on a terminal
LOG_EVERY = 10.0  # seconds, into a file or pipe


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._phase = ""
        self._unit = ""
        self._total: int | None = None
        self._done = 0
        self._started = self._drawn = 0.0
        self._width = 0
        self._lock = threading.Lock()
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())

    def start(self, phase: str, total: int | None = None, unit: str = "") -> None:
        """Begin a phase of ``total`` items (``None``: a phase that only shows its elapsed time)."""
        if not self.enabled:
            return
        self._phase, self._total, self._unit, self._done = phase, total, unit, 0
        self._started = self._drawn = time.monotonic()
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        if not self.enabled:
            return
        self._done += n
        self._draw()

    def finish(self, note: str = "") -> None:
        """End the phase: its line stays, with the time it took."""
        if not self.enabled:
            return
        elapsed = time.monotonic() - self._started
        done = f"{self._done:,} {self._unit} " if self._total is not None else ""
        self._write(f"{self._phase}: {done}{note + ' ' if note else ''}in {_duration(elapsed)}", end="\n")

    @contextmanager
    def waiting(self, phase: str, note: str = "") -> Iterator[None]:
        """A phase with no steps to count (one long call): its elapsed time, redrawn by a thread."""
        if not self.enabled:
            yield
            return
        self.start(phase, None, note)
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(1.0):
                self._draw(force=True)

        ticker = threading.Thread(target=tick, name="progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
        self.finish(note)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.terminal:
            due = force or self._done == self._total or now - self._drawn >= REDRAW_EVERY
        else:  # a log: a line now and then; the phase's own line comes from ``finish``
            due = now - self._drawn >= LOG_EVERY
        if not due:
            return
        self._drawn = now
        elapsed = now - self._started
        if self._total is None:
            line = f"{self._phase}: {self._unit} {_duration(elapsed)}"
        else:
            rate = self._done / elapsed if elapsed > 0 else 0.0
            left = self._total - self._done
            eta = _duration(left / rate) if rate > 0 else "?"
            share = self._done / self._total if self._total else 1.0
            line = (f"{self._phase}: {self._done:,}/{self._total:,} {self._unit} ({share:.0%})  "
                    f"{rate:,.1f}/s  ETA {eta}")
        self._write(line)

    def _write(self, line: str, end: str = "") -> None:
        with self._lock:
            if not self.terminal:
                self.stream.write(f"{line}\n")
            else:
                pad = " " * max(0, self._width - len(line))
                self._width = 0 if end else len(line)
                self.stream.write(f"\r{line}{pad}{end}")
            self.stream.flush()
