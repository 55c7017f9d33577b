"""A world's notebook display: ``_repr_html_`` asks the report layer's renderer for the HTML.

The renderer (name, clock, agents and the latest step's events, drawn with the run report's
parts) lives above the environment, so it is asked for by name through
:mod:`tinytroupe.providers` (``"html_view"``, registered by :mod:`tinytroupe.wiring`).
"""

from __future__ import annotations

from tinytroupe import providers

__all__ = ["WorldHtmlView"]


class WorldHtmlView:
    """Mixin: a world shows as rich HTML in Jupyter."""

    def _repr_html_(self) -> str:
        return providers.need("html_view").world_html(self)
