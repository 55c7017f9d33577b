"""The schemas of tinytroupe's own documents, one per kind (see :mod:`tinytroupe.state.schema`).

``agent``: an agent's complete state (``TinyPerson.save``, ``encode_complete_state``);
``agent_spec``: a ``*.agent.json`` specification; ``fragment``: a ``*.fragment.json``;
``world``: a saved world (``TinyWorld.save``); ``factory``: a factory's state
(``factory_state.json``); ``population``: a demography file; ``checkpoint``: a simulation
checkpoint. Scenario files and config.ini have their own checkers (:mod:`tinytroupe.cli.scenario`,
:mod:`tinytroupe.config`), which name the line or setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.state.schema import (
    AnyValue,
    Bool,
    Enum,
    Fixed,
    Int,
    ListOf,
    MapOf,
    Maybe,
    Mismatch,
    Num,
    Obj,
    Schema,
    Str,
    register_document,
)

__all__ = ["AGENT_STATE", "AGENT_SPEC", "WORLD_STATE", "FACTORY_STATE", "CHECKPOINT", "RNG_STATE"]


@dataclass(frozen=True)
class Scalar(Schema):
    expected: str = "a string, number, boolean or null"

    def check(self, value: Any, path: tuple[str | int, ...]) -> None:
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise Mismatch(path, self.expected, value)


@dataclass(frozen=True)
class _RngInternal(Schema):
    expected: str = "a list of 625 whole numbers (a random generator's state)"

    def check(self, value: Any, path: tuple[str | int, ...]) -> None:
        if not isinstance(value, list) or len(value) != 625:
            raise Mismatch(path, self.expected, value)
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < 2**32 or \
                    (i == 624 and not item <= 624):
                raise Mismatch((*path, i), "a whole number from 0 to 2**32 - 1", item)


RNG_STATE = Fixed((Enum((3,)), _RngInternal(), Maybe(Num())), what="a random generator state [3, [...], null]")
"""``random.Random.getstate()`` stored as JSON lists."""

ACTION = Obj(required={"type": Str(nonempty=True)}, optional={"content": Maybe(Str()), "target": Maybe(Str())})
FACULTY = Obj(required={"kind": Str(nonempty=True)}, optional={"name": Maybe(Str()), "state": Maybe(MapOf())})
PERSONA = Obj(required={"name": Str(nonempty=True)})
MENTAL_STATE = Obj(optional={"location": Maybe(Str()), "context": ListOf(Str()), "goals": Maybe(Str()),
                             "situation": Maybe(Str()), "attention": Maybe(Str()), "emotions": Maybe(Str())})

AGENT_STATE = Obj(
    required={"type": Enum(("TinyPerson",)), "persona": PERSONA},
    optional={
        "state_version": Int(1),
        "name": Str(nonempty=True),
        "mental_state": Maybe(MENTAL_STATE),
        "accessible_agents": Maybe(ListOf(Obj(required={"name": Str(nonempty=True)},
                                              optional={"relation": Maybe(Str())}))),
        "episodic_memory": AnyValue(),  # memory parts check their own state (several formats)
        "semantic_memory": AnyValue(),
        "mental_faculties": Maybe(ListOf(FACULTY, what="a list of faculties {kind, name, state}")),
        "counters": Maybe(Obj(optional={**{k: Int(0) for k in (
            "fallback_count", "actions_count", "current_episode_event_count")},
            "failures": MapOf(Int(0)), "last_action": Maybe(ACTION), "actions_buffer": Maybe(ListOf(MapOf()))})),
        "quality_stats": Maybe(Obj(optional={**{k: Int(0) for k in (
            "checks", "regenerations", "passed", "failed", "judge_errors")}, "scores": ListOf(Num())})),
        "settings": Maybe(Obj(optional={"strict": Bool(), "enable_quality_checks": Maybe(Bool()),
                                        "schema_max_actions": Maybe(Int(1)), "repetition_guard": Bool()})),
        "last_action": Maybe(ACTION),
        "actions_buffer": Maybe(ListOf(MapOf())),
    },
)

AGENT_SPEC = Obj(
    required={"persona": PERSONA},
    optional={"type": Enum(("TinyPerson",)), "mental_state": Maybe(Obj(optional={"context": ListOf(AnyValue())})),
              "current_episode_event_count": Maybe(Int(0)), "mental_faculties": Maybe(ListOf(AnyValue())),
              "episodic_memory": AnyValue(), "semantic_memory": AnyValue()},
)
"""A ``*.agent.json``: a persona with a name; memories in other tools' formats are skipped with a warning."""

