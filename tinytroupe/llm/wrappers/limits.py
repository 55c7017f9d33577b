"""Concurrency and rate limits around a model or an embedder.

Concurrency adapts to the provider (additive increase, multiplicative decrease, as TCP does):
the window of calls allowed in flight starts at the user's ceiling (``max_concurrent``,
MAX_CONCURRENT_MODEL_CALLS), or at the window that last worked for this provider and model
(see :mod:`~tinytroupe.llm.wrappers.window_memory`), grows by about one call per window of
successful calls, and shrinks when the provider pushes back: on a 429 (and for as long as its
Retry-After asks), a timeout, or a burst of 5xx errors, the window drops to ``decrease`` times
the calls that were in flight when the refused call was sent, and grows back four times slower
once it nears that load again. Only the first refusal of a burst shrinks it by that factor: a
refused call sent before the window last shrank was sent under the old window, so a burst of
refusals costs one decrease, not one per refused call (which would collapse the window far
below the provider's limit). The rest of the burst refines it instead: when calls leave
together (a step's agents), the load a call saw when it was sent says little about the order
in which they reached the provider, but once the burst's refusals are back, the calls still
out (or back with a reply) are those the provider took. So when a burst's first refusal finds
more calls out than the new window, each later refusal of that burst sets the window to the
calls of the burst the provider took so far (never above the window before the burst; when it
took none, a provider refusing everything for a while, the first refusal's window stands).
Once a whole window of calls has worked after a refusal, the window is remembered for the next
run. One window serves every event loop and thread of the process.
``adaptive=False`` keeps a fixed window at the ceiling.

Optional requests-per-minute and tokens-per-minute limits share one sliding window; a call
waits (without blocking the loop) until it has room. Tokens are estimated before the call
(about four characters per token, plus ``max_tokens``) and corrected with the real usage after.

The limiter sits below the retry wrapper, so it sees every attempt, and a call that waits to
be retried holds no slot.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tinytroupe.errors import TransientError
from tinytroupe.llm.base import ChatRequest, LLMModel, capabilities_of
from tinytroupe.llm.embeddings import EmbeddingModel, EmbeddingRequest
from tinytroupe.llm.wrappers.seams import Req, Res, Seam, Send, StackWrapper, seam_of
from tinytroupe.llm.wrappers.window_memory import WindowMemory, memory_key, window_memory

__all__ = ["LimitedModel", "AdaptiveWindow", "estimate_request_tokens"]

_WINDOW = 60.0


def estimate_request_tokens(request: ChatRequest | EmbeddingRequest) -> int:
    """A rough token count for a request: what it sends (characters / 4) plus the reply it allows."""
    seam = seam_of(request)
    return seam.input_tokens(request) + seam.reply_cap(request)


class _Window:
    """Requests and tokens spent in the last minute."""

    def __init__(self, requests_per_minute: int, tokens_per_minute: int):
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self.lock = threading.Lock()
        self.entries: deque[list[float]] = deque()  # [time, tokens]

    def _prune(self, now: float) -> None:
        while self.entries and now - self.entries[0][0] >= _WINDOW:
            self.entries.popleft()

    def try_take(self, tokens: int) -> tuple[list[float] | None, float]:
        """Reserve a slot: (entry, 0) when granted, else (None, seconds to wait)."""
        now = time.monotonic()
        with self.lock:
            self._prune(now)
            waits = []
            if self.rpm and len(self.entries) >= self.rpm:
                waits.append(self.entries[len(self.entries) - self.rpm][0] + _WINDOW - now)
            if self.tpm and self.entries:
                used = sum(e[1] for e in self.entries)
                if used + tokens > self.tpm:
                    waits.append(self._time_until_free(used + tokens - self.tpm, now))
            if waits:
                return None, max(0.01, max(waits))
            entry = [now, float(tokens)]
            self.entries.append(entry)
            return entry, 0.0

    def _time_until_free(self, excess: float, now: float) -> float:
        freed = 0.0
        for stamp, tokens in self.entries:
            freed += tokens
            if freed >= excess:
                return stamp + _WINDOW - now
        return _WINDOW

    def settle(self, entry: list[float], tokens: int) -> None:
        with self.lock:
            entry[1] = float(tokens)


class AdaptiveWindow:
    """How many calls may be in flight: an AIMD window under a ceiling, shared by all loops.

    :meth:`acquire` waits for a slot (a released slot is handed straight to the oldest
    waiter, on whatever loop it waits); :meth:`release` gives it back and reports how the
    call ended, which moves the window.
    """

    BURST_5XX = 3  # 5xx errors within BURST_SECONDS that count as a burst
    BURST_SECONDS = 5.0

    def __init__(self, ceiling: int, *, adaptive: bool = True, minimum: int = 1, decrease: float = 0.8,
                 max_pause: float = 120.0, start: int | None = None,
                 on_settled: Callable[[int], None] | None = None):
        self.ceiling = ceiling
        self.adaptive = adaptive
        self.minimum = max(1, min(minimum, ceiling))
        self.decrease = decrease
        self.max_pause = max_pause
        remembered = adaptive and start is not None and start < ceiling
        self.window = float(max(self.minimum, start)) if remembered and start else float(ceiling)
        self.on_settled = on_settled  # told the window that worked, after a window of successes
        self.in_flight = 0
        self.sending = 0  # calls out at the provider (past their pause, not yet back)
        self.max_in_flight = 0
        self.paused_until = 0.0
        self.decreases = 0
        self.lowest = float(ceiling)
        self.pushbacks = 0
        self._last_decrease = 0.0
        self._refused_at = int(self.window) + 1 if remembered else 0  # load last refused (0: never)
        # the last burst: the window before it, the window its first refusal set, when the calls
        # of the burst were sent from, and whether the rest of the burst refines the window
        self._burst: tuple[float, float, float, bool] = (float(ceiling), 1.0, 0.0, False)
        self._burst_ok = 0  # calls of the last burst that succeeded (the provider took them)
        self._burst_out = 0  # calls of the last burst still out
        self._successes = 0  # since the window last shrank or was remembered
        self._settled = int(self.window) if remembered else 0  # the window last reported to on_settled
        self._errors_5xx: deque[float] = deque()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = deque()
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        """Calls allowed in flight now (the window, rounded down)."""
        return max(self.minimum, int(self.window))

    async def acquire(self) -> tuple[float, int]:
        """Wait for a slot; returns (time sent, calls in flight then) for :meth:`release`."""
        loop = asyncio.get_running_loop()
        with self._lock:
            granted = not self._waiters and self.in_flight < self.limit
            if granted:
                self._take()
            else:
                future = loop.create_future()
                self._waiters.append((loop, future))
        if not granted:
            try:
                await future
            except asyncio.CancelledError:
                with self._lock:
                    if (loop, future) in self._waiters:
                        self._waiters.remove((loop, future))
                        raise
                if not future.cancelled():
                    self.release(None)  # the slot arrived as the caller gave up
                raise  # else the slot is on its way, and _grant passes it on
        pause = self.paused_until - time.monotonic()
        if pause > 0:
            try:
                await asyncio.sleep(pause)  # the provider asked to wait (Retry-After)
            except asyncio.CancelledError:
                self.release(None)
                raise
        with self._lock:
            self.sending += 1
            return time.monotonic(), self.in_flight

    def _take(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def release(self, outcome: BaseException | None | bool, sent: tuple[float, int] | None = None) -> None:
        """Free a slot. ``outcome``: True for a success, an exception for a failure, None for neither."""
        settled = None
        with self._lock:
            if sent is not None:
                self.sending -= 1
                if self._in_burst(sent[0]):
                    self._burst_out -= 1
                    self._burst_ok += outcome is True
            if outcome is True:
                settled = self._grow()
            elif isinstance(outcome, TransientError) and sent is not None:
                self._push_back(outcome, *sent)
            self.in_flight -= 1
            handoffs = []
            while self._waiters and self.in_flight < self.limit:
                handoffs.append(self._waiters.popleft())
                self._take()
        for loop, future in handoffs:
            try:
                loop.call_soon_threadsafe(self._grant, future)
            except RuntimeError:  # that loop is closed: pass the slot on
                self.release(None)
        if settled is not None and self.on_settled is not None:
            self.on_settled(settled)

    def _grant(self, future: asyncio.Future) -> None:
        if future.done():  # cancelled before the slot arrived
            self.release(None)
        else:
            future.set_result(None)

    def _grow(self) -> int | None:
        """Count a success; the window to remember when a whole window of calls has worked since
        it last changed by a refusal (only once the provider has pushed back), else None."""
        if not self.adaptive:
            return None
        if self.window < self.ceiling:
            # near the load the provider last refused, grow four times slower: fewer refusals (and
            # Retry-After pauses) while still probing for more room
            step = 0.25 if self._refused_at and self.window + 1 >= self._refused_at else 1.0
            self.window = min(float(self.ceiling), self.window + step / max(1.0, self.window))
        self._successes += 1
        if not self._refused_at or self._successes < self.limit:
            return None
        self._successes = 0
        # the most calls known to be taken: just under the load last refused, or (once the window
        # has grown well past it without a refusal) just under the window now; a window of exactly
        # the load refused can be lucky in its timing
        worked = min(self.ceiling, max(self.minimum, self._refused_at - 1, self.limit - 1))
        if worked == self._settled:
            return None
        self._settled = worked
        return worked

    def _push_back(self, error: TransientError, started: float, load: int) -> None:
        now = time.monotonic()
        status = error.status
        if status == 429 and error.retry_after:
            self.paused_until = max(self.paused_until, now + min(error.retry_after, self.max_pause))
        if status is not None and status != 429:
            if status < 500:
                return
            self._errors_5xx.append(now)
            while self._errors_5xx and now - self._errors_5xx[0] > self.BURST_SECONDS:
                self._errors_5xx.popleft()
            if len(self._errors_5xx) < self.BURST_5XX:
                return
        self.pushbacks += 1
        if not self.adaptive:
            return
        self._successes = 0
        if started < self._last_decrease:  # sent before the window last shrank: no new decrease
            if not self._in_burst(started):
                return  # an ordinary burst, or a straggler of an earlier one: already accounted for
            before, floor = self._burst[:2]
            taken = self._burst_out + self._burst_ok  # calls of the burst the provider took (or may take)
            self.window = max(float(self.minimum), min(before, float(taken))) if taken else floor
            self._refused_at = int(self.window) + 1
            self.lowest = min(self.lowest, self.window)
            return
        self._refused_at = max(1, load)
        before = self.window
        self.window = max(float(self.minimum), min(self.window, max(1, load) * self.decrease))
        # many more calls out than the new window: they left together, and what reached the
        # provider first is not what was sent first; the calls still out will say how many it took
        self._burst = (before, self.window, self._last_decrease, self.sending > self.window)
        self._burst_ok, self._burst_out = 0, self.sending
        self.lowest = min(self.lowest, self.window)
        self.decreases += 1
        self._last_decrease = now
        self._errors_5xx.clear()

    def _in_burst(self, started: float) -> bool:
        """Whether a call sent at ``started`` belongs to the last burst, and that burst refines."""
        _, _, since, refine = self._burst
        return refine and since <= started < self._last_decrease

    def stats(self) -> dict[str, Any]:
        """The window as plain data (for usage statistics)."""
        with self._lock:
            return {"window": self.limit, "ceiling": self.ceiling, "adaptive": self.adaptive,
                    "in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
                    "lowest_window": max(self.minimum, int(self.lowest)), "decreases": self.decreases,
                    "pushbacks": self.pushbacks, "waiting": len(self._waiters)}


class LimitedModel(StackWrapper):
    """Bounds how many calls of a model or an embedder run at once (adaptively, under
    ``max_concurrent``) and, optionally, requests and tokens per minute.

    ``memory`` (default: the current runtime's, for a model behind a server) is where the
    adaptive window starts from and where it records the window that worked; ``False``: none.
    """

    def __init__(self, inner: LLMModel | EmbeddingModel, max_concurrent: int = 256, requests_per_minute: int = 0,
                 tokens_per_minute: int = 0, *, adaptive: bool = True, memory: WindowMemory | bool | None = None):
        super().__init__(inner)
        if max_concurrent < 1:
            raise ValueError(
                f"LimitedModel: max_concurrent must be at least 1 (MAX_CONCURRENT_MODEL_CALLS), got {max_concurrent}")
        self.max_concurrent = max_concurrent
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.memory = self._memory(memory) if adaptive else None
        key = memory_key(inner) if self.memory is not None else ""
        self.concurrency = AdaptiveWindow(
            max_concurrent, adaptive=adaptive, start=self.memory.recall(key) if self.memory is not None else None,
            on_settled=(lambda window: self.memory.remember(key, window)) if self.memory is not None else None)
        self._window = _Window(requests_per_minute, tokens_per_minute) if (
            requests_per_minute or tokens_per_minute) else None
        self._lock = threading.Lock()
        self.waited_for_rate = 0.0

    def _memory(self, memory: WindowMemory | bool | None) -> WindowMemory | None:
        if isinstance(memory, WindowMemory):
            return memory
        if memory is False or (memory is None and capabilities_of(self.inner).in_process):
            return None  # no server behind the model: nothing to learn about it
        return window_memory()

    @property
    def in_flight(self) -> int:
        return self.concurrency.in_flight

    @property
    def max_in_flight(self) -> int:
        return self.concurrency.max_in_flight

    @property
    def window(self) -> int:
        """Calls allowed in flight now."""
        return self.concurrency.limit

    async def _take_rate(self, request: ChatRequest | EmbeddingRequest) -> list[float] | None:
        if self._window is None:
            return None
        tokens = estimate_request_tokens(request)
        while True:
            entry, wait = self._window.try_take(tokens)
            if entry is not None:
                return entry
            with self._lock:
                self.waited_for_rate += wait
            await asyncio.sleep(wait)

    async def call(self, request: Req, send: Send[Req, Res], seam: Seam[Req, Res]) -> Res:
        entry = await self._take_rate(request)
        sent = await self.concurrency.acquire()
        outcome: BaseException | None | bool = None
        try:
            result = await send(request)
            outcome = True
        except Exception as exc:
            outcome = exc
            raise
        finally:
            self.concurrency.release(outcome, sent)
        if entry is not None and self._window is not None:
            self._window.settle(entry, seam.usage(result).total_tokens or int(entry[1]))
        return result
