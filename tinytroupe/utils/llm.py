"""The LLM helpers under the original's module path ``tinytroupe.utils.llm``.

``LLMChat`` and the ``llm`` decorator live in :mod:`tinytroupe.utils.llm_chat` and
:mod:`tinytroupe.utils.llm_function`; this module adds the two typed reply shapes the
original exposes for a scalar answer with its justification (and reasoning).
"""

from __future__ import annotations

from typing import Union

from pydantic import BaseModel

from tinytroupe.utils.json import extract_json
from tinytroupe.utils.llm_chat import LLMChat, first_non_none
from tinytroupe.utils.llm_function import llm
from tinytroupe.utils.templates import compose_initial_LLM_messages_with_templates

__all__ = ["LLMChat", "llm", "LLMScalarWithJustificationResponse", "LLMScalarWithJustificationAndReasoningResponse",
           "compose_initial_LLM_messages_with_templates", "extract_json", "first_non_none"]


class LLMScalarWithJustificationResponse(BaseModel):
    """A scalar answer with the model's justification and its confidence (0..1)."""

    justification: str
    value: Union[str, int, float, bool]  # noqa: UP007 - pydantic reads the union as written
    confidence: float


class LLMScalarWithJustificationAndReasoningResponse(BaseModel):
    """A scalar answer preceded by the model's reasoning, with justification and confidence."""

    reasoning: str
    justification: str
    value: Union[str, int, float, bool]  # noqa: UP007
    confidence: float