FRAGMENT = Obj(required={"persona": MapOf()}, optional={"type": Enum(("Fragment",))})

WORLD_STATE = Obj(
    required={"name": Str(nonempty=True), "rng_state": RNG_STATE, "current_datetime": Maybe(Str()),
              "simulation_step": Int(0), "agents": ListOf(AGENT_STATE, what="a list of agent states")},
    optional={"type": Str(), "version": Int(1), "broadcast_if_no_target": Bool(), "simulation_id": Maybe(Str()),
              "seed": Maybe(Int()),
              "relations": MapOf(ListOf(Fixed((Str(), Str()), what="a pair of agent names")))},
)

WORLD_FILE = Obj(required={"world": WORLD_STATE})

DIMENSION = Obj(required={"key": Str(nonempty=True)},
                optional={"distribution": MapOf(Num()), "label": Maybe(Str()), "field": Maybe(Str()),
                          "note": Maybe(Str())})

FACTORY_STATE = Obj(
    required={"type": Enum(("TinyPersonFactory",)), "rng_state": RNG_STATE},
    optional={"version": Int(1), "context": Maybe(Str()), "sampling_space_description": Maybe(Str()),
              "total_population_size": Maybe(Int(0)), "seed": Maybe(Int()), "quota": Maybe(Bool()),
              "concurrency": Maybe(Int(1)), "detail": Maybe(Str()),
              "dimensions": Maybe(ListOf(DIMENSION, what="a list of dimensions")),
              "sampling_plan": ListOf(MapOf(), what="a list of plan entries (objects)"), "next_entry": Int(0),
              "names": Obj(optional={"names": ListOf(Str()),
                                     "signatures": ListOf(Fixed((Scalar(), Scalar(), Scalar()),
                                                                what="a persona signature"))}),
              "generated_names": ListOf(Str()), "generated_minibios": ListOf(Str())},
)

CHECKPOINT = Obj(
    required={"records": MapOf(Obj(required={"op": Str(), "receiver": Str(), "after": MapOf(Str())},
                                   optional={"result": AnyValue(), "usage": MapOf(),
                                             "transcripts": MapOf(ListOf(MapOf()))})),
              "blobs": MapOf(Obj()), "state": MapOf(Str())},
    optional={"simulation_id": Maybe(Str()), "stats": Maybe(MapOf())},
)

POPULATION = Obj()
"""A demography file: a JSON object of groups; its reader checks the groups (naming each one)."""

_FIX_STATE = "restore it from an unmodified copy, or save the object again"
register_document("agent", AGENT_STATE, "agent state", _FIX_STATE)
register_document("world", WORLD_FILE, "world file", _FIX_STATE)
register_document("world_state", WORLD_STATE, "world state", _FIX_STATE)
register_document("factory", FACTORY_STATE, "factory state", _FIX_STATE)
register_document("checkpoint", CHECKPOINT, "checkpoint", "delete it or choose another path")
register_document("agent_spec", AGENT_SPEC, "agent specification", "fix the field in the file",
                  error=SpecificationError)
register_document("fragment", FRAGMENT, "fragment", "fix the field in the file", error=SpecificationError)
register_document("population", POPULATION, "demography file", "fix the field in the file", error=SpecificationError)
