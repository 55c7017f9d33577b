"""TinyWorld methods that scripts of the original TinyTroupe call, as a mixin.

- the communications buffer: the world's transcript since the last
  ``pop_and_display_latest_communications()`` or ``clear_communications_buffer()``, each entry
  ``{"kind", "rendering", "content", "source", "target"}`` (``kind``: ``step``, ``stimuli``,
  ``action``, ``intervention``...);
- ``pretty_current_interactions`` / ``pp_current_interactions``: every agent's history;
- costs: ``get_cost_stats()`` is this world's own model usage (its agents' calls while it
  ran), averaged per agent, per step and per agent per step; ``get_global_cost_stats()`` is
  the process's usage over every world; the ``pretty_print_*`` twins print them;
- ``set_simulation_for_free_environments(simulation)``;
- the original's private stepping names that extensions call: ``_step(...)`` (one step, as
  :meth:`TinyWorld.step`) and ``_advance_datetime(timedelta)``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tinytroupe.agent.compat_costs import averages, base_stats, render_cost_report
from tinytroupe.display import show_text

if TYPE_CHECKING:
    from tinytroupe.environment.tiny_world import TinyWorld

__all__ = ["OriginalWorldAPI", "communication_of"]

_KINDS = {"agent.stimulus": "stimuli", "agent.action": "action", "world.step": "step",
          "world.intervention": "intervention"}


def _print(text: str) -> None:
    show_text(text)  # through the UI layer's printer (as for the agents' pp_* helpers)


def communication_of(event: Any) -> dict[str, Any] | None:
    """A transcript event as the original's communication dict (None for bookkeeping events)."""
    kind = _KINDS.get(event.kind)
    if kind is None:
        return None
    d = event.data
    if kind == "stimuli":
        stimulus = {"type": d.get("type"), "content": d.get("content"), "source": d.get("sender", "")}
        return {"kind": kind, "content": {"stimuli": [stimulus]}, "source": d.get("sender") or None,
                "target": d.get("agent"), "rendering": f"{d.get('sender') or 'USER'} --> {d.get('agent')}: "
                                                      f"[{d.get('type')}] {d.get('content')}"}
    if kind == "action":
        action = {"type": d.get("type"), "content": d.get("content", ""), "target": d.get("target", "")}
        arrow = f" -> {d.get('target')}" if d.get("target") else ""
        return {"kind": kind, "content": {"action": action}, "source": d.get("agent"), "target": d.get("target") or None,
                "rendering": f"{d.get('agent')} acts: [{d.get('type')}{arrow}] {d.get('content', '')}"}
    if kind == "step":
        when = f" ({d.get('time')})" if d.get("time") else ""
        rendering = f"{d.get('world')} step {d.get('run_step')} of {d.get('total_steps')}{when}"
    else:
        rendering = f"<<{d.get('name')}>> triggered: {d.get('justification') or ''}".rstrip()
    return {"kind": kind, "content": None, "source": None, "target": None, "rendering": rendering}


