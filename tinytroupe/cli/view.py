"""The live conversation view of the CLI: the console renderer, minus what would be said twice.

A TALK is shown once, as the speaker's action, not again as each listener's stimulus; a
broadcast is shown once, addressed to everyone, not once per agent.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from tinytroupe import events
from tinytroupe.contracts import AgentStimulus
from tinytroupe.ui.console import ConsoleRenderer

__all__ = ["ConversationView", "RENDERED_KINDS"]

RENDERED_KINDS = ("agent.", "world.step", "world.intervention", "world.delivery_dropped",
                  "world.reach_out_refused", "factory.person")


class ConversationView:
    """A subscriber that renders agent and world events to ``console`` while open."""

    def __init__(self, console: Console):
        self.renderer = ConsoleRenderer(console=console, show_done=False)
        self._lock = threading.Lock()
        self._addressee: str | None = None
        self._shown_group = False
        self._unsubscribe = events.subscribe(self, RENDERED_KINDS)

    def __call__(self, event: events.Event) -> None:
        if event.kind == "agent.stimulus":
            data = event.data
            stimulus: AgentStimulus = event.payload
            if stimulus.sender and stimulus.type == "CONVERSATION":
                return  # the speaker's TALK was shown already
            with self._lock:
                if self._addressee is not None:
                    if self._shown_group:
                        return
                    self._shown_group = True
                    event = dataclasses.replace(event, data={**data, "agent": self._addressee})
        self.renderer(event)

    @contextmanager
    def addressed_to(self, label: str) -> Iterator[None]:
        """Inside this block, stimuli are shown once, addressed to ``label`` (e.g. ``everyone``)."""
        with self._lock:
            self._addressee, self._shown_group = label, False
        try:
            yield
        finally:
            with self._lock:
                self._addressee = None

    def close(self) -> None:
        """Stop rendering."""
        self._unsubscribe()
