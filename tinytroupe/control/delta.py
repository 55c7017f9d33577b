"""Small JSON patches between two states, so a checkpoint stores each step's change, not a new copy.

States grow by appending (memories, transcripts) and by changing a few fields (clocks,
counters), so a patch keeps: for dicts, the changed and removed keys; for lists, patches of
changed items and the appended tail. :func:`apply` shares unchanged parts with the base, so
patched states must be treated as read-only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["diff", "apply", "is_patch"]


def diff(old: Any, new: Any) -> dict[str, Any] | None:
    """A patch turning ``old`` into ``new``, or None when they are equal."""
    if old == new and type(old) is type(new):
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        changed = {}
        for key, value in new.items():
            if key not in old:
                changed[key] = {"=": value}
            else:
                patch = diff(old[key], value)
                if patch is not None:
                    changed[key] = patch
        removed = [key for key in old if key not in new]
        return {"d": changed, "x": removed}
    if isinstance(old, list) and isinstance(new, list):
        shared = min(len(old), len(new))
        items = {}
        for index in range(shared):
            patch = diff(old[index], new[index])
            if patch is not None:
                items[str(index)] = patch
        if len(items) * 2 > shared > 0:  # mostly rewritten (a random generator's state): store it whole
            return {"=": new}
        return {"n": len(new), "i": items, "t": new[len(old):]}
    return {"=": new}


def apply(base: Any, patch: dict[str, Any] | None) -> Any:
    """``base`` with ``patch`` applied (a new value; ``base`` is not changed)."""
    if patch is None:
        return base
    if "=" in patch:
        return patch["="]
    if "d" in patch:
        result = {k: v for k, v in base.items() if k not in patch["x"]}
        for key, sub in patch["d"].items():
            result[key] = apply(base.get(key), sub)
        return result
    shared = min(len(base), patch["n"])
    result = list(base[:shared])
    for index, sub in patch["i"].items():
        result[int(index)] = apply(base[int(index)], sub)
    result.extend(patch["t"])
    return result


def is_patch(value: Any) -> bool:
    """Whether ``value`` has the shape of a patch made by :func:`diff` (checked when loading)."""
    if not isinstance(value, dict):
        return False
    if "=" in value:
        return len(value) == 1
    if "d" in value:
        return (isinstance(value["d"], dict) and isinstance(value.get("x"), list)
                and all(is_patch(p) for p in value["d"].values()))
    return (isinstance(value.get("n"), int) and isinstance(value.get("i"), dict)
            and isinstance(value.get("t"), list) and all(is_patch(p) for p in value["i"].values()))
