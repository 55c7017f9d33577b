"""Prompt text for the LLM toolkit: sectioned template files, and user templates found by name.

Our own prompts live in ``tinytroupe/prompts``. A sectioned file has ``=== name ===`` lines before each section; a
section is read with :func:`section`. Users of the original pass template names with an
optional ``base_module_folder`` and a dict of values; :func:`render_user_template` finds
such a template (an existing path, ``tinytroupe/<folder>/prompts/<name>``, or one of ours)
and fills the ``{{name}}`` placeholders it uses, ignoring values it does not use.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.prompts import load_template, render_text

__all__ = ["section", "render_user_template", "compose_initial_LLM_messages_with_templates"]

_HEADER = re.compile(r"^=== *(\S+) *===\s*$", re.MULTILINE)
_PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=16)
def _sections(template_name: str) -> dict[str, str]:
    text = load_template(template_name)
    parts = _HEADER.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def section(template_name: str, name: str, **values: Any) -> str:
    """Section ``name`` of sectioned template ``template_name``, filled with ``values``."""
    sections = _sections(template_name)
    if name not in sections:
        raise SpecificationError(f"tinytroupe/prompts/{template_name} has no section '=== {name} ==='.")
    return render_text(sections[name], values, origin=f"tinytroupe/prompts/{template_name}#{name}")


def _find(template_name: str, base_module_folder: str | None) -> str:
    candidates = []
    if base_module_folder:
        folder = Path(base_module_folder)
        candidates += [folder / template_name, folder / "prompts" / template_name,
                       _PACKAGE / base_module_folder / "prompts" / template_name]
    candidates.append(Path(template_name))
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    try:
        return load_template(template_name)
    except SpecificationError:
        raise SpecificationError(
            f"prompt template {template_name!r} not found (looked in "
            + ", ".join(str(p) for p in candidates) + " and tinytroupe/prompts); pass a path to the file."
        ) from None


def render_user_template(template_name: str, base_module_folder: str | None = None,
                         rendering_configs: dict[str, Any] | None = None) -> str:
    """The text of a user's template with its ``{{name}}`` placeholders filled.

    Values the template does not use are ignored (the original passes one dict to both the
    system and the user template); a placeholder without a value raises.
    """
    text = _find(template_name, base_module_folder)
    values = rendering_configs or {}
    used = {k: v for k, v in values.items() if re.search(r"\{\{\s*" + re.escape(str(k)) + r"\s*\}\}", text)}
    return render_text(text, used, origin=f"prompt template {template_name!r}")


def compose_initial_LLM_messages_with_templates(  # noqa: N802 - the original's name
    system_template_name: str, user_template_name: str | None = None, base_module_folder: str | None = None,
    rendering_configs: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    """A system message (and a user message when a user template is named) from templates."""
    messages = [{"role": "system",
                 "content": render_user_template(system_template_name, base_module_folder, rendering_configs)}]
    if user_template_name is not None:
        messages.append({"role": "user",
                         "content": render_user_template(user_template_name, base_module_folder, rendering_configs)})
    return messages
