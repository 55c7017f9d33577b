"""An agent's files and its place in the name registry: the original's methods, as a mixin of TinyPerson.

``load_specification`` / ``save_specification`` read and write ``*.agent.json`` files,
``import_fragment`` merges a ``*.fragment.json``, ``save`` / ``load`` / ``from_state`` write and
read a complete state as a versioned document, and ``get_agent_by_name``, ``has_agent``,
``unique_name``, ``clear_agents`` reach the registry of agents by name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinytroupe.agent import registry, spec
from tinytroupe.agent.persona import Persona, read_specification
from tinytroupe.contracts import kind_class
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.state import files as state_files
from tinytroupe.state.schema import check_document, loading

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["PersonFilesMixin", "SAVE_FORMAT", "SAVE_VERSION", "fork_person"]

SAVE_FORMAT = "tinytroupe.agent"
SAVE_VERSION = 1


class PersonFilesMixin:
    """Specification files, saved states and the registry of names; see the module docstring."""

    # -- registry --------------------------------------------------------------------------
    @classmethod
    def get_agent_by_name(cls, name: str) -> TinyPerson | None:
        return registry.get(name)

    @classmethod
    def has_agent(cls, agent_name: str) -> bool:
        return registry.has(agent_name)

    @classmethod
    def unique_name(cls, base: str) -> str:
        """``base``, or ``"base 2"``, ``"base 3"``... whichever is free."""
        return registry.unique_name(base)

    @classmethod
    def clear_agents(cls) -> None:
        registry.clear()

    @property
    def detached(self: TinyPerson) -> bool:
        """Whether this agent lives only in a forked world (outside the name registry)."""
        return registry.is_detached(self)

    # -- specifications --------------------------------------------------------------------
    @classmethod
    def load_specification(cls, path_or_dict: str | os.PathLike | dict, suppress_mental_faculties: bool = False,
                           suppress_memory: bool = False, suppress_mental_state: bool = False,
                           auto_rename_agent: bool = False, new_agent_name: str | None = None, *,
                           auto_rename: bool = False, **kwargs: Any) -> TinyPerson:
        """Build an agent from a ``*.agent.json`` file or dict; saved memory, mental state and
        faculties are restored unless suppressed (positional order as in the original;
        ``auto_rename`` is a short name for ``auto_rename_agent``)."""
        if isinstance(suppress_mental_faculties, str):
            raise SpecificationError("load_specification: the second positional argument is suppress_mental_faculties; "
                                     "pass the agent's new name by keyword: new_agent_name=...")
        doc = read_specification(path_or_dict, expected_type="TinyPerson")
        name = new_agent_name or doc["persona"]["name"]
        if auto_rename or auto_rename_agent:
            name = registry.unique_name(name)
        agent = cls(name, **kwargs)
        agent._set_persona(Persona({**doc["persona"], "name": name}))
        spec.restore_extras(agent, doc, memory=not suppress_memory, faculties=not suppress_mental_faculties,
                            mental_state=not suppress_mental_state)
        return agent

    def save_specification(self: TinyPerson, path: str | os.PathLike, include_mental_faculties: bool = True,
                           include_memory: bool = False, include_mental_state: bool = False) -> None:
        """Write the agent as a ``*.agent.json`` file (memories and mental state when asked)."""
        doc = spec.specification(self, include_memory=include_memory, include_mental_faculties=include_mental_faculties,
                                 include_mental_state=include_mental_state)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=4, ensure_ascii=False), encoding="utf-8")

    def import_fragment(self: TinyPerson, path: str | os.PathLike | dict) -> TinyPerson:
        """Merge a ``{"type": "Fragment", "persona": {...}}`` file (or dict) into the persona."""
        doc = read_specification(path, expected_type="Fragment")
        with loading(doc["_origin"], "fragment"):
            return self.include_persona_definitions(doc["persona"])

    # -- complete states -------------------------------------------------------------------
    def save(self: TinyPerson, path: str | os.PathLike) -> Path:
        """Write the complete state to ``path`` atomically, as a versioned document that is also a
        valid ``*.agent.json`` (with memories); returns the path."""
        return state_files.write_document(path, SAVE_FORMAT, SAVE_VERSION, self.encode_complete_state(), indent=2)

    @classmethod
    def load(cls, path: str | os.PathLike, new_agent_name: str | None = None, auto_rename: bool = False,
             **kwargs: Any) -> TinyPerson:
        """A new agent from a file written by :meth:`save` (a taken name raises unless renamed)."""
        doc = state_files.read_document(path, SAVE_FORMAT, SAVE_VERSION, "agent file")
        complete = {k: v for k, v in doc.items() if k not in ("format", "version")}
        check_document(complete, "agent", path)
        name = new_agent_name or (complete.get("persona") or {}).get("name")
        if not isinstance(name, str) or not name.strip():
            raise StateError(f"{path}: the agent file has no 'persona.name'; re-save it with agent.save()")
        if auto_rename:
            name = registry.unique_name(name)
        complete["persona"] = {**complete["persona"], "name": name}
        with loading(path, "agent file"):
            return cls.from_state(complete, **kwargs)

    @classmethod
    def from_state(cls, complete_state: dict[str, Any], **kwargs: Any) -> TinyPerson:
        """A new agent restored from an encoded state."""
        persona = (complete_state.get("persona") or complete_state.get("_persona")) if isinstance(complete_state, dict) else None
        name = persona.get("name") if isinstance(persona, dict) else None
        agent = cls(name or "", **kwargs)
        with loading(None, "agent state", undo=lambda: registry.unregister(agent, agent.name)):
            return agent.decode_complete_state(complete_state)


def fork_person(person: Any) -> Any:
    """A detached copy of ``person`` in the same state (the original is never touched)."""
    with registry.detached():
        copy = kind_class("agent")(person.name, model=person.model)  # a plain TinyPerson
    copy.decode_complete_state(json.loads(json.dumps(person.encode_complete_state())))
    return copy
