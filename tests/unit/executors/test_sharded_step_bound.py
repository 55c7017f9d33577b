"""A streamed world step lets every proxied agent start its turn at once (shards bound their own).

The driver holds no prepared requests for agents that Ray shards hold, and it sends a step's
turns to a shard one batch per loop tick: holding turns back at the model's ceiling would cut a
step into many small round trips (measured: 2,000 agents on 2 shards took 47 s instead of 6 s).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("ray")

from tinytroupe.executors.ray_world import RemoteTurns, ShardedAgent  # noqa: E402
from tinytroupe.llm.streaming import bound_for_agents, prepared_bound  # noqa: E402
from tinytroupe.runtime import Runtime  # noqa: E402


def test_every_proxied_turn_may_start_at_once_whatever_the_model_ceiling():
    group = SimpleNamespace(world=SimpleNamespace(agents=[object()] * 500))
    proxies = [ShardedAgent(group, i % 2, f"Agent {i}", False) for i in range(500)]  # type: ignore[arg-type]
    with Runtime({"max_concurrent_model_calls": 4}):
        assert prepared_bound() < 500  # a local step of 500 would be held back
        assert bound_for_agents(proxies) >= 500
    assert proxies[0].model == RemoteTurns(500)
