"""The optional extras that scenarios and example scripts need, checked before any model call.

``tinytroupe run`` (and ``--check``) checks a scenario's extras as soon as the file is read, so
a run never generates people and then stops on a missing library; an example script calls
:func:`exit_unless_installed` at its start and stops with one line naming the install.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from tinytroupe.errors import MissingExtraError

__all__ = ["EXTRAS", "install_command", "missing_modules", "scenario_extras", "check_scenario_extras",
           "exit_unless_installed"]

# extra -> the modules it installs that tinytroupe imports (pyproject.toml's optional dependencies)
EXTRAS: dict[str, tuple[str, ...]] = {
    "analysis": ("scipy", "pandas"),
    "docx": ("docx",),
    "grounding": ("pypdf", "docx"),
    "jupyter": ("ipywidgets",),
    "local": ("llama_cpp",),
}

_PACKAGES = {"docx": "python-docx", "llama_cpp": "llama-cpp-python"}  # module -> the package that has it


def install_command(*extras: str) -> str:
    """The pip command that installs ``extras`` into a checkout of the project."""
    return f'pip install -e ".[{",".join(extras)}]"'


def missing_modules(extra: str, modules: tuple[str, ...] | None = None) -> list[str]:
    """The packages of the modules of ``extra`` (or just ``modules``) that cannot be imported here."""
    wanted = modules if modules is not None else EXTRAS[extra]
    missing = []
    for name in wanted:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(_PACKAGES.get(name, name))
    return missing


def scenario_extras(scenario: Any) -> list[tuple[str, tuple[str, ...], str]]:
    """What ``scenario`` needs beyond the core install: ``(extra, modules, what needs it)``."""
    from tinytroupe.cli.scenario_arms import has_arms

    needs = []
    if has_arms(scenario):
        needs.append(("analysis", ("scipy",), "its [experiment] compares the arms with statistical tests"))
    return needs


def check_scenario_extras(scenario: Any) -> None:
    """Raise :class:`MissingExtraError` (one line: the file, what needs it, the install) when an
    extra ``scenario`` needs is missing."""
    for extra, modules, why in scenario_extras(scenario):
        missing = missing_modules(extra, modules)
        if missing:
            raise MissingExtraError(f"{scenario.path}: {why}, which needs {', '.join(missing)} (not installed); "
                                    f"run {install_command(extra)}")


def exit_unless_installed(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Stop the calling script with one line on stderr (exit code 2) when ``extra`` is missing."""
    missing = missing_modules(extra, modules)
    if missing:
        print(f"{what} needs {', '.join(missing)} (the {extra!r} extra), which is not installed: "
              f"run {install_command(extra)}", file=sys.stderr)
        raise SystemExit(2)
