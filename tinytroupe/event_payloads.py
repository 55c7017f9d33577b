"""The catalogue of event kinds and their typed payloads (re-exported by :mod:`tinytroupe.contracts`).

Every event is emitted as one of these frozen dataclasses (``events.emit(payload)``); its kind
comes from :data:`EVENT_PAYLOADS`. The payload's fields are the event's ``data`` keys, which is
what transcripts store, so a field is renamed only with a reader for the old name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "EVENT_PAYLOADS", "payload_for", "event_kind", "payload_of",
    "AgentStimulus", "AgentAction", "AgentFallback", "AgentGuard", "AgentQuality",
    "WorldStep", "WorldSkip", "WorldIntervention", "WorldDeliveryDropped", "WorldReachOutRefused",
    "LLMCall", "LLMRetry", "LLMRepair", "LLMEmbed", "LLMEmbeddingFallback", "ControlHit", "ControlMiss",
    "FactoryPerson", "FactoryFailed", "FactoryRetry", "FactoryPlan", "RunSaved", "ReportDisplay",
    "ToolFailed", "ToolRealWorldSideEffects", "ToolDocumentWritten", "ToolEventCreated",
    "StorySection", "StoryTrimmed", "EnrichmentFailed", "ExtractionFailed", "ExtractionResult",
    "ExperimentRun", "SurveyDone", "ValidationRound", "ProfileCharts",
]


@dataclass(frozen=True)
class AgentStimulus:
    agent: str
    type: str
    content: str
    sender: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentAction:
    agent: str
    type: str
    content: str = ""
    target: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentFallback:
    """A turn the model could not give: the failure's type and a short, fixed reason (no raw text)."""

    agent: str
    error_type: str
    reason: str
    display: bool = True
    error: str = ""  # "<error_type>: <reason>"

    def __post_init__(self) -> None:
        if not self.error:
            object.__setattr__(self, "error", f"{self.error_type}: {self.reason}")

@dataclass(frozen=True)
class AgentGuard:
    agent: str
    reason: str
    note: str = ""
    display: bool = True

@dataclass(frozen=True)
class AgentQuality:
    agent: str
    score: int
    attempt: int
    passed: bool
    threshold: int
    feedback: str = ""
    scores: dict[str, int] = field(default_factory=dict)  # per criterion

@dataclass(frozen=True)
class WorldStep:
    world: str
    step: int
    run_step: int = 1
    total_steps: int = 1
    time: str | None = None

@dataclass(frozen=True)
class WorldSkip:
    world: str
    steps: int

@dataclass(frozen=True)
class WorldIntervention:
    world: str
    name: str
    step: int
    justification: str | None = None

@dataclass(frozen=True)
class WorldDeliveryDropped:
    world: str
    agent: str | None
    target: str | None
    reason: str

@dataclass(frozen=True)
class WorldReachOutRefused:
    world: str
    agent: str
    target: str | None
    reason: str

@dataclass(frozen=True)
class LLMCall:
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    cost: float | None = None
    purpose: str = ""

@dataclass(frozen=True)
class LLMRetry:
    attempt: int
    error: str = ""
    status: int | None = None
    delay: float = 0.0
    model: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

@dataclass(frozen=True)
class LLMRepair:
    attempt: int
    mode: str
    problem: str
    output_type: str

@dataclass(frozen=True)
class ControlHit:
    simulation: str
    op: str
    receiver: str
    key: str
    replayed: dict[str, Any] = field(default_factory=dict)  # usage of the replayed calls

@dataclass(frozen=True)
class ControlMiss:
    simulation: str
    op: str
    receiver: str
    key: str

@dataclass(frozen=True)
class FactoryPerson:
    name: str
    index: int = 0
    batch_position: int = 0
    batch_size: int = 0
    attempts: int = 0
    minibio: str = ""
    verbose: bool = False

@dataclass(frozen=True)
class FactoryFailed:
    batch_position: int
    error: str = ""

@dataclass(frozen=True)
class FactoryRetry:
    batch_position: int
    reason: str = ""

@dataclass(frozen=True)
class FactoryPlan:
    dimensions: list[Any] = field(default_factory=list)

@dataclass(frozen=True)
class ReportDisplay:
    content: str = ""
    title: str | None = None

@dataclass(frozen=True)
class RunSaved:
    summary: str = ""
    state: str = ""
    transcript: str = ""
    checkpoint: str = ""
    results: str = ""
    results_csv: str = ""
    run: str = ""

# -- payloads of the other layers' events ------------------------------------------------------
@dataclass(frozen=True)
class LLMEmbed:
    provider: str
    model: str
    texts: int = 0
    cached_texts: int = 0
    input_tokens: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    cost: float | None = None

@dataclass(frozen=True)
class LLMEmbeddingFallback:
    reason: str
    embedder: str = "lexical"

