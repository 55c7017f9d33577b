"""TinyStory: a narrator that writes a simulation's plot from what happened, to steer what happens next.

::

    story = TinyStory(world, purpose="A realistic day at a start-up.")
    world.broadcast(story.start_story(number_of_words=80))   # or story.broadcast()
    world.run(1)
    story.continue_story("A rival company appears.", number_of_words=60, include_plot_twist=True)

Each call puts the simulation's recent trajectory (first ``first_n`` and last ``last_n``
interactions) and the story so far in the prompt, and appends the new section to
``current_story``. The word budget is told to the model and checked: a reply far over it
(more than :data:`OVER_BUDGET_FACTOR` times) is re-asked once to be shorter, then trimmed at a
sentence boundary if it still is.
"""

from __future__ import annotations

import re
from typing import Any

from tinytroupe import contracts, events, llm
from tinytroupe._sync import run_sync
from tinytroupe.contracts import AgentAction, AgentStimulus, WorldStep
from tinytroupe.errors import SimulationError, SpecificationError
from tinytroupe.llm import purposes
from tinytroupe.llm.base import LLMModel, Message
from tinytroupe.prompts import render

__all__ = ["TinyStory", "OVER_BUDGET_FACTOR", "trim_to_words", "world_trajectory"]

OVER_BUDGET_FACTOR = 1.5
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[\"'”’)\]]*(?=\s|$)|$)", re.DOTALL)
_PLOT_TWIST = "Include a plot twist: something unexpected that changes the course of events."


def _words(text: str) -> int:
    return len(text.split())


def trim_to_words(text: str, budget: int) -> str:
    """``text`` cut to at most ``budget`` words at a sentence boundary (mid-sentence only when the
    first sentence alone is too long)."""
    kept: list[str] = []
    count = 0
    for sentence in (s.strip() for s in _SENTENCE.findall(text.strip())):
        n = _words(sentence)
        if count + n > budget:
            break
        kept.append(sentence)
        count += n
    if not kept:
        return " ".join(text.split()[:budget]).rstrip(",;:") + "…"
    return " ".join(kept)


def _event_line(p: AgentAction | AgentStimulus) -> str | None:
    who = p.agent or "someone"
    content = " ".join(str(p.content or "").split())
    if isinstance(p, AgentAction):
        if p.type in (None, "DONE"):
            return None
        arrow = f" -> {p.target}" if p.target else ""
        return f"{who} [{p.type}{arrow}]: {content}"
    return f"{p.sender or 'someone'} -> {who} ({p.type}): {content}"


def world_trajectory(world: Any, first_n: int | None, last_n: int | None) -> str:
    """The world's interactions as lines: actions, and stimuli from outside its agents (speech
    between agents appears once, as the speaker's action); first ``first_n``, last ``last_n``."""
    if hasattr(world, "pretty_current_interactions"):
        return world.pretty_current_interactions(first_n=first_n, last_n=last_n)
    names = {getattr(a, "name", None) for a in getattr(world, "agents", [])}
    lines = []
    for event in world.transcript:
        p = event.payload
        if isinstance(p, WorldStep):
            lines.append(f"-- step {p.step}" + (f", {p.time}" if p.time else ""))
        elif isinstance(p, AgentAction) or (isinstance(p, AgentStimulus) and p.sender not in names):
            line = _event_line(p)
            if line:
                lines.append(line)
    head = lines[: first_n or 0]
    rest = lines[len(head):]
    tail = rest[-last_n:] if last_n else rest
    omitted = len(rest) - len(tail)
    return "\n".join([*head, *([f"… ({omitted} interactions omitted) …"] if omitted else []), *tail])


