"""Surveys on an executor: respondents cut into shards, answered where the executor runs them.

The driver sends each shard its people as plain state (``encode_complete_state``) and the
survey once; a worker rebuilds the people detached (no registry entry, so names never clash),
asks them exactly as :meth:`Survey.answers_of` does, and sends the responses back as dicts.
The driver puts them together in respondent order, so the result is the one a single process
gives; with ``remember=True`` the driver records each question and answer in its own people.
The local executor runs in this process: it asks the people themselves (no state round trip,
no second copy of the population), in one stream, as :meth:`Survey.answers_of` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.fanout import ShardExecutor, shard_task, split, task_name

__all__ = ["answer_on", "answer_shard", "detached_people"]


def detached_people(states: Sequence[dict[str, Any]]) -> list[Any]:
    """People rebuilt from their states without entering the runtime's registry."""
    from tinytroupe.agent import TinyPerson, registry

    people = []
    for state in states:
        with registry.detached():
            person = TinyPerson(str((state.get("persona") or {}).get("name") or "person"))
        people.append(person.decode_complete_state(state))
    return people


@shard_task
async def answer_shard(payload: dict[str, Any], shared: dict[str, Any]) -> list[dict[str, Any]]:
    """One shard of a survey: its people's answers to every question, as dicts."""
    survey = shared["survey"]
    people = detached_people(payload["people"])
    responses = await survey.answers_of(people, shared.get("model"), bool(shared.get("semantic")))
    return [r.to_dict() for r in responses]


async def answer_on(executor: ShardExecutor, survey: Any, persons: Sequence[Any], model: Any,
                    semantic: bool) -> list[Any]:
    """Every person's answers (as :meth:`Survey.answers_of` gives them), computed on ``executor``."""
    from tinytroupe.survey.survey import Response

    if model is not None and executor.name != "local":
        raise SpecificationError(f"survey {survey.name!r}: model= cannot travel to {executor.name} workers; "
                                 "they use the runtime's configured model (set it in the settings instead)")
    if executor.name == "local":  # this process: the people themselves, streamed, no state round trip
        responses = await _portable(survey).answers_of(list(persons), model, semantic)
    else:
        shards = split(list(persons), executor.workers)
        payloads = [{"people": [p.encode_complete_state() for p in shard]} for shard in shards]
        shared = {"survey": _portable(survey), "semantic": semantic, "model": None}
        answered = await executor.map(task_name(answer_shard), payloads, shared)
        responses = [Response(**data) for shard in answered for data in shard]
    if survey.remember:
        by_name = {p.name: p for p in persons}
        texts = {q.name: q.text for q in survey.questions}
        for response in responses:
            person, text = by_name[response.respondent], texts[response.question]
            person.record_event("stimulus", "CONVERSATION", f"Survey question: {text}", source=survey.name)
            person.record_event("action", "TALK", str(response.text or response.answer), target=survey.name)
    return responses


def _portable(survey: Any) -> Any:
    """The survey as workers need it: no embedder (answers are rated on the driver), no memory writes."""
    import copy

    portable = copy.copy(survey)
    portable.embed = None
    portable.remember = False
    return portable
