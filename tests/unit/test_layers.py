"""The import graph of the package: layers point down, and no two packages import each other.

Every import counts, at module level or inside a function (read from the source with ``ast``).
A unit is a subpackage (``tinytroupe/agent/``) or a module at the package root
(``tinytroupe/events.py``). Higher layers may import lower ones and their own; a lower layer
that needs a higher one asks for it through ``tinytroupe.providers``, which the package's
``__init__`` (``tinytroupe/wiring.py``) fills from above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tinytroupe

PACKAGE = Path(tinytroupe.__file__).parent

# lowest first; units on one line are one layer (DESIGN.md, "Layers")
LAYERS: tuple[tuple[str, ...], ...] = (
    ("extensions", "resources", "contracts", "event_payloads", "errors", "redaction", "log_setup", "config", "events",
     "transactions", "state", "_sync", "not_provided",
     "display", "providers", "runtime", "fanout"),
    ("llm", "prompts", "utils", "clients", "openai_utils"),
    ("memory",),
    ("agent",),
    ("tools",),
    ("environment",),
    ("control",),
    ("factory", "steering", "examples"),
    ("experimentation", "extraction", "enrichment"),
    ("validation", "profiling", "profiling_analysis"),
    ("survey", "story"),
    ("ui", "report", "estimate"),
    ("executors", "testing"),
    ("cli",),
    ("__init__", "wiring"),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = ["tinytroupe", *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(path: Path) -> list[tuple[str, int]]:
    """Every ``tinytroupe`` unit ``path`` imports, with the line (relative imports resolved)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            names = [f"{base}.{a.name}" for a in node.names] if base == "tinytroupe" else [base]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name == "tinytroupe" or name.startswith("tinytroupe."):
                parts = name.split(".")
                found.append((parts[1] if len(parts) > 1 else "__init__", node.lineno))
    return found


def _graph() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _unit(path)
        for target, line in _targets(path):
            if target != source:
                edges.setdefault((source, target), []).append(f"{path.relative_to(PACKAGE)}:{line}")
    return edges


def test_every_unit_of_the_package_has_a_layer():
    units = {_unit(p) for p in PACKAGE.rglob("*.py")}
    assert units - set(RANK) == set(), "give these a layer in LAYERS"


def test_no_import_points_up():
    upward = [f"{a} -> {b}: {', '.join(where)}" for (a, b), where in sorted(_graph().items())
              if b in RANK and RANK[b] > RANK[a]]
    assert upward == []


def test_no_two_units_import_each_other():
    edges = _graph()
    cycles = sorted({frozenset((a, b)) for (a, b) in edges if (b, a) in edges}, key=sorted)
    assert [sorted(c) for c in cycles] == []


def test_no_cycle_between_units():
    graph: dict[str, set[str]] = {}
    for a, b in _graph():
        graph.setdefault(a, set()).add(b)  # every unit: subpackages and the modules at the root
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(unit: str, path: list[str]) -> bool:
        state[unit] = 1
        for nxt in sorted(graph.get(unit, ())):
            if state.get(nxt) == 1:
                cycle.extend([*path[path.index(nxt):], nxt] if nxt in path else [unit, nxt])
                return True
            if nxt not in state and visit(nxt, [*path, nxt]):
                return True
        state[unit] = 2
        return False

    for unit in sorted(graph):
        if unit not in state and visit(unit, [unit]):
            break
    assert cycle == []


def test_the_graph_is_read_from_imports_inside_functions_too(tmp_path):
    sample = PACKAGE / "agent" / "quality.py"
    inner = [t for t, _ in _targets(sample)]
    assert "providers" in inner and "validation" not in inner  # the judge comes from above, through providers
