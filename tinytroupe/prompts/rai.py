"""Responsible-AI instructions for the people the model plays (the RAI_* settings).

With ``RAI_HARMFUL_CONTENT_PREVENTION`` and ``RAI_COPYRIGHT_INFRINGEMENT_PREVENTION`` on (the
default), the agent's system prompt carries a short instruction for each; the texts are the
templates ``rai_harmful_content.md`` and ``rai_copyright.md``.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.config import config_manager
from tinytroupe.prompts import load_template

__all__ = ["rai_instructions", "rai_section", "add_rai_template_variables_if_enabled"]

_TEMPLATES = (("rai_harmful_content_prevention", "rai_harmful_content.md"),
              ("rai_copyright_infringement_prevention", "rai_copyright.md"))


def rai_instructions() -> list[str]:
    """The instructions the settings switch on, in order (empty when both are off)."""
    return [load_template(template).strip() for setting, template in _TEMPLATES if config_manager.get(setting)]


def rai_section() -> str:
    """The instructions as a section to append to a system prompt (empty when both are off)."""
    lines = rai_instructions()
    return "\n\n# Boundaries\n" + "\n".join(f"- {line}" for line in lines) if lines else ""


def add_rai_template_variables_if_enabled(template_variables: dict[str, Any]) -> dict[str, Any]:
    """The original's helper: ``template_variables`` with ``rai_harmful_content_prevention`` and
    ``rai_copyright_infringement_prevention`` set to the instruction text (or None when off)."""
    for setting, template in _TEMPLATES:
        template_variables[setting] = load_template(template).strip() if config_manager.get(setting) else None
    return template_variables
