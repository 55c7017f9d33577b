"""TinyTool: something an agent uses through actions (a word processor, a calendar, ...).

A tool declares its actions like a faculty (``actions_definitions_prompt()`` text or
``action_definitions()``), handles them in ``_process_action(agent, action)`` (or the async
``_aprocess_action``), may add a section to its user's prompt, and exports its state. A tool
with an ``owner`` refuses anyone else (:class:`ToolOwnershipError`); one with
``real_world_side_effects`` emits a loud ``tool.real_world_side_effects`` warning event (and a
log warning) every time it acts. Tools reach agents through the
:class:`~tinytroupe.tools.TinyToolUse` faculty.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tinytroupe import contracts, events, extensions, providers
from tinytroupe._sync import run_sync
from tinytroupe.agent.actions import ActionDefinition
from tinytroupe.agent.mental_faculty import FacultyAction, parse_action_definitions, parse_constraints
from tinytroupe.errors import SimulationError, SpecificationError, StateError

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

__all__ = ["TinyTool", "ToolError", "ToolOwnershipError", "ToolInputError", "tool_from_state"]

logger = logging.getLogger(__name__)


class ToolError(SimulationError):
    """A tool could not do what an agent asked."""


class ToolOwnershipError(ToolError):
    """An agent used a tool that belongs to someone else."""


class ToolInputError(ToolError, SpecificationError):
    """An action's content is not what the tool needs (malformed JSON, a missing field)."""


def _name_of(who: Any) -> str | None:
    return None if who is None else str(getattr(who, "name", who))


class TinyTool:
    """Base class of tools, with TinyTroupe's constructor and hooks."""

    kind: ClassVar[str] = "TinyTool"
    serializable_attributes: ClassVar[list[str]] = ["name", "description", "owner", "real_world_side_effects"]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__dict__.get("kind", cls.__name__)
        extensions.register("tool", cls.kind, cls)

    def __init__(self, name: str, description: str, owner: Any = None, real_world_side_effects: bool = False,
                 exporter: Any = None, enricher: Any = None):
        if not isinstance(name, str) or not name.strip():
            raise SpecificationError(f"TinyTool: name must be a non-empty string, got {name!r}.")
        self.name = name
        self.description = description
        self.owner = owner
        self.real_world_side_effects = bool(real_world_side_effects)
        self.exporter = exporter
        self.enricher = enricher

    @property
    def owner_name(self) -> str | None:
        """The owner's name (an owner may be an agent or a name), or None when anyone may use it."""
        return _name_of(self.owner)

    def set_owner(self, owner: Any) -> None:
        self.owner = owner

    # -- actions -------------------------------------------------------------------------------
    def actions_definitions_prompt(self) -> str:
        """The tool's actions as ``- TYPE: meaning`` lines (TinyTroupe's hook; abstract as in the
        original unless :meth:`action_definitions` is defined)."""
        if type(self).action_definitions is TinyTool.action_definitions:
            raise NotImplementedError(f"{type(self).__name__} must define actions_definitions_prompt() "
                                      "or action_definitions()")
        return "\n".join(f"- {d.type}: {d.description}" for d in self.action_definitions())

    def actions_constraints_prompt(self) -> str:
        """Rules for the tool's actions as ``- rule`` lines (TinyTroupe's hook; abstract as in the
        original unless :meth:`action_constraints` is defined)."""
        if type(self).action_constraints is TinyTool.action_constraints:
            raise NotImplementedError(f"{type(self).__name__} must define actions_constraints_prompt() "
                                      "or action_constraints()")
        return "\n".join(f"- {c}" for c in self.action_constraints())

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        if type(self).actions_definitions_prompt is not TinyTool.actions_definitions_prompt:
            return parse_action_definitions(self.actions_definitions_prompt())
        return ()

    def action_constraints(self) -> tuple[str, ...]:
        if type(self).actions_constraints_prompt is not TinyTool.actions_constraints_prompt:
            return parse_constraints(self.actions_constraints_prompt())
        return ()

    def handles(self, action: FacultyAction) -> bool:
        """Whether ``action`` is one of this tool's (a tool that declares no types sees every action)."""
        types = {d.type for d in self.action_definitions()}
        return not types or action.type in types

    def prompt_section(self, agent: Agent) -> str:
        """What the tool adds to its user's situation in the prompt ('' for nothing)."""
        return ""

    # -- processing ----------------------------------------------------------------------------
    def _protect_real_world(self, agent: Any = None) -> None:
        if self.real_world_side_effects:
            message = (f"!!! Tool {self.name!r} has REAL-WORLD SIDE EFFECTS: this is not only a simulation. "
                       "Use it with caution. !!!")
            logger.warning(message)
            events.emit(contracts.ToolRealWorldSideEffects(self.name, _name_of(agent), message, "warning"),
                        source=_name_of(agent))

    def _enforce_ownership(self, agent: Any) -> None:
        owner = self.owner_name
        who = _name_of(agent)
        if owner is not None and who != owner:
            raise ToolOwnershipError(f"{who} does not own tool {self.name!r}: it belongs to {owner}, "
                                     f"so {who} cannot use it.")

    def _process_action(self, agent: Agent, action: FacultyAction) -> bool:
        """Perform ``action``; return True when it was this tool's. Subclasses override this one
        or :meth:`_aprocess_action` (abstract, as in the original)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _process_action(agent, action)")

    async def _aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        return bool(self._process_action(agent, action))

    async def aprocess_action(self, agent: Agent, action: Any) -> bool:
        """Check ownership and side effects, then hand ``action`` to the tool's own hook, which
        says whether it was this tool's (None or a dict without a type arrives as an empty
        action; :class:`TinyToolUse` routes only the types a tool declares)."""
        action = FacultyAction.of({} if action is None else action)
        self._enforce_ownership(agent)
        self._protect_real_world(agent)
        return await self._aprocess_action(agent, action)

    def process_action(self, agent: Agent, action: Any) -> bool:
        """Blocking twin of :meth:`aprocess_action` (not usable inside tinytroupe's event loop)."""
        return run_sync(self.aprocess_action(agent, action))

    # -- state ---------------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """The tool's own data as plain JSON (subclasses extend it)."""
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`to_state` exported."""

    def encode(self) -> dict[str, Any]:
        """Everything needed to rebuild the tool: kind, settings, helpers' settings, own state."""
        return {"kind": self.kind, "name": self.name, "description": self.description, "owner": self.owner_name,
                "real_world_side_effects": self.real_world_side_effects,
                "exporter": {"base_output_folder": self.exporter.base_output_folder} if self.exporter else None,
                "enricher": ({"kind": type(self.enricher).__name__, **self.enricher.to_state()}
                             if hasattr(self.enricher, "to_state") else None),
                "state": self.to_state()}

    def to_json(self, include: list[str] | None = None, suppress: list[str] | None = None,
                file_path: str | os.PathLike | None = None,
                serialization_type_field_name: str = "json_serializable_class_name") -> dict[str, Any]:
        """The tool as a JSON-able dict (the original's method): :meth:`encode`'s settings, the
        class name under ``serialization_type_field_name`` and the tool's own data
        (:meth:`to_state`) beside them; ``include``/``suppress`` pick keys; written to
        ``file_path`` when given."""
        data = {serialization_type_field_name: type(self).__name__, **self.encode()}
        state = data.pop("state")
        if any(key in data for key in state):
            data["state"] = state  # a state key that would shadow a setting stays nested
        else:
            data.update(state)
        if include:
            data = {k: v for k, v in data.items() if k in include or k in (serialization_type_field_name, "kind")}
        for key in suppress or ():
            data.pop(key, None)
        if file_path is not None:
            path = Path(file_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=4, ensure_ascii=False), encoding="utf-8")
        return data

    @classmethod
    def from_json(cls, json_dict_or_path: dict[str, Any] | str | os.PathLike, suppress: list[str] | None = None,
                  serialization_type_field_name: str = "json_serializable_class_name",
                  post_init_params: dict[str, Any] | None = None) -> TinyTool:
        """A tool rebuilt from :meth:`to_json`'s dict or the file it wrote (the original's method)."""
        if isinstance(json_dict_or_path, (str, os.PathLike)):
            data = json.loads(Path(json_dict_or_path).read_text(encoding="utf-8"))
        else:
            data = dict(json_dict_or_path)
        kind = data.get("kind") or data.get(serialization_type_field_name) or (
            cls.kind if cls is not TinyTool else None)
        entry = {k: v for k, v in data.items() if k not in (suppress or ())}
        if "state" not in entry:  # to_json() writes the tool's own data beside its settings
            entry["state"] = {k: v for k, v in entry.items()
                              if k not in _SETTINGS_KEYS and k != serialization_type_field_name}
        owner = entry.get("owner")
        entry.update(kind=kind, owner=_name_of(owner.get("name")) if isinstance(owner, dict) else owner)
        return tool_from_state(entry)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, owner={self.owner_name!r})"


