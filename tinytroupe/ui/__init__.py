"""User interfaces over events: the rich console renderer and Jupyter display helpers."""

from tinytroupe.ui.console import ConsoleRenderer, disable, enable, install_default_renderer, is_enabled

__all__ = ["ConsoleRenderer", "enable", "disable", "install_default_renderer", "is_enabled"]
