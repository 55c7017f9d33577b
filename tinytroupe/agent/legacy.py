"""The persona conveniences users of TinyTroupe know, as a mixin of :class:`TinyPerson`.

``agent["age"]``, ``agent["age"] = 31`` and ``agent + {...}`` (or ``agent + "x.fragment.json"``)
read and change the persona; ``define_relationships``, ``clear_relationships`` and
``related_to`` manage the ``relationships`` list; ``pp_current_interactions`` prints the
remembered events (through the printer the UI registers with :mod:`tinytroupe.display`);
``listen_and_act`` and its kin, ``pop_latest_actions``, ``load_specifications_from_folder``,
``create_new_agent_from_current_spec``,
``all_agents_names`` and ``iso_datetime`` are the original's names for things this library
does elsewhere. Methods that :class:`TinyPerson` defines itself take precedence.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinytroupe.agent import describe
from tinytroupe.display import show_text
from tinytroupe.errors import SpecificationError
from tinytroupe.memory.legacy import original_item

if TYPE_CHECKING:
    from tinytroupe.agent.tiny_person import TinyPerson

__all__ = ["LegacyPersonaMixin", "relationship"]


def relationship(name: str, description: str) -> dict[str, str]:
    """One entry of the persona's ``relationships`` list, as the agent files write it."""
    return {"name": name, "description": description}


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most] + " (...)"


