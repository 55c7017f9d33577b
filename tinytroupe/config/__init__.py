"""Configuration: every setting declared once, layered sources, and frozen snapshots.

- :mod:`~tinytroupe.config.declarations`: the table of settings (section, key, environment
  variables, type, default, range, whether it reaches requests) and value checks;
- :mod:`~tinytroupe.config.manager`: ``config_manager``, the layered configuration of the process
  (packaged defaults < ``./config.ini`` < environment < ``update()``), and ``@config_defaults``;
- :mod:`~tinytroupe.config.snapshot`: :class:`Settings`, the frozen values a runtime resolves
  once, and the request-level part that reaches every model request.
"""

from tinytroupe.config.declarations import (
    FREE_SECTIONS,
    SETTINGS,
    ConfigWarning,
    Range,
    Setting,
    add_choice,
    remove_choice,
    setting_named,
)
from tinytroupe.config.manager import (
    PACKAGED_INI,
    ConfigManager,
    config_defaults,
    config_manager,
    scoped_overrides,
    user_dir,
)

__all__ = ["Range", "Setting", "SETTINGS", "ConfigManager", "config_manager", "setting_named", "user_dir",
           "add_choice", "remove_choice", "ConfigWarning", "scoped_overrides", "PACKAGED_INI", "FREE_SECTIONS",
           "config_defaults"]
