"""The wrapper that puts the resolved request-level settings on every request.

:class:`RequestDefaults` fills each field a request leaves unset (temperature, top_p,
penalties, max tokens, reasoning effort, seed) from a :class:`~tinytroupe.config.snapshot.RequestSettings`,
so agent turns, extraction, judges, the factory, enrichment and stories all carry what the
user configured without any call site reading a setting; a value given by the caller wins.
Whether the model is a reasoning model is its capability (``ModelCapabilities.reasoning``):
a reasoning model gets ``reasoning_effort`` and no sampling parameters; other models get no
``reasoning_effort``.
"""

from __future__ import annotations

from collections.abc import Callable

from tinytroupe.config.snapshot import RequestSettings
from tinytroupe.llm.base import ChatRequest, Completion, LLMModel, ModelWrapper, capabilities_of

__all__ = ["RequestDefaults", "SAMPLING_FIELDS"]

SAMPLING_FIELDS = ("temperature", "top_p", "frequency_penalty", "presence_penalty")


class RequestDefaults(ModelWrapper):
    """Fills unset request fields from ``settings`` (a value, or a function giving the current one)."""

    def __init__(self, inner: LLMModel, settings: RequestSettings | Callable[[], RequestSettings]):
        super().__init__(inner)
        self._settings = settings if callable(settings) else (lambda: settings)

    @property
    def settings(self) -> RequestSettings:
        """The request settings applied now."""
        return self._settings()

    def fill(self, request: ChatRequest) -> ChatRequest:
        """``request`` with its unset fields taken from the settings (its own values kept)."""
        given = self._settings().sampling()
        changes = {k: v for k, v in given.items() if getattr(request, k) is None}
        model = request.model or self.inner.default_model
        if capabilities_of(self.inner, model).reasoning:
            changes.update({k: None for k in SAMPLING_FIELDS if getattr(request, k) is not None
                            or k in changes})
        elif request.reasoning_effort is None:
            changes.pop("reasoning_effort", None)
        return request.with_changes(**changes) if changes else request

    async def complete(self, request: ChatRequest) -> Completion:
        return await self.inner.complete(self.fill(request))
