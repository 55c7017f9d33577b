"""Example personas and fragments written for this project, shipped as package data.

``create_lisa_the_data_scientist()`` and friends build ready agents; ``load_example_agent``
loads any example by short name (``"lisa"``) or persona name; ``list_example_agents`` and
``list_example_fragments`` say what exists; ``example_fragment_path`` gives a fragment's file
for :meth:`~tinytroupe.agent.TinyPerson.import_fragment`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tinytroupe.agent import TinyPerson
from tinytroupe.errors import SpecificationError

__all__ = [
    "list_example_agents",
    "list_example_fragments",
    "load_example_agent",
    "example_agent_path",
    "example_fragment_path",
    "create_lisa_the_data_scientist",
    "create_oscar_the_architect",
    "create_marcos_the_physician",
]

_AGENT_SUFFIX = ".agent.json"
_FRAGMENT_SUFFIX = ".fragment.json"


def _folder(kind: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(kind)))


def _names(kind: str, suffix: str) -> list[str]:
    return sorted(p.name[: -len(suffix)] for p in _folder(kind).glob("*" + suffix))


def list_example_agents() -> list[str]:
    """Short names of the example agents (``["lisa", "marcos", "oscar"]``)."""
    return _names("agents", _AGENT_SUFFIX)


def list_example_fragments() -> list[str]:
    """Short names of the example fragments."""
    return _names("fragments", _FRAGMENT_SUFFIX)


def _find(kind: str, suffix: str, name: str, known: list[str]) -> Path:
    key = name.strip().lower().removesuffix(suffix).replace(" ", "_")
    if key in known:
        return _folder(kind) / f"{key}{suffix}"
    raise SpecificationError(
        f"no example {kind[:-1]} named {name!r}; available: {', '.join(known)}."
    )


def example_agent_path(name: str) -> Path:
    """The file of example agent ``name``."""
    return _find("agents", _AGENT_SUFFIX, name, list_example_agents())


def example_fragment_path(name: str) -> Path:
    """The file of example fragment ``name`` (e.g. ``"night_owl"``)."""
    return _find("fragments", _FRAGMENT_SUFFIX, name, list_example_fragments())


def load_example_agent(name: str, new_agent_name: str | None = None, auto_rename: bool = False,
                       **kwargs: Any) -> TinyPerson:
    """A new agent from example ``name`` (see :func:`list_example_agents`)."""
    return TinyPerson.load_specification(example_agent_path(name), new_agent_name=new_agent_name,
                                         auto_rename=auto_rename, **kwargs)


def create_lisa_the_data_scientist(new_agent_name: str | None = None, auto_rename: bool = False,
                                   **kwargs: Any) -> TinyPerson:
    """Lisa, a data scientist in Porto who builds forecasting models for delivery fleets."""
    return load_example_agent("lisa", new_agent_name, auto_rename, **kwargs)


def create_oscar_the_architect(new_agent_name: str | None = None, auto_rename: bool = False,
                               **kwargs: Any) -> TinyPerson:
    """Oscar, an architect in Gothenburg who designs timber housing."""
    return load_example_agent("oscar", new_agent_name, auto_rename, **kwargs)


def create_marcos_the_physician(new_agent_name: str | None = None, auto_rename: bool = False,
                                **kwargs: Any) -> TinyPerson:
    """Marcos, a family physician in Campinas who cares for many elderly patients."""
    return load_example_agent("marcos", new_agent_name, auto_rename, **kwargs)
