"""The replay records of a simulation and the states they point to, and their checkpoint form.

A :class:`Record` says what one top-level operation returned and which state every object
was in after it (object key -> state hash). States are stored once per hash, as a full JSON
value or as a patch on an earlier state of the same object (chains are capped so restoring
stays cheap). :meth:`ReplayStore.from_document` checks a loaded checkpoint's structure
completely before anything is used, so a damaged file is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinytroupe.control.codec import check_result, digest, state_text
from tinytroupe.control.delta import apply, diff, is_patch
from tinytroupe.errors import StateError
from tinytroupe.state.schema import check_document, loading

__all__ = ["Record", "ReplayStore", "MAX_CHAIN"]

MAX_CHAIN = 32
"""A state is stored in full after this many patches in a row, bounding the work to restore it."""


@dataclass(frozen=True)
class Record:
    """One recorded top-level operation: its result, the state of every object after it, the
    transcript events it produced per world (world key -> event dicts) and its model usage."""

    op: str
    receiver: str
    result: Any
    after: dict[str, str]
    transcripts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "receiver": self.receiver, "result": self.result, "after": self.after,
                "transcripts": self.transcripts, "usage": self.usage}


class ReplayStore:
    """Records by key, and content-addressed object states with patch chains."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.blobs: dict[str, dict[str, Any]] = {}
        self._latest: dict[str, tuple[str, Any]] = {}  # object key -> (hash, state) last stored or restored

    def __len__(self) -> int:
        return len(self.records)

    def get(self, key: str) -> Record | None:
        return self.records.get(key)

    def add(self, key: str, record: Record) -> None:
        self.records[key] = record

    # -- states ----------------------------------------------------------------------------
    def put_state(self, obj_key: str, state_hash: str, state: Any) -> None:
        """Store ``state`` (plain JSON, not to be changed afterwards) unless its hash is known."""
        if state_hash not in self.blobs:
            base = self._latest.get(obj_key)
            base_blob = self.blobs.get(base[0]) if base else None
            if base is not None and base_blob is not None and base_blob.get("depth", 0) < MAX_CHAIN:
                self.blobs[state_hash] = {"base": base[0], "patch": diff(base[1], state),
                                          "depth": base_blob.get("depth", 0) + 1}
            else:
                self.blobs[state_hash] = {"full": state}
        self._latest[obj_key] = (state_hash, state)

    def state(self, obj_key: str, state_hash: str, source: Path | None = None) -> Any:
        """The state stored under ``state_hash`` (read-only), checked against its hash."""
        return self.materialize(obj_key, state_hash, source)[0]

    def materialize(self, obj_key: str, state_hash: str, source: Path | None = None) -> tuple[Any, str]:
        """The state stored under ``state_hash`` (read-only) and its JSON text, checked against the hash."""
        latest = self._latest.get(obj_key)
        if latest is not None and latest[0] == state_hash:
            return latest[1], state_text(latest[1])
        known = {h: s for h, s in self._latest.values()}
        patches, cursor = [], state_hash
        while cursor not in known:
            blob = self.blobs[cursor]
            if "full" in blob:
                value = blob["full"]
                break
            patches.append(blob["patch"])
            cursor = blob["base"]
        else:
            value = known[cursor]
        with loading(source, "checkpoint", fix="delete it or choose another path"):
            for patch in reversed(patches):
                value = apply(value, patch)
            text = state_text(value)
        if digest(text) != state_hash:
            where = f"{source}: " if source else ""
            raise StateError(f"{where}the recorded state {state_hash} of {obj_key!r} does not match its hash; "
                             "the checkpoint is corrupt: delete it or choose another path")
        self._latest[obj_key] = (state_hash, value)
        return value, text

    def is_current(self, obj_key: str, state_hash: str) -> bool:
        """Whether ``state_hash`` is stored and is the latest state known for ``obj_key``."""
        latest = self._latest.get(obj_key)
        return state_hash in self.blobs and latest is not None and latest[0] == state_hash

    # -- documents -------------------------------------------------------------------------
    def to_document(self) -> dict[str, Any]:
        """The records and states as plain JSON data (the body of a checkpoint)."""
        return {"records": {k: r.to_dict() for k, r in self.records.items()}, "blobs": self.blobs}

    @classmethod
    def from_document(cls, doc: dict[str, Any], source: Path) -> ReplayStore:
        """A store from :meth:`to_document`'s output; raises StateError naming ``source`` on damage."""
        check_document(doc, "checkpoint", source)
        blobs, records = doc.get("blobs"), doc.get("records")
        if not isinstance(blobs, dict) or not isinstance(records, dict):
            _damaged(source, "fields 'records' and 'blobs' must be objects")
        for state_hash, blob in blobs.items():
            _check_blob(state_hash, blob, blobs, source)
        store = cls()
        store.blobs = blobs
        for key, entry in records.items():
            store.records[key] = _check_record(key, entry, blobs, source)
        return store


def _damaged(source: Path, detail: str) -> None:
    raise StateError(f"{source}: the checkpoint is damaged ({detail}); delete it or choose another path")


def _check_blob(state_hash: str, blob: Any, blobs: dict[str, Any], source: Path) -> None:
    if not isinstance(blob, dict):
        _damaged(source, f"state {state_hash} is not an object")
    if "full" in blob:
        return
    base, depth = blob.get("base"), blob.get("depth")
    base_blob = blobs.get(base) if isinstance(base, str) else None
    if not isinstance(base_blob, dict) or not isinstance(depth, int) or not is_patch(blob.get("patch")):
        _damaged(source, f"state {state_hash} has no valid base or patch")
    base_depth = 0 if "full" in base_blob else base_blob.get("depth")
    if base_depth != depth - 1:
        _damaged(source, f"state {state_hash} has an inconsistent patch chain")


def _check_record(key: str, entry: Any, blobs: dict[str, Any], source: Path) -> Record:
    if not isinstance(entry, dict) or not isinstance(entry.get("op"), str) \
            or not isinstance(entry.get("receiver"), str) or not isinstance(entry.get("after"), dict):
        _damaged(source, f"record {key} lacks 'op', 'receiver' or 'after'")
    after = entry["after"]
    missing = [h for h in after.values() if not isinstance(h, str) or h not in blobs]
    if missing:
        _damaged(source, f"record {key} points to states that are not in the file")
    transcripts, usage = entry.get("transcripts") or {}, entry.get("usage") or {}
    if not isinstance(transcripts, dict) or not all(
            isinstance(v, list) and all(isinstance(e, dict) and isinstance(e.get("kind"), str) for e in v)
            for v in transcripts.values()) or not isinstance(usage, dict):
        _damaged(source, f"record {key} has malformed 'transcripts' or 'usage'")
    check_result(entry.get("result"), f"{source}, record {key} ({entry['op']})")
    return Record(op=entry["op"], receiver=entry["receiver"], result=entry.get("result"), after=dict(after),
                  transcripts={str(k): list(v) for k, v in transcripts.items()}, usage=dict(usage))
