"""Hard budgets for a run: dollars, tokens and calls, in total and per agent.

Settings (``[OpenAI]`` in config.ini, ``TINYTROUPE_<KEY>``, a scenario's ``[model]``, or
Python): ``MAX_COST_PER_RUN`` (dollars), ``MAX_TOKENS_PER_RUN``, ``MAX_CALLS_PER_RUN`` and the
same ``..._PER_AGENT``; 0 means no limit. In Python::

    with budget.limit(max_calls=40, max_cost=0.50):
        world.run(10)          # BudgetExceededError, with the usage so far, if it would go over

Only calls that reach the provider count: a call answered by the call cache costs nothing
and spends nothing. The :class:`BudgetGuard` wrapper (just inside the call cache) refuses a
call that would go over, before it is sent; worlds also check at each step boundary whether
the next step fits (predicted from the steps before it) and, when a call is refused in the
middle of a step, put the step back as it was, so a run always stops between two steps. The
calls already paid in the step put back are kept in :attr:`Budget.journal`, so a resumed run
does not pay for them again (the CLI saves them beside the checkpoint).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tinytroupe.errors import TinyTroupeError
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel
from tinytroupe.llm.embeddings import EmbeddingModel
from tinytroupe.llm.wrappers.seams import CHAT, Req, Res, Seam, Send, StackWrapper


def estimate_prompt_tokens(request: ChatRequest) -> int:
    """About four characters per token over the messages (and the schema sent beside them)."""
    return CHAT.input_tokens(request)

__all__ = ["BudgetLimits", "Budget", "BudgetExceededError", "BudgetGuard", "limit", "active", "from_config",
           "start_run", "SETTING_NAMES"]

SETTING_NAMES = {"cost": "MAX_COST_PER_RUN", "tokens": "MAX_TOKENS_PER_RUN", "calls": "MAX_CALLS_PER_RUN"}
AGENT_SETTING_NAMES = {"cost": "MAX_COST_PER_AGENT", "tokens": "MAX_TOKENS_PER_AGENT", "calls": "MAX_CALLS_PER_AGENT"}
UNITS = {"cost": "dollars", "tokens": "tokens", "calls": "calls"}


@dataclass(frozen=True)
class BudgetLimits:
    """Upper bounds; 0 means no limit."""

    max_cost: float = 0.0
    max_tokens: int = 0
    max_calls: int = 0

    def __post_init__(self) -> None:
        for name in ("max_cost", "max_tokens", "max_calls"):
            if getattr(self, name) < 0:
                raise ValueError(f"BudgetLimits.{name} cannot be negative (0 means no limit)")

    @property
    def any(self) -> bool:
        return bool(self.max_cost or self.max_tokens or self.max_calls)

    def of(self, kind: str) -> float:
        return {"cost": self.max_cost, "tokens": self.max_tokens, "calls": self.max_calls}[kind]


@dataclass
class Spent:
    """What went to the provider: calls, tokens and dollars (cached calls not counted)."""

    calls: int = 0
    tokens: int = 0
    cost: float = 0.0
    unpriced_calls: int = 0

    def of(self, kind: str) -> float:
        return {"cost": self.cost, "tokens": self.tokens, "calls": self.calls}[kind]

    def to_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "tokens": self.tokens, "cost": round(self.cost, 6),
                "unpriced_calls": self.unpriced_calls}


class BudgetExceededError(TinyTroupeError):
    """A call or a step would go over a budget; the run stopped at a step boundary.

    ``budget`` names the setting (``MAX_CALLS_PER_RUN``...), ``limit`` its value, ``spent``
    what was spent of it, ``agent`` the agent for per-agent budgets, ``usage`` the run's usage
    so far (calls, tokens, dollars), ``steps_done`` the steps completed when it stopped (set
    by the world).
    """

    def __init__(self, message: str, *, budget: str, limit: float, spent: float, usage: dict[str, Any],
                 agent: str | None = None):
        super().__init__(message)
        self.budget = budget
        self.limit = limit
        self.spent = spent
        self.usage = usage
        self.agent = agent
        self.steps_done: int | None = None


@dataclass
class _StepRecord:
    calls: int = 0
    tokens: int = 0
    cost: float = 0.0


class Budget:
    """The limits of one run and what it has spent; thread-safe."""

    def __init__(self, limits: BudgetLimits | None = None, per_agent: BudgetLimits | None = None):
        self.limits = limits or BudgetLimits()
        self.per_agent = per_agent or BudgetLimits()
        self._lock = threading.RLock()
        self.spent = Spent()
        self.by_agent: dict[str, Spent] = {}
        self._reserved = Spent()  # calls checked and in flight, not yet recorded
        self._reserved_by_agent: dict[str, Spent] = {}
        self.journal: dict[str, dict[str, Any]] = {}  # cache key -> completion, since the last boundary
        self.replay: dict[str, dict[str, Any]] = {}  # paid replies of steps put back, answered once more
        self._steps: list[_StepRecord] = []
        self._step_start: Spent | None = None

    @property
    def any(self) -> bool:
        return self.limits.any or self.per_agent.any

    def usage(self) -> dict[str, Any]:
        with self._lock:
            return {**self.spent.to_dict(), "limits": {SETTING_NAMES[k]: self.limits.of(k) for k in SETTING_NAMES},
                    "by_agent": {a: s.to_dict() for a, s in self.by_agent.items()}}

    # -- calls -------------------------------------------------------------------------
    def _error(self, kind: str, limit: float, spent: float, need: float, agent: str | None) -> BudgetExceededError:
        setting = (AGENT_SETTING_NAMES if agent else SETTING_NAMES)[kind]
        who = f" for {agent}" if agent else ""
        shown = (lambda v: f"${v:.4f}") if kind == "cost" else (lambda v: f"{int(v):,} {UNITS[kind]}")
        message = (f"{setting} = {limit:g}{who} would be exceeded: {shown(spent)} spent, the next call needs about "
                   f"{shown(need)}; raise {setting} (config.ini, TINYTROUPE_{setting}, the scenario's [model], or "
                   "tinytroupe.llm.budget.limit) and carry on with --resume")
        return BudgetExceededError(message, budget=setting, limit=limit, spent=spent, usage=self.usage(), agent=agent)

    def check_call(self, need_tokens: int, need_cost: float | None, agent: str | None) -> None:
        """Raise :class:`BudgetExceededError` when one more call of this size would go over;
        else reserve its size until :meth:`record` (or :meth:`release`) settles it, so calls in
        flight at the same time count against the budget too."""
        needs = {"calls": 1, "tokens": need_tokens, "cost": need_cost or 0.0}
        over = None
        with self._lock:
            checks = [(self.limits, self.spent, self._reserved, None)]
            if agent and self.per_agent.any:
                checks.append((self.per_agent, self.by_agent.get(agent, Spent()),
                               self._reserved_by_agent.get(agent, Spent()), agent))
            for limits, spent, reserved, who in checks:
                for kind, need in needs.items():
                    bound = limits.of(kind)
                    if over is None and bound and spent.of(kind) + reserved.of(kind) + need > bound + 1e-12:
                        over = (kind, bound, spent.of(kind) + reserved.of(kind), need, who)
            if over is None:
                self._reserve(needs, agent, +1)
        if over is not None:
            raise self._error(*over)

    def _reserve(self, needs: dict[str, float], agent: str | None, sign: int) -> None:
        targets = [self._reserved] + ([self._reserved_by_agent.setdefault(agent, Spent())] if agent else [])
        for reserved in targets:
            reserved.calls += sign * int(needs["calls"])
            reserved.tokens += sign * int(needs["tokens"])
            reserved.cost += sign * float(needs["cost"])

    def release(self, need_tokens: int, need_cost: float | None, agent: str | None) -> None:
        """Drop the reservation of a call that did not happen (it failed)."""
        with self._lock:
            self._reserve({"calls": 1, "tokens": need_tokens, "cost": need_cost or 0.0}, agent, -1)

    def record(self, tokens: int, cost: float | None, agent: str | None,
               reserved: tuple[int, float | None] | None = None) -> None:
        """Count one call that reached the provider (settling its reservation, if any)."""
        with self._lock:
            if reserved is not None:
                self._reserve({"calls": 1, "tokens": reserved[0], "cost": reserved[1] or 0.0}, agent, -1)
            targets = [self.spent] + ([self.by_agent.setdefault(agent, Spent())] if agent else [])
            for spent in targets:
                spent.calls += 1
                spent.tokens += tokens
                if cost is None:
                    spent.unpriced_calls += 1
                else:
                    spent.cost += cost

    def carry(self, usage: dict[str, Any]) -> None:
        """Count what an earlier run paid for operations replayed now (``control.hit``'s ``replayed``:
        calls, input and output tokens, cost, and ``by_agent`` the same per agent), so a resumed
        run's budgets, per run and per agent, hold for the whole run."""
        def add(spent: Spent, part: dict[str, Any]) -> None:
            spent.calls += int(part.get("calls") or 0)
            spent.tokens += int(part.get("input_tokens") or 0) + int(part.get("output_tokens") or 0)
            spent.cost += float(part.get("cost") or 0.0)

        with self._lock:
            add(self.spent, usage)
            for agent, part in (usage.get("by_agent") or {}).items():
                if isinstance(part, dict):
                    add(self.by_agent.setdefault(str(agent), Spent()), part)

    # -- steps -------------------------------------------------------------------------
    def begin_step(self, agents: int) -> None:
        """A step boundary: raise when the next step is predicted to go over; start its journal."""
        with self._lock:
            predicted = self._predict(agents)
            self.journal.clear()
            self._step_start = Spent(self.spent.calls, self.spent.tokens, self.spent.cost)
        for kind in ("calls", "tokens", "cost"):
            bound = self.limits.of(kind)
            if bound and self.spent.of(kind) + predicted.of(kind) > bound + 1e-12:
                raise self._error(kind, bound, self.spent.of(kind), predicted.of(kind), None)

    def _predict(self, agents: int) -> Spent:
        if self._steps:
            last = self._steps[-3:]
            return Spent(max(s.calls for s in last), max(s.tokens for s in last), max(s.cost for s in last))
        return Spent(calls=agents)  # one call per agent turn, size unknown before the first step

    def put_back(self) -> None:
        """The step was undone: its paid replies answer the same requests when it runs again."""
        with self._lock:
            self.replay.update(self.journal)
            self.journal.clear()
            self._step_start = None

    def take_replay(self, key: str) -> dict[str, Any] | None:
        """A paid reply of a step put back, for the same request (given once)."""
        with self._lock:
            return self.replay.pop(key, None)

    def raise_limits(self, max_cost: float | None = None, max_tokens: int | None = None,
                     max_calls: int | None = None) -> Budget:
        """New (larger) limits for this budget, keeping what it spent and its replies to replay."""
        current = self.limits
        self.limits = BudgetLimits(current.max_cost if max_cost is None else max_cost,
                                   current.max_tokens if max_tokens is None else max_tokens,
                                   current.max_calls if max_calls is None else max_calls)
        return self

    def end_step(self) -> None:
        """The step completed: remember what it spent (for predictions); its calls need no journal."""
        with self._lock:
            start = self._step_start or Spent()
            self._steps.append(_StepRecord(self.spent.calls - start.calls, self.spent.tokens - start.tokens,
                                           self.spent.cost - start.cost))
            self.journal.clear()
            self._step_start = None


