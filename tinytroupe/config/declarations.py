"""Every setting, declared once: its section and key in config.ini, environment variables,
type, default, range or choices, and whether it reaches model requests.

:data:`SETTINGS` is the table; :func:`setting_named` finds a declaration; values are converted
and checked against their declaration with a :class:`~tinytroupe.errors.ConfigError` that names
where a bad value came from (file, environment variable, ``update()``) and what is valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tinytroupe import extensions
from tinytroupe.errors import ConfigError

__all__ = ["Range", "Setting", "SETTINGS", "setting_named", "add_choice", "remove_choice", "ConfigWarning",
           "FREE_SECTIONS"]


class ConfigWarning(UserWarning):
    """A config.ini line that is not used (an unknown key), shown with its file and line."""


@dataclass(frozen=True)
class Range:
    """The valid values of a number setting: ``low <= value <= high`` (either bound optional).

    ``above`` makes the low bound exclusive (``value > low``). Floats must also be finite.
    ``note`` is added to the message of a refused value (what to write instead).
    """

    low: float | None = None
    high: float | None = None
    above: bool = False
    note: str = ""

    def accepts(self, value: float) -> bool:
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self, kind: type) -> str:
        """``"a whole number of at least 1"``, ``"a number from 0 to 2"``..."""
        noun = "a whole number" if kind is int else "a finite number"
        low, high = (f"{b:g}" if b is not None else None for b in (self.low, self.high))
        if low is not None and high is not None and not self.above:
            return f"{noun} from {low} to {high}"
        parts = []
        if low is not None:
            parts.append(f"greater than {low}" if self.above else f"of at least {low}")
        if high is not None:
            parts.append(f"at most {high}")
        return f"{noun} {' and '.join(parts)}" if parts else noun


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
    url: bool = False
    """A URL: shown and logged with its credentials hidden (see :mod:`tinytroupe.redaction`)."""
    valid: Range | None = None
    """For numbers: the valid range, declared next to the default (every number setting has one)."""
    request_level: bool = False
    """Carried on each model request it applies to (see :mod:`tinytroupe.config.snapshot`), under ``wire``."""
    wire: str = ""
    """The request-body field this setting becomes (``temperature``, ``frequency_penalty``...)."""

    @property
    def env_names(self) -> tuple[str, ...]:
        return ("TINYTROUPE_" + self.name.upper(), *self.env)


def _s(name, section, key, type_, default, doc, **kw) -> Setting:
    return Setting(name, section, key, type_, default, doc, **kw)


SETTINGS: tuple[Setting, ...] = (
    # [OpenAI]: the model and how it is called
    _s("api_type", "OpenAI", "API_TYPE", str, "auto",
       "Provider: auto (a key or base URL wins, else the local model), openai, azure, ollama, local, "
       "scripted, or the name of a client given to tinytroupe.clients.register_client.",
       choices=("auto", "openai", "azure", "ollama", "local", "scripted")),
    _s("model", "OpenAI", "MODEL", str, "gpt-4.1-mini",
       "Chat model name. Ignored by the local provider (see LOCAL_MODEL_PATH).", request_level=True, wire="model"),
    _s("vision", "OpenAI", "VISION", str, "auto",
       "Whether the chat model takes images: auto (known vision families, e.g. gpt-4o, gpt-4.1, llava, "
       "qwen2.5-vl), true or false. Models that cannot see get an image's description instead.",
       choices=("auto", "true", "false")),
    _s("reasoning_model", "OpenAI", "REASONING_MODEL", str, "o4-mini",
       "Model for tasks that ask for deeper reasoning (population plans, judges)."),
    _s("embedding_model", "OpenAI", "EMBEDDING_MODEL", str, "text-embedding-3-small",
       "Embedding model for semantic memory and grounding (the provider's model name); 'static' for offline "
       "word vectors (wordllama), 'local' for llama.cpp, 'lexical' for BM25 over words (no model).",
       request_level=True, wire="model"),
    _s("azure_embedding_model_api_version", "OpenAI", "AZURE_EMBEDDING_MODEL_API_VERSION", str, "2023-05-15",
       "Azure OpenAI API version for embeddings (the EMBEDDING_MODEL deployment)."),
    _s("embedding_batch_size", "OpenAI", "EMBEDDING_BATCH_SIZE", int, 128,
       "Most texts sent in one embeddings request.", valid=Range(1)),
    _s("local_embedding_model_path", "OpenAI", "LOCAL_EMBEDDING_MODEL_PATH", str, "",
       "A GGUF embedding model, used with the local provider; empty: offline static vectors or BM25 (the demo "
       "chat model embeds only with EMBEDDING_MODEL=local)."),
    _s("base_url", "OpenAI", "BASE_URL", str, "",
       "Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp server).",
       env=("OPENAI_BASE_URL",), url=True),
    _s("api_key", "OpenAI", "API_KEY", str, "",
       "API key. Prefer the OPENAI_API_KEY environment variable; never stored in caches.",
       env=("OPENAI_API_KEY",), secret=True),
    _s("azure_endpoint", "OpenAI", "AZURE_ENDPOINT", str, "",
       "Azure OpenAI endpoint URL.", env=("AZURE_OPENAI_ENDPOINT",), url=True),
    _s("azure_api_key", "OpenAI", "AZURE_API_KEY", str, "",
       "Azure OpenAI key; without one, an Entra ID token is used where azure-identity is installed.",
       env=("AZURE_OPENAI_KEY",), secret=True),
    _s("azure_api_version", "OpenAI", "AZURE_API_VERSION", str, "2024-08-01-preview",
       "Azure OpenAI API version."),
    _s("temperature", "OpenAI", "TEMPERATURE", float, 1.0, "Sampling temperature.", valid=Range(0, 2),
       request_level=True, wire="temperature"),
    _s("top_p", "OpenAI", "TOP_P", float, 1.0, "Nucleus sampling: the probability mass sampled from.",
       valid=Range(0, 1), request_level=True, wire="top_p"),
    _s("max_completion_tokens", "OpenAI", "MAX_COMPLETION_TOKENS", int, 4096,
       "Largest reply, in tokens.", aliases=("MAX_TOKENS",), valid=Range(1),
       request_level=True, wire="max_tokens"),
    _s("freq_penalty", "OpenAI", "FREQ_PENALTY", float, 0.0, "Frequency penalty.", valid=Range(-2, 2),
       request_level=True, wire="frequency_penalty"),
    _s("presence_penalty", "OpenAI", "PRESENCE_PENALTY", float, 0.0, "Presence penalty.", valid=Range(-2, 2),
       request_level=True, wire="presence_penalty"),
    _s("reasoning_effort", "OpenAI", "REASONING_EFFORT", str, "high",
       "Reasoning effort, sent to reasoning models only (which get no sampling parameters).",
       choices=("low", "medium", "high"), request_level=True, wire="reasoning_effort"),
    _s("timeout", "OpenAI", "TIMEOUT", float, 120.0, "Seconds to wait for one reply.", valid=Range(0, above=True)),
    _s("max_attempts", "OpenAI", "MAX_ATTEMPTS", int, 5,
       "Attempts per provider call on transient errors (timeouts, 429, 5xx): the retry wrapper's bound.",
       valid=Range(1, note="1 means a single attempt, no retries")),
    _s("structured_output_attempts", "OpenAI", "STRUCTURED_OUTPUT_ATTEMPTS", int, 0,
       "Replies asked for one structured answer (the first and its repairs) before giving up; "
       "0: as many as MAX_ATTEMPTS. At most MAX_ATTEMPTS x this many provider calls per answer.",
       valid=Range(0, note="0 means the same as MAX_ATTEMPTS")),
    _s("waiting_time", "OpenAI", "WAITING_TIME", float, 0.0, "Pause in seconds before each call.", valid=Range(0)),
    _s("exponential_backoff_factor", "OpenAI", "EXPONENTIAL_BACKOFF_FACTOR", float, 2.0,
       "Backoff multiplier between retries (with jitter).", valid=Range(1)),
    _s("max_concurrent_model_calls", "OpenAI", "MAX_CONCURRENT_MODEL_CALLS", int, 256,
       "Most model calls in flight at once: the ceiling of the adaptive window.",
       valid=Range(1, note="no value means 'no limit': for that, write a large number such as 1000")),
    _s("adaptive_concurrency", "OpenAI", "ADAPTIVE_CONCURRENCY", bool, True,
       "Shrink the calls in flight when the provider pushes back (429, timeouts, 5xx bursts), "
       "grow them back while calls succeed; off: always MAX_CONCURRENT_MODEL_CALLS."),
    _s("requests_per_minute", "OpenAI", "REQUESTS_PER_MINUTE", int, 0,
       "Request rate limit (0: none).", valid=Range(0, note="0 means no limit")),
    _s("tokens_per_minute", "OpenAI", "TOKENS_PER_MINUTE", int, 0, "Token rate limit (0: none).", valid=Range(0, note="0 means no limit")),
    _s("cache_api_calls", "OpenAI", "CACHE_API_CALLS", bool, False,
       "Cache LLM calls in a SQLite file; identical requests are answered from it."),
    _s("cache_file_name", "OpenAI", "CACHE_FILE_NAME", str, "tinytroupe_llm_cache.sqlite",
       "The LLM call cache file (relative paths are under the working directory)."),
    _s("cache_refresh", "OpenAI", "CACHE_REFRESH", bool, False,
       "With the cache on, call the model even when a reply is cached, and store the new reply."),
    _s("max_cost_per_run", "OpenAI", "MAX_COST_PER_RUN", float, 0.0,
       "Budget in dollars for one run (0: no limit); the run stops at a step boundary before going over.",
       valid=Range(0, note="0 means no limit")),
    _s("max_tokens_per_run", "OpenAI", "MAX_TOKENS_PER_RUN", int, 0,
       "Budget in tokens (in and out) for one run (0: no limit).", valid=Range(0, note="0 means no limit")),
    _s("max_calls_per_run", "OpenAI", "MAX_CALLS_PER_RUN", int, 0,
       "Budget in model calls for one run (0: no limit); cached calls do not count.",
       valid=Range(0, note="0 means no limit")),
    _s("max_cost_per_agent", "OpenAI", "MAX_COST_PER_AGENT", float, 0.0,
       "Budget in dollars for each agent's calls in one run (0: no limit).", valid=Range(0, note="0 means no limit")),
    _s("max_tokens_per_agent", "OpenAI", "MAX_TOKENS_PER_AGENT", int, 0,
       "Budget in tokens for each agent's calls in one run (0: no limit).", valid=Range(0, note="0 means no limit")),
    _s("max_calls_per_agent", "OpenAI", "MAX_CALLS_PER_AGENT", int, 0,
       "Budget in model calls for each agent in one run (0: no limit).", valid=Range(0, note="0 means no limit")),
    _s("max_content_display_length", "OpenAI", "MAX_CONTENT_DISPLAY_LENGTH", int, 1024,
       "Longest content shown by the console renderer.", valid=Range(1)),
    _s("structured_output_mode", "OpenAI", "STRUCTURED_OUTPUT_MODE", str, "auto",
       "How to ask for JSON: auto (try json_schema, then json_object, then prompt), or force one.",
       choices=("auto", "json_schema", "json_object", "prompt")),
    _s("seed", "OpenAI", "SEED", int, 0, "Seed sent to providers that take one (0: none).", valid=Range(0),
       request_level=True, wire="seed"),
    _s("local_model_path", "OpenAI", "LOCAL_MODEL_PATH", str, "",
       "A GGUF file for the local provider; empty: the SmolLM2-135M-Instruct demo model."),
    _s("local_context_size", "OpenAI", "LOCAL_CONTEXT_SIZE", int, 8192,
       "Context window of the local model, in tokens.", valid=Range(256)),
    _s("local_threads", "OpenAI", "LOCAL_THREADS", int, 0,
       "CPU threads for the local model (0: all cores).", valid=Range(0, note="0 means all cores")),
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
    _s("enable_continuous_contextual_semantic_memory_retrieval", "Cognition",
       "ENABLE_CONTINUOUS_CONTEXTUAL_SEMANTIC_MEMORY_RETRIEVAL", str, "auto",
       "Put the memories relevant to the moment into every turn's prompt: auto (on when an embedding "
       "model, not the lexical fallback, is in use), true or false.",
       choices=("auto", "true", "false", "yes", "no", "on", "off", "1", "0")),
    _s("semantic_retrieval_top_k", "Cognition", "SEMANTIC_RETRIEVAL_TOP_K", int, 7,
       "Most memories retrieved into one turn's prompt.", valid=Range(0, 100)),
    _s("reflection_interval", "Cognition", "REFLECTION_INTERVAL", int, 0,
       "Write higher-level reflections every N consolidations (0: never).", valid=Range(0)),
    _s("grounding_page_size", "Cognition", "GROUNDING_PAGE_SIZE", int, 4000,
       "Characters of a document shown per CONSULT (longer documents are truncated).", valid=Range(100)),
    _s("web_fetch_timeout", "Cognition", "WEB_FETCH_TIMEOUT", float, 20.0,
       "Seconds one web page for grounding may take, from connecting to its last byte (a deadline).",
       valid=Range(0, above=True)),
    _s("web_fetch_max_bytes", "Cognition", "WEB_FETCH_MAX_BYTES", int, 5_000_000,
       "Largest web page read for grounding, in bytes.", valid=Range(1000)),
    _s("grounding_file_max_bytes", "Cognition", "GROUNDING_FILE_MAX_BYTES", int, 50_000_000,
       "Largest local grounding file read, in bytes on disk.", valid=Range(1000)),
    _s("grounding_max_chars", "Cognition", "GROUNDING_MAX_CHARS", int, 5_000_000,
       "Most characters of text one grounding document (file or web page) may hold.",
       valid=Range(1000)),
    _s("grounding_max_unpacked_bytes", "Cognition", "GROUNDING_MAX_UNPACKED_BYTES", int, 200_000_000,
       "Largest decompressed size of a DOCX grounding file (its zip parts together), in bytes.",
       valid=Range(1000)),
    _s("grounding_pdf_max_pages", "Cognition", "GROUNDING_PDF_MAX_PAGES", int, 2000,
       "Most pages of a PDF grounding file.", valid=Range(1)),
    _s("min_episode_length", "Cognition", "MIN_EPISODE_LENGTH", int, 15,
       "Fewest events in an episode before consolidation.", valid=Range(1)),
    _s("max_episode_length", "Cognition", "MAX_EPISODE_LENGTH", int, 50,
       "Most events in an episode before it is consolidated.", valid=Range(1)),
    _s("episodic_memory_fixed_prefix_length", "Cognition", "EPISODIC_MEMORY_FIXED_PREFIX_LENGTH",
       int, 10, "First events always kept in the prompt.", valid=Range(0)),
    _s("episodic_memory_lookback_length", "Cognition", "EPISODIC_MEMORY_LOOKBACK_LENGTH", int, 20,
       "Most recent events kept in the prompt.", valid=Range(0)),
    _s("max_actions_per_turn", "Cognition", "MAX_ACTIONS_PER_TURN", int, 15,
       "Most actions in one act() turn; DONE is forced after that.", valid=Range(1)),
    # [ActionGenerator]
    _s("action_generator_max_attempts", "ActionGenerator", "MAX_ATTEMPTS", int, 2,
       "Regeneration attempts when quality checks fail.", valid=Range(1)),
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
       "Lowest acceptable judge score (0-9).", valid=Range(0, 9)),
    # [Logging] / [Display]
    _s("loglevel", "Logging", "LOGLEVEL", str, "ERROR",
       "Level of the tinytroupe logger (NONE: leave it to the application).",
       choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE")),
    _s("loglevel_console", "Logging", "LOGLEVEL_CONSOLE", str, "",
       "Log to standard error at this level (empty or NONE: no console log).",
       choices=("", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE")),
    _s("loglevel_file", "Logging", "LOGLEVEL_FILE", str, "",
       "Log to tinytroupe.<timestamp>.log in the working directory at this level (empty or NONE: no file).",
       choices=("", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE")),
    _s("log_include_thread_id", "Logging", "LOG_INCLUDE_THREAD_ID", bool, False,
       "Name the thread in each log line."),
    _s("display", "Display", "DISPLAY", str, "auto",
       "Console rendering of events: auto (on when interactive), on, off.",
       choices=("auto", "on", "off")),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
_BY_SECTION_KEY: dict[tuple[str, str], Setting] = {}
for _setting in SETTINGS:
    for _k in (_setting.key, *_setting.aliases):
        _BY_SECTION_KEY[(_setting.section.lower(), _k.lower())] = _setting

# the names TinyTroupe's config_manager gives [ActionGenerator] keys ("action_generator_quality_threshold")
_NAME_ALIASES: dict[str, str] = {
    f"action_generator_{s.key.lower()}": s.name for s in SETTINGS
    if s.section == "ActionGenerator" and not s.name.startswith("action_generator_")
}


def _canonical(name: str) -> str:
    """A setting's name from its name or the original's alias for it (lower case)."""
    name = name.lower()
    return _NAME_ALIASES.get(name, name)


FREE_SECTIONS = frozenset({"prices"})  # sections whose keys are not settings ([Prices]: model = prices)


def add_choice(name: str, value: str) -> None:
    """Accept ``value`` for the setting ``name`` from now on (e.g. a registered client's API_TYPE)."""
    extensions.register(f"choice:{name}", value.lower(), True)


def remove_choice(name: str, value: str) -> None:
    """Stop accepting a value given to :func:`add_choice`."""
    extensions.unregister(f"choice:{name}", value.lower())


def _extra_choices(name: str) -> set[str]:
    """The values registered with :func:`add_choice` for the setting ``name``."""
    return set(extensions.table(f"choice:{name}"))


def setting_named(name: str) -> Setting:
    """The declaration of setting ``name`` (lower-case, e.g. ``"temperature"``)."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise ConfigError(f"unknown setting {name!r}; known settings: {', '.join(sorted(_BY_NAME))}") from None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _convert(setting: Setting, raw: Any, where: str) -> Any:
    """Convert ``raw`` to the setting's type and check its range and choices, or raise a
    ConfigError that names where (file, environment variable...), section, key, value and
    what is valid."""
    def fail(expected: str) -> ConfigError:
        note = f" ({setting.valid.note})" if setting.valid is not None and setting.valid.note else ""
        return ConfigError(
            f"{where}: [{setting.section}] {setting.key} = {raw!r} is not valid; expected {expected}{note}."
        )

    if isinstance(raw, str):
        raw = raw.strip()
    if setting.type is bool:
        return _to_bool(raw, fail)
    if setting.type in (int, float):
        return _to_number(setting, raw, fail)
    value = "" if raw is None else str(raw)
    if setting.choices is not None:
        normal = value.upper() if setting.name.startswith("loglevel") else value.lower()
        allowed = setting.choices + tuple(sorted(_extra_choices(setting.name) - set(setting.choices)))
        if normal not in allowed:
            hint = (" (or the name of a client registered with tinytroupe.clients.register_client)"
                    if setting.name == "api_type" else "")
            raise fail("one of " + ", ".join(allowed) + hint)
        value = normal
    return value


def _to_bool(raw: Any, fail: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise fail("true or false (also yes/no, on/off, 1/0)")


def _to_number(setting: Setting, raw: Any, fail: Any) -> int | float:
    expected = setting.valid.describe(setting.type) if setting.valid is not None else (
        "a whole number" if setting.type is int else "a finite number")
    if isinstance(raw, bool):
        raise fail(expected)
    try:
        if setting.type is int:
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError(raw)
            value: int | float = int(raw)
        else:
            value = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise fail(expected) from None
    if not math.isfinite(value) or (setting.valid is not None and not setting.valid.accepts(value)):
        raise fail(expected)
    return value
