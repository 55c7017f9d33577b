"""Typed settings, read once at the edge.

Precedence, lowest first: the defaults declared here < ``./config.ini`` in the working
directory (TinyTroupe's format) < environment variables < :meth:`ConfigManager.update`.
Each default is declared once, in :data:`SETTINGS`.

Settings are read lazily, on first use, never at import. ``config_manager`` is the
process-wide instance, under the name users of TinyTroupe know.
"""

from __future__ import annotations

import configparser
import logging
import os
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinytroupe.errors import ConfigError

__all__ = ["Setting", "SETTINGS", "ConfigManager", "config_manager", "user_dir"]

logger = logging.getLogger("tinytroupe")


@dataclass(frozen=True)
class Setting:
    """One setting: where it lives in config.ini, its type, its default and what it means."""

    name: str
    section: str
    key: str
    type: type
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    env: tuple[str, ...] = ()
    secret: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def env_names(self) -> tuple[str, ...]:
        return ("TINYTROUPE_" + self.name.upper(), *self.env)


def _s(name, section, key, type_, default, doc, **kw) -> Setting:
    return Setting(name, section, key, type_, default, doc, **kw)


SETTINGS: tuple[Setting, ...] = (
    # [OpenAI]: the model and how it is called
    _s("api_type", "OpenAI", "API_TYPE", str, "auto",
       "Provider: auto (a key or base URL wins, else the local model), openai, azure, local, scripted.",
       choices=("auto", "openai", "azure", "local", "scripted")),
    _s("model", "OpenAI", "MODEL", str, "gpt-4.1-mini",
       "Chat model name. Ignored by the local provider (see LOCAL_MODEL_PATH)."),
    _s("reasoning_model", "OpenAI", "REASONING_MODEL", str, "o4-mini",
       "Model for tasks that ask for deeper reasoning (population plans, judges)."),
    _s("embedding_model", "OpenAI", "EMBEDDING_MODEL", str, "text-embedding-3-small",
       "Embedding model for semantic memory and grounding."),
    _s("base_url", "OpenAI", "BASE_URL", str, "",
       "Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp server).",
       env=("OPENAI_BASE_URL",)),
    _s("api_key", "OpenAI", "API_KEY", str, "",
       "API key. Prefer the OPENAI_API_KEY environment variable; never stored in caches.",
       env=("OPENAI_API_KEY",), secret=True),
    _s("azure_endpoint", "OpenAI", "AZURE_ENDPOINT", str, "",
       "Azure OpenAI endpoint URL.", env=("AZURE_OPENAI_ENDPOINT",)),
    _s("azure_api_key", "OpenAI", "AZURE_API_KEY", str, "",
       "Azure OpenAI key; without one, an Entra ID token is used where azure-identity is installed.",
       env=("AZURE_OPENAI_KEY",), secret=True),
    _s("azure_api_version", "OpenAI", "AZURE_API_VERSION", str, "2024-08-01-preview",
       "Azure OpenAI API version."),
    _s("temperature", "OpenAI", "TEMPERATURE", float, 1.0, "Sampling temperature."),
    _s("max_completion_tokens", "OpenAI", "MAX_COMPLETION_TOKENS", int, 4096,
       "Largest reply, in tokens.", aliases=("MAX_TOKENS",)),
    _s("freq_penalty", "OpenAI", "FREQ_PENALTY", float, 0.0, "Frequency penalty."),
    _s("presence_penalty", "OpenAI", "PRESENCE_PENALTY", float, 0.0, "Presence penalty."),
    _s("reasoning_effort", "OpenAI", "REASONING_EFFORT", str, "high",
       "Reasoning effort for reasoning models.", choices=("low", "medium", "high")),
    _s("timeout", "OpenAI", "TIMEOUT", float, 120.0, "Seconds to wait for one reply."),
    _s("max_attempts", "OpenAI", "MAX_ATTEMPTS", int, 5,
       "Attempts per call: retries on transient errors and structured-output repairs."),
    _s("waiting_time", "OpenAI", "WAITING_TIME", float, 0.0, "Pause in seconds before each call."),
    _s("exponential_backoff_factor", "OpenAI", "EXPONENTIAL_BACKOFF_FACTOR", float, 2.0,
       "Backoff multiplier between retries (with jitter)."),
    _s("max_concurrent_model_calls", "OpenAI", "MAX_CONCURRENT_MODEL_CALLS", int, 256,
       "Most model calls in flight at once: the ceiling of the adaptive window."),
    _s("adaptive_concurrency", "OpenAI", "ADAPTIVE_CONCURRENCY", bool, True,
       "Shrink the calls in flight when the provider pushes back (429, timeouts, 5xx bursts), "
       "grow them back while calls succeed; off: always MAX_CONCURRENT_MODEL_CALLS."),
    _s("requests_per_minute", "OpenAI", "REQUESTS_PER_MINUTE", int, 0,
       "Request rate limit (0: none)."),
    _s("tokens_per_minute", "OpenAI", "TOKENS_PER_MINUTE", int, 0, "Token rate limit (0: none)."),
    _s("cache_api_calls", "OpenAI", "CACHE_API_CALLS", bool, False,
       "Cache LLM calls in a SQLite file; identical requests are answered from it."),
    _s("cache_file_name", "OpenAI", "CACHE_FILE_NAME", str, "tinytroupe_llm_cache.sqlite",
       "The LLM call cache file (relative paths are under the working directory)."),
    _s("max_content_display_length", "OpenAI", "MAX_CONTENT_DISPLAY_LENGTH", int, 1024,
       "Longest content shown by the console renderer."),
    _s("structured_output_mode", "OpenAI", "STRUCTURED_OUTPUT_MODE", str, "auto",
       "How to ask for JSON: auto (try json_schema, then json_object, then prompt), or force one.",
       choices=("auto", "json_schema", "json_object", "prompt")),
    _s("seed", "OpenAI", "SEED", int, 0, "Seed sent to providers that take one (0: none)."),
    _s("local_model_path", "OpenAI", "LOCAL_MODEL_PATH", str, "",
       "A GGUF file for the local provider; empty: the SmolLM2-135M-Instruct demo model."),
    _s("local_context_size", "OpenAI", "LOCAL_CONTEXT_SIZE", int, 8192,
       "Context window of the local model, in tokens."),
    _s("local_threads", "OpenAI", "LOCAL_THREADS", int, 0,
       "CPU threads for the local model (0: all cores)."),
    # [Simulation]
    _s("parallel_agent_generation", "Simulation", "PARALLEL_AGENT_GENERATION", bool, True,
       "Generate factory personas concurrently."),
    _s("parallel_agent_actions", "Simulation", "PARALLEL_AGENT_ACTIONS", bool, True,
       "Agents of a world act concurrently within a step."),
    _s("rai_harmful_content_prevention", "Simulation", "RAI_HARMFUL_CONTENT_PREVENTION", bool, True,
       "Ask the model to avoid harmful content."),
    _s("rai_copyright_infringement_prevention", "Simulation", "RAI_COPYRIGHT_INFRINGEMENT_PREVENTION",
       bool, True, "Ask the model to avoid reproducing copyrighted text."),
    # [Cognition]
    _s("enable_memory_consolidation", "Cognition", "ENABLE_MEMORY_CONSOLIDATION", bool, True,
       "Consolidate episodic memory into semantic memory where a faculty supports it."),
    _s("min_episode_length", "Cognition", "MIN_EPISODE_LENGTH", int, 15,
       "Fewest events in an episode before consolidation."),
    _s("max_episode_length", "Cognition", "MAX_EPISODE_LENGTH", int, 50,
       "Most events in an episode before it is consolidated."),
    _s("episodic_memory_fixed_prefix_length", "Cognition", "EPISODIC_MEMORY_FIXED_PREFIX_LENGTH",
       int, 10, "First events always kept in the prompt."),
    _s("episodic_memory_lookback_length", "Cognition", "EPISODIC_MEMORY_LOOKBACK_LENGTH", int, 20,
       "Most recent events kept in the prompt."),
    _s("max_actions_per_turn", "Cognition", "MAX_ACTIONS_PER_TURN", int, 15,
       "Most actions in one act() turn; DONE is forced after that."),
    # [ActionGenerator]
    _s("action_generator_max_attempts", "ActionGenerator", "MAX_ATTEMPTS", int, 2,
       "Regeneration attempts when quality checks fail."),
    _s("enable_quality_checks", "ActionGenerator", "ENABLE_QUALITY_CHECKS", bool, False,
       "Score each action with a judge call and regenerate poor ones."),
    _s("enable_regeneration", "ActionGenerator", "ENABLE_REGENERATION", bool, True,
       "Regenerate an action that fails the quality checks."),
    _s("enable_direct_correction", "ActionGenerator", "ENABLE_DIRECT_CORRECTION", bool, False,
       "Let the judge rewrite a failing action directly."),
    _s("enable_quality_check_for_persona_adherence", "ActionGenerator",
       "ENABLE_QUALITY_CHECK_FOR_PERSONA_ADHERENCE", bool, True, "Check persona adherence."),
    _s("enable_quality_check_for_selfconsistency", "ActionGenerator",
       "ENABLE_QUALITY_CHECK_FOR_SELFCONSISTENCY", bool, False, "Check self-consistency."),
    _s("enable_quality_check_for_fluency", "ActionGenerator", "ENABLE_QUALITY_CHECK_FOR_FLUENCY",
       bool, False, "Check fluency."),
    _s("enable_quality_check_for_suitability", "ActionGenerator",
       "ENABLE_QUALITY_CHECK_FOR_SUITABILITY", bool, False, "Check suitability."),
    _s("enable_quality_check_for_similarity", "ActionGenerator",
       "ENABLE_QUALITY_CHECK_FOR_SIMILARITY", bool, False, "Check similarity to the previous action."),
    _s("continue_on_failure", "ActionGenerator", "CONTINUE_ON_FAILURE", bool, True,
       "Keep the best action when every regeneration fails the checks."),
    _s("quality_threshold", "ActionGenerator", "QUALITY_THRESHOLD", int, 5,
       "Lowest acceptable judge score (0-9)."),
    # [Logging] / [Display]
    _s("loglevel", "Logging", "LOGLEVEL", str, "ERROR", "Log level.",
       choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    _s("display", "Display", "DISPLAY", str, "auto",
       "Console rendering of events: auto (on when interactive), on, off.",
       choices=("auto", "on", "off")),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
_BY_SECTION_KEY: dict[tuple[str, str], Setting] = {}
for _setting in SETTINGS:
    for _k in (_setting.key, *_setting.aliases):
        _BY_SECTION_KEY[(_setting.section.lower(), _k.lower())] = _setting

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _convert(setting: Setting, raw: Any, where: str) -> Any:
    """Convert ``raw`` to the setting's type, or raise a ConfigError that says where and how."""
    def fail(expected: str) -> ConfigError:
        return ConfigError(
            f"{where}: [{setting.section}] {setting.key} = {raw!r} is not valid; expected {expected}."
        )

    if isinstance(raw, str):
        raw = raw.strip()
    try:
        if setting.type is bool:
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).lower() in _TRUE:
                value = True
            elif str(raw).lower() in _FALSE:
                value = False
            else:
                raise fail("true or false")
        elif setting.type is int:
            if isinstance(raw, bool):
                raise fail("a whole number")
            value = int(raw)
        elif setting.type is float:
            value = float(raw)
        else:
            value = "" if raw is None else str(raw)
    except (TypeError, ValueError):
        raise fail("a whole number" if setting.type is int else "a number") from None
    if setting.choices is not None:
        normal = value.lower() if setting.name != "loglevel" else value.upper()
        if normal not in setting.choices:
            raise fail("one of " + ", ".join(setting.choices))
        value = normal
    return value


class ConfigManager:
    """The settings of this process: ``config_manager.get("model")`` or ``config_manager.model``."""

    def __init__(self, ini_path: str | os.PathLike | None = None, *, use_environment: bool = True):
        self._lock = threading.RLock()
        self._ini_path = Path(ini_path) if ini_path is not None else None
        self._use_env = use_environment
        self._base: dict[str, Any] | None = None
        self._overrides: dict[str, Any] = {}
        self._sources: dict[str, str] = {}

    # -- loading -------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._base is None:
                values = {s.name: s.default for s in SETTINGS}
                sources = {s.name: "default" for s in SETTINGS}
                ini = self._ini_path if self._ini_path is not None else Path.cwd() / "config.ini"
                if ini.is_file():
                    for name, value in self._read_ini(ini).items():
                        values[name] = value
                        sources[name] = str(ini)
                elif self._ini_path is not None:
                    raise ConfigError(f"{ini}: config file not found; check the path given with --config.")
                if self._use_env:
                    for s in SETTINGS:
                        for env in s.env_names:
                            if os.environ.get(env, "") != "":
                                values[s.name] = _convert(s, os.environ[env], f"environment variable {env}")
                                sources[s.name] = f"env {env}"
                                break
                self._base, self._sources = values, sources
            return self._base

    @staticmethod
    def _read_ini(path: Path) -> dict[str, Any]:
        parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
        parser.optionxform = str  # keep the keys' case for messages
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read as an INI file ({exc}); fix its syntax.") from None
        values: dict[str, Any] = {}
        for section in parser.sections():
            for key, raw in parser.items(section):
                setting = _BY_SECTION_KEY.get((section.lower(), key.lower()))
                if setting is None:
                    warnings.warn(
                        f"{path}: unknown setting [{section}] {key} is ignored; "
                        "see the config.ini reference in README.md.",
                        stacklevel=4,
                    )
                    continue
                values[setting.name] = _convert(setting, raw, str(path))
        return values

    def load_file(self, path: str | os.PathLike) -> None:
        """Read settings from ``path`` instead of ``./config.ini`` (the CLI's ``--config``)."""
        with self._lock:
            self._ini_path = Path(path)
            self._base = None
            self._load()

    # -- reading -------------------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        """The current value of setting ``name`` (lower-case name, e.g. ``"model"``)."""
        name = name.lower()
        with self._lock:
            if name in self._overrides:
                return self._overrides[name]
            base = self._load()
        return base.get(name, default)

    def __getitem__(self, name: str) -> Any:
        if name.lower() not in _BY_NAME:
            raise KeyError(name)
        return self.get(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in _BY_NAME:
            raise AttributeError(name)
        return self.get(name)

    def as_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """All settings; secrets are shown as ``***`` unless ``redact=False``."""
        out = {}
        for s in SETTINGS:
            value = self.get(s.name)
            out[s.name] = "***" if (redact and s.secret and value) else value
        return out

    def source_of(self, name: str) -> str:
        """Where the current value of ``name`` comes from (default, a file, env, update)."""
        with self._lock:
            if name in self._overrides:
                return "update()"
            self._load()
            return self._sources.get(name, "default")

    # -- changing ------------------------------------------------------------------------
    def update(self, name: str, value: Any) -> None:
        """Set ``name`` for this process, above every other source."""
        setting = _BY_NAME.get(name.lower())
        if setting is None:
            raise ConfigError(
                f"config_manager.update: unknown setting {name!r}; known settings: "
                + ", ".join(sorted(_BY_NAME))
            )
        converted = _convert(setting, value, "config_manager.update")
        with self._lock:
            self._overrides[setting.name] = converted

    def update_multiple(self, values: Mapping[str, Any]) -> None:
        """Several :meth:`update` calls at once; nothing changes if any value is bad."""
        converted = {}
        for name, value in values.items():
            setting = _BY_NAME.get(name.lower())
            if setting is None:
                raise ConfigError(f"config_manager.update_multiple: unknown setting {name!r}.")
            converted[setting.name] = _convert(setting, value, "config_manager.update_multiple")
        with self._lock:
            self._overrides.update(converted)

    def reset(self) -> None:
        """Forget programmatic updates and re-read files and the environment on next use."""
        with self._lock:
            self._overrides.clear()
            self._base = None

    def configure_logging(self) -> None:
        """Set the ``tinytroupe`` logger's level from LOGLEVEL (called at the edge, never at import)."""
        logger.setLevel(getattr(logging, self.get("loglevel"), logging.ERROR))

    def log_config(self) -> None:
        """Write the settings (secrets redacted) to the log at INFO level."""
        for name, value in self.as_dict().items():
            logger.info("config %s = %r (%s)", name, value, self.source_of(name))


def user_dir() -> Path:
    """The one directory where tinytroupe keeps user state; ``TINYTROUPE_HOME`` moves it."""
    return Path(os.environ.get("TINYTROUPE_HOME") or Path.home() / ".tinytroupe")


config_manager = ConfigManager()