@dataclass(frozen=True)
class ToolFailed:
    agent: str
    tool: str
    action: str
    error: str

@dataclass(frozen=True)
class ToolRealWorldSideEffects:
    tool: str
    agent: str | None
    message: str
    level: str = "warning"

@dataclass(frozen=True)
class ToolDocumentWritten:
    tool: str
    title: str
    author: str | None = None
    files: list[str] = field(default_factory=list)

@dataclass(frozen=True)
class ToolEventCreated:
    tool: str
    title: str
    attendees: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)

@dataclass(frozen=True)
class StorySection:
    heading: str
    words: int
    text: str

@dataclass(frozen=True)
class StoryTrimmed:
    words: int
    budget: int

@dataclass(frozen=True)
class EnrichmentFailed:
    """A model-written enrichment failed; the content was kept as it was (transform or tool)."""

    problem: str
    purpose: str | None = None
    content_format: str | None = None
    tool: str | None = None

@dataclass(frozen=True)
class ExtractionFailed:
    agent: str
    error: str

@dataclass(frozen=True)
class ExtractionResult:
    key: str
    result: Any = None

@dataclass(frozen=True)
class ExperimentRun:
    experiment: str
    arm: str
    seed: Any
    status: str

@dataclass(frozen=True)
class SurveyDone:
    survey: str
    respondents: int
    questions: int
    failed: int = 0

@dataclass(frozen=True)
class ValidationRound:
    agent: str
    round: int
    phase: str
    questions: list[str] = field(default_factory=list)
    done: bool = False

@dataclass(frozen=True)
class ProfileCharts:
    charts: dict[str, str] = field(default_factory=dict)


EVENT_PAYLOADS: dict[str, type] = {
    "agent.stimulus": AgentStimulus, "agent.action": AgentAction, "agent.fallback": AgentFallback,
    "agent.guard": AgentGuard, "agent.quality": AgentQuality,
    "world.step": WorldStep, "world.skip": WorldSkip, "world.intervention": WorldIntervention,
    "world.delivery_dropped": WorldDeliveryDropped, "world.reach_out_refused": WorldReachOutRefused,
    "llm.call": LLMCall, "llm.retry": LLMRetry, "llm.repair": LLMRepair, "llm.embed": LLMEmbed,
    "llm.embedding_fallback": LLMEmbeddingFallback,
    "control.hit": ControlHit, "control.miss": ControlMiss,
    "factory.person": FactoryPerson, "factory.failed": FactoryFailed, "factory.retry": FactoryRetry,
    "factory.plan": FactoryPlan, "cli.run_saved": RunSaved, "report.display": ReportDisplay,
    "tool.failed": ToolFailed, "tool.real_world_side_effects": ToolRealWorldSideEffects,
    "tool.document_written": ToolDocumentWritten, "tool.event_created": ToolEventCreated,
    "story.section": StorySection, "story.trimmed": StoryTrimmed, "enrichment.failed": EnrichmentFailed,
    "extraction.failed": ExtractionFailed, "extraction.result": ExtractionResult,
    "experiment.run": ExperimentRun, "survey.done": SurveyDone, "validation.round": ValidationRound,
    "profile.charts": ProfileCharts,
}
"""Event kind -> payload dataclass: every kind the library emits."""

_KIND_OF = {cls: kind for kind, cls in EVENT_PAYLOADS.items()}
_FIELDS = {cls: {f.name for f in dataclasses.fields(cls)} for cls in EVENT_PAYLOADS.values()}
P = TypeVar("P")


def event_kind(payload: Any) -> str:
    """The event kind of a payload instance (TypeError for an object that is not a catalogued payload)."""
    try:
        return _KIND_OF[type(payload)]
    except KeyError:
        raise TypeError(f"{type(payload).__name__} is not an event payload; emit one of the dataclasses "
                        "of tinytroupe.contracts.EVENT_PAYLOADS") from None


def payload_of(cls: type[P], **fields: Any) -> P:
    """A payload of ``cls`` from every one of its fields, made without the frozen dataclass's
    per-field checks: for the hottest events (a crowd's deliveries). Missing or unknown fields
    raise, as the constructor would."""
    if fields.keys() != _FIELDS[cls]:
        return cls(**fields)  # let the constructor say what is wrong
    payload = object.__new__(cls)
    payload.__dict__.update(fields)
    return payload


def payload_for(kind: str, data: Mapping[str, Any]) -> Any:
    """The typed payload of an event of ``kind`` (fields it does not know are left out;
    missing ones take their defaults); the plain dict for a kind with no payload class
    (a subscriber's own event kinds, or a file written by a newer version)."""
    cls = EVENT_PAYLOADS.get(kind)
    if cls is None:
        return dict(data)
    known: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            known[f.name] = data[f.name]
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            known[f.name] = None
    return cls(**known)
