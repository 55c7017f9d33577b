"""Mental faculties: pluggable abilities with small hooks, compatible with TinyTroupe's.

The interface, which other faculties (memory, grounding, tools) are written against:

- ``TinyMentalFaculty(name, requires_faculties=None)`` is the base; ``MentalFaculty`` is the
  same class. Faculties are equal when their names are; an agent refuses a second faculty of
  the same name.
- Actions are declared either in TinyTroupe's text form, ``actions_definitions_prompt()``
  returning lines ``- TYPE: what it does`` (continuation lines belong to the item above), or
  in structured form, ``action_definitions()`` returning :class:`ActionDefinition` objects.
  Override one; the other is derived from it. Constraints likewise:
  ``actions_constraints_prompt()`` (one ``- rule`` per line) or ``action_constraints()``.
  The declared types are offered in the turn schema, and shown in the prompt.
- ``process_action(agent, action) -> bool`` handles one action and says whether it did.
  ``action`` is a :class:`FacultyAction`: TinyTroupe's ``{"type", "content", "target"}`` dict,
  also readable as attributes (``action.type``). ``aprocess_action`` is its async twin, the
  one the agent calls; faculties that call a model override it.
- ``prompt_section(agent)`` adds text to the agent's situation in the prompt;
  ``consolidate(agent, events)`` turns an episode into lasting knowledge.
- ``to_state()`` / ``load_state(state)`` export and restore plain JSON. Subclasses register
  by ``kind`` (their class name) so a saved agent is restored with its faculties: define the
  class before loading. A constructor that takes ``name=`` (or nothing) is enough.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import textwrap
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from tinytroupe import extensions
from tinytroupe.agent.actions import Action, ActionDefinition
from tinytroupe.errors import SpecificationError, StateError
from tinytroupe.memory.episodic import MemoryEvent

if TYPE_CHECKING:
    from tinytroupe.contracts import Agent

logger = logging.getLogger("tinytroupe")

__all__ = [
    "TinyMentalFaculty",
    "MentalFaculty",
    "CustomMentalFaculty",
    "FacultyAction",
    "faculty_from_state",
    "parse_action_definitions",
    "parse_constraints",
    "render_action_definitions",
]


class FacultyAction(dict):
    """An action as faculties receive it: a ``{"type", "content", "target"}`` dict (TinyTroupe's
    form) whose fields are also attributes."""

    @classmethod
    def of(cls, action: Any) -> FacultyAction:
        if isinstance(action, FacultyAction):
            return action
        if isinstance(action, Action):
            return cls(action.to_dict())
        if isinstance(action, dict):
            return cls({"type": str(action.get("type") or "").strip().upper(),
                        "content": action.get("content") if action.get("content") is not None else "",
                        "target": action.get("target") or "", **{k: v for k, v in action.items()
                                                                 if k not in ("type", "content", "target")}})
        raise SpecificationError(f"a faculty was given {action!r}; pass an Action or an action dict.")

    type = property(lambda self: self.get("type", ""))
    content = property(lambda self: self.get("content", ""))
    target = property(lambda self: self.get("target", ""))

    def to_action(self) -> Action:
        return Action(self.type, self.content, self.target)


_ITEM = re.compile(r"^\s*[-*•]\s*([A-Z][A-Z0-9_]*)\s*:\s?(.*)$")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")


def parse_action_definitions(text: str) -> tuple[ActionDefinition, ...]:
    """The actions declared by TinyTroupe-style text: each ``- TYPE: meaning`` line starts one;
    the lines below it, up to the next, are part of its meaning."""
    items: list[tuple[str, list[str]]] = []
    for line in textwrap.dedent(text or "").splitlines():
        found = _ITEM.match(line)
        if found:
            items.append((found.group(1), [found.group(2).strip()]))
        elif items and line.strip():
            items[-1][1].append(line.rstrip())
    out = []
    for kind, lines in items:
        rest = textwrap.dedent("\n".join(lines[1:]))
        description = lines[0] + ("\n" + textwrap.indent(rest, "  ") if rest.strip() else "")
        out.append(ActionDefinition(kind, description.strip()))
    return tuple(out)


def parse_constraints(text: str) -> tuple[str, ...]:
    """The rules in TinyTroupe-style text: one per ``- rule`` line (continuations joined); text
    without bullets is one rule per paragraph."""
    rules: list[str] = []
    bulleted = False
    for line in textwrap.dedent(text or "").splitlines():
        found = _BULLET.match(line)
        if found:
            rules.append(found.group(1).strip())
            bulleted = True
        elif line.strip():
            if rules and (bulleted or rules[-1]):
                rules[-1] = f"{rules[-1]} {line.strip()}".strip()
            else:
                rules.append(line.strip())
        elif not bulleted and rules and rules[-1]:
            rules.append("")
    return tuple(r for r in rules if r)


def render_action_definitions(definitions: Iterable[ActionDefinition]) -> str:
    """Definitions in the ``- TYPE: meaning`` text form."""
    return "\n".join(f"- {d.type}: {d.description}" for d in definitions)


def _accepts_faculty_action(method: Callable) -> Callable:
    """Wrap a subclass's ``process_action`` so it always receives a :class:`FacultyAction`."""
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def async_wrapper(self: Any, agent: Any, action: Any, *args: Any, **kwargs: Any) -> Any:
            return await method(self, agent, FacultyAction.of(action), *args, **kwargs)

        async_wrapper._faculty_wrapped = True  # type: ignore[attr-defined]
        return async_wrapper

    @functools.wraps(method)
    def wrapper(self: Any, agent: Any, action: Any, *args: Any, **kwargs: Any) -> Any:
        return method(self, agent, FacultyAction.of(action), *args, **kwargs)

    wrapper._faculty_wrapped = True  # type: ignore[attr-defined]
    return wrapper


