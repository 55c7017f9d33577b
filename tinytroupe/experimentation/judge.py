"""The judge model: who scores propositions, validations and quality checks.

Judges are separate from the simulated people: pass ``judge=`` (any :class:`LLMModel`, e.g. one
of another model family), install one for the process with :func:`set_default_judge`, or let
``use_reasoning_model=True`` send the default provider's requests to ``REASONING_MODEL``. The
default judge belongs to the current runtime (:mod:`tinytroupe.runtime`).
"""

from __future__ import annotations

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper
from tinytroupe.runtime import current_runtime

__all__ = ["resolve_judge", "set_default_judge", "reset_default_judge", "NamedModel"]

_JUDGE = "judge.default"  # the runtime part holding the judge set with set_default_judge


class NamedModel(ModelWrapper):
    """A model whose requests name ``model_name`` unless they name a model already."""

    def __init__(self, inner: LLMModel, model_name: str):
        super().__init__(inner)
        self.model_name = model_name

    async def complete(self, request: ChatRequest) -> Completion:
        if request.model is None and self.model_name:
            request = request.with_changes(model=self.model_name)
        return await self.inner.complete(request)

    async def aclose(self) -> None:
        return None  # the wrapped model belongs to whoever made it


def set_default_judge(model: LLMModel | None) -> None:
    """Use ``model`` for every judge that is not given one, in the current runtime (None: back to
    the default model)."""
    current_runtime().set_part(_JUDGE, model)


def reset_default_judge() -> None:
    set_default_judge(None)


def resolve_judge(judge: LLMModel | None = None, use_reasoning_model: bool = False,
                  fallback: LLMModel | None = None) -> LLMModel:
    """The model a judge call goes to: ``judge``, else the process judge, else ``fallback`` (e.g. the
    judged agent's own model), else the default model; asked for ``REASONING_MODEL`` when
    ``use_reasoning_model`` and no judge was chosen."""
    if judge is not None:
        return judge
    chosen = current_runtime().part(_JUDGE)
    if chosen is not None:
        return chosen
    model = fallback or llm.default_model()
    if use_reasoning_model:
        return NamedModel(model, str(config_manager.get("reasoning_model")))
    return model
