"""An agent's settings, resolved once when the agent is built (the configuration is the default source)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tinytroupe.runtime import current_runtime

__all__ = ["AgentSettings", "ACTION_GENERATOR_SETTINGS"]

# an ActionGenerator field -> the setting that gives its default
ACTION_GENERATOR_SETTINGS: tuple[tuple[str, str], ...] = tuple(
    (name, "action_generator_max_attempts" if name == "max_attempts" else name) for name in (
        "max_attempts", "enable_quality_checks", "enable_regeneration", "enable_direct_correction",
        "enable_quality_check_for_persona_adherence", "enable_quality_check_for_selfconsistency",
        "enable_quality_check_for_fluency", "enable_quality_check_for_suitability",
        "enable_quality_check_for_similarity", "continue_on_failure", "quality_threshold"))


@dataclass(frozen=True)
class AgentSettings:
    """How an agent behaves; change one with ``agent.settings = agent.settings.replace(...)``.

    ``enable_quality_checks`` None follows ``ENABLE_QUALITY_CHECKS``; ``schema_max_actions``
    None allows ``max_actions_per_turn`` actions in one reply (a small model may report a
    lower cap of its own).
    """

    strict: bool = False
    enable_quality_checks: bool | None = None
    repetition_guard: bool = True
    schema_max_actions: int | None = None
    max_actions_per_turn: int = 15
    max_episode_length: int = 50
    enable_memory_consolidation: bool = True
    episodic_prefix: int = 10
    episodic_lookback: int = 20
    max_completion_tokens: int = 4096
    quality_checks_default: bool = False
    semantic_retrieval: str = "auto"  # memories retrieved into each prompt: "auto", or a yes/no
    semantic_top_k: int = 7
    reflection_interval: int = 0
    min_episode_length: int = 15
    action_generator: tuple[tuple[str, Any], ...] = ()  # the [ActionGenerator] settings, by name

    @classmethod
    def from_config(cls, **overrides: Any) -> AgentSettings:
        """The settings the current runtime gives now, with ``overrides`` (None values ignored)."""
        values = dict(_configured())
        values.update({k: v for k, v in overrides.items() if v is not None or k == "enable_quality_checks"})
        return cls(**values)

    def replace(self, **changes: Any) -> AgentSettings:
        return dataclasses.replace(self, **changes)

    @property
    def quality_checks(self) -> bool:
        """Whether turns are judged (the agent's own choice, else the configuration's)."""
        return self.quality_checks_default if self.enable_quality_checks is None else bool(self.enable_quality_checks)

    def to_state(self) -> dict[str, Any]:
        """The per-agent choices worth saving (the rest comes from the configuration on load)."""
        return {"strict": self.strict, "enable_quality_checks": self.enable_quality_checks,
                "schema_max_actions": self.schema_max_actions, "repetition_guard": self.repetition_guard}

    def with_state(self, state: dict[str, Any]) -> AgentSettings:
        """These settings with the saved choices of :meth:`to_state` applied."""
        cap = state.get("schema_max_actions", self.schema_max_actions)
        return self.replace(strict=bool(state.get("strict", self.strict)),
                            enable_quality_checks=state.get("enable_quality_checks", self.enable_quality_checks),
                            schema_max_actions=None if cap is None else int(cap),
                            repetition_guard=bool(state.get("repetition_guard", self.repetition_guard)))


_CONFIGURED_PART = "agent.configured_settings"


def _configured() -> dict[str, Any]:
    """The agent settings that come from the current runtime's resolved settings, worked out once
    per settings snapshot (kept in the runtime, next to the snapshot they came from)."""
    runtime = current_runtime()
    settings = runtime.settings
    kept = runtime.part(_CONFIGURED_PART)
    if kept is not None and kept[0] is settings:
        return kept[1]
    get = settings.__getitem__
    values: dict[str, Any] = {
        "max_actions_per_turn": max(1, int(get("max_actions_per_turn"))),
        "max_episode_length": int(get("max_episode_length")),
        "enable_memory_consolidation": bool(get("enable_memory_consolidation")),
        "episodic_prefix": int(get("episodic_memory_fixed_prefix_length")),
        "episodic_lookback": int(get("episodic_memory_lookback_length")),
        "max_completion_tokens": int(get("max_completion_tokens")),
        "quality_checks_default": bool(get("enable_quality_checks")),
        "semantic_retrieval": str(get("enable_continuous_contextual_semantic_memory_retrieval")).lower(),
        "semantic_top_k": int(get("semantic_retrieval_top_k")),
        "reflection_interval": int(get("reflection_interval")),
        "min_episode_length": int(get("min_episode_length")),
        "action_generator": tuple((name, get(key)) for name, key in ACTION_GENERATOR_SETTINGS),
    }
    runtime.set_part(_CONFIGURED_PART, (settings, values))
    return values
