"""Control tests: no simulation or world leaks from one test into the next."""

from __future__ import annotations

import pytest

from tinytroupe import control
from tinytroupe.environment import TinyWorld


@pytest.fixture(autouse=True)
def _fresh_scope():
    control.reset()
    TinyWorld.clear_environments()
    yield
    control.reset()
    TinyWorld.clear_environments()
