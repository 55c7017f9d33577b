"""Process-wide mutable state: at most five module-level containers, each named and justified.

A *module-level mutable container* (read from the source with ``ast``) is a name assigned at
module level that a function of the same module

- rebinds through ``global``, or
- mutates: a subscript store or delete, an attribute store (a holder object's field), or a
  call of a mutating method (``append``, ``add``, ``update``, ``pop``, ``clear``, ``setdefault``...)
  on the name or on anything reached from it (``_state.warned.add(key)`` counts for ``_state``);

plus class-body attributes mutated the same way through ``cls.X`` or ``ClassName.X``.

Not containers: ``contextvars.ContextVar`` objects (their values are scoped to a context, not to
the process), :class:`~tinytroupe.runtime.RegistryView` objects (views of the current runtime's
registries, which hold nothing themselves), and ``functools.lru_cache`` / ``cache`` memos of
pure functions. Everything else that a run changes lives in a :class:`~tinytroupe.runtime.Runtime`.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import tinytroupe

PACKAGE = Path(tinytroupe.__file__).parent
README = PACKAGE.parent / "README.md"

MUTATING = {"append", "add", "update", "pop", "clear", "setdefault", "extend", "insert", "remove", "discard",
            "popitem", "move_to_end", "appendleft", "__setitem__", "__delitem__"}
NOT_CONTAINERS = {"ContextVar", "RegistryView"}  # constructors whose values are not process state

# file:name -> why it stays process-wide (each is also named in README.md's "Process-wide state")
ALLOWED = {
    "runtime.py:_default": "the default runtime of code that never chose one (plain scripts)",
    "_sync.py:_background": "the sync facade's one background event loop and its thread",
    "extensions.py:_registry": "code registered by kind and name (providers, state types, documents, "
                               "custom models, shard tasks, config choices): code is process-wide",
    "resources.py:_pool": "loaded heavy resources (llama.cpp engines) that every runtime shares",
    "log_setup.py:_state": "logging and warn-once records: Python's logging is process-wide",
}

def _root(node: ast.AST) -> ast.AST:
    """The innermost object of ``a.b[c].d``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _is_exempt(value: ast.AST | None) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in NOT_CONTAINERS


def _module_names(tree: ast.Module) -> dict[str, int]:
    names: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id != "__all__" and not _is_exempt(node.value):
                    names[target.id] = node.lineno
    return names


def _class_attributes(tree: ast.Module) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for node in cls.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and not _is_exempt(node.value):
                        found.setdefault(cls.name, {})[target.id] = node.lineno
    return found


def _mutated(expr: ast.AST) -> ast.AST | None:
    """The expression whose object a statement or call mutates, if any."""
    if isinstance(expr, (ast.Attribute, ast.Subscript)):
        return expr.value
    return None


def _touched(fn: ast.AST) -> list[ast.AST]:
    """Every expression a function mutates the object of (store, delete, mutating call)."""
    out: list[ast.AST] = []
    for node in ast.walk(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    inner = _mutated(t)
                    if inner is not None:
                        out.append(inner)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in MUTATING):
            out.append(node.func.value)
    return out


def _class_target(expr: ast.AST, classes: dict[str, dict[str, int]], owner: str | None) -> tuple[str, str] | None:
    """``(Class, attr)`` when ``expr`` is reached from ``cls.X`` or ``ClassName.X``."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            base = expr.value.id
            cls = owner if base == "cls" else base
            if cls in classes and expr.attr in classes[cls]:
                return cls, expr.attr
        expr = expr.value
    return None


@functools.lru_cache(maxsize=1)
def scan() -> dict[str, str]:
    """``file:name`` -> ``file:line`` of every module-level mutable container of the package."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names, classes = _module_names(tree), _class_attributes(tree)
        owners: dict[ast.AST, str] = {}
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            owners.update({fn: cls.name for fn in cls.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))})
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            declared, local = _scope_of(fn)
            hits = {n for n in declared if n in names}
            for expr in _touched(fn):
                root = _root(expr)
                if isinstance(root, ast.Name) and root.id in names and (root.id in declared or root.id not in local):
                    hits.add(root.id)
                target = _class_target(expr, classes, owners.get(fn))
                if target is not None:
                    found[f"{rel}:{target[0]}.{target[1]}"] = f"{rel}:{classes[target[0]][target[1]]}"
            for name in hits:
                found[f"{rel}:{name}"] = f"{rel}:{names[name]}"
    return found


def _scope_of(fn: ast.AST) -> tuple[set[str], set[str]]:
    """The names ``fn`` declares ``global``, and its parameters and local variables."""
    declared: set[str] = set()
    args = fn.args  # type: ignore[attr-defined]
    local = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
    for node in ast.walk(fn):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    return declared, local


def test_at_most_five_module_level_containers_each_allowed_by_name():
    found = scan()
    unexpected = sorted(f"{where}: {key.split(':', 1)[1]}" for key, where in found.items()
                        if key not in ALLOWED)
    assert unexpected == [], ("new process-wide mutable state; keep it in the Runtime "
                              "(tinytroupe/runtime.py) or in one of the allowed holders")
    assert len(ALLOWED) <= 5


def test_every_allowed_container_exists_and_is_named_in_the_readme():
    found = scan()
    assert sorted(set(ALLOWED) - set(found)) == []  # a stale entry: remove it from ALLOWED
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("### Process-wide state"):]
    for key in ALLOWED:
        assert f"`{key.replace('.py:', '.')}`".replace("/", ".") in section or f"`{key}`" in section, key


def test_the_scanner_finds_each_way_of_changing_module_state(tmp_path):
    source = (
        "import contextvars\n"
        "A = {}\nB = []\nC = None\nD = object()\nE = {}\nV = contextvars.ContextVar('v')\n"
        "class K:\n    items = {}\n"
        "    @classmethod\n    def add(cls, k):\n        cls.items[k] = 1\n"
        "def f(k):\n    A[k] = 1\n    B.append(k)\n    global C\n    C = k\n    D.field = k\n"
        "    V.set(k)\n"
        "def g(E):\n    E[1] = 2\n"
    )
    tree = ast.parse(source)
    names = _module_names(tree)
    assert "V" not in names and {"A", "B", "C", "D", "E"} <= set(names)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    roots = {_root(e).id for e in _touched(fn) if isinstance(_root(e), ast.Name)}
    assert {"A", "B", "D"} <= roots
    g = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "g")
    assert "E" in _scope_of(g)[1] and "C" in _scope_of(fn)[0]
    cls_fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "add")
    assert any(_class_target(e, _class_attributes(tree), "K") == ("K", "items") for e in _touched(cls_fn))