class TinyMentalFaculty:
    """Base class of faculties (TinyTroupe's name); every hook has a harmless default."""

    kind: ClassVar[str] = "TinyMentalFaculty"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__dict__.get("kind", cls.__name__)
        extensions.register("faculty", cls.kind, cls)
        for hook in ("process_action", "aprocess_action"):
            method = cls.__dict__.get(hook)
            if callable(method) and not getattr(method, "_faculty_wrapped", False):
                setattr(cls, hook, _accepts_faculty_action(method))

    def __init__(self, name: str | None = None, requires_faculties: list[str] | None = None):
        self.name = name or self.kind
        self.requires_faculties = list(requires_faculties or [])

    # -- actions -----------------------------------------------------------------------------
    def _overrides(self, method: str) -> bool:
        return getattr(type(self), method) is not getattr(TinyMentalFaculty, method)

    def actions_definitions_prompt(self) -> str:
        """The actions this faculty adds, as ``- TYPE: meaning`` lines (TinyTroupe's hook)."""
        if self._overrides("action_definitions"):
            return render_action_definitions(self.action_definitions())
        return ""

    def actions_constraints_prompt(self) -> str:
        """Rules about those actions, as ``- rule`` lines (TinyTroupe's hook)."""
        if self._overrides("action_constraints"):
            return "\n".join(f"- {c}" for c in self.action_constraints())
        return ""

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        """The actions this faculty adds, structured: offered in the turn schema and the prompt."""
        if self._overrides("actions_definitions_prompt"):
            return parse_action_definitions(self.actions_definitions_prompt())
        return ()

    def action_constraints(self) -> tuple[str, ...]:
        """Rules about those actions, told to the model."""
        if self._overrides("actions_constraints_prompt"):
            return parse_constraints(self.actions_constraints_prompt())
        return ()

    def action_types(self) -> tuple[str, ...]:
        """The action types this faculty declares."""
        return tuple(d.type for d in self.action_definitions())

    def process_action(self, agent: Agent, action: FacultyAction) -> bool:
        """Handle ``action`` if it is this faculty's; return True when handled."""
        return False

    async def aprocess_action(self, agent: Agent, action: FacultyAction) -> bool:
        """Async twin of :meth:`process_action` (what agents call); override it for model calls."""
        return bool(self.process_action(agent, action))

    # -- prompt, memory, state -----------------------------------------------------------------
    def prompt_section(self, agent: Agent) -> str:
        """Text added to the agent's mental state in the prompt ('' for none)."""
        return ""

    def consolidate(self, agent: Agent, events: list[MemoryEvent]) -> None:
        """Turn an episode's events into lasting knowledge (the semantic-memory seam)."""

    def to_state(self) -> dict[str, Any]:
        """This faculty's state as plain JSON."""
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`to_state` exported."""

    @classmethod
    def restore(cls, name: str | None, state: dict[str, Any]) -> TinyMentalFaculty:
        """A faculty of this class rebuilt from its saved name and state."""
        params = inspect.signature(cls.__init__).parameters
        takes_name = "name" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
        try:
            faculty = cls(name=name) if takes_name else cls()
        except TypeError as exc:
            raise StateError(f"mental faculty {cls.__name__} cannot be rebuilt from a saved state ({exc}); give "
                             "its constructor arguments defaults, or override its restore() classmethod.") from None
        if name:
            faculty.name = name
        faculty.load_state(state)
        return faculty

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TinyMentalFaculty) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return f"Mental Faculty: {self.name}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


MentalFaculty = TinyMentalFaculty


def faculty_from_state(entry: dict[str, Any]) -> TinyMentalFaculty:
    """Rebuild a faculty from ``{"kind", "name", "state"}`` as written by an agent's state."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    cls = extensions.lookup("faculty", kind) if kind else None
    if cls is None:
        raise StateError(
            f"mental faculty {entry!r} cannot be restored: unknown kind {kind!r}; import the module "
            f"defining it first (known kinds: {', '.join(sorted(extensions.table('faculty')))})."
        )
    return cls.restore(entry.get("name"), entry.get("state") or {})


