"""``tinytroupe config show|reference``: the settings in use, and the config.ini reference.

``reference`` prints the Markdown tables that README.md's config.ini section is made of, built
from :data:`tinytroupe.config.SETTINGS` (a test checks the README lists every setting).
"""

from __future__ import annotations

from typing import Any

import typer

from tinytroupe.cli.output import Output
from tinytroupe.config import SETTINGS, Setting, config_manager

__all__ = ["app", "show", "reference", "reference_markdown", "default_text"]

app = typer.Typer(no_args_is_help=True, help="The settings in use, and the config.ini reference.")


def default_text(setting: Setting) -> str:
    """The default as written in config.ini (``True``, ``0.0``, or ``(empty)``)."""
    if setting.default == "":
        return "(empty)"
    return str(setting.default)


def _meaning(setting: Setting) -> str:
    text = setting.doc
    if setting.choices:
        text += f" One of: {', '.join(setting.choices)}."
    return f"{text} Env: {', '.join(setting.env_names)}."


def reference_markdown() -> str:
    """One Markdown table per config.ini section: key, default, meaning (and environment variables)."""
    sections: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        sections.setdefault(setting.section, []).append(setting)
    out: list[str] = []
    for section, settings in sections.items():
        out += [f"**[{section}]**", "", "| Key | Default | Meaning |", "|---|---|---|"]
        for s in settings:
            meaning = _meaning(s).replace("|", "\\|")
            out.append(f"| `{s.key}` | `{default_text(s)}` | {meaning} |")
        out.append("")
    return "\n".join(out)


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Every setting's current value and where it comes from (secrets hidden)."""
    output: Output = ctx.obj
    values: dict[str, Any] = config_manager.as_dict()
    if output.json:
        output.emit_json({name: {"value": value, "source": config_manager.source_of(name)}
                          for name, value in values.items()})
        return
    width = max(len(s.key) + len(s.section) + 3 for s in SETTINGS)
    for s in SETTINGS:
        label = f"[{s.section}] {s.key}"
        output.result(f"{label:<{width}} = {values[s.name]!s:<28} ({config_manager.source_of(s.name)})")


@app.command("reference")
def reference(ctx: typer.Context) -> None:
    """Print the config.ini reference as Markdown (every key, its default and meaning)."""
    output: Output = ctx.obj
    if output.json:
        output.emit_json([{"section": s.section, "key": s.key, "default": s.default, "meaning": s.doc,
                           "choices": list(s.choices or ()), "env": list(s.env_names)} for s in SETTINGS])
        return
    output.out.file.write(reference_markdown())
