"""A simulation's status and traces, call hashes, and bare @control.transactional on an agent subclass."""

from __future__ import annotations

import logging

from control_support import fresh_process

from tinytroupe import control
from tinytroupe.agent import TinyPerson
from tinytroupe.control import Simulation


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class Counter(TinyPerson):
    """An agent subclass whose own method is an operation."""

    def __init__(self, name="Counter", **kwargs):
        super().__init__(name=name, **kwargs)
        self.calls = 0

    @control.transactional
    def bump(self, amount, label="step"):
        self.calls += 1
        self.define("total", (self.get("total") or 0) + amount)
        return {"amount": amount, "label": label}


def test_status_slot_and_traces_follow_a_run_and_its_rerun(tmp_path):
    fresh_process()
    path = tmp_path / "counter.cache.json"
    assert control._current_simulations["default"] is None
    simulation = control.begin(path)
    assert control._current_simulations["default"] is simulation
    assert simulation.status == Simulation.STATUS_STARTED
    assert simulation.cached_trace == [] and simulation.execution_trace == []
    counter = Counter("Counter One")
    assert counter.bump(2) == {"amount": 2, "label": "step"}
    assert [(e["op"], e["replayed"]) for e in simulation.execution_trace] == [("Counter.bump", False)]
    control.end()
    assert simulation.status == Simulation.STATUS_STOPPED
    assert control._current_simulations["default"] is simulation
    assert (control.cache_hits(), control.cache_misses()) == (0, 1)

    control.reset()
    TinyPerson.clear_agents()
    again = control.begin(cache_path=path, id="default")
    assert [e["op"] for e in again.cached_trace] == ["Counter.bump"]
    counter = Counter("Counter One")
    assert counter.bump(2) == {"amount": 2, "label": "step"} and counter.calls == 0
    assert counter.get("total") == 2  # the recorded state came back without running the method
    assert again.execution_trace[0]["replayed"] is True
    control.end()
    assert (control.cache_hits(), control.cache_misses()) == (1, 0)


def test_called_form_of_the_decorator_still_names_the_operation():
    class Named(TinyPerson):
        @control.transactional("named.op", ignore=("verbose",))
        def work(self, verbose=False):
            return "done"

    assert Named.work.__transactional__ == "named.op"
    assert Counter.bump.__transactional__ == "Counter.bump"


def test_call_hash_compares_content_not_identity(caplog):
    h = Simulation(id="hashes")._function_call_hash
    assert h("f", 1, k="a") == h("f", 1, k="a") != h("f", 2, k="a")
    assert h("f", 1, k="a") != h("g", 1, k="a") and h("f", 1, k="a") != h("f", 1, k="b")
    assert h("f", {"a": 1, "b": [1, 2]}) == h("f", {"b": [1, 2], "a": 1}) != h("f", {"a": 1, "b": [2, 1]})
    assert h("f", a=1, b=2) == h("f", b=2, a=1)
    assert h("f", Point(1, "a")) == h("f", Point(1, "a")) != h("f", Point(2, "a"))
    assert h("f", data={"p": [Point(1, 2)]}) != h("f", data={"p": [Point(1, 3)]})
    assert h("f", lambda x: x) != h("f", lambda x: x * 2)
    loop = Point(0, 0)
    loop.x = loop
    with caplog.at_level(logging.DEBUG, logger="tinytroupe"):
        key = h("cyclic", loop)
    assert "cyclic" in key
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert "FALLBACK_CACHE_KEY_USED" in caplog.records[1].getMessage()
