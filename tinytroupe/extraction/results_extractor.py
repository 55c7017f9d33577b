"""ResultsExtractor: each person's answer, choice or rating out of a simulation, as data.

Fields and hints become a JSON schema (see :mod:`tinytroupe.extraction.fields`), so the
answer comes back typed and in range, through the structured-output seam. Many agents are
extracted concurrently. Results are cached per agent and per world: the same request for
the same history is answered from the cache, without a model call.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from tinytroupe import contracts, events, openai_utils
from tinytroupe.clients.builtin import ModelClient
from tinytroupe.errors import LLMError, StateError
from tinytroupe.extraction import trajectory
from tinytroupe.extraction.fields import FieldSpec, describe_fields, field_specs, result_model
from tinytroupe.extraction.output_language import DEFAULT_OUTPUT_LANGUAGE, output_language_line
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.llm.json_extract import JSONExtractionError, extract_json
from tinytroupe.llm.streaming import prepared_bound, stream_map
from tinytroupe.prompts import render, render_text
from tinytroupe.state import files as state_files
from tinytroupe.utils.templates import render_user_template, section

__all__ = ["ResultsExtractor", "DEFAULT_TEMPLATE", "client"]

logger = logging.getLogger(__name__)

# the default system prompt: a mustache file (``{{fields_instruction}}``), as the original's default was
DEFAULT_TEMPLATE = str(Path(__file__).resolve().parent / "prompts" / "extraction_system.mustache")
SAVE_FORMAT = "tinytroupe.extraction"
_AGENT_OBJECTIVE = "The main points present in the agent's interactions history."
_WORLD_OBJECTIVE = "The main points that can be derived from the agents conversations and actions."


@functools.lru_cache(maxsize=1)
def _default_template() -> str:
    return Path(DEFAULT_TEMPLATE).read_text(encoding="utf-8")


def client() -> Any:
    """The configured client, looked up at each extraction (the original's hook): when it is
    not one of this library's built-in clients (a client object of the user's), extraction
    sends through its ``send_message`` and reads the JSON in the reply."""
    return openai_utils.client()


class ResultsExtractor:
    """Extracts results from agents and worlds with an LLM (the original's interface).

    ``agent_extraction`` and ``world_extraction`` map names to the last result. Beyond the
    original: ``model`` (default: the process-wide model) and async twins of each method.
    """

    def __init__(self, extraction_prompt_template_path: str = DEFAULT_TEMPLATE,
                 extraction_objective: str = "The main points present in the agents' interactions history.",
                 situation: str = "", fields: list[str] | None = None, fields_hints: dict | None = None,
                 verbose: bool = False, *, model: LLMModel | None = None,
                 output_language: str = DEFAULT_OUTPUT_LANGUAGE):
        self._extraction_prompt_template_path = extraction_prompt_template_path
        self.default_extraction_objective = extraction_objective
        self.default_situation = situation
        self.default_fields = fields
        self.default_fields_hints = fields_hints
        self.default_verbose = verbose
        self.model = model
        self.output_language = output_language  # the language of extracted values (field names never change)
        self.agent_extraction: dict[str, Any] = {}
        self.world_extraction: dict[str, Any] = {}
        self.failures: dict[str, str] = {}
        self._memo: dict[str, tuple[str, Any]] = {}

    # -- agents ----------------------------------------------------------------------------
    def extract_results_from_agents(self, agents: Iterable[Any], extraction_objective: str | None = None,
                                    situation: str | None = None, fields: list | None = None,
                                    fields_hints: dict | None = None, verbose: bool | None = None) -> list[Any]:
        """One result per agent, in order, extracted concurrently; blocking twin of the async one.

        An agent whose extraction fails gets ``None``; the error is logged, emitted as an
        ``extraction.failed`` event and kept in :attr:`failures` (the error's class and HTTP
        status, in our words: never the provider's text, which may hold anything).
        """
        from tinytroupe._sync import run_sync

        return run_sync(self.aextract_results_from_agents(agents, extraction_objective, situation, fields,
                                                          fields_hints, verbose))

    async def aextract_results_from_agents(self, agents: Iterable[Any], extraction_objective: str | None = None,
                                           situation: str | None = None, fields: list | None = None,
                                           fields_hints: dict | None = None,
                                           verbose: bool | None = None) -> list[Any]:
        agents = list(agents)

        async def extract(agent: Any) -> Any:
            try:
                return await self.aextract_results_from_agent(agent, extraction_objective, situation, fields,
                                                              fields_hints, verbose)
            except LLMError as exc:  # recorded below, in agent order
                return exc

        # streamed: an agent's request leaves once built, about the concurrency ceiling under way at once
        outcomes = await stream_map(extract, agents, prepared_bound(self.model))
        results = []
        for agent, outcome in zip(agents, outcomes, strict=True):
            if isinstance(outcome, LLMError):
                name = trajectory.agent_name(agent)
                failure = contracts.failure_of(outcome)  # the error's class and status, never the server's text
                self.failures[name] = f"{failure.error_type}: {failure.reason}"
                logger.warning("extraction failed for %s: %s", name, self.failures[name])
                logger.debug("extraction failure for %s in full: %s", name, outcome)
                events.emit(contracts.ExtractionFailed(name, self.failures[name]), source=name)
                outcome = None
            elif isinstance(outcome, BaseException):
                raise outcome
            results.append(outcome)
        return results

    def extract_results_from_agent(self, tinyperson: Any, extraction_objective: str = _AGENT_OBJECTIVE,
                                   situation: str = "", fields: list | None = None, fields_hints: dict | None = None,
                                   verbose: bool | None = None) -> Any:
        """The result for one agent (a dict with the fields); raises a typed error on failure."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aextract_results_from_agent(tinyperson, extraction_objective, situation, fields,
                                                         fields_hints, verbose))

    async def aextract_results_from_agent(self, tinyperson: Any, extraction_objective: str | None = _AGENT_OBJECTIVE,
                                          situation: str | None = "", fields: list | None = None,
                                          fields_hints: dict | None = None, verbose: bool | None = None) -> Any:
        objective, situation, fields, fields_hints, verbose = self._defaults(
            extraction_objective, situation, fields, fields_hints, verbose)
        name = trajectory.agent_name(tinyperson)
        specs = field_specs(fields, fields_hints)
        user = render("extraction_agent.md", objective=objective, name=name, situation=situation or "",
                      history=trajectory.agent_history(tinyperson))
        result = await self._extract(f"agent:{name}", self._system(specs, per_agent=False), user,
                                     result_model(specs), {"agent": name}, verbose)
        self.agent_extraction[name] = result
        self.failures.pop(name, None)
        return result

    # -- worlds ----------------------------------------------------------------------------
    def extract_results_from_world(self, tinyworld: Any, extraction_objective: str = _WORLD_OBJECTIVE,
                                   situation: str = "", fields: list | None = None, fields_hints: dict | None = None,
                                   verbose: bool | None = None) -> Any:
        """One result for the whole world; with ``fields``, also ``per_agent``: the fields for
        every agent of the world (each one required by the schema)."""
        from tinytroupe._sync import run_sync

        return run_sync(self.aextract_results_from_world(tinyworld, extraction_objective, situation, fields,
                                                         fields_hints, verbose))

    async def aextract_results_from_world(self, tinyworld: Any, extraction_objective: str | None = _WORLD_OBJECTIVE,
                                          situation: str | None = "", fields: list | None = None,
                                          fields_hints: dict | None = None, verbose: bool | None = None) -> Any:
        objective, situation, fields, fields_hints, verbose = self._defaults(
            extraction_objective, situation, fields, fields_hints, verbose)
        agents = trajectory.world_agents(tinyworld)
        names = trajectory.names(agents)
        specs = field_specs(fields, fields_hints)
        histories = "\n\n".join(f"### {n}\n{trajectory.agent_history(a)}" for n, a in zip(names, agents, strict=True))
        user = render("extraction_world.md", objective=objective, world=tinyworld.name,
                      names=", ".join(names) or "(nobody)", situation=situation or "", histories=histories)
        output = _world_model(specs, names) if specs else result_model(specs)
        result = await self._extract(f"world:{tinyworld.name}", self._system(specs, per_agent=bool(specs)), user,
                                     output, {"world": tinyworld.name}, verbose)
        self.world_extraction[tinyworld.name] = result
        return result

    # -- files -----------------------------------------------------------------------------
    def save_as_json(self, filename: str | os.PathLike, verbose: bool = False) -> Path:
        """Write the cached results (``agent_extractions``, ``world_extraction``) to ``filename``."""
        path = state_files.write_document(filename, SAVE_FORMAT, 1, {
            "agent_extractions": self.agent_extraction, "world_extraction": self.world_extraction}, indent=2)
        if verbose:
            logger.info("saved extraction results to %s", path)
        return path

    def load_json(self, filename: str | os.PathLike) -> ResultsExtractor:
        """Read results written by :meth:`save_as_json` (or by the original) into the caches."""
        path = Path(filename)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: cannot read extraction results ({exc}); write them with save_as_json") from None
        if not isinstance(doc, dict) or "agent_extractions" not in doc:
            raise StateError(f"{path}: not an extraction results file (no 'agent_extractions')")
        self.agent_extraction.update(doc.get("agent_extractions") or {})
        self.world_extraction.update(doc.get("world_extraction") or {})
        return self

    # -- internals -------------------------------------------------------------------------
    def _get_default_values_if_necessary(self, extraction_objective: str | None, situation: str | None,
                                         fields: list | None, fields_hints: dict | None,
                                         verbose: bool | None) -> tuple[Any, Any, Any, Any, Any]:
        """The arguments, with this extractor's defaults for those given as None (the original's name)."""
        return self._defaults(extraction_objective, situation, fields, fields_hints, verbose)

    def _defaults(self, objective, situation, fields, fields_hints, verbose):
        return (objective if objective is not None else self.default_extraction_objective,
                situation if situation is not None else self.default_situation,
                fields if fields is not None else self.default_fields,
                fields_hints if fields_hints is not None else self.default_fields_hints,
                verbose if verbose is not None else self.default_verbose)

    def _system(self, specs: Sequence[FieldSpec], per_agent: bool) -> str:
        if specs:
            instruction = section("extraction_fields.md", "fields", fields=describe_fields(specs))
            if per_agent:
                instruction += "\n" + section("extraction_fields.md", "per_agent")
        else:
            instruction = section("extraction_fields.md", "free")
        language = output_language_line(self.output_language)
        if self._extraction_prompt_template_path == DEFAULT_TEMPLATE:
            return render_text(_default_template(), {"fields_instruction": instruction},
                               origin=DEFAULT_TEMPLATE) + language
        custom = render_user_template(self._extraction_prompt_template_path, None, {
            "fields": ", ".join(s.name for s in specs), "fields_hints": describe_fields(specs)})
        return custom.rstrip() + "\n\n" + instruction + language

    async def _extract(self, key: str, system: str, user: str, output: type[BaseModel],
                       tags: Mapping[str, str], verbose: bool) -> Any:
        from tinytroupe.llm import agenerate, default_model

        schema = output.model_json_schema()
        digest = hashlib.sha256(json.dumps([system, user, schema], sort_keys=True).encode()).hexdigest()
        memo = self._memo.get(key)
        if memo is not None and memo[0] == digest:
            return json.loads(json.dumps(memo[1]))
        messages = [Message(role="system", content=system), Message(role="user", content=user)]
        own_client = client() if self.model is None else None
        if own_client is not None and not isinstance(own_client, ModelClient):
            return await self._extract_with_client(own_client, key, messages, tags, verbose)
        result = await agenerate(self.model or default_model(), messages, output, temperature=0.0, schema=schema,
                                 tags={"purpose": "extraction", **tags})
        value = result.value.model_dump(mode="json", by_alias=True)
        if verbose:
            logger.info("extraction %s: %s", key, value)
        self._memo[key] = (digest, value)
        events.emit(contracts.ExtractionResult(key, value), source=tags.get("agent") or tags.get("world"))
        return json.loads(json.dumps(value))


    async def _extract_with_client(self, own_client: Any, key: str, messages: list[Message],
                                   tags: Mapping[str, str], verbose: bool) -> Any:
        """Extraction through a user's client object: its reply's JSON object, or None (logged)
        when it sent nothing or no JSON object."""
        plain = [{"role": m.role, "content": m.content} for m in messages]
        reply = await asyncio.to_thread(own_client.send_message, plain, temperature=0.0,
                                        response_format={"type": "json_object"})
        content = reply.get("content") if isinstance(reply, Mapping) else None
        try:
            value = extract_json(content) if isinstance(content, str) else None
        except JSONExtractionError:
            value = None
        if not isinstance(value, dict):
            logger.warning("extraction %s: the client's reply held no JSON object; the result is None", key)
            return None
        if verbose:
            logger.info("extraction %s: %s", key, value)
        events.emit(contracts.ExtractionResult(key, value), source=tags.get("agent") or tags.get("world"))
        return value


def _world_model(specs: Sequence[FieldSpec], names: Sequence[str]) -> type[BaseModel]:
    """The world result: the fields for the group, and ``per_agent`` with every agent required."""
    person = result_model(specs, "PersonResult")
    per_agent = create_model("PerAgent", __config__=ConfigDict(populate_by_name=True), **{
        f"a{i}": (person, Field(alias=n)) for i, n in enumerate(names)}) if names else person
    group = result_model(specs, "WorldResult")
    return create_model("WorldExtraction", __base__=group, per_agent=(per_agent, ...))