class _RunBudgets:
    """A runtime's budgets: the run's, and the :func:`limit` blocks open now (innermost last)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stack: list[Budget] = []
        self.run: Budget | None = None
        self.from_settings = True  # the run's limits follow the settings (not given to start_run)
        self.settings_read: Any = None  # the settings the run's limits were last read from


def _state(runtime: Any = None) -> _RunBudgets:
    from tinytroupe.runtime import current_runtime

    return (runtime or current_runtime()).part("llm.budget", _RunBudgets)


def from_config(settings: Any = None) -> Budget:
    """A budget with the limits of ``settings`` (default: the current runtime's)."""
    if settings is None:
        from tinytroupe.runtime import current_runtime

        settings = current_runtime().settings

    def get(name: str) -> Any:
        return settings[name] or 0

    return Budget(BudgetLimits(float(get("max_cost_per_run")), int(get("max_tokens_per_run")),
                               int(get("max_calls_per_run"))),
                  BudgetLimits(float(get("max_cost_per_agent")), int(get("max_tokens_per_agent")),
                               int(get("max_calls_per_agent"))))


def start_run(budget: Budget | None = None) -> Budget:
    """Start counting a new run of the current runtime (with ``budget``, or the settings' limits)."""
    state = _state()
    with state.lock:
        state.run = budget if budget is not None else from_config()
        state.from_settings = budget is None
        return state.run


def active(runtime: Any = None) -> Budget | None:
    """The budget calls count against now in ``runtime`` (default: the current one): the
    innermost :func:`limit`, else the run's, if any limit is set."""
    from tinytroupe.runtime import current_runtime

    runtime = runtime or current_runtime()
    state = _state(runtime)
    with state.lock:
        if state.stack:
            return state.stack[-1]
        current, follow = state.run, state.from_settings
    settings = runtime.settings  # a new object when the configuration changed (config_manager.update)
    if current is None or (follow and settings is not state.settings_read):
        fresh = from_config(settings)
        with state.lock:
            state.settings_read = settings
            if state.run is None:
                state.run = fresh
            elif state.from_settings:
                state.run.limits, state.run.per_agent = fresh.limits, fresh.per_agent
            current = state.run
    return current if current.any else None


def reset() -> None:
    """Forget the current runtime's run budget (the settings are read again on the next call)."""
    state = _state()
    with state.lock:
        state.run = None
        state.from_settings = True
        state.stack.clear()


@contextmanager
def limit(max_cost: float = 0.0, max_tokens: int = 0, max_calls: int = 0, *, per_agent: BudgetLimits | None = None,
          budget: Budget | None = None) -> Iterator[Budget]:
    """Calls made inside (in the current runtime) count against a new budget with these limits (0: no limit)."""
    current = budget if budget is not None else Budget(BudgetLimits(max_cost, max_tokens, max_calls), per_agent)
    state = _state()
    with state.lock:
        state.stack.append(current)
    try:
        yield current
    finally:
        with state.lock:
            state.stack.remove(current)


class BudgetGuard(StackWrapper):
    """Refuses a chat or embedding call that would go over the active budget, before it is sent;
    counts the calls that go out."""

    def __init__(self, inner: LLMModel | EmbeddingModel, price: Any = None, *, runtime: Any = None):
        super().__init__(inner)
        self._price = price  # callable (model, input, output, provider) -> dollars or None
        from tinytroupe.runtime import current_runtime

        self.runtime = runtime or current_runtime()  # whose budget this guard spends

    def _cost(self, model: str, input_tokens: int, output_tokens: int) -> float | None:
        from tinytroupe.llm.wrappers.pricing import cost_of

        return (self._price or cost_of)(model, input_tokens, output_tokens, self.inner.name)

    async def complete(self, request: ChatRequest) -> Completion:
        budget = active(self.runtime)
        if budget is not None and budget.replay:
            paid = budget.take_replay(request.cache_key(self.inner.name, self.model_of(request)))
            if paid is not None:  # paid for in a step that was put back: not paid again
                from tinytroupe.llm.cache import value_to_completion

                return value_to_completion(paid, self.inner.name)
        return await self._spend(budget, request, self.inner.complete, CHAT)

    async def call(self, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        return await self._spend(active(self.runtime), request, send, seam)

    async def _spend(self, budget: Budget | None, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        """Send ``request`` if one more call of its size fits ``budget``, and count what it used."""
        if budget is None:
            return await send(request)
        model, agent = self.model_of(request), request.tags.get("agent") or None
        prompt, reply = seam.input_tokens(request), seam.reply_budget(request)
        need_cost = self._cost(model, prompt, reply)
        budget.check_call(prompt + reply, need_cost, agent)
        try:
            result = await send(request)
        except BaseException:
            budget.release(prompt + reply, need_cost, agent)
            raise
        usage = seam.usage(result)
        budget.record(usage.total_tokens, self._cost(result.model or model, usage.input_tokens, usage.output_tokens),
                      agent, reserved=(prompt + reply, need_cost))
        if isinstance(result, Completion) and result.text:  # a chat reply, kept to replay if the step is put back
            from tinytroupe.llm.cache import completion_to_value

            with budget._lock:
                budget.journal[request.cache_key(self.inner.name, model)] = completion_to_value(result)
        return result
