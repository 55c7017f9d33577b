"""Prompt templates kept as package files, and the small helper that fills them.

A template is a ``.md`` or ``.txt`` file in this package. Placeholders are written
``{{name}}``; every placeholder must receive a value, and every value given must be used,
so a renamed variable cannot silently leave a hole in a prompt.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = ["render", "render_text", "load_template"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@lru_cache(maxsize=64)
def load_template(name: str) -> str:
    """The text of template ``name`` (a file name in ``tinytroupe/prompts``)."""
    path = resources.files(__name__).joinpath(name)
    if not path.is_file():
        raise SpecificationError(
            f"prompt template {name!r} not found in tinytroupe/prompts; check the file name."
        )
    return path.read_text(encoding="utf-8")


def render_text(template: str, values: dict[str, Any], *, origin: str = "template") -> str:
    """Fill ``{{name}}`` placeholders of ``template`` from ``values``."""
    wanted = set(_PLACEHOLDER.findall(template))
    missing = wanted - set(values)
    if missing:
        raise SpecificationError(
            f"{origin}: no value for placeholder(s) {', '.join(sorted(missing))}; pass them to render()."
        )
    unused = set(values) - wanted
    if unused:
        raise SpecificationError(
            f"{origin}: value(s) {', '.join(sorted(unused))} have no placeholder; remove them or "
            "add {{name}} to the template."
        )
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def render(template_name: str, /, **values: Any) -> str:
    """Load template ``template_name`` and fill it; surrounding blank lines are trimmed."""
    return render_text(load_template(template_name), values,
                       origin=f"tinytroupe/prompts/{template_name}").strip()
