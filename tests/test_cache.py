"""The answer memo: bounded, least recently used out first, copies out, errors never remembered,
and gone with the build it was filled from."""

from __future__ import annotations

import pytest

from kg.build.pipeline import build
from kg.errors import BadRequest
from kg.service.cache import Memo
from kg.service.facade import Service


def test_a_repeated_key_is_not_computed_again():
    memo, calls = Memo(4), []
    compute = lambda: calls.append(1) or {"answers": [1]}  # noqa: E731
    assert memo.get("q", compute) == memo.get("q", compute) == {"answers": [1]}
    assert len(calls) == 1 and memo.stats() == {"size": 4, "entries": 1, "hits": 1, "misses": 1}


def test_callers_get_copies():
    memo = Memo(4)
    first = memo.get("q", lambda: {"answers": [{"unit": "a"}]})
    first["answers"][0]["unit"] = "changed by a caller"
    assert memo.get("q", lambda: None) == {"answers": [{"unit": "a"}]}


def test_the_least_recently_used_goes_first():
    memo = Memo(2)
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        memo.get(key, lambda k=key: k)
    assert memo.get("a", lambda: "recomputed") == "a"
    assert memo.get("b", lambda: "recomputed") == "recomputed"


def test_size_zero_remembers_nothing():
    memo, calls = Memo(0), []
    for _ in range(3):
        memo.get("q", lambda: calls.append(1))
    assert len(calls) == 3 and memo.stats()["entries"] == 0


def test_an_error_is_not_remembered():
    memo = Memo(4)

    def fail():
        raise BadRequest("no")

    with pytest.raises(BadRequest):
        memo.get("q", fail)
    assert memo.get("q", lambda: "fine") == "fine"


def test_a_rebuild_forgets_the_answers(home, other_plan):
    build(home)
    service = Service(home)
    assert len(service.ask("工地扬尘归谁管？")["answers"]) == 3
    build(home, [other_plan])  # one duty, on traffic control: nobody handles dust any more
    service.refresh()
    assert service.ask("工地扬尘归谁管？")["answers"] == []
    assert service.memo.stats()["hits"] == 0
