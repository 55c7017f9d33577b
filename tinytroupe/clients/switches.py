"""The original's process-wide switches: the call cache, the provider, any setting.

``tinytroupe.openai_utils`` and ``tinytroupe.clients`` both offer them; they live here so that
neither imports the other.
"""

from __future__ import annotations

from typing import Any

from tinytroupe import llm
from tinytroupe.config import config_manager
from tinytroupe.llm.base import innermost

__all__ = ["force_api_cache", "force_api_type", "force_default_value"]


def _rewrap_current_default() -> None:
    """Rebuild the wrappers around the model in use now, or forget it if none is built yet.

    A model installed with ``set_default_model`` (a scripted model, an already loaded local
    model) is kept; only its wrappers (and so the cache) follow the new settings.
    """
    from tinytroupe.runtime import current_runtime

    current = current_runtime().part(llm.MODEL_PART)  # not building one just to rewrap it
    llm.reset_default_model()
    if current is not None:
        llm.set_default_model(innermost(current), wrap=True)


def force_api_cache(cache_api_calls: bool, cache_file_name: str | None = None) -> None:
    """Switch the process-wide LLM call cache on or off, optionally naming its file.

    Relative file names are under the working directory. Calls made after this use (or stop
    using) the cache; the model in use keeps its provider.
    """
    changes: dict[str, Any] = {"cache_api_calls": bool(cache_api_calls)}
    if cache_file_name is not None:
        changes["cache_file_name"] = str(cache_file_name)
    config_manager.update_multiple(changes)
    _rewrap_current_default()


def force_api_type(api_type: str) -> None:
    """Use the provider ``api_type`` (openai, azure, ollama, local, scripted, auto, or a registered
    client's name) from now on."""
    config_manager.update("api_type", api_type)
    llm.reset_default_model()


def force_default_value(key: str, value: Any) -> None:
    """Set the setting ``key`` (e.g. ``"temperature"`` or ``"TEMPERATURE"``) for this process.

    The model in use keeps its provider and gets fresh wrappers (retry, limits, cache); to
    change provider settings (API_TYPE, MODEL, BASE_URL...) use :func:`force_api_type` or
    :func:`tinytroupe.llm.reset_default_model` after this.
    """
    config_manager.update(key.lower(), value)
    _rewrap_current_default()
