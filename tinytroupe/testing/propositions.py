"""Assertions about simulations in tests: ``assert proposition_holds("...")``, judged by a model.

TinyTroupe's own tests check model output with a helper of this name; this one is built on
:class:`~tinytroupe.experimentation.Proposition`, so it uses the judge model (``judge=``, the
process judge of :func:`~tinytroupe.experimentation.set_default_judge`, or the default
model) and, with the call cache on, a rerun of the test is free.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.llm.base import LLMModel

__all__ = ["proposition_holds", "proposition_score"]

_SELF_CONTAINED = "The claim itself holds everything to judge: no simulation trajectory goes with it."


def _proposition(claim: str, target: Any, judge: LLMModel | None, include_personas: bool) -> Any:
    from tinytroupe.experimentation import Proposition

    return Proposition(claim, target=target if target is not None else _SELF_CONTAINED,
                       include_personas=include_personas, judge=judge, tags={"purpose": "judge", "judge": "test"})


def proposition_holds(proposition: str, target: Any = None, *, judge: LLMModel | None = None,
                      include_personas: bool = False) -> bool:
    """Whether ``proposition`` holds: about ``target`` (an agent, a world, a list) if given, else
    as a self-contained statement (``"The following text is polite: '...'"``)."""
    return bool(_proposition(proposition, target, judge, include_personas).check())


def proposition_score(proposition: str, target: Any = None, *, judge: LLMModel | None = None,
                      include_personas: bool = False) -> int:
    """How far ``proposition`` holds, 0-9 (see :func:`proposition_holds`)."""
    return int(_proposition(proposition, target, judge, include_personas).score())
