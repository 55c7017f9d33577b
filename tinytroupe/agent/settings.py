"""An agent's settings, resolved once when the agent is built (the configuration is the default source)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tinytroupe.config import config_manager

__all__ = ["AgentSettings"]


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

    @classmethod
    def from_config(cls, **overrides: Any) -> AgentSettings:
        """The settings the configuration gives now, with ``overrides`` (None values ignored)."""
        get = config_manager.get
        values: dict[str, Any] = {
            "max_actions_per_turn": max(1, int(get("max_actions_per_turn"))),
            "max_episode_length": int(get("max_episode_length")),
            "enable_memory_consolidation": bool(get("enable_memory_consolidation")),
            "episodic_prefix": int(get("episodic_memory_fixed_prefix_length")),
            "episodic_lookback": int(get("episodic_memory_lookback_length")),
            "max_completion_tokens": int(get("max_completion_tokens")),
            "quality_checks_default": bool(get("enable_quality_checks")),
        }
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
