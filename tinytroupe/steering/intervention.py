"""Interventions: a precondition checked at the start of each world step, and an effect.

::

    nudge = (Intervention(lisa, name="nudge")
             .set_functional_precondition(lambda targets: len(targets.name) > 0)
             .set_effect(lambda targets: targets.think("I should ask about prices.")))
    world = TinyWorld("Shop", [lisa, oscar], interventions=[nudge])

Preconditions and effects are plain or ``async`` functions taking ``(targets)`` as in
TinyTroupe, or ``(targets, world)``. A textual precondition is a
:class:`~tinytroupe.experimentation.Proposition` about the targets (their first ``first_n`` and
last ``last_n`` events), checked by the judge model; or pass your own
``judge(text, targets, world) -> bool`` (or awaitable bool) to
:meth:`Intervention.set_textual_precondition`. A propositional precondition is any object
with ``check(target=...)`` (and ``score(target=...)`` when a threshold is given), preferably
with async twins ``acheck`` / ``ascore``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from tinytroupe import providers
from tinytroupe.errors import SimulationError
from tinytroupe.llm import purposes

__all__ = ["Intervention", "InterventionBatch", "DEFAULT_FIRST_N", "DEFAULT_LAST_N"]

DEFAULT_FIRST_N = 10
DEFAULT_LAST_N = 100

Judge = Callable[[str, Any, Any], Any]


def _arity(func: Callable) -> int:
    """How many positional arguments ``func`` accepts (2 for ``*args``)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return 1
    count = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return 2
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


async def _call(func: Callable, *args: Any) -> Any:
    """Await ``func(*args)``: coroutines directly, plain functions in a worker thread.

    The thread lets a plain function use blocking tinytroupe calls (``act()``, a sync LLM
    judge) while the world's own event loop is waiting for it.
    """
    if inspect.iscoroutinefunction(func):
        return await func(*args)
    result = await asyncio.to_thread(func, *args)
    if inspect.isawaitable(result):
        result = await result
    return result


