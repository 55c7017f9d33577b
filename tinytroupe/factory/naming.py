"""Keeping generated people distinct: unique names and no near-duplicate personas.

A name is taken when this factory already made someone with it (compared without case or
extra spaces) or when a live agent of the process has it (TinyPerson's name registry). Two
personas are near duplicates when they share the name, or the same age, occupation title and
residence. The factory asks the model again in those cases; when the model keeps returning a
taken name until the attempts run out, :meth:`NameBook.disambiguate` makes a deterministic
variant: a middle initial drawn from an RNG seeded per person ("Ana M. Ribeiro"), and if all
26 are taken, a numeric suffix ("Ana Ribeiro 2").
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable
from typing import Any

__all__ = ["NameBook", "normalize_name", "signature_of"]


def normalize_name(name: str) -> str:
    """The form names are compared in: case-folded, single spaces."""
    return " ".join(str(name).split()).casefold()


def signature_of(persona: dict[str, Any]) -> tuple[Any, str, str] | None:
    """(age, occupation title, residence) when all three are known, else None."""
    occupation = persona.get("occupation")
    title = occupation.get("title", "") if isinstance(occupation, dict) else str(occupation or "")
    residence = str(persona.get("residence") or "")
    age = persona.get("age")
    if age is None or not title.strip() or not residence.strip():
        return None
    return age, normalize_name(title), normalize_name(residence)


def _process_has(name: str) -> bool:
    try:
        from tinytroupe.agent import TinyPerson
    except ImportError:  # the agent layer is optional for the factory's own bookkeeping
        return False
    has = getattr(TinyPerson, "has_agent", None)
    return bool(has(name)) if callable(has) else False


class NameBook:
    """The names and persona signatures a factory has used so far."""

    def __init__(self, names: Iterable[str] = (), signatures: Iterable[tuple[Any, str, str]] = ()):
        self._names: set[str] = {normalize_name(n) for n in names}
        self._signatures: set[tuple[Any, str, str]] = set(signatures)

    def __len__(self) -> int:
        return len(self._names)

    def is_taken(self, name: str) -> bool:
        """True when this factory or a live agent of the process already uses ``name``."""
        return normalize_name(name) in self._names or _process_has(" ".join(name.split()))

    def is_near_duplicate(self, persona: dict[str, Any]) -> bool:
        """True when an accepted persona has the same age, occupation title and residence."""
        sig = signature_of(persona)
        return sig is not None and sig in self._signatures

    def add(self, persona: dict[str, Any]) -> None:
        """Record an accepted persona's name and signature."""
        self._names.add(normalize_name(persona.get("name", "")))
        sig = signature_of(persona)
        if sig is not None:
            self._signatures.add(sig)

    def disambiguate(self, name: str, seed: int) -> str:
        """A free variant of ``name``, the same for the same name, seed and taken names."""
        name = " ".join(name.split())
        if not self.is_taken(name):
            return name
        parts = name.split(" ")
        letters = list(string.ascii_uppercase)
        random.Random(seed).shuffle(letters)
        if len(parts) >= 2:
            for letter in letters:
                candidate = " ".join([*parts[:-1], f"{letter}.", parts[-1]])
                if not self.is_taken(candidate):
                    return candidate
        n = 2
        while self.is_taken(f"{name} {n}"):
            n += 1
        return f"{name} {n}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for saving a factory's state."""
        return {"names": sorted(self._names), "signatures": sorted(list(s) for s in self._signatures)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NameBook:
        return cls(data.get("names", ()), (tuple(s) for s in data.get("signatures", ())))