_SETTINGS_KEYS = frozenset({"kind", "json_serializable_class_name", "name", "description", "owner",
                            "real_world_side_effects", "exporter", "enricher", "state"})


def _helpers(entry: dict[str, Any]) -> tuple[Any, Any]:
    exporter = enricher = None
    if isinstance(entry.get("exporter"), dict):
        exporter = providers.need("ArtifactExporter")(entry["exporter"]["base_output_folder"])
    if isinstance(entry.get("enricher"), dict):
        kinds = providers.need("enrichers")  # TinyEnricher, TinyStyler (enrichment, above the tools)
        enricher = kinds["TinyStyler" if entry["enricher"].get("kind") == "TinyStyler" else "TinyEnricher"]()
        enricher.load_state(entry["enricher"])
    return exporter, enricher


def tool_from_state(entry: dict[str, Any]) -> TinyTool:
    """Rebuild a tool from what :meth:`TinyTool.encode` wrote (its class must be defined)."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    cls = extensions.lookup("tool", kind) if kind else None
    if cls is None:
        raise StateError(f"tool {entry!r} cannot be restored: unknown kind {kind!r}; import the module "
                         f"defining it first (known kinds: {', '.join(sorted(extensions.table('tool')))}).")
    exporter, enricher = _helpers(entry)
    offered = {"name": entry.get("name"), "description": entry.get("description", ""),
               "owner": entry.get("owner"), "real_world_side_effects": entry.get("real_world_side_effects", False),
               "exporter": exporter, "enricher": enricher}
    params = inspect.signature(cls.__init__).parameters
    tool = cls(**{k: v for k, v in offered.items() if k in params})
    for key, value in offered.items():
        setattr(tool, key, value)
    tool.load_state(entry.get("state") or {})
    return tool
