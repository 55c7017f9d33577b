"""Finding and reading the example files shipped in the package: agents, fragments, populations.

Names are matched loosely: ``"Lisa"``, ``"lisa"`` and ``"lisa.agent.json"`` are the same
example; the original's ``"leftwing.agent"`` fragment names work too.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError

__all__ = [
    "list_example_agents",
    "list_example_fragments",
    "list_example_populations",
    "example_agent_path",
    "example_fragment_path",
    "example_population_path",
    "load_example_agent_specification",
    "load_example_fragment_specification",
]

_KINDS = {"agents": ".agent.json", "fragments": ".fragment.json", "populations": ".json"}


def _folder(kind: str) -> Path:
    return Path(str(resources.files("tinytroupe.examples").joinpath(kind)))


def _names(kind: str) -> list[str]:
    suffix = _KINDS[kind]
    return sorted(p.name[: -len(suffix)] for p in _folder(kind).glob("*" + suffix))


def list_example_agents() -> list[str]:
    """Short names of the example agents (``["friedrich_wolf", "lila", "lisa", ...]``)."""
    return _names("agents")


def list_example_fragments() -> list[str]:
    """Short names of the example fragments (``["aggressive_debater", ...]``)."""
    return _names("fragments")


def list_example_populations() -> list[str]:
    """Short names of the example demography files (``["brazil", "spain", "usa"]``)."""
    return _names("populations")


def _key(name: str, kind: str) -> str:
    key = str(name).strip().lower().replace(" ", "_")
    for suffix in (".json", ".fragment", ".agent"):
        key = key.removesuffix(suffix)
    return key


def _find(kind: str, name: str) -> Path:
    known = _names(kind)
    key = _key(name, kind)
    if key in known:
        return _folder(kind) / f"{key}{_KINDS[kind]}"
    raise SpecificationError(f"no example {kind[:-1]} named {name!r}; available: {', '.join(known)}.")


def example_agent_path(name: str) -> Path:
    """The file of example agent ``name``."""
    return _find("agents", name)


def example_fragment_path(name: str) -> Path:
    """The file of example fragment ``name`` (e.g. ``"night_owl"``)."""
    return _find("fragments", name)


def example_population_path(name: str) -> Path:
    """The demography file ``name`` (``"usa"``, ``"brazil"``, ``"spain"``), for
    :meth:`~tinytroupe.factory.TinyPersonFactory.create_factory_from_demography`."""
    return _find("populations", name)


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_example_agent_specification(name: str) -> dict[str, Any]:
    """The example agent ``name`` as a specification dict, for ``TinyPerson.load_specification``."""
    return _read(example_agent_path(name))


def load_example_fragment_specification(name: str) -> dict[str, Any]:
    """The example fragment ``name`` as a dict (``{"type": "Fragment", "persona": {...}}``)."""
    return _read(example_fragment_path(name))
