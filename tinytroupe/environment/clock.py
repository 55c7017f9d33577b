"""The simulated clock of a world: an optional datetime advanced step by step."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tinytroupe.errors import StateError

__all__ = ["SimClock", "STEP_UNITS", "pretty_datetime"]

logger = logging.getLogger(__name__)

# the time one step of run_<unit>(n) / skip_<unit>(n) lasts (months and years as TinyTroupe counts them)
STEP_UNITS: dict[str, timedelta] = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
    "months": timedelta(weeks=4),
    "years": timedelta(days=365),
}


def pretty_datetime(moment: datetime | None) -> str:
    """A short human form of a simulated moment, for step headers and prompts."""
    if moment is None:
        return "unspecified time"
    return moment.strftime("%Y-%m-%d %H:%M")


class SimClock:
    """Holds a world's current simulated datetime, which may be unset (None).

    An unset clock stays unset while steps carry no time; the first step that does carry time
    starts it at the present wall-clock minute, like TinyTroupe's default. Pass
    ``initial_datetime`` to a world for reproducible times.
    """

    def __init__(self, initial: datetime | None = None):
        if initial is not None and not isinstance(initial, datetime):
            raise TypeError(f"initial_datetime must be a datetime or None, got {type(initial).__name__}")
        self.current: datetime | None = initial

    def advance(self, delta: timedelta | None) -> datetime | None:
        """Move the clock forward by ``delta`` (nothing happens for None) and return the new time."""
        if delta is None:
            return self.current
        if not isinstance(delta, timedelta):
            raise TypeError(f"timedelta_per_step must be a datetime.timedelta, got {type(delta).__name__}")
        if self.current is None:
            self.current = datetime.now().replace(second=0, microsecond=0)
            logger.info("the world clock had no initial_datetime; it starts at %s", self.current)
        self.current = self.current + delta
        return self.current

    def iso(self) -> str | None:
        """The current time as an ISO string, or None when unset."""
        return self.current.isoformat() if self.current is not None else None

    def to_state(self) -> str | None:
        return self.iso()

    @classmethod
    def from_state(cls, state: str | None) -> SimClock:
        if state is None:
            return cls(None)
        try:
            return cls(datetime.fromisoformat(state))
        except (TypeError, ValueError):
            raise StateError(
                f"world state field 'current_datetime' = {state!r} is not an ISO datetime; "
                "fix or remove it in the saved state"
            ) from None
