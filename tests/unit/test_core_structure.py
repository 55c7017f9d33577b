"""The shape of the core: contracts in one small module, control below the concrete classes,
agent internals touched only by the agent, typed payloads read by the renderer, transcripts and CLI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tinytroupe
from tinytroupe import contracts, events

PACKAGE = Path(tinytroupe.__file__).parent
CONCRETE = ("tinytroupe.agent", "tinytroupe.environment", "tinytroupe.factory", "tinytroupe.steering")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_contracts_module_is_small_and_holds_the_protocols_and_payloads():
    lines = len((PACKAGE / "contracts.py").read_text(encoding="utf-8").splitlines())
    assert lines < 400
    for name in ("Agent", "World", "Stateful", "Part", "Stimulus", "StimulusKind", "ActionKind", "EVENT_PAYLOADS"):
        assert hasattr(contracts, name)
    assert {"agent.stimulus", "agent.action", "agent.fallback", "world.step", "llm.call",
            "control.hit"} <= set(contracts.EVENT_PAYLOADS)


def test_control_imports_no_concrete_agent_or_world_class():
    for path in sorted((PACKAGE / "control").glob("*.py")):
        bad = [m for m in _imports(path) if m.startswith(CONCRETE)]
        assert not bad, f"{path.name} imports {bad}"


def test_contracts_and_events_import_nothing_above_them():
    for name in ("contracts.py", "event_payloads.py", "state/registered.py", "events.py", "transactions.py"):
        bad = [m for m in _imports(PACKAGE / name)
               if m.startswith("tinytroupe.") and not m.startswith(("tinytroupe.contracts", "tinytroupe.config", "tinytroupe.event_payloads",
                                                                   "tinytroupe.errors", "tinytroupe.state.registered",
                                                                   "tinytroupe.extensions", "tinytroupe.runtime"))]
        assert not bad, f"{name} imports {bad}"


def test_only_the_cli_imports_the_cli():
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "cli") in path.parents:
            continue
        bad = [m for m in _imports(path) if m == "tinytroupe.cli" or m.startswith("tinytroupe.cli.")]
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


_PRIVATE = re.compile(r"\b(?:\w+_)?(?:agent|person)\._[a-z]\w*")


# the modules that define TinyPerson's methods (the class and its mixins)
_PERSON_MODULES = ("tiny_person.py", "person_files.py", "legacy.py", "memory_api.py")


def test_no_module_but_tiny_person_touches_agent_private_attributes():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE / "agent" and path.name in _PERSON_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if _PRIVATE.search(code) and "_repr_" not in code:
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_provider_name_comparisons():
    pattern = re.compile(r"""(?:model|inner)\.name\s*[!=]=\s*["']""")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_renderer_transcript_and_summary_read_typed_payloads():
    for module in ("ui/console.py", "cli/summary.py", "cli/view.py", "environment/transcript.py"):
        source = (PACKAGE / module).read_text(encoding="utf-8")
        assert "tinytroupe.contracts" in source and ".payload" in source, module
    event = events.Event("agent.action", "Ann", {"agent": "Ann", "type": "TALK", "content": "hi", "extra": 1})
    assert event.payload == contracts.AgentAction("Ann", "TALK", "hi")
    assert events.Event("custom.kind", data={"x": 1}).payload == {"x": 1}



def test_a_payload_missing_a_required_field_reads_it_as_none_and_keeps_defaults():
    payload = contracts.payload_for("world.delivery_dropped", {"world": "W", "reason": "gone"})
    assert payload == contracts.WorldDeliveryDropped("W", None, None, "gone")
    assert contracts.payload_for("world.step", {"world": "W", "step": 2}).total_steps == 1

def test_publish_emits_the_payload_kind_with_its_fields():
    with events.collect(["world.step"]) as seen:
        events.publish(contracts.WorldStep("Room", 3), source="Room")
    assert seen.events[0].kind == "world.step" and seen.events[0].payload.step == 3


def test_the_agents_events_carry_exactly_their_payloads_fields():
    import dataclasses

    from tinytroupe import llm
    from tinytroupe.agent import TinyPerson
    from tinytroupe.testing.agent_replies import act_reply

    llm.set_default_model(llm.ScriptedModel(default=act_reply(("THINK", "hm"))))
    with events.collect(["agent."]) as seen:
        TinyPerson("Ana").listen_and_act("hello", source="Bob")
    assert {e.kind for e in seen.events} == {"agent.stimulus", "agent.action"}
    for event in seen.events:
        fields = {f.name for f in dataclasses.fields(contracts.EVENT_PAYLOADS[event.kind])}
        assert set(event.data) == fields, event.kind


def test_every_event_kind_has_a_frozen_payload_class_and_no_emit_names_a_kind():
    import dataclasses

    for kind, cls in contracts.EVENT_PAYLOADS.items():
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, kind
        assert contracts.event_kind(cls(**{f.name: None for f in dataclasses.fields(cls)
                                           if f.default is dataclasses.MISSING
                                           and f.default_factory is dataclasses.MISSING})) == kind
    untyped = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "emit" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                untyped.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert untyped == []


def test_routing_and_stepping_know_only_the_contracts():
    for name in ("routing.py", "tiny_world.py", "state.py", "tiny_social_network.py"):
        bad = [m for m in _imports(PACKAGE / "environment" / name) if m.startswith("tinytroupe.agent")]
        assert not bad, f"environment/{name} imports {bad}"


def test_tiny_person_module_stays_small():
    assert len((PACKAGE / "agent" / "tiny_person.py").read_text(encoding="utf-8").splitlines()) <= 400
