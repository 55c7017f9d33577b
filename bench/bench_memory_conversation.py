"""Benchmark: a long two-person conversation with semantic memory, against model latency.

Two agents talk for ``--steps`` world steps through a scripted chat model and a dense
embedder that both answer after ``--latency`` seconds (in process, so only waiting is
measured). Once episodes have been consolidated into semantic memory, every turn also
retrieves memories, which needs the turn's query embedded. The ideal is one chat latency per
step (the two agents' requests go out together); retrieval and consolidation should add
nothing to it::

    python bench/bench_memory_conversation.py --steps 40 --latency 0.2

Reported: wall seconds and the ratio to the ideal, the slowest step, chat calls by purpose,
embedding requests, and how many memories were stored.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOPICS = ["the office move", "the shared canteen", "parking", "meeting rooms", "the budget", "noise",
          "the timeline", "desks", "the cafe downstairs", "bike racks"]


class SlowEmbedder:
    """A dense embedder that answers after ``latency`` seconds: hashed words, one request counted per call."""

    name = "bench"
    endpoint = "bench://embeddings"
    default_model = "hashed-words-64"
    kind = "dense"

    def __init__(self, latency: float):
        self.latency = latency
        self.requests = 0

    def _vector(self, text: str) -> np.ndarray:
        row = np.zeros(64, dtype=np.float32)
        for word in text.lower().split():
            row[int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % 64] += 1.0
        return row

    async def embed(self, request: Any) -> Any:
        from tinytroupe.llm.embeddings import Embeddings

        self.requests += 1
        await asyncio.sleep(self.latency)
        return Embeddings(np.stack([self._vector(t) for t in request.texts]), self.default_model)

    async def aclose(self) -> None:
        return None


def _responder(request: Any) -> Any:
    from tinytroupe.testing.agent_replies import act_reply, is_turn_request, request_agent, request_targets

    if request.tags.get("purpose") == "consolidation":
        episode = request.messages[-1].content
        return {"items": [{"kind": "fact", "content": f"We talked about {t}."} for t in TOPICS if t in episode][:3]}
    if is_turn_request(request):
        turn = sum(1 for m in request.messages if m.role == "user") + len(request.messages[-1].content)
        targets = request_targets(request) or [""]
        topic = TOPICS[turn % len(TOPICS)]
        return act_reply(("TALK", f"{request_agent(request)} thinks {topic} needs a decision this week.",
                          targets[0]))
    return "(text)"


def run(steps: int, latency: float) -> dict[str, Any]:
    """Run the conversation; its figures."""
    from tinytroupe import llm
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinyWorld
    from tinytroupe.llm.embeddings import set_default_embedder

    model = llm.ScriptedModel(responder=_responder, latency=latency)
    llm.set_default_model(model)
    embedder = SlowEmbedder(latency)
    set_default_embedder(embedder, wrap=False)
    pair = [TinyPerson("Lisa"), TinyPerson("Oscar")]
    world = TinyWorld("Conversation", pair, seed=5)
    world.broadcast("Plan together how your two teams could share one office building next year.")
    start_wall, start = time.time(), time.perf_counter()
    world.run(steps)
    wall = time.perf_counter() - start
    marks = [e.wall_time for e in world.transcript if e.kind == "world.step"] + [start_wall + wall]
    times = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    purposes: dict[str, int] = {}
    for request in model.requests:
        purpose = request.tags.get("purpose") or "turn"
        purposes[purpose] = purposes.get(purpose, 0) + 1
    ideal = steps * latency
    return {"steps": steps, "latency_s": latency, "wall_s": round(wall, 3), "ideal_s": round(ideal, 3),
            "ratio": round(wall / ideal, 3) if ideal else None, "slowest_step_s": round(max(times), 3),
            "chat_calls": purposes, "embedding_requests": embedder.requests,
            "memories": {p.name: len(p.semantic_memory) for p in pair}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    print(json.dumps(run(args.steps, args.latency)))


if __name__ == "__main__":
    main()
