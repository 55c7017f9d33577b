"""Outside ``agent/``, code works with agents through the contracts, not the concrete class.

Read from the source with ``ast``: no function outside ``tinytroupe/agent/`` declares a
parameter typed ``TinyPerson`` (alone, in a union or inside a container). A callback that a
module calls *with* a person it made (``post_processing_func: Callable[[TinyPerson], Any]``) is
not such a parameter: the module hands the person out, it does not depend on receiving one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tinytroupe

PACKAGE = Path(tinytroupe.__file__).parent


def _names_person(annotation: ast.expr) -> bool:
    """Whether an annotation names TinyPerson outside the argument list of a Callable."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _names_person(ast.parse(annotation.value, mode="eval").body)
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value).endswith("Callable"):
        return False
    if isinstance(annotation, (ast.Name, ast.Attribute)):
        return ast.unparse(annotation).split(".")[-1] == "TinyPerson"
    return any(_names_person(child) for child in ast.iter_child_nodes(annotation) if isinstance(child, ast.expr))


def _person_parameters(tree: ast.Module) -> list[str]:
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = fn.args
        every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        found += [f"{fn.name}({a.arg}) line {fn.lineno}" for a in every if a.annotation and _names_person(a.annotation)]
    return found


def test_the_rule_sees_what_it_should() -> None:
    tree = ast.parse("def f(a: TinyPerson, b: list['TinyPerson'], c: x.TinyPerson | None,\n"
                     "      d: Callable[[TinyPerson], int], e: Agent): ...")
    assert [s.split("(")[1].split(")")[0] for s in _person_parameters(tree)] == ["a", "b", "c"]


def test_no_module_outside_agent_takes_a_concrete_person() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "agent":
            continue
        offenders += [f"{relative}: {hit}" for hit in _person_parameters(ast.parse(path.read_text()))]
    assert not offenders, "type these parameters with tinytroupe.contracts.Agent:\n" + "\n".join(offenders)
