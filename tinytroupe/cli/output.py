"""How the CLI talks: human text on stdout, errors on stderr, ``--json`` for machines, ``--quiet``.

One :class:`Output` is made per invocation (so tests that swap ``sys.stdout`` see its text).
Rich turns colours off by itself when the stream is not a terminal (a pipe or a file), and
honours ``NO_COLOR``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape

from tinytroupe.cli.view import ConversationView

__all__ = ["Output"]

def _console(stderr: bool = False) -> Console:
    # a pipe gets no colour and no wrapping at 80 columns (lines stay whole for grep and files)
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else int(os.environ.get("COLUMNS", "0") or 0) or 100
    return Console(stderr=stderr, highlight=False, width=width, soft_wrap=not probe.is_terminal)


@dataclass
class Output:
    """The invocation's output settings and consoles."""

    quiet: bool = False
    json: bool = False
    debug: bool = False
    out: Console = field(default_factory=_console)
    err: Console = field(default_factory=lambda: _console(stderr=True))

    @property
    def chatty(self) -> bool:
        """Whether human-oriented text (progress, conversation, notes) is shown."""
        return not (self.quiet or self.json)

    @property
    def interactive(self) -> bool:
        """Whether stdout is a terminal (live progress bars only make sense there)."""
        return self.out.is_terminal

    def say(self, text: str, style: str | None = None, markup: bool = False) -> None:
        """Human text on stdout, unless quiet or JSON."""
        if self.chatty:
            self.out.print(text if markup else escape(text), style=style)

    def result(self, text: str, style: str | None = None) -> None:
        """The essential human result (e.g. where files were written): shown even when quiet."""
        if not self.json:
            self.out.print(escape(text), style=style)

    def note(self, text: str) -> None:
        """A remark on stderr (warnings, the demo-model notice), unless quiet or JSON."""
        if self.chatty:
            self.err.print(escape(text), style="yellow")

    def error(self, text: str) -> None:
        """One clean error line on stderr, always."""
        self.err.print(escape(f"error: {text}"), style="bold red", soft_wrap=True)

    def emit_json(self, data: Any) -> None:
        """One JSON document on stdout (the ``--json`` result)."""
        self.out.file.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        self.out.file.flush()

    def conversation(self) -> ConversationView | None:
        """A live view of agent and world events on stdout (None when quiet or JSON); close it after."""
        return ConversationView(self.out) if self.chatty else None
