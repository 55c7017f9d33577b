"""The original factory's names that our plan-then-draw design answers differently.

:class:`OriginalFactoryAPI` is mixed into :class:`~tinytroupe.factory.TinyPersonFactory`:

- ``initialize_sampling_plan()`` settles the dimensions and draws the characteristics of the
  whole ``total_population_size`` now (generation draws them lazily otherwise); the entries not
  yet used are ``remaining_characteristics_sample``.
- ``population_size`` and ``context_text`` are the original's attribute names.
- ``TinyPersonFactory.generate_person_factories(n, context)`` asks the model for ``n`` distinct
  descriptions of people fitting ``context`` and makes one factory of each.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tinytroupe.errors import SpecificationError
from tinytroupe.llm.base import Message

__all__ = ["OriginalFactoryAPI", "FactoryDescriptions", "factory_descriptions_messages"]


class FactoryDescriptions(BaseModel):
    """The model's answer to generate_person_factories: one description per factory."""

    descriptions: list[str] = Field(min_length=1)


def factory_descriptions_messages(number_of_factories: int, generic_context_text: str) -> list[Message]:
    """The request for ``number_of_factories`` descriptions of people fitting a broad context."""
    system = ("You design populations for simulations of people. Given a broad context, you write short, "
              "concrete descriptions of distinct kinds of people who belong in it, each different in age, "
              "background, occupation and outlook. Answer with JSON: {\"descriptions\": [\"...\", ...]}.")
    user = (f"Write exactly {number_of_factories} descriptions of different people for this context:\n"
            f"{generic_context_text.strip()}")
    return [Message(role="system", content=system), Message(role="user", content=user)]


class OriginalFactoryAPI:
    """The original TinyPersonFactory's sampling-plan names, over the factory's own plan."""

    context: str | None
    total_population_size: int | None
    _plan: list[dict[str, Any]]
    _next_entry: int

    @property
    def population_size(self) -> int | None:
        """The original's name for ``total_population_size``."""
        return self.total_population_size

    @population_size.setter
    def population_size(self, value: int | None) -> None:
        self.total_population_size = value

    @property
    def context_text(self) -> str | None:
        """The original's name for ``context``."""
        return self.context

    @context_text.setter
    def context_text(self, value: str | None) -> None:
        self.context = value

    @property
    def remaining_characteristics_sample(self) -> list[dict[str, Any]] | None:
        """The drawn characteristics no person has used yet (None before any plan is drawn)."""
        if not self._plan and self._next_entry == 0:
            return None
        return [dict(e) for e in self._plan[self._next_entry:]]

    def initialize_sampling_plan(self) -> list[dict[str, Any]]:
        """Settle the dimensions and draw the characteristics of the whole population now.

        Needs ``total_population_size``; returns :attr:`remaining_characteristics_sample`.
        Calling it again draws nothing new while unused entries cover the population.
        """
        if self.total_population_size is None:
            raise SpecificationError("initialize_sampling_plan needs the factory's total_population_size: create "
                                     "it with TinyPersonFactory(..., total_population_size=N).")
        self.plan_sampling()  # type: ignore[attr-defined]
        wanted = self.total_population_size - len(self.generated_people)  # type: ignore[attr-defined]
        self._extend_plan(wanted)  # type: ignore[attr-defined]
        return self.remaining_characteristics_sample or []

    @staticmethod
    def generate_person_factories(number_of_factories: int, generic_context_text: str) -> list[Any] | None:
        """``number_of_factories`` factories, each for one kind of person the model describes for
        ``generic_context_text`` (one model call); None when the model gave no usable answer."""
        from tinytroupe._sync import run_sync
        from tinytroupe.errors import LLMError
        from tinytroupe.factory.tiny_person_factory import TinyPersonFactory
        from tinytroupe.llm import agenerate, default_model

        if number_of_factories < 1:
            raise SpecificationError(f"number_of_factories must be at least 1, got {number_of_factories}.")
        try:
            result = run_sync(agenerate(default_model(), factory_descriptions_messages(
                number_of_factories, generic_context_text), FactoryDescriptions,
                tags={"component": "factory", "purpose": "generation"}))
        except LLMError:
            return None
        descriptions = [d for d in result.value.descriptions if d.strip()][:number_of_factories]
        return [TinyPersonFactory(context=d) for d in descriptions]
