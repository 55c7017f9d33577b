"""AgentChatJupyterWidget: chat with the agents of a notebook in an ipywidgets panel.

::

    from tinytroupe.ui.jupyter_widgets import AgentChatJupyterWidget

    chat = AgentChatJupyterWidget([lisa, oscar])
    chat.display()

Pick an agent, type, press Enter (or Send): the agent listens and acts, and its TALK and THINK
actions appear in the panel. Replies are computed in a background thread so the notebook stays
responsive; ``send_message(text, wait=True)`` does it inline (scripts, tests). Needs the
``jupyter`` extra (``pip install "tinytroupe[jupyter]"``).
"""

from __future__ import annotations

import contextvars
import html
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tinytroupe.errors import MissingExtraError, TinyTroupeError

__all__ = ["AgentChatJupyterWidget", "reply_lines"]

_COLOURS = {"user": "#e7f1fb", "agent": "#eef6e8", "loading": "#fdf5d9", "error": "#fbe9e9"}
_ICONS = {"TALK": "🗣️", "THINK": "💭"}


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise MissingExtraError("AgentChatJupyterWidget needs ipywidgets: pip install \"tinytroupe[jupyter]\"") from None
    return ipywidgets


def reply_lines(actions: Iterable[dict[str, Any]] | None) -> list[str]:
    """The TALK and THINK contents of ``listen_and_act(..., return_actions=True)``, with icons."""
    lines = []
    for entry in actions or []:
        action = entry.get("action", entry) if isinstance(entry, dict) else {}
        kind, content = action.get("type", ""), action.get("content", "")
        if kind in _ICONS and content:
            lines.append(f"{_ICONS[kind]} {content}")
    return lines


class AgentChatJupyterWidget:
    """A chat panel for one agent (or a choice among several) in Jupyter."""

    def __init__(self, agents: Any, communication_display: bool = False):
        agent_list = list(agents) if isinstance(agents, (list, tuple)) else [agents]
        if not agent_list:
            raise TinyTroupeError("AgentChatJupyterWidget: give at least one agent to chat with.")
        self.agents: dict[str, Any] = {a.name: a for a in agent_list}
        self.conversation_history: list[dict[str, str]] = []
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None
        self._build(_widgets(), communication_display)

    # -- widgets ---------------------------------------------------------------------------
    def _build(self, w: Any, communication_display: bool) -> None:
        self.agent_dropdown = w.Dropdown(options=list(self.agents), description="Chat with:",
                                         style={"description_width": "initial"})
        self.message_input = w.Text(placeholder="Type a message and press Enter…",
                                    layout=w.Layout(width="60%"), continuous_update=False)
        self.send_button = w.Button(description="Send", button_style="primary", layout=w.Layout(width="80px"))
        self.clear_button = w.Button(description="Clear", layout=w.Layout(width="80px"))
        self.communication_display_checkbox = w.Checkbox(value=communication_display,
                                                         description="Also show the agent's output below the cell")
        self.conversation_display = w.HTML()
        self.send_button.on_click(lambda _b: self.send_message())
        self.clear_button.on_click(lambda _b: self.clear_conversation())
        self.message_input.observe(self._on_enter, names="value")
        self.widget = w.VBox([w.HBox([self.agent_dropdown, self.message_input, self.send_button, self.clear_button]),
                              self.communication_display_checkbox, self.conversation_display])
        self.update_conversation_display()

    def _on_enter(self, change: dict[str, Any]) -> None:
        if str(change.get("new", "")).strip():
            self.send_message()

    def display(self) -> Any:
        """Show the panel in the notebook (and return the widget)."""
        from IPython.display import display

        display(self.widget)
        return self.widget

    def _ipython_display_(self) -> None:
        self.display()

    # -- conversation ----------------------------------------------------------------------
    def _add(self, kind: str, sender: str, message: str) -> dict[str, str]:
        entry = {"timestamp": datetime.now().strftime("%H:%M:%S"), "sender": sender, "message": message,
                 "type": kind}
        self.conversation_history.append(entry)
        return entry

    def send_message(self, text: str | None = None, wait: bool = False) -> None:
        """Send ``text`` (default: what is typed) to the selected agent; its reply follows."""
        message = (text if text is not None else self.message_input.value).strip()
        name = self.agent_dropdown.value
        if not message or not name or not self._busy.acquire(blocking=False):
            return
        self.message_input.value = ""
        self._add("user", "You", message)
        pending = self._add("loading", name, "… thinking")
        self.update_conversation_display()
        if wait:
            self._reply(name, message, pending)
        else:
            context = contextvars.copy_context()  # the reply runs in the caller's runtime
            self._thread = threading.Thread(target=context.run, args=(self._reply, name, message, pending), daemon=True)
            self._thread.start()

    def _reply(self, name: str, message: str, pending: dict[str, str]) -> None:
        try:
            actions = self.agents[name].listen_and_act(
                message, return_actions=True, communication_display=self.communication_display_checkbox.value)
            lines = reply_lines(actions)
            pending.update(type="agent", message="\n\n".join(lines) or "(no reply)")
        except Exception as exc:  # shown in the panel: a notebook widget must not die silently
            pending.update(type="error", sender="System", message=f"{type(exc).__name__}: {exc}")
        finally:
            pending["timestamp"] = datetime.now().strftime("%H:%M:%S")
            self._busy.release()
            self.update_conversation_display()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the reply being computed, if any."""
        if self._thread is not None:
            self._thread.join(timeout)

    def clear_conversation(self, _button: Any = None) -> None:
        """Empty the panel (the agents keep their memories)."""
        if not self._busy.locked():
            self.conversation_history = []
            self.update_conversation_display()

    def update_conversation_display(self) -> None:
        """Render the history into the panel."""
        if not self.conversation_history:
            body = "<p><em>Pick an agent and type a message.</em></p>"
        else:
            body = "".join(
                f"<div style='margin:4px 0;padding:6px 8px;border-radius:8px;background:{_COLOURS[e['type']]}'>"
                f"<b>{html.escape(e['sender'])}</b> <small>{e['timestamp']}</small>"
                f"<div style='white-space:pre-wrap'>{html.escape(e['message'])}</div></div>"
                for e in self.conversation_history)
        self.conversation_display.value = (
            "<div style='border:1px solid #ccc;padding:8px;max-height:400px;overflow-y:auto'>" + body + "</div>")
