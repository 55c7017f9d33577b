"""``tinytroupe chat AGENT``: talk with one agent in the terminal (or through a pipe).

Each line you type is said to the agent, who then acts; what it says and thinks is shown.
``/quit`` (or end of input) ends the chat; ``/save FILE`` writes the conversation so far
(Markdown for ``.md``, the agent with its memory for ``.agent.json``, else JSON lines).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.markup import escape

from tinytroupe import events
from tinytroupe.cli.output import Output
from tinytroupe.errors import SpecificationError

if TYPE_CHECKING:
    from tinytroupe.agent import TinyPerson
    from tinytroupe.contracts import Agent

__all__ = ["chat", "load_agent", "ChatSession"]

HELP = "Type a message and press Enter. Commands: /save FILE, /help, /quit."


def load_agent(ref: str) -> TinyPerson:
    """An agent from a ``*.agent.json`` file, or a shipped example by name (``lisa``)."""
    from tinytroupe.agent import TinyPerson

    path = Path(ref).expanduser()
    if path.is_file():
        return TinyPerson.load_specification(path, auto_rename=True)
    if path.suffix == ".json" or "/" in ref:
        raise SpecificationError(f"{ref}: agent file not found; give an existing *.agent.json file "
                                 "or the name of a shipped example (lisa, oscar, marcos).")
    from tinytroupe.examples import load_example_agent

    return load_example_agent(ref, auto_rename=True)


class ChatSession:
    """One conversation: feeds lines to the agent, shows and records what happens."""

    def __init__(self, agent: Agent, output: Output, user: str = "You"):
        self.agent = agent
        self.output = output
        self.user = user
        self.events: list[events.Event] = []

    def _on_event(self, event: events.Event) -> None:
        if event.source != self.agent.name:
            return
        self.events.append(event)
        data = event.data
        if event.kind != "agent.action" or data.get("type") == "DONE":
            return
        if self.output.json:
            self.output.emit_json({"agent": self.agent.name, "type": data.get("type"),
                                   "content": data.get("content"), "target": data.get("target") or None})
        elif data.get("type") == "TALK":
            self.output.out.print(f"[bold green]{escape(self.agent.name)}:[/] {escape(str(data.get('content')))}")
        elif not self.output.quiet:
            self.output.out.print(f"[dim]({escape(self.agent.name)} {str(data.get('type')).lower()}s: "
                                  f"{escape(str(data.get('content')))})[/]")

    def say(self, text: str) -> None:
        """Say ``text`` to the agent and let it act."""
        unsubscribe = events.subscribe(self._on_event, ("agent.",))
        try:
            self.agent.listen_and_act(text, source=self.user)
        finally:
            unsubscribe()

    def save(self, target: str) -> Path:
        """Write the conversation to ``target`` (format chosen by its name)."""
        path = Path(target).expanduser()
        if path.name.endswith(".agent.json"):
            self.agent.save_specification(path, include_memory=True)
        elif path.suffix == ".md":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.markdown(), encoding="utf-8")
        else:
            from tinytroupe.environment.transcript import save_transcript

            save_transcript(path, self.events)
        return path

    def markdown(self) -> str:
        """The conversation as Markdown."""
        lines = [f"# Chat with {self.agent.name}", ""]
        for event in self.events:
            data = event.data
            if event.kind == "agent.stimulus":
                lines.append(f"**{data.get('sender') or self.user}:** {data.get('content')}")
            elif event.kind == "agent.action" and data.get("type") == "TALK":
                lines.append(f"**{self.agent.name}:** {data.get('content')}")
            elif event.kind == "agent.action" and data.get("type") not in ("DONE", None):
                lines.append(f"*{self.agent.name} ({str(data.get('type')).lower()}): {data.get('content')}*")
            else:
                continue
            lines.append("")
        return "\n".join(lines)

    def command(self, line: str) -> bool:
        """Handle a ``/command``; False when the chat should end."""
        name, _, arg = line[1:].partition(" ")
        if name in ("quit", "exit", "q"):
            return False
        if name == "save":
            if not arg.strip():
                self.output.error("/save needs a file name, e.g. /save chat.md")
            else:
                self.output.result(f"Conversation saved to {self.save(arg.strip())}")
        elif name == "help":
            self.output.say(HELP)
        else:
            self.output.error(f"unknown command /{name}. {HELP}")
        return True

    def loop(self, stream: TextIO) -> int:
        """Read lines until /quit or end of input; returns how many messages were said."""
        said = 0
        interactive = stream.isatty()
        while True:
            if interactive:
                self.output.out.print(f"[bold cyan]{escape(self.user)}>[/] ", end="")
            line = stream.readline()
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not self.command(line):
                    break
                continue
            self.say(line)
            said += 1
        return said


def chat(
    ctx: typer.Context,
    agent_ref: Annotated[str, typer.Argument(metavar="AGENT", help="An *.agent.json file or a shipped example name.")],
    save: Annotated[Path | None, typer.Option("--save", "-s", help="Save the conversation here when it ends.")] = None,
) -> None:
    """Talk with one agent; /quit ends, /save FILE saves the conversation."""
    from tinytroupe.cli.run import announce_model

    output: Output = ctx.obj
    agent = load_agent(agent_ref)
    announce_model(output)
    output.say(f"Chatting with {agent.name}. {agent.minibio(extended=False)}", style="bold")
    output.say(HELP, style="dim")
    session = ChatSession(agent, output)
    try:
        session.loop(sys.stdin)
    except KeyboardInterrupt:
        output.say("")
    if save is not None:
        output.result(f"Conversation saved to {session.save(str(save))}")
    if output.json:
        output.emit_json({"agent": agent.name, "messages": sum(1 for e in session.events
                                                              if e.kind == "agent.stimulus"),
                          "saved": str(save) if save else None})
    else:
        output.say("Bye.")
