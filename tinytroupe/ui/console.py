"""The rich console renderer: shows agent, world and factory events in a familiar coloured form.

    USER --> Lisa: [CONVERSATION]
      > Tell me about your work
    Lisa acts: [THINK]
      > ...
    Lisa --> Oscar: [TALK]
      > ...

It is a subscriber to :mod:`tinytroupe.events` and reads each event's typed payload
(:mod:`tinytroupe.contracts`); nothing else prints. Events whose payload has
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
from tinytroupe.contracts import (
    AgentAction,
    AgentFallback,
    AgentGuard,
    AgentQuality,
    AgentStimulus,
    FactoryPerson,
    ReportDisplay,
    StorySection,
    ToolDocumentWritten,
    ToolFailed,
    ToolRealWorldSideEffects,
    WorldDeliveryDropped,
    WorldIntervention,
    WorldReachOutRefused,
    WorldStep,
)
from tinytroupe.runtime import current_runtime

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
          "world.reach_out_refused", "factory.person", "report.display", "tool.", "story.section")


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
        payload = event.payload
        if getattr(payload, "display", True) is False:
            return
        handler = getattr(self, "_on_" + event.kind.replace(".", "_"), None)
        if handler is not None:
            handler(event, payload)

    def _on_agent_stimulus(self, event: events.Event, p: AgentStimulus) -> None:
        who = p.sender or "USER"
        self._block(f"{who} --> {p.agent}: [{p.type}]", STYLES.get(p.type, "cyan"), str(p.content or ""))

    def _on_agent_action(self, event: events.Event, p: AgentAction) -> None:
        if p.type == "DONE" and not self.show_done:
            return
        style = STYLES.get(p.type, _DEFAULT_ACTION_STYLE)
        header = f"{p.agent} --> {p.target}: [{p.type}]" if p.target else f"{p.agent} acts: [{p.type}]"
        self._block(header, style, str(p.content or ""))

    def _on_agent_fallback(self, event: events.Event, p: AgentFallback) -> None:
        self._block(f"{p.agent} could not act normally (fallback)", STYLES["fallback"], p.error)

    def _on_agent_guard(self, event: events.Event, p: AgentGuard) -> None:
        self._block(f"{p.agent}: turn stopped ({p.reason})", STYLES["note"], str(p.note or ""))

    def _on_agent_quality(self, event: events.Event, p: AgentQuality) -> None:
        verdict = "passed" if p.passed else "below threshold"
        self._block(f"{p.agent}: quality {p.score}/9 ({verdict})", STYLES["note"], str(p.feedback or ""))

    def _on_world_step(self, event: events.Event, p: WorldStep) -> None:
        when = f" — {event.sim_time}" if event.sim_time else ""
        title = f"{p.world or event.source or 'world'} step {p.step if p.step is not None else '?'}{when}"
        self.console.print(Rule(title, style="bold blue"))

    def _on_world_intervention(self, event: events.Event, p: WorldIntervention) -> None:
        self._block(f"Intervention {p.name!s} applied in {p.world}", "bold magenta", "")

    def _on_world_delivery_dropped(self, event: events.Event, p: WorldDeliveryDropped) -> None:
        self._block(f"{p.agent} --> {p.target}: not delivered", STYLES["note"], str(p.reason or ""))

    def _on_world_reach_out_refused(self, event: events.Event, p: WorldReachOutRefused) -> None:
        self._block(f"{p.agent} could not reach {p.target}", STYLES["note"], str(p.reason or ""))

    def _on_report_display(self, event: events.Event, p: ReportDisplay) -> None:
        from rich.markdown import Markdown

        if p.title:
            self.console.rule(str(p.title))
        self.console.print(Markdown(str(p.content or "")))

    def _on_tool_real_world_side_effects(self, event: events.Event, p: ToolRealWorldSideEffects) -> None:
        self._block(f"WARNING ({p.agent} uses {p.tool})", "bold red", str(p.message or ""))

    def _on_tool_failed(self, event: events.Event, p: ToolFailed) -> None:
        self._block(f"{p.agent}: {p.action} with the {p.tool} failed", STYLES["note"], str(p.error or ""))

    def _on_tool_document_written(self, event: events.Event, p: ToolDocumentWritten) -> None:
        self._block(f"{p.author or event.source} wrote '{p.title}'", "bold blue", ", ".join(p.files or []))

    def _on_story_section(self, event: events.Event, p: StorySection) -> None:
        self._block(f"Story ({p.heading})", "bold magenta", str(p.text or ""))

    def _on_factory_person(self, event: events.Event, p: FactoryPerson) -> None:
        self._block(f"Generated person: {p.name}", "bold blue", "")


class _Switch:
    """The console display of one runtime: the subscribed renderer (with its unsubscribe), and
    whether it was turned off."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed: tuple[ConsoleRenderer, Any] | None = None
        self.disabled = False


def _switch() -> _Switch:
    """The display switch of the current runtime (the renderer subscribes to that runtime's events)."""
    return current_runtime().part("ui.console", _Switch)


def install_default_renderer(renderer: ConsoleRenderer | None = None) -> ConsoleRenderer | None:
    """Subscribe the console renderer once (unless display was disabled); returns it."""
    switch = _switch()
    with switch.lock:
        if switch.disabled:
            return None
        if switch.installed is None:
            chosen = renderer or ConsoleRenderer()
            switch.installed = (chosen, events.subscribe(chosen, _KINDS))
        return switch.installed[0]


def enable(renderer: ConsoleRenderer | None = None) -> ConsoleRenderer | None:
    """Turn the console display on (in the current runtime: the default one in plain scripts)."""
    switch = _switch()
    with switch.lock:
        switch.disabled = False
    return install_default_renderer(renderer)


def disable() -> None:
    """Turn the console display off (in the current runtime) until :func:`enable`."""
    switch = _switch()
    with switch.lock:
        switch.disabled = True
        if switch.installed is not None:
            switch.installed[1]()
            switch.installed = None


def is_enabled() -> bool:
    """Whether the console renderer is currently subscribed (in the current runtime)."""
    return _switch().installed is not None


def print_block(text: str, console: Console | None = None) -> None:
    """Print ``text`` as it is (no markup), for the original's ``pp_*`` helpers."""
    (console or Console(highlight=False)).print(Text(text))