class TinyStory:
    """A story about a world or an agent (exactly one), accumulated in ``current_story``."""

    def __init__(self, environment: Any = None, agent: Any = None, purpose: str = "Be a realistic simulation.",
                 context: str = "", first_n: int = 10, last_n: int = 20, include_omission_info: bool = True,
                 model: LLMModel | None = None, temperature: float | None = 1.0):
        if (environment is None) == (agent is None):
            raise SimulationError("TinyStory needs exactly one of environment= (a world) or agent=.")
        self.environment = environment
        self.agent = agent
        self.purpose = purpose
        self.current_story = context or ""
        self.first_n = first_n
        self.last_n = last_n
        self.include_omission_info = include_omission_info
        self.model = model
        self.temperature = temperature
        self.sections: list[str] = []

    # -- writing ------------------------------------------------------------------------------
    def _trajectory(self) -> str:
        if self.agent is not None:
            text = self.agent.pretty_current_interactions(first_n=self.first_n, last_n=self.last_n)
        else:
            text = world_trajectory(self.environment, self.first_n, self.last_n)
        if not self.include_omission_info:
            text = "\n".join(line for line in text.splitlines() if "omitted) …" not in line)
        return text.strip() or "(nothing has happened yet)"

    def _messages(self, template: str, requirements: str, number_of_words: int, twist: bool) -> list[Message]:
        trace = render("story_trace.md", trajectory=self._trajectory(),
                       story=self.current_story.strip() or "(the story has not begun)")
        user = render(template, trace=trace, requirements=requirements.strip(), number_of_words=number_of_words,
                      plot_twist=_PLOT_TWIST if twist else "")
        return [Message(role="system", content=render("story_system.md", purpose=self.purpose)),
                Message(role="user", content=user)]

    async def _awrite(self, template: str, heading: str, requirements: str, number_of_words: int,
                      include_plot_twist: bool) -> str:
        if not isinstance(number_of_words, int) or number_of_words < 1:
            raise SpecificationError(f"TinyStory: number_of_words must be a positive integer, got {number_of_words!r}.")
        model = self.model or llm.default_model()
        messages = self._messages(template, requirements, number_of_words, include_plot_twist)
        tags = purposes.tag(purposes.STORY)
        text = (await llm.acomplete_text(messages, model=model, temperature=self.temperature, tags=tags)).strip()
        if _words(text) > number_of_words * OVER_BUDGET_FACTOR:
            ask = render("story_shorten.md", words=_words(text), number_of_words=number_of_words)
            messages = [*messages, Message(role="assistant", content=text), Message(role="user", content=ask)]
            text = (await llm.acomplete_text(messages, model=model, temperature=self.temperature, tags=tags)).strip()
            if _words(text) > number_of_words * OVER_BUDGET_FACTOR:
                before = _words(text)
                text = trim_to_words(text, number_of_words)
                events.emit(contracts.StoryTrimmed(before, number_of_words), source=self._owner())
        self.sections.append(text)
        self.current_story = f"{self.current_story.rstrip()}\n\n## {heading}\n\n{text}\n".lstrip()
        events.emit(contracts.StorySection(heading, _words(text), text), source=self._owner())
        return text

    def _owner(self) -> str | None:
        return getattr(self.environment or self.agent, "name", None)

    async def astart_story(self, requirements: str = "Start some interesting story about the agents.",
                           number_of_words: int = 100, include_plot_twist: bool = False) -> str:
        """Async twin of :meth:`start_story`."""
        return await self._awrite("story_start.md", "The story begins", requirements, number_of_words,
                                  include_plot_twist)

    async def acontinue_story(self, requirements: str = "Continue the story in an interesting way.",
                              number_of_words: int = 100, include_plot_twist: bool = False) -> str:
        """Async twin of :meth:`continue_story`."""
        return await self._awrite("story_continue.md", "The story continues", requirements, number_of_words,
                                  include_plot_twist)

    def start_story(self, requirements: str = "Start some interesting story about the agents.",
                    number_of_words: int = 100, include_plot_twist: bool = False) -> str:
        """The story's first section (about ``number_of_words`` words), from the trajectory so far."""
        return run_sync(self.astart_story(requirements, number_of_words, include_plot_twist))

    def continue_story(self, requirements: str = "Continue the story in an interesting way.",
                       number_of_words: int = 100, include_plot_twist: bool = False) -> str:
        """The next section, from what happened since and the story so far."""
        return run_sync(self.acontinue_story(requirements, number_of_words, include_plot_twist))

    # -- steering -----------------------------------------------------------------------------
    def broadcast(self, text: str | None = None, source: str = "Narrator", as_thought: bool = False) -> str:
        """Tell the world's agents (or the agent) ``text`` (default: the latest section), heard from
        ``source`` or, with ``as_thought``, as their own thought; returns the text."""
        if text is None:
            if not self.sections:
                raise SimulationError("TinyStory.broadcast(): nothing to broadcast yet; call start_story() first.")
            text = self.sections[-1]
        if self.environment is not None:
            if as_thought:
                self.environment.broadcast_thought(text)
            else:
                self.environment.broadcast(text, source=source)
        elif as_thought:
            self.agent.think(text)
        else:
            self.agent.listen(text, source=source)
        return text
