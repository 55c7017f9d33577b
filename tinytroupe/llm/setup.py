"""Build the process-wide model from the configuration: a provider inside its wrappers."""

from __future__ import annotations

from tinytroupe.llm.base import LLMModel

__all__ = ["build_model_from_config", "wrap_model"]


def wrap_model(model: LLMModel) -> LLMModel:
    """Wrap ``model`` with retry, limits, usage accounting and (when on) the call cache."""
    return model  # the wrappers are added as they land


def build_model_from_config() -> LLMModel:
    """Choose and build the provider named by API_TYPE (or chosen automatically), wrapped."""
    raise NotImplementedError("providers are being added")