class Intervention:
    """A change applied to agents or worlds whenever its precondition holds at a step's start."""

    def __init__(self, targets: Any, first_n: int = DEFAULT_FIRST_N, last_n: int = DEFAULT_LAST_N,
                 name: str | None = None):
        if targets is None or (isinstance(targets, list) and not targets):
            raise SimulationError("Intervention(targets=...) needs an agent, a world, or a non-empty list of them")
        self.targets = targets
        self.first_n = first_n
        self.last_n = last_n
        self.name = name or f"intervention on {_describe(targets)}"
        self.text_precondition: str | None = None
        self.text_judge: Judge | None = None
        self.precondition_func: Callable | None = None
        self.propositional_precondition: Any = None
        self.propositional_precondition_threshold: float | None = None
        self.effect_func: Callable | None = None
        self.last_checks: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"Intervention(name={self.name!r})"

    @classmethod
    def create_for_each(cls, targets: Any, first_n: int = DEFAULT_FIRST_N, last_n: int = DEFAULT_LAST_N,
                        name: str | None = None) -> InterventionBatch:
        """One intervention per target, configured together through the returned batch."""
        items = targets if isinstance(targets, list) else [targets]
        return InterventionBatch([
            cls(t, first_n=first_n, last_n=last_n, name=f"{name}_{i}" if name else None)
            for i, t in enumerate(items)
        ])

    # -- configuration (each returns self, for chaining) ---------------------------------
    def set_textual_precondition(self, text: str, judge: Judge | None = None) -> Intervention:
        """A precondition stated in words: a proposition checked by the judge model, or by ``judge``."""
        self.text_precondition = text
        self.text_judge = judge
        return self

    def set_functional_precondition(self, func: Callable) -> Intervention:
        """A precondition computed by ``func(targets)`` or ``func(targets, world)`` -> bool."""
        self.precondition_func = func
        return self

    def set_propositional_precondition(self, proposition: Any, threshold: float | None = None) -> Intervention:
        """A precondition held by a proposition object; with ``threshold``, met when score >= threshold."""
        self.propositional_precondition = proposition
        self.propositional_precondition_threshold = threshold
        return self

    def set_effect(self, effect_func: Callable) -> Intervention:
        """What the intervention does: ``effect_func(targets)`` or ``effect_func(targets, world)``."""
        self.effect_func = effect_func
        return self

    # -- evaluation -----------------------------------------------------------------------
    async def acheck_precondition(self, world: Any = None) -> bool:
        """Whether every precondition that is set holds now (no precondition: always)."""
        checks: dict[str, bool] = {}
        if self.text_precondition is not None:
            checks["text"] = bool(await self._judge_text(world))
        if self.precondition_func is not None:
            args = (self.targets, world) if _arity(self.precondition_func) >= 2 else (self.targets,)
            checks["function"] = bool(await _call(self.precondition_func, *args))
        if self.propositional_precondition is not None:
            checks["proposition"] = await self._check_proposition()
        self.last_checks = checks
        return all(checks.values())

    async def aapply_effect(self, world: Any = None) -> None:
        """Apply the effect without checking the precondition."""
        if self.effect_func is None:
            raise SimulationError(f"intervention {self.name!r} has no effect; call set_effect(func) first")
        args = (self.targets, world) if _arity(self.effect_func) >= 2 else (self.targets,)
        await _call(self.effect_func, *args)

    async def aexecute(self, world: Any = None) -> bool:
        """Check the precondition and, when it holds, apply the effect; True when applied."""
        if await self.acheck_precondition(world):
            await self.aapply_effect(world)
            return True
        return False

    def check_precondition(self, world: Any = None) -> bool:
        """Blocking twin of :meth:`acheck_precondition`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.acheck_precondition(world))

    def apply_effect(self, world: Any = None) -> None:
        """Blocking twin of :meth:`aapply_effect`."""
        from tinytroupe._sync import run_sync

        run_sync(self.aapply_effect(world))

    def execute(self, world: Any = None) -> bool:
        """Blocking twin of :meth:`aexecute`."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aexecute(world))

    __call__ = execute

    def precondition_justification(self) -> str:
        """Which preconditions held at the last check, in words."""
        if not self.last_checks:
            return "No precondition was checked (or none is set)."
        return "; ".join(f"{kind} precondition {'met' if ok else 'not met'}" for kind, ok in self.last_checks.items())

    # -- helpers --------------------------------------------------------------------------
    async def _judge_text(self, world: Any) -> bool:
        if self.text_judge is not None:
            return await _call(self.text_judge, self.text_precondition, self.targets, world)
        proposition = providers.need("Proposition")(claim=self.text_precondition, target=self.targets, first_n=self.first_n,
                                  last_n=self.last_n, tags=purposes.tag(purposes.JUDGE, intervention=self.name))
        return await _proposition_verdict(proposition, None)

    async def _check_proposition(self) -> bool:
        return await _proposition_verdict(self.propositional_precondition,
                                          self.propositional_precondition_threshold, self.targets)


async def _proposition_verdict(proposition: Any, threshold: float | None, target: Any = None) -> bool:
    """Ask a proposition object for a verdict, preferring its async methods."""
    kwargs = {"target": target} if target is not None else {}
    kind = "score" if threshold is not None else "check"
    method = getattr(proposition, "a" + kind, None)
    if method is not None:
        verdict = await method(**kwargs)
    else:
        verdict = await asyncio.to_thread(lambda: getattr(proposition, kind)(**kwargs))
    return float(verdict) >= threshold if threshold is not None else bool(verdict)


def _describe(targets: Any) -> str:
    items = targets if isinstance(targets, list) else [targets]
    names = [getattr(t, "name", type(t).__name__) for t in items]
    return ", ".join(str(n) for n in names)


class InterventionBatch:
    """Several interventions configured at once (from :meth:`Intervention.create_for_each`)."""

    def __init__(self, interventions: list[Intervention]):
        self.interventions = list(interventions)

    def __iter__(self) -> Iterator[Intervention]:
        return iter(self.interventions)

    def __len__(self) -> int:
        return len(self.interventions)

    def as_list(self) -> list[Intervention]:
        return list(self.interventions)

    def set_textual_precondition(self, text: str, judge: Judge | None = None) -> InterventionBatch:
        for item in self.interventions:
            item.set_textual_precondition(text, judge)
        return self

    def set_functional_precondition(self, func: Callable) -> InterventionBatch:
        for item in self.interventions:
            item.set_functional_precondition(func)
        return self

    def set_propositional_precondition(self, proposition: Any, threshold: float | None = None) -> InterventionBatch:
        for item in self.interventions:
            item.set_propositional_precondition(proposition, threshold)
        return self

    def set_effect(self, effect_func: Callable) -> InterventionBatch:
        for item in self.interventions:
            item.set_effect(effect_func)
        return self
