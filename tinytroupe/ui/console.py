"""The rich console renderer: shows agent, world and factory events in a familiar coloured form.

    USER --> Lisa: [CONVERSATION]
      > Tell me about your work
    Lisa acts: [THINK]
      > ...
    Lisa --> Oscar: [TALK]
      > ...

It is a subscriber to :mod:`tinytroupe.events`; nothing else prints. Events carrying
``display=False`` (a call made with ``communication_display=False``) are skipped.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from tinytroupe import events
from tinytroupe.config import config_manager

__all__ = ["ConsoleRenderer", "install_default_renderer", "enable", "disable", "is_enabled", "print_block", "STYLES"]

STYLES: dict[str, str] = {
    "CONVERSATION": "bold italic cyan",
    "VISUAL": "bold italic bright_magenta",
    "THOUGHT": "dim italic cyan",
    "INTERNAL_GOAL_FORMULATION": "italic cyan",
    "SOCIAL": "italic bright_cyan",
    "TALK": "bold green",
    "THINK": "green",
    "REACH_OUT": "bold bright_green",
    "DONE": "dim grey50",
    "fallback": "bold yellow",
    "note": "dim yellow",
}
_DEFAULT_ACTION_STYLE = "bright_green"

_KINDS = ("agent.", "world.step", "world.intervention", "world.delivery_dropped",
          "world.reach_out_refused", "factory.person", "report.display")


class ConsoleRenderer:
    """Render events to a rich :class:`~rich.console.Console` (stdout by default)."""

    def __init__(self, console: Console | None = None, max_content_length: int | None = None,
                 show_done: bool = True):
        self.console = console or Console(highlight=False)
        self.max_content_length = max_content_length
        self.show_done = show_done

    def _clip(self, text: str) -> str:
        limit = self.max_content_length or int(config_manager.get("max_content_display_length"))
        return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"

    def _block(self, header: str, style: str, content: str) -> None:
        line = Text(header, style=style)
        if content:
            body = self._clip(content).replace("\n", "\n    ")
            line.append("\n  > " + body, style=style.replace("bold ", ""))
        self.console.print(line)

    def __call__(self, event: events.Event) -> None:
        data: dict[str, Any] = event.data
        if data.get("display") is False:
            return
        handler = getattr(self, "_on_" + event.kind.replace(".", "_"), None)
        if handler is not None:
            handler(event, data)

    def _on_agent_stimulus(self, event: events.Event, data: dict[str, Any]) -> None:
        kind = data.get("type", "")
        who = data.get("sender") or "USER"
        self._block(f"{who} --> {data.get('agent')}: [{kind}]", STYLES.get(kind, "cyan"), data.get("content", ""))

    def _on_agent_action(self, event: events.Event, data: dict[str, Any]) -> None:
        kind = data.get("type", "")
        if kind == "DONE" and not self.show_done:
            return
        style = STYLES.get(kind, _DEFAULT_ACTION_STYLE)
        if data.get("target"):
            header = f"{data.get('agent')} --> {data['target']}: [{kind}]"
        else:
            header = f"{data.get('agent')} acts: [{kind}]"
        self._block(header, style, data.get("content", ""))

    def _on_agent_fallback(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"{data.get('agent')} could not act normally (fallback)", STYLES["fallback"],
                    str(data.get("error", "")))

    def _on_agent_guard(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"{data.get('agent')}: turn stopped ({data.get('reason')})", STYLES["note"],
                    str(data.get("note", "")))

    def _on_agent_quality(self, event: events.Event, data: dict[str, Any]) -> None:
        verdict = "passed" if data.get("passed") else "below threshold"
        self._block(f"{data.get('agent')}: quality {data.get('score')}/9 ({verdict})", STYLES["note"],
                    str(data.get("feedback", "")))

    def _on_world_step(self, event: events.Event, data: dict[str, Any]) -> None:
        when = f" — {event.sim_time or data.get('sim_time')}" if (event.sim_time or data.get("sim_time")) else ""
        title = f"{data.get('world', event.source or 'world')} step {data.get('step', '?')}{when}"
        self.console.print(Rule(title, style="bold blue"))

    def _on_world_intervention(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"Intervention {data.get('name')!s} applied in {data.get('world')}", "bold magenta", "")

    def _on_world_delivery_dropped(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"{data.get('agent')} --> {data.get('target')}: not delivered", STYLES["note"],
                    str(data.get("reason", "")))

    def _on_world_reach_out_refused(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"{data.get('agent')} could not reach {data.get('target')}", STYLES["note"],
                    str(data.get("reason", "")))

    def _on_report_display(self, event: events.Event, data: dict[str, Any]) -> None:
        from rich.markdown import Markdown

        if data.get("title"):
            self.console.rule(str(data["title"]))
        self.console.print(Markdown(str(data.get("content", ""))))

    def _on_factory_person(self, event: events.Event, data: dict[str, Any]) -> None:
        self._block(f"Generated person: {data.get('name')}", "bold blue", "")


_lock = threading.Lock()
_installed: tuple[ConsoleRenderer, Any] | None = None
_disabled = False


def install_default_renderer(renderer: ConsoleRenderer | None = None) -> ConsoleRenderer | None:
    """Subscribe the console renderer once (unless display was disabled); returns it."""
    global _installed
    with _lock:
        if _disabled:
            return None
        if _installed is None:
            chosen = renderer or ConsoleRenderer()
            _installed = (chosen, events.subscribe(chosen, _KINDS))
        return _installed[0]


def enable(renderer: ConsoleRenderer | None = None) -> ConsoleRenderer | None:
    """Turn the console display on for this process."""
    global _disabled
    with _lock:
        _disabled = False
    return install_default_renderer(renderer)


def disable() -> None:
    """Turn the console display off for this process (until :func:`enable`)."""
    global _installed, _disabled
    with _lock:
        _disabled = True
        if _installed is not None:
            _installed[1]()
            _installed = None


def is_enabled() -> bool:
    """Whether the console renderer is currently subscribed."""
    return _installed is not None


def print_block(text: str, console: Console | None = None) -> None:
    """Print ``text`` as it is (no markup), for the original's ``pp_*`` helpers."""
    (console or Console(highlight=False)).print(Text(text))
