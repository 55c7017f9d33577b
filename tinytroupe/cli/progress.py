"""Progress and cost for long commands: a rich progress bar with a live tokens/cost line.

:class:`UsageMeter` tallies ``llm.call`` events (calls, tokens, dollars where the price is
known). :class:`RunProgress` shows a bar for steps or generated people plus the meter's line,
only when stdout is a terminal; in a pipe it stays silent and the caller prints the final
line instead.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from tinytroupe import events
from tinytroupe.cli.output import Output
from tinytroupe.llm.purposes import purpose_of
from tinytroupe.llm.wrappers.usage import UsageStats

__all__ = ["UsageMeter", "RunProgress"]


class UsageMeter:
    """Counts model calls, tokens and cost from ``llm.call`` events while subscribed, in total,
    by model and by purpose (``llm.retry`` events add retries)."""

    EVENTS = ("llm.call", "llm.retry")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = self.cached = self.input_tokens = self.output_tokens = 0
        self.cost = 0.0
        self.unpriced = 0
        self.providers: set[str] = set()
        self.stats = UsageStats()

    def __call__(self, event: events.Event) -> None:
        data = event.data
        tags = {"purpose": purpose_of(data.get("tags") or {"purpose": str(data.get("purpose") or "")})}
        model = str(data.get("model") or "")
        if event.kind == "llm.retry":
            self.stats.record_retry(model, tags)
            return
        cost = None if data.get("cost") is None else float(data["cost"])
        self.stats.record_call(model, tags, input_tokens=int(data.get("input_tokens") or 0),
                               output_tokens=int(data.get("output_tokens") or 0),
                               cached=bool(data.get("cached")), cost=cost)
        with self._lock:
            self.calls += 1
            self.cached += int(bool(data.get("cached")))
            self.input_tokens += int(data.get("input_tokens") or 0)
            self.output_tokens += int(data.get("output_tokens") or 0)
            self.providers.add(str(data.get("provider") or ""))
            if data.get("cost") is None:
                self.unpriced += 1
            else:
                self.cost += float(data["cost"])

    def cost_text(self) -> str:
        """The cost so far: dollars, ``free`` (local or scripted model), or ``unknown``."""
        if self.calls and self.providers <= {"local", "scripted"}:
            return "free (runs locally)"
        if self.calls and self.unpriced == self.calls:
            return "cost unknown (no price for this model)"
        suffix = " + unpriced calls" if self.unpriced else ""
        return f"${self.cost:.4f}{suffix}"

    def line(self) -> str:
        """``12 model calls (2 cached) · 3,400 tokens in / 800 out · $0.0021``."""
        cached = f" ({self.cached} cached)" if self.cached else ""
        return (f"{self.calls} model calls{cached} · {self.input_tokens:,} tokens in / "
                f"{self.output_tokens:,} out · {self.cost_text()}")

    def to_dict(self) -> dict[str, Any]:
        snap = self.stats.snapshot()
        return {"calls": self.calls, "cached_calls": self.cached, "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "cost_text": self.cost_text(),
                "cost": None if (self.calls and self.unpriced == self.calls) else round(self.cost, 6),
                "retries": snap["total"]["retries"], "by_model": snap["by_model"], "by_purpose": snap["by_purpose"]}


class RunProgress:
    """``with RunProgress(output, total=4, label="steps") as p: ... p.advance()``.

    The bar and the usage line are drawn live only on a terminal and when not quiet; the
    meter counts in every case.
    """

    def __init__(self, output: Output, total: int, label: str = "steps",
                 count_events: tuple[str, ...] = (), meter: UsageMeter | None = None):
        """``meter``: a meter someone else feeds (shown, not fed here); default, a new one fed here."""
        self._feed_meter = meter is None
        self.meter = meter if meter is not None else UsageMeter()
        self.label = label
        self.total = total
        self._count_events = count_events
        self._progress: Progress | None = None
        self._task: Any = None
        self._unsubscribe: list[Any] = []
        if output.chatty and output.interactive:
            self._progress = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[usage]}"),
                console=output.out, transient=True,
            )

    def __enter__(self) -> RunProgress:
        self._unsubscribe.append(events.subscribe(self._on_call, ("llm.call",)))
        if self._count_events:
            self._unsubscribe.append(events.subscribe(lambda _e: self.advance(), self._count_events))
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total or None, usage="")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._progress is not None:
            self._progress.stop()

    def _on_call(self, event: events.Event) -> None:
        if self._feed_meter:
            self.meter(event)
        if self._progress is not None:
            self._progress.update(self._task, usage=self.meter.line())

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more steps (or people) done."""
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def describe(self, text: str) -> None:
        """Change the bar's label (e.g. ``step 2 of 4``)."""
        if self._progress is not None:
            self._progress.update(self._task, description=text)
