"""Reading the original TinyTroupe's saved episodic memory into :class:`MemoryEvent` objects.

The original saves ``episodic_memory`` as ``{"memory": [...], "episodic_buffer": [...]}`` (or a
bare list) of chat-style items: ``{"role": "user", "type": "stimulus", "content": {"stimuli":
[{"type", "content", "source"}]}, "simulation_timestamp"}`` for what was perceived,
``{"role": "assistant", "type": "action", "content": {"action": {"type", "content",
"target"}, "cognitive_state": {...}}}`` for what was done, and ``feedback`` items. Each
stimulus and action becomes one event, a text item a note; the original's omission notes,
system items and items of no known shape are dropped. An item stored without ``role``
(``{"type": "experience", "content": ...}``) is kept as a note of that type, and
:func:`original_item` shows any event back in the original's item shape.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["is_legacy_item", "legacy_items", "events_from_legacy", "events_from_roleless", "original_item"]

_LEGACY_ROLES = ("user", "assistant", "system")


def is_legacy_item(item: Any) -> bool:
    """Whether ``item`` is one of the original's chat-style memory items."""
    return isinstance(item, dict) and item.get("role") in _LEGACY_ROLES


def legacy_items(state: Any) -> list[Any] | None:
    """The items of an original-format episodic memory (dict or list), or None when it is not one."""
    if isinstance(state, dict) and ("memory" in state or "episodic_buffer" in state):
        return list(state.get("memory") or []) + list(state.get("episodic_buffer") or [])
    if isinstance(state, list) and state and all(is_legacy_item(i) for i in state):
        return list(state)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse(content: Any) -> Any:
    if isinstance(content, str):
        try:
            return json.loads(content)
        except ValueError:
            return content
    return content


def events_from_legacy(items: list[Any]) -> list[dict[str, Any]]:
    """Event dicts (as :meth:`MemoryEvent.from_dict` reads them) for the original's items."""
    out: list[dict[str, Any]] = []
    for item in items:
        if not is_legacy_item(item) or item.get("role") == "system":
            continue
        when = item.get("simulation_timestamp")
        when = str(when) if when else None
        content = _parse(item.get("content"))
        kind = item.get("type")
        if isinstance(content, dict) and isinstance(content.get("stimuli"), list):
            for s in content["stimuli"]:
                if isinstance(s, dict):
                    out.append({"role": "stimulus", "type": str(s.get("type") or "CONVERSATION"),
                                "content": _text(s.get("content", "")), "source": str(s.get("source") or ""),
                                "sim_time": when})
        elif isinstance(content, dict) and isinstance(content.get("action"), dict):
            a = content["action"]
            out.append({"role": "action", "type": str(a.get("type") or "THINK"), "content": _text(a.get("content", "")),
                        "target": str(a.get("target") or ""), "sim_time": when})
        elif not isinstance(content, str) or ("omitted" in content and "memor" in content):
            continue  # unreadable, or the original's "memories omitted" marker
        else:
            out.append({"role": "note", "type": "FEEDBACK" if kind == "feedback" else str(kind or "NOTE").upper(),
                        "content": content, "sim_time": when})
    return out


def events_from_roleless(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Event dicts for an item stored without ``role``: a stimulus or action in the original's
    content shape, else a note that keeps the item's own ``type`` (``{"type": "test", ...}``)."""
    content = _parse(item.get("content"))
    if isinstance(content, dict) and isinstance(content.get("stimuli"), list):
        return events_from_legacy([{**item, "role": "user"}])
    if isinstance(content, dict) and isinstance(content.get("action"), dict):
        return events_from_legacy([{**item, "role": "assistant"}])
    when = item.get("simulation_timestamp") or item.get("timestamp")
    return [{"role": "note", "type": str(item.get("type")), "content": _text(content if content is not None else ""),
             "sim_time": str(when) if when else None}]


def original_item(event: Any) -> dict[str, Any]:
    """``event`` (a MemoryEvent) as the original's memory item: ``role`` ``user`` with
    ``{"stimuli": [...]}`` for a stimulus, ``assistant`` with ``{"action": ...}`` for an action,
    ``system`` feedback for the agent's own notes; a note stored without a role has none."""
    when = event.sim_time
    if event.role == "stimulus":
        stimulus = {"type": event.type, "content": event.content, "source": event.source}
        return {"role": "user", "type": "stimulus", "content": {"stimuli": [stimulus]}, "simulation_timestamp": when}
    if event.role == "action":
        action = {"type": event.type, "content": event.content, "target": event.target}
        return {"role": "assistant", "type": "action", "content": {"action": action, "cognitive_state": {}},
                "simulation_timestamp": when}
    if event.type.isupper():  # the agent's own bookkeeping (FEEDBACK, FALLBACK, OMISSION...)
        return {"role": "system", "type": "feedback", "content": event.content, "simulation_timestamp": when}
    return {"type": event.type, "content": event.content, "simulation_timestamp": when}
