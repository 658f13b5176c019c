"""A bounded, thread-safe memo of answers (ask, search) for one build.

People ask the same few things ("工地扬尘归谁管" all day long): across a thousand plans an answer
costs hundreds of milliseconds of SPARQL and ranking, and repeating it costs a dictionary lookup.
The service keeps one ``Memo`` per build (a rebuild or a write drops it with everything else read
from the old build), so a cached answer is never staler than the build it came from. Callers get
a deep copy: the web layer decorates answers in place.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """At most ``size`` answers, least recently used out first; ``size`` 0 remembers nothing."""

    def __init__(self, size: int):
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if self.size <= 0:
            return compute()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(self._entries[key])
            self.misses += 1
        value = compute()  # outside the lock: two first askers may both compute; both get the answer
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return copy.deepcopy(value)

    def stats(self) -> dict:
        return {"size": self.size, "entries": len(self._entries), "hits": self.hits, "misses": self.misses}
