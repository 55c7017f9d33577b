"""ResultsReporter: Markdown reports from interviews, interactions or data, written by an LLM.

``report_from_agents`` interviews each agent (concurrently) on a fork of it by default, so
reporting leaves the simulation's memories as they were. Reports are tagged
``purpose=report`` for cost accounting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinytroupe import contracts, events, transactions
from tinytroupe.errors import SpecificationError
from tinytroupe.extraction import tables, trajectory
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.llm.streaming import bound_for_agents, stream_map
from tinytroupe.utils.templates import section

__all__ = ["ResultsReporter"]

_REQUIREMENTS = "Present the findings in a clear, structured manner."
_TEMPLATE = "reporter.md"


class ResultsReporter:
    """Writes reports (the original's interface); ``last_report`` holds the latest one."""

    def __init__(self, default_reporting_task: str = "Summarize the key findings, insights and outcomes of the simulation.",
                 verbose: bool = False, *, model: LLMModel | None = None):
        self.default_reporting_task = default_reporting_task
        self.verbose = verbose
        self.model = model
        self.last_report: str | None = None
        self.last_interviews: dict[str, str] = {}

    # -- reports ---------------------------------------------------------------------------
    def report_from_agents(self, agents: Any, reporting_task: str | None = None,
                           report_title: str = "Agent Interviews Report", include_agent_summaries: bool = True,
                           consolidate_responses: bool = True, requirements: str = _REQUIREMENTS,
                           *, fork: bool = True) -> str:
        """Ask each agent about ``reporting_task`` and write a report of their answers.

        ``agents``: a TinyPerson, a list of them or a TinyWorld. With ``fork=False`` the
        agents themselves are interviewed (their memories keep the interview).
        ``consolidate_responses=False`` lists the answers without an LLM summary.
        """
        from tinytroupe._sync import run_sync

        return run_sync(self.areport_from_agents(agents, reporting_task, report_title, include_agent_summaries,
                                                 consolidate_responses, requirements, fork=fork))

    async def areport_from_agents(self, agents: Any, reporting_task: str | None = None,
                                  report_title: str = "Agent Interviews Report", include_agent_summaries: bool = True,
                                  consolidate_responses: bool = True, requirements: str = _REQUIREMENTS,
                                  *, fork: bool = True) -> str:
        people = _people(agents)
        task = reporting_task or self.default_reporting_task
        # streamed: at most about the concurrency ceiling of interviews (and their forks) at once
        answers = await stream_map(lambda a: self._interview(a, task, fork), people, bound_for_agents(people))
        self.last_interviews = dict(zip(trajectory.names(people), answers, strict=True))
        material = "\n\n".join(_person_block(a, answer, include_agent_summaries) for a, answer in zip(people, answers,
                                                                                                     strict=True))
        if not consolidate_responses:
            return self._keep(f"# {report_title}\n\n## Task\n{task}\n\n{material}\n")
        prompt = section(_TEMPLATE, "agents", title=report_title, task=task, requirements=requirements,
                         material=material)
        return self._keep(await self._write(prompt, "agents"))

    def report_from_interactions(self, agents: Any, report_title: str = "Interaction Analysis Report",
                                 include_agent_summaries: bool = True, first_n: int | None = None,
                                 last_n: int | None = None, max_content_length: int | None = None,
                                 requirements: str = _REQUIREMENTS, *, reporting_task: str | None = None) -> str:
        """A report on what the agents perceived and did (their remembered interactions).

        The positional arguments are the original's; ``reporting_task`` (keyword only) says what
        the report should focus on (default: the reporter's ``default_reporting_task``).
        """
        people = _people(agents)
        blocks = []
        for agent in people:
            history = agent.pretty_current_interactions(first_n=first_n, last_n=last_n,
                                                        max_content_length=max_content_length)
            blocks.append(_person_block(agent, history or "(no interactions)", include_agent_summaries))
        prompt = section(_TEMPLATE, "interactions", title=report_title, task=reporting_task or self.default_reporting_task,
                         requirements=requirements, material="\n\n".join(blocks))
        from tinytroupe._sync import run_sync

        return self._keep(run_sync(self._write(prompt, "interactions")))

    def report_from_data(self, data: Any, report_title: str = "Data Report", requirements: str = _REQUIREMENTS) -> str:
        """A report on ``data`` (text, or anything JSON can hold: extraction results, tables)."""
        material = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2, default=str)
        prompt = section(_TEMPLATE, "data", title=report_title, requirements=requirements, material=material)
        from tinytroupe._sync import run_sync

        return self._keep(run_sync(self._write(prompt, "data")))

    # -- output ----------------------------------------------------------------------------
    def display_report(self, report_content: str | None = None, title: str | None = None) -> str:
        """Show the report (the console or Jupyter renderer draws ``report.display`` events); returns it."""
        content = self._content(report_content)
        from tinytroupe.display import request_display

        request_display()
        events.emit(contracts.ReportDisplay(content, title))
        return content

    def save_report(self, filename: str | os.PathLike, report_content: str | None = None,
                    verbose: bool | None = None) -> Path:
        """Write the report (default: the last one) to ``filename`` as Markdown."""
        return tables.write_text(filename, self._content(report_content).rstrip() + "\n")

    # -- internals -------------------------------------------------------------------------
    def _content(self, report_content: str | None) -> str:
        content = report_content if report_content is not None else self.last_report
        if content is None:
            raise SpecificationError("ResultsReporter: there is no report yet; write one with report_from_agents, "
                                     "report_from_interactions or report_from_data, or pass report_content")
        return content

    def _keep(self, report: str) -> str:
        self.last_report = report
        return report

    async def _interview(self, agent: Any, task: str, fork: bool) -> str:
        subject = trajectory.fork_agent(agent) if fork else agent
        with transactions.untracked():  # an interview is not part of the simulation being recorded
            subject.listen(section(_TEMPLATE, "interview", task=task), source="Interviewer")
            actions = await subject.aact(return_actions=True) or []
        said = [a["action"]["content"] for a in actions if a.get("action", {}).get("type") == "TALK"]
        return "\n".join(said) if said else "(no answer)"

    async def _write(self, prompt: str, kind: str) -> str:
        from tinytroupe.llm import acomplete_text, default_model

        messages = [Message(role="system", content=section(_TEMPLATE, "system")), Message(role="user", content=prompt)]
        text = await acomplete_text(messages, model=self.model or default_model(), temperature=0.2,
                                    tags={"purpose": "report", "report": kind})
        return text.strip()


def _people(agents: Any) -> list[Any]:
    if hasattr(agents, "agents") and not isinstance(agents, (list, tuple)):
        return trajectory.world_agents(agents)
    if isinstance(agents, Iterable) and not isinstance(agents, (str, bytes)):
        return list(agents)
    return [agents]


def _person_block(agent: Any, text: str, include_summary: bool) -> str:
    head = f"### {trajectory.agent_name(agent)}"
    if include_summary:
        head += f"\n*{trajectory.minibio(agent)}*"
    return f"{head}\n\n{text}"


