"""What every scenario shares: result rows, the loopback server, the model under test, clocks.

The loopback server runs in its own process by default, as a real provider would: it then
neither competes with the simulation for the GIL nor counts in its CPU time or memory. Toy
runs (the smoke test) keep it in-process. It uses the server's asyncio engine (latency as a
timer, a small fraction of the threads engine's CPU per request, so the machine measures the
client rather than the apparatus); ``BENCH_SERVER_ENGINE=threads`` brings back the old one. The model under test is the real
``OpenAIModel`` with the usual wrappers (retry, limits, cache, usage), installed as the
process-wide default exactly as a user's configuration would install it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper
from tinytroupe.llm.wrappers.usage import global_usage
from tinytroupe.testing.loopback_server import LoopbackServer

__all__ = ["Row", "BenchServer", "Clock", "RoundTrips", "SERVER_MODEL", "configure", "fresh_simulation", "http_setup",
           "install_http_model", "load_average", "peak_rss_mib", "spread", "timed_repeats", "warm_up"]

SERVER_MODEL = "loopback-model"
SERVER_ENGINE = os.environ.get("BENCH_SERVER_ENGINE", "asyncio")  # the LoopbackServer engine benches use


@dataclass
class Row:
    """One line of the results table.

    ``ideal`` and ``measured`` share ``unit``; ``ratio`` is measured / ideal. ``passed`` is
    None for rows that only inform. ``details`` holds anything else worth keeping in JSON.
    """

    scenario: str
    unit: str
    ideal: float | None
    measured: float | None
    target: str = ""
    passed: bool | None = None
    requests: int | None = None
    tokens: int | None = None
    peak_rss_mib: float | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ideal in (None, 0) or self.measured is None:
            return None
        return self.measured / self.ideal

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def peak_rss_mib() -> float:
    """The largest resident set size this process has had so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Clock:
    """Wall and CPU seconds (CPU of the whole process: every thread) between start and stop."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def configure(**settings: Any) -> None:
    """Apply benchmark settings on top of the defaults (display off, no cache unless asked)."""
    config_manager.reset()
    config_manager.update_multiple({"display": "off", **settings})


def fresh_simulation() -> None:
    """Forget agents, worlds and usage counts from an earlier run in this process."""
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld

    TinyPerson.clear_agents()
    TinyWorld.clear_environments()
    global_usage.reset()


class RoundTrips(ModelWrapper):
    """Times each call that reaches the provider (a diagnostic: what a round trip really took)."""

    def __init__(self, inner: LLMModel):
        super().__init__(inner)
        self.spans: list[tuple[float, float]] = []

    async def complete(self, request: ChatRequest) -> Completion:
        start = time.perf_counter()
        try:
            return await self.inner.complete(request)
        finally:
            self.spans.append((start, time.perf_counter()))

    def mean_ms(self) -> float:
        """Mean round trip in milliseconds (0 when nothing was sent)."""
        return sum(b - a for a, b in self.spans) * 1000 / len(self.spans) if self.spans else 0.0


def install_http_model(base_url: str, *, timeout: float = 30.0) -> RoundTrips:
    """The real OpenAI-compatible provider pointed at ``base_url``, wrapped and made the default.

    Returns the timing layer just above the provider (below retry, limits, cache and usage).
    """
    from tinytroupe.llm.providers.openai_compat import OpenAIModel

    provider = OpenAIModel(api_key="bench-key", base_url=base_url, model=SERVER_MODEL, timeout=timeout)
    timing = RoundTrips(provider)
    llm.set_default_model(timing)
    return timing


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve(conn: Any, responder: str | None, kwargs: dict[str, Any]) -> None:
    """Child process: run a LoopbackServer and answer commands from the parent until "stop"."""
    if kwargs.get("engine") == "threads":
        # The server stands in for a real provider, whose replies do not queue behind each other:
        # hand the GIL over sooner than every 5 ms, so a hundred waiting handler threads answer on time.
        sys.setswitchinterval(0.0005)
    server = LoopbackServer(responder=_resolve(responder) if responder else None, **kwargs).start()
    conn.send(server.base_url)
    handle = _Commands(server)
    while True:
        command, args = conn.recv()
        if command == "stop":
            server.stop()
            conn.send(None)
            return
        conn.send(handle(command, *args))


class _Commands:
    """Reads and controls a LoopbackServer on behalf of :class:`BenchServer`."""

    def __init__(self, server: LoopbackServer):
        self.server = server
        self.cpu0 = time.process_time()  # the server process's CPU is counted from the last reset

    def __call__(self, command: str, *args: Any) -> Any:
        s = self.server
        if command == "reset":
            s.reset_stats()
            self.cpu0 = time.process_time()
            return None
        if command == "script":
            s.script(*args)
            return None
        if command == "stats":
            stats = {"server_cpu_s": round(time.process_time() - self.cpu0, 3), "server_engine": s.engine,
                     "requests": s.request_count, "prompt_tokens": s.prompt_tokens,
                     "completion_tokens": s.completion_tokens, "max_in_flight": s.max_in_flight,
                     "prompt_tokens_per_request": s.prompt_tokens_per_request,
                     "faults_served": s.faults_served}
            if args and args[0]:
                stats["bodies"] = s.bodies
            return stats
        raise ValueError(f"unknown server command {command!r}")


class BenchServer:
    """A :class:`LoopbackServer` in a child process (or in this one with ``in_process=True``).

    ``responder`` is ``"module:function"`` (importable in the child); ``engine`` is the server's
    (default :data:`SERVER_ENGINE`). Use as a context manager;
    :meth:`stats` returns requests, tokens, largest in-flight count, per-request prompt tokens
    and the faults served (and the request bodies when asked).
    """

    def __init__(self, *, responder: str | None = None, in_process: bool = False, engine: str | None = None,
                 **server_kwargs: Any):
        self.responder = responder
        self.in_process = in_process
        self.server_kwargs = {**server_kwargs, "engine": engine or SERVER_ENGINE}
        self.base_url = ""
        self._local: _Commands | None = None
        self._conn: Any = None
        self._proc: Any = None
        self.round_trips: RoundTrips | None = None  # set by http_setup

    def __enter__(self) -> BenchServer:
        if self.in_process:
            responder = _resolve(self.responder) if self.responder else None
            server = LoopbackServer(responder=responder, **self.server_kwargs).start()
            self._local = _Commands(server)
            self.base_url = server.base_url
            return self
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.responder, self.server_kwargs),
                                 name="bench-loopback-server", daemon=True)
        self._proc.start()
        if not self._conn.poll(60):
            raise RuntimeError("the benchmark's loopback server process did not start within 60 s")
        self.base_url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._local is not None:
            self._local.server.stop()
            self._local = None
        if self._proc is not None:
            try:
                self._conn.send(("stop", ()))
                self._conn.poll(10)
            except (OSError, EOFError):
                pass
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc = None

    def _call(self, command: str, *args: Any) -> Any:
        if self._local is not None:
            return self._local(command, *args)
        self._conn.send((command, args))
        return self._conn.recv()

    def stats(self, bodies: bool = False) -> dict[str, Any]:
        """What the server has seen since the last :meth:`reset`."""
        return self._call("stats", bodies)

    def reset(self) -> None:
        """Forget counts and recorded requests."""
        self._call("reset")

    def script(self, *faults: str) -> None:
        """Queue faults for the next requests (see ``LoopbackServer.script``)."""
        self._call("script", *faults)


@contextmanager
def http_setup(*, responder: str, in_process: bool, timeout: float = 30.0,
               **server_kwargs: Any) -> Iterator[BenchServer]:
    """A running :class:`BenchServer` with the HTTP model installed as the default model."""
    with BenchServer(responder=responder, in_process=in_process, **server_kwargs) as server:
        server.round_trips = install_http_model(server.base_url, timeout=timeout)
        try:
            yield server
        finally:
            llm.reset_default_model()


def load_average() -> float | None:
    """The one-minute load average (how busy the machine was), where the OS reports it."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def timed_repeats(server: BenchServer, repeats: int, run_once: Callable[[], dict[str, Any]],
                  bodies: bool = False) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """Run ``run_once()`` ``repeats`` times against ``server`` (a fresh simulation each time).

    Returns the first run, the server's stats for it, and every run's wall time. The machine
    is shared, so the median of several runs is what the tables report.
    """
    first: dict[str, Any] = {}
    stats: dict[str, Any] = {}
    walls: list[float] = []
    for index in range(max(1, repeats)):
        if index:
            server.reset()
            fresh_simulation()
        run = run_once()
        walls.append(run["wall"])
        if not index:
            first, stats = run, server.stats(bodies=bodies)
    return first, stats, walls


def spread(walls: list[float]) -> str:
    """How a median was taken, for notes: "median of 3 runs (0.61-0.70 s)"."""
    if len(walls) == 1:
        return "one run"
    return f"median of {len(walls)} runs ({min(walls):.3f}-{max(walls):.3f} s)"


def warm_up(server: BenchServer | None = None) -> float:
    """One agent turn through the default model, so imports and the HTTP client exist before timing.

    Returns its wall seconds (the process's cold start); the server's counters are reset after it.
    """
    from tinytroupe.agent import TinyPerson

    start = time.perf_counter()
    agent = TinyPerson("Warm Up")
    agent.listen("Hello, how are you today?")
    agent.act()
    elapsed = time.perf_counter() - start
    fresh_simulation()
    if server is not None:
        server.reset()
        if server.round_trips is not None:
            server.round_trips.spans.clear()
    return round(elapsed, 3)
