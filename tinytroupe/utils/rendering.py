"""Text and markup helpers the original keeps in ``tinytroupe.utils`` (wrap_text and friends)."""

from __future__ import annotations

import textwrap

from tinytroupe.utils.misc import break_text_at_length, dedent, pretty_datetime

__all__ = ["wrap_text", "inject_html_css_style_prefix", "RichTextStyle", "break_text_at_length", "dedent",
           "pretty_datetime"]


def wrap_text(text: str, width: int = 100) -> str:
    """``text`` refilled to lines of at most ``width`` characters."""
    return textwrap.fill(text, width=width)


def inject_html_css_style_prefix(html: str, style_prefix_attributes: str) -> str:
    """``html`` with ``style_prefix_attributes`` put first in every ``style="..."`` attribute."""
    return html.replace('style="', f'style="{style_prefix_attributes};')


class RichTextStyle:
    """The console styles (rich markup) for each kind of stimulus, action and intervention."""

    STIMULUS_CONVERSATION_STYLE = "bold italic cyan1"
    STIMULUS_THOUGHT_STYLE = "dim italic cyan1"
    STIMULUS_DEFAULT_STYLE = "italic"
    ACTION_DONE_STYLE = "grey82"
    ACTION_TALK_STYLE = "bold green3"
    ACTION_THINK_STYLE = "green"
    ACTION_DEFAULT_STYLE = "purple"
    INTERVENTION_DEFAULT_STYLE = "bright_magenta"

    _BY_KIND = {
        "stimulus": ({"CONVERSATION": "STIMULUS_CONVERSATION_STYLE", "THOUGHT": "STIMULUS_THOUGHT_STYLE"},
                     "STIMULUS_DEFAULT_STYLE"),
        "action": ({"DONE": "ACTION_DONE_STYLE", "TALK": "ACTION_TALK_STYLE", "THINK": "ACTION_THINK_STYLE"},
                   "ACTION_DEFAULT_STYLE"),
        "intervention": ({}, "INTERVENTION_DEFAULT_STYLE"),
    }

    @classmethod
    def get_style_for(cls, kind: str, event_type: str | None = None) -> str | None:
        """The style of a ``kind`` (stimulus, stimuli, action, intervention) of ``event_type``."""
        entry = cls._BY_KIND.get("stimulus" if kind == "stimuli" else kind)
        if entry is None:
            return None
        specific, default = entry
        return getattr(cls, specific.get(str(event_type or "").upper(), default))
