"""Agent-turn replies for tests: :mod:`tinytroupe.llm.providers.scripted_replies` under its test-tool name."""

from tinytroupe.llm.providers.scripted_replies import (
    act_reply,
    is_judge_request,
    is_turn_request,
    judge_reply,
    request_agent,
    request_targets,
    talk_responder,
)

__all__ = [
    "act_reply",
    "judge_reply",
    "talk_responder",
    "request_agent",
    "request_targets",
    "is_turn_request",
    "is_judge_request",
]