def _as_relationships(value: Any) -> list[dict[str, Any]]:
    """``value`` as a list of relationship dicts, or a SpecificationError that says what is wrong."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise SpecificationError(
            "define_relationships: give a list of {'name': ..., 'description': ...} dicts "
            f"(or one such dict), got {type(value).__name__}."
        )
    out = []
    for r in value:
        if "name" not in {str(k).lower() for k in r}:
            raise SpecificationError(f"define_relationships: relationship {r!r} has no 'name'.")
        out.append(dict(r))  # kept as given: the original's "Name"/"Description" read back as such
    return out


class LegacyPersonaMixin:
    """Item access, ``+`` and relationship helpers on the persona (see the module docstring)."""

    communication_display: bool = True
    """Show this agent's stimuli and actions on the console (False hides them); a
    ``communication_display=`` argument of a call wins over it."""

    def _shows(self, display: bool | None) -> bool:
        """Whether a stimulus or action is for display: the call's ``communication_display`` when
        given, else this agent's switch (``agent.communication_display`` or the class's)."""
        return bool(self.communication_display) if display is None else bool(display)

    # -- settings and counters (kept by the settings object and the ledger) ----------------
    def _setting(name: str, doc: str) -> property:  # type: ignore[misc]
        def fget(self: Any) -> Any:
            return getattr(self.settings, name)

        def fset(self: Any, value: Any) -> None:
            self.settings = self.settings.replace(**{name: value})

        return property(fget, fset, doc=doc)

    def _counter(name: str, doc: str) -> property:  # type: ignore[misc]
        def fget(self: Any) -> Any:
            return getattr(self.ledger, name)

        def fset(self: Any, value: Any) -> None:
            setattr(self.ledger, name, value)

        return property(fget, fset, doc=doc)

    strict = _setting("strict", "Raise on model failures instead of recording a fallback turn.")
    enable_quality_checks = _setting("enable_quality_checks", "Judge turns (None: the configuration decides).")
    repetition_guard = _setting("repetition_guard", "End a turn where an action repeats an earlier one.")
    schema_max_actions = _setting("schema_max_actions", "At most this many actions in one reply (None: the setting).")
    fallback_count = _counter("fallback_count", "Turns the model could not give.")
    actions_count = _counter("actions_count", "Actions taken (DONE not counted).")
    current_episode_event_count = _counter("current_episode_event_count", "Events since the episode began.")
    last_action = _counter("last_action", "The last action taken since something new happened.")
    del _setting, _counter

    # -- item access and "+" ---------------------------------------------------------------
    def __getitem__(self: TinyPerson, key: str) -> Any:
        """``agent["occupation.title"]``: the persona value (None when absent)."""
        if not isinstance(key, str):
            raise TypeError(f"persona keys are strings such as 'age' or 'occupation.title', got {key!r}")
        return self.get(key)

    def __setitem__(self: TinyPerson, key: str, value: Any) -> None:
        """``agent["age"] = 31``: the same as ``agent.define("age", 31)``."""
        if not isinstance(key, str):
            raise TypeError(f"persona keys are strings such as 'age' or 'occupation.title', got {key!r}")
        self.define(key, value)

    # an agent is not a sequence: without this, ``in`` and ``iter()`` would probe agent[0], agent[1]...
    __iter__ = None  # type: ignore[assignment]

    def __add__(self: TinyPerson, other: Any) -> TinyPerson:
        """``agent + {...}`` merges persona definitions in; ``agent + "x.fragment.json"`` imports a
        fragment file. Returns the agent itself (changed), as in the original."""
        if isinstance(other, dict):
            return self.include_persona_definitions(other)
        if isinstance(other, (str, os.PathLike)):
            return self.import_fragment(other)
        raise TypeError(
            f"TinyPerson + {type(other).__name__}: add a dict of persona definitions or the path of a "
            "*.fragment.json file."
        )

    # -- relationships ---------------------------------------------------------------------
    def define_relationships(self: TinyPerson, relationships: list[dict[str, Any]] | dict[str, Any],
                             replace: bool = True) -> TinyPerson:
        """Set (``replace=True``) or extend the persona's ``relationships`` list.

        Each relationship is ``{"name": ..., "description": ...}``; the original's
        ``"Name"``/``"Description"`` keys are accepted too and kept as written.
        """
        new = _as_relationships(relationships)
        current = [] if replace else _as_relationships(self.get("relationships") or [])
        return self.define("relationships", current + new)

    def clear_relationships(self: TinyPerson) -> TinyPerson:
        """Remove every relationship from the persona."""
        return self.define("relationships", [])

    def related_to(self: TinyPerson, other_agent: TinyPerson, description: str,
                   symmetric_description: str | None = None) -> TinyPerson:
        """Record that this agent relates to ``other_agent`` as ``description``; with
        ``symmetric_description``, the other agent gets the reverse relationship too."""
        self.define_relationships([relationship(other_agent.name, description)], replace=False)
        if symmetric_description is not None:
            other_agent.define_relationships([relationship(self.name, symmetric_description)], replace=False)
        return self

    # -- stimulus then act, in one call ----------------------------------------------------
    def listen_and_act(self, speech: Any, return_actions: bool = False, max_content_length: int | None = None,
                       communication_display: bool | None = None, *, source: Any = None,
                       **act_kwargs: Any) -> list | None:
        self.listen(speech, source, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

    def see_and_act(self, visual_description: Any, return_actions: bool = False, max_content_length: int | None = None,
                    communication_display: bool | None = None, *, source: Any = None,
                    **act_kwargs: Any) -> list | None:
        self.see(visual_description, source, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

    def think_and_act(self, thought: Any, return_actions: bool = False, max_content_length: int | None = None,
                      communication_display: bool | None = None, **act_kwargs: Any) -> list | None:
        self.think(thought, max_content_length, communication_display)
        return self.act(return_actions=return_actions, max_content_length=max_content_length,
                        communication_display=communication_display, **act_kwargs)

    # -- the action buffer -----------------------------------------------------------------
    def pop_latest_actions(self) -> list[dict[str, Any]]:
        """The actions taken since the last call (oldest first), then forget them."""
        return self.ledger.pop_actions()

    def pop_actions_and_get_contents_for(self, action_type: str, only_last_action: bool = True) -> str:
        """The contents of the latest actions of ``action_type``, joined by newlines (buffer emptied)."""
        contents = [a["content"] for a in self.pop_latest_actions() if a["type"] == action_type]
        if only_last_action:
            contents = contents[-1:]
        return "\n".join(contents)

    # -- printing (through the UI layer) ---------------------------------------------------
    def pretty_current_interactions(self, simplified: bool = True, skip_system: bool = True,
                                    max_content_length: int | None = None, first_n: int | None = None,
                                    last_n: int | None = None, include_omission_info: bool = True) -> str:
        """The remembered events as readable lines (the original's arguments and order)."""
        return describe.pretty_interactions(self, first_n, last_n, max_content_length, simplified=simplified,
                                            skip_system=skip_system, include_omission_info=include_omission_info)

    def _repr_markdown_(self) -> str:
        return describe.markdown_card(self)

    def pp_current_interactions(self: TinyPerson, simplified: bool = True, skip_system: bool = True,
                                max_content_length: int | None = None, first_n: int | None = None,
                                last_n: int | None = None, include_omission_info: bool = True) -> None:
        """Print the remembered events (see :meth:`pretty_current_interactions`)."""
        show_text(self.pretty_current_interactions(simplified, skip_system, max_content_length, first_n, last_n,
                                                   include_omission_info))

    def pp_last_interactions(self: TinyPerson, n: int = 3, simplified: bool = True, skip_system: bool = True,
                             max_content_length: int | None = None, include_omission_info: bool = True) -> None:
        """Print the last ``n`` remembered events."""
        self.pp_current_interactions(simplified, skip_system, max_content_length, 0, n, include_omission_info)

    # -- episodic memory, the original's way ----------------------------------------------
    def retrieve_memories(self: TinyPerson, first_n: int | None, last_n: int | None, include_omission_info: bool = True,
                          max_content_length: int | None = None) -> list[dict[str, Any]]:
        """The first ``first_n`` and last ``last_n`` remembered events as the original's memory
        items (``{"role": "user", "content": {"stimuli": [...]}}``, ``{"role": "assistant",
        "content": {"action": ...}}``...; see ``original_item``), their texts cut to
        ``max_content_length`` characters when given."""
        events = self.episodic_memory.retrieve(first_n, last_n, include_omission_info=include_omission_info)
        if max_content_length is not None:
            events = [dataclasses.replace(e, content=_cut(e.content, max_content_length)) for e in events]
        return [original_item(e) for e in events]

    def retrieve_recent_memories(self: TinyPerson, max_content_length: int | None = None) -> list[dict[str, Any]]:
        """The events a turn's prompt shows: the fixed prefix and the recent window (EPISODIC_MEMORY_* settings)."""
        return self.retrieve_memories(self.settings.episodic_prefix, self.settings.episodic_lookback,
                                      max_content_length=max_content_length)

    def clear_episodic_memory(self: TinyPerson, max_prefix_to_clear: int | None = None,
                              max_suffix_to_clear: int | None = None) -> None:
        """Forget episodic memories (all, or the first/last so many); semantic memory is kept."""
        self.episodic_memory.clear(max_prefix_to_clear=max_prefix_to_clear, max_suffix_to_clear=max_suffix_to_clear)

    def store_in_memory(self: TinyPerson, value: Any) -> None:
        """Store one event in episodic memory: a ``MemoryEvent``, its dict, or an item in the
        original's format (``{"role": ..., "content": ..., "type": ..., "simulation_timestamp": ...}``)."""
        self.episodic_memory.store(value)

    def last_remembered_action(self: TinyPerson, ignore_done: bool = True) -> dict[str, str] | None:
        """The latest remembered action as ``{"type", "content", "target"}`` (DONE skipped unless asked), or None."""
        for event in reversed(self.episodic_memory.retrieve_all(role="action")):
            if not (ignore_done and event.type == "DONE"):
                return {"type": event.type, "content": event.content, "target": event.target}
        return None

    # -- documents (the original's older grounding methods) -------------------------------
    def _grounding(self: TinyPerson) -> Any:
        """The agent's files-and-web grounding faculty, added on first use."""
        from tinytroupe.agent.grounding_faculty import FilesAndWebGroundingFaculty

        found = next((f for f in self.mental_faculties if isinstance(f, FilesAndWebGroundingFaculty)), None)
        if found is None:
            found = FilesAndWebGroundingFaculty()
            self.add_mental_faculty(found)
        return found

    def read_documents_from_folder(self: TinyPerson, documents_path: str | os.PathLike) -> None:
        """Let the agent consult the documents of a folder (through FilesAndWebGroundingFaculty)."""
        self._grounding().local_files_grounding_connector.add_folder(documents_path)

    def read_document_from_file(self: TinyPerson, file_path: str | os.PathLike) -> None:
        """Let the agent consult one document file."""
        self._grounding().local_files_grounding_connector.add_file_path(file_path)

    def read_documents_from_web(self: TinyPerson, web_urls: list[str]) -> None:
        """Let the agent consult these web pages."""
        self._grounding().web_grounding_connector.add_web_urls(web_urls)

    def read_document_from_web(self: TinyPerson, web_url: str) -> None:
        """Let the agent consult one web page."""
        self._grounding().web_grounding_connector.add_web_url(web_url)

    # -- names of the original for things done elsewhere -----------------------------------
    def iso_datetime(self: TinyPerson) -> str | None:
        """The simulated time of the agent's world as ISO text, or None outside a world."""
        return self.sim_time()

    def create_new_agent_from_current_spec(self: TinyPerson, new_name: str) -> TinyPerson:
        """A new agent with this one's persona under ``new_name`` (no memories)."""
        clone = type(self)(new_name)
        clone.include_persona_definitions({k: v for k, v in self.persona.items() if k != "name"})
        return clone

    @classmethod
    def load_specifications_from_folder(cls, folder_path: str | os.PathLike, file_suffix: str = ".agent.json",
                                        **kwargs: Any) -> list[TinyPerson]:
        """Every ``*file_suffix`` file of ``folder_path`` loaded with ``load_specification(**kwargs)``,
        in file-name order."""
        folder = Path(folder_path)
        if not folder.is_dir():
            raise SpecificationError(f"{folder}: not a folder; give the folder that holds the *.agent.json files.")
        return [cls.load_specification(p, **kwargs)  # type: ignore[attr-defined]
                for p in sorted(folder.iterdir()) if p.name.endswith(file_suffix)]

    @staticmethod
    def all_agents_names() -> list[str]:
        """The names of every agent that exists in this process."""
        from tinytroupe.agent import registry

        return list(registry.all_agents)

    def clear_communications_buffer(self) -> None:
        """Kept for scripts of the original; the display is event-driven here and keeps no buffer."""