class OriginalWorldAPI:
    """The original's TinyWorld methods this library otherwise names or does differently."""

    # -- stepping, under the original's private names --------------------------------------
    def _step(self: TinyWorld, timedelta_per_step: timedelta | None = None, randomize_agents_order: bool = True,
              parallelize: bool | None = None) -> Any:
        """One simulation step: :meth:`TinyWorld.step` under the original's name."""
        return self.step(timedelta_per_step, randomize_agents_order, parallelize)

    def _advance_datetime(self: TinyWorld, delta: timedelta | None) -> None:
        """Move the world's clock forward by ``delta`` (None leaves it where it is)."""
        self._clock.advance(delta)

    # -- the communications buffer ---------------------------------------------------------
    @property
    def _displayed_communications_buffer(self: TinyWorld) -> list[dict[str, Any]]:
        """The transcript since the buffer was last emptied, as communications."""
        buffer: list[dict[str, Any]] = self.__dict__.setdefault("_communications", [])
        events = self.transcript
        cursor = min(self.__dict__.get("_communications_cursor", 0), len(events))
        buffer.extend(c for c in map(communication_of, events[cursor:]) if c is not None)
        self.__dict__["_communications_cursor"] = len(events)
        return buffer

    @_displayed_communications_buffer.setter
    def _displayed_communications_buffer(self: TinyWorld, value: list[dict[str, Any]]) -> None:
        self.__dict__["_communications_cursor"] = len(self.transcript)
        self.__dict__["_communications"] = list(value)

    def pop_and_display_latest_communications(self: TinyWorld) -> list[dict[str, Any]]:
        """Print and return what happened since the last call (or clear), emptying the buffer."""
        communications = list(self._displayed_communications_buffer)
        self._displayed_communications_buffer = []
        for communication in communications:
            _print(communication["rendering"])
        return communications

    def clear_communications_buffer(self: TinyWorld) -> None:
        """Empty the communications buffer without printing it."""
        self._displayed_communications_buffer = []

    # -- interactions ----------------------------------------------------------------------
    def pretty_current_interactions(self: TinyWorld, simplified: bool = True, skip_system: bool = True,
                                    max_content_length: int | None = None, first_n: int | None = None,
                                    last_n: int | None = None, include_omission_info: bool = True) -> str:
        """Every agent's remembered events, one block per agent (the agents' own arguments)."""
        blocks = []
        for agent in self.agents:
            history = agent.pretty_current_interactions(simplified, skip_system, max_content_length, first_n,
                                                        last_n, include_omission_info)
            blocks.append(f"#### Interactions from the point of view of {agent.name} agent:\n"
                          f"**BEGIN AGENT {agent.name} HISTORY.**\n{history}\n"
                          f"**FINISHED AGENT {agent.name} HISTORY.**\n")
        return "\n".join(blocks)

    def pp_current_interactions(self: TinyWorld, simplified: bool = True, skip_system: bool = True) -> None:
        """Print :meth:`pretty_current_interactions`."""
        _print(self.pretty_current_interactions(simplified=simplified, skip_system=skip_system))

    @property
    def _simulation_steps(self: TinyWorld) -> int:
        """The steps this world has run (the original's counter; ``simulation_step`` here)."""
        return self.simulation_step

    # -- simulations -----------------------------------------------------------------------
    @classmethod
    def set_simulation_for_free_environments(cls, simulation: Any) -> None:
        """Add to ``simulation`` every world that belongs to no simulation yet."""
        for world in list(cls.all_environments.values()):  # type: ignore[attr-defined]
            if getattr(world, "simulation_id", None) is None:
                simulation.add_environment(world)

    # -- costs -----------------------------------------------------------------------------
    def get_cost_stats(self: TinyWorld) -> dict[str, Any]:
        """This world's model usage: ``base_stats``, ``num_agents``, ``num_steps``, and the
        averages ``per_agent``, ``per_step``, ``per_agent_per_step`` (None where a count is 0)."""
        base = base_stats(self._recorder.stats)
        agents, steps = len(self.agents), self.simulation_step
        return {"base_stats": base, "num_agents": agents, "num_steps": steps, "per_agent": averages(base, agents),
                "per_step": averages(base, steps), "per_agent_per_step": averages(base, agents * steps)}

    def pretty_print_cost_stats(self: TinyWorld) -> None:
        """Print :meth:`get_cost_stats`: totals, then per agent, per step and per agent per step."""
        stats = self.get_cost_stats()
        _print(render_cost_report(f"COST STATISTICS FOR WORLD: {self.name}",
                                  {"Agents": stats["num_agents"], "Steps completed": stats["num_steps"]}, stats,
                                  {"per_agent": "Average per agent", "per_step": "Average per simulation step",
                                   "per_agent_per_step": "Average per agent per step"}))

    @classmethod
    def get_global_cost_stats(cls) -> dict[str, Any]:
        """The process's model usage: ``base_stats``, ``total_agents``, ``total_steps`` and
        ``total_environments`` over every world, and ``per_environment`` averages."""
        worlds = list(cls.all_environments.values())  # type: ignore[attr-defined]
        base = base_stats()
        return {"base_stats": base, "total_agents": sum(len(w.agents) for w in worlds),
                "total_steps": sum(w.simulation_step for w in worlds), "total_environments": len(worlds),
                "per_environment": averages(base, len(worlds))}

    @classmethod
    def pretty_print_global_cost_stats(cls) -> None:
        """Print :meth:`get_global_cost_stats`."""
        stats = cls.get_global_cost_stats()
        _print(render_cost_report("GLOBAL COST STATISTICS (ALL ENVIRONMENTS)",
                                  {"Environments": stats["total_environments"], "Total agents": stats["total_agents"],
                                   "Total steps": stats["total_steps"]}, stats,
                                  {"per_environment": "Average per environment"}))
