"""``tinytroupe personas generate|show|list``: make personas with the factory, look at agent files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tinytroupe.cli.output import Output

__all__ = ["app", "generate", "show", "list_examples"]

app = typer.Typer(no_args_is_help=True, help="Generate personas with the factory, or show agent files.")

DEFAULT_DESCRIPTION = "A varied group of adults of different ages, occupations and backgrounds."


@app.command("generate")
def generate(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("--n", "-n", min=1, max=10_000, help="How many people to generate.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the *.agent.json files to.")],
    demography: Annotated[Path | None, typer.Option(
        "--demography", "-d", exists=True, dir_okay=False,
        help="A demography JSON file (population distributions).")] = None,
    describe: Annotated[str | None, typer.Option("--describe", help="Who these people are, in plain words.")] = None,
    particularities: Annotated[str | None, typer.Option(
        "--particularities", help="Something every person shares.")] = None,
    context: Annotated[str | None, typer.Option(
        "--context", help="What the people are for (a study, a product...).")] = None,
) -> None:
    """Generate N personas (from a demography file and/or a description) into a folder."""
    from tinytroupe.cli.progress import RunProgress
    from tinytroupe.cli.run import announce_model
    from tinytroupe.factory import TinyPersonFactory

    output: Output = ctx.obj
    announce_model(output)
    if demography is not None:
        factory = TinyPersonFactory.create_factory_from_demography(
            demography, n, additional_demographic_specification=describe, context=context)
    else:
        factory = TinyPersonFactory(context=context, total_population_size=n,
                                    sampling_space_description=describe or DEFAULT_DESCRIPTION)
    view = output.conversation()
    try:
        with RunProgress(output, n, "generating people", count_events=("factory.person",)) as progress:
            people = factory.generate_people(n, agent_particularities=particularities)
    finally:
        if view is not None:
            view.close()
    paths = factory.save_population(out)
    if output.json:
        output.emit_json({"people": [p.name for p in people], "files": [str(p) for p in paths],
                          "usage": progress.meter.to_dict()})
        return
    output.say(progress.meter.line(), style="dim")
    if len(people) < n:
        output.note(f"{n - len(people)} of {n} people could not be generated (the model's replies were unusable).")
    output.result(f"Wrote {len(paths)} personas to {out}")
    for path in paths:
        output.result(f"  {path}")
    if not people:
        raise typer.Exit(1)


@app.command("show")
def show(
    ctx: typer.Context,
    agent_ref: Annotated[str, typer.Argument(metavar="FILE", help="An *.agent.json file or a shipped example name.")],
) -> None:
    """Show a persona: a short biography and its main fields."""
    from rich.markdown import Markdown

    from tinytroupe.cli.chat import load_agent

    output: Output = ctx.obj
    agent = load_agent(agent_ref)
    if output.json:
        output.emit_json({"type": "TinyPerson", "persona": agent.persona})
        return
    persona = agent.persona
    lines = [f"# {agent.name}", "", agent.minibio(), ""]
    for key in ("style", "long_term_goals", "beliefs", "skills", "behaviors"):
        value = persona.get(key)
        if value:
            lines.append(f"**{key.replace('_', ' ').capitalize()}**")
            items = value if isinstance(value, list) else [value]
            lines += [f"- {item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)}"
                      for item in items[:6]]
            lines.append("")
    if output.quiet:
        output.result(agent.minibio())
    else:
        output.out.print(Markdown("\n".join(lines)))


@app.command("list")
def list_examples(ctx: typer.Context) -> None:
    """List the example personas and fragments shipped with tinytroupe."""
    from tinytroupe.examples import list_example_agents, list_example_fragments, load_example_agent

    output: Output = ctx.obj
    agents = list_example_agents()
    if output.json:
        output.emit_json({"agents": agents, "fragments": list_example_fragments()})
        return
    for name in agents:
        person = load_example_agent(name, auto_rename=True)
        output.result(f"{name:<10} {person.minibio(extended=False)}")
    output.result("fragments: " + ", ".join(list_example_fragments()))