ActionFunction = Callable[[Any, FacultyAction], Any]


class CustomMentalFaculty(TinyMentalFaculty):
    """A faculty made of user-defined actions: ``{ACTION: {"description", "function"}}``.

    ``function(agent, action)`` runs when the agent takes ``ACTION``. Saved state keeps the
    name, the actions' descriptions and the constraints; functions are code, so after loading
    re-attach them with :meth:`add_action` (an action without one is only remembered, with a
    warning that says so once).
    """

    def __init__(self, name: str | None = None, requires_faculties: list[str] | None = None,
                 actions_configs: dict[str, dict[str, Any]] | None = None,
                 constraints: Iterable[str] | None = None):
        super().__init__(name, requires_faculties)
        self.actions_configs: dict[str, dict[str, Any]] = {}
        self.constraints: list[str] = []
        self.add_actions(actions_configs or {})
        self.add_action_constraints(constraints or [])

    def add_action(self, action_name: str, description: str, function: ActionFunction | None = None) -> None:
        """Declare ``action_name`` (upper-cased) with its meaning and the function that performs it."""
        kind = Action(action_name).type
        if function is not None and not callable(function):
            raise SpecificationError(f"{self.name}: the function of action {kind} must be callable "
                                     f"(agent, action), got {function!r}.")
        self.actions_configs[kind] = {"description": str(description), "function": function}

    def add_actions(self, actions: dict[str, dict[str, Any]]) -> None:
        """Declare several actions: ``{ACTION: {"description": ..., "function": ...}}``."""
        for kind, config in actions.items():
            if not isinstance(config, dict) or "description" not in config:
                raise SpecificationError(f"{self.name}: action {kind!r} needs a dict with a 'description' "
                                         "(and usually a 'function').")
            self.add_action(kind, config["description"], config.get("function"))

    def add_action_constraint(self, constraint: str) -> None:
        self.constraints.append(str(constraint))

    def add_action_constraints(self, constraints: Iterable[str]) -> None:
        for constraint in constraints:
            self.add_action_constraint(constraint)

    def action_definitions(self) -> tuple[ActionDefinition, ...]:
        return tuple(ActionDefinition(k, c["description"]) for k, c in self.actions_configs.items())

    def action_constraints(self) -> tuple[str, ...]:
        return tuple(self.constraints)

    def process_action(self, agent: Agent, action: FacultyAction) -> bool:
        config = self.actions_configs.get(action.type)
        if config is None:
            return False
        function = config.get("function")
        if function is None:  # declared without a function: the action is taken and remembered, as the original does
            warned = self.__dict__.setdefault("_warned_no_function", set())
            if action.type not in warned:
                warned.add(action.type)
                logger.warning(f"mental faculty {self.name!r}: action {action.type} has no function, so it only "
                               f"is remembered; to give it an effect, use faculty.add_action({action.type!r}, "
                               "description, function) (functions are not saved with the agent).")
            return True
        function(agent, action)
        return True

    def to_state(self) -> dict[str, Any]:
        return {"requires_faculties": list(self.requires_faculties),
                "actions": {k: {"description": c["description"]} for k, c in self.actions_configs.items()},
                "constraints": list(self.constraints)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.requires_faculties = [str(x) for x in state.get("requires_faculties", self.requires_faculties)]
        old = self.actions_configs
        self.actions_configs = {}
        for kind, config in (state.get("actions") or {}).items():
            function = (old.get(kind) or {}).get("function")
            self.actions_configs[kind] = {"description": str(config.get("description", "")), "function": function}
        self.constraints = [str(c) for c in state.get("constraints", self.constraints)]


def __getattr__(name: str) -> Any:
    # TinyTroupe's path for the tool faculty: ``from tinytroupe.agent.mental_faculty import TinyToolUse``
    if name == "TinyToolUse":  # defined in tinytroupe.tools, above this layer
        from tinytroupe import providers

        return providers.need("TinyToolUse")
    if name == "RecallFaculty":  # defined with the other memory faculties, in tinytroupe.agent.recall
        from tinytroupe.agent.recall import RecallFaculty

        return RecallFaculty
    if name == "FilesAndWebGroundingFaculty":
        from tinytroupe.agent.grounding_faculty import FilesAndWebGroundingFaculty

        return FilesAndWebGroundingFaculty
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
