"""Who makes a soundscape next: one line of waiting runs, with a slot kept free for short mixes.

Gradio's own queue runs an event's calls in arrival order with one concurrency limit and
estimates waits from the average duration of *all* past calls. Soundscapes differ by two
orders of magnitude (an 8 s mix is made in a few seconds, a 300 s one in minutes), so that
queue makes a 30 s mix wait behind a 300 s one and tells it the average. Here instead:

* ``slots`` runs at once (the server's ``--concurrency``); long mixes (over ``long_after``
  seconds) may hold at most ``slots − 1`` of them, so while any slot exists a short mix is
  never stuck behind long ones (with one slot, everything takes turns);
* waiting runs are admitted in arrival order, except that a short mix may pass long ones
  that are waiting only for the long-mix limit (a long mix never passes anything);
* each waiting run is told its place and when it should start, from a simulation of the
  line with each run's expected time ``a + b · duration``: a least-squares line through
  the server's recent finished runs once their lengths differ enough to tell ``a`` from
  ``b``, before that the prior (``OVERHEAD_S``, ``PER_SECOND``: a 2-core laptop) scaled
  by how much faster or slower those runs were than it said (a slow machine learns it is
  slow).

Pure Python and threads (Gradio calls handlers in worker threads): the UI's run handler
holds a :meth:`Lanes.slot` while it runs the pipeline.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

OVERHEAD_S = 15.0  # wall seconds of analysis and search a run costs whatever its length (prior)
PER_SECOND = 0.8  # wall seconds per mix second (prior: a 300 s mix took ~260 s on 2 busy cores)
HISTORY = 20  # finished runs the estimate is learned from
POLL_S = 0.5  # how often a waiting run re-reads its place (and reports it)


class QueueFull(Exception):
    """More runs are waiting than the server accepts."""


@dataclass(eq=False)
class Ticket:
    duration: float
    long: bool
    number: int
    started: float | None = None
    expected: float = field(default=0.0)
    counts: bool = True  # False: the run failed early, its time says nothing about the rate


class Lanes:
    """Admission of pipeline runs (see the module docstring)."""

    def __init__(self, slots: int = 2, *, long_after: float = 60.0, max_waiting: int = 20) -> None:
        self.slots = max(1, int(slots))
        self.long_slots = max(1, self.slots - 1)
        self.long_after = float(long_after)
        self.max_waiting = int(max_waiting)
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._history: deque[tuple[float, float]] = deque(maxlen=HISTORY)  # (mix seconds, wall seconds)
        self._cond = threading.Condition()
        self._numbers = itertools.count()
        self._warm = False  # the server's first run also loads the models: not a sample of the rate

    # ------------------------------------------------------------------ estimates

    def model(self) -> tuple[float, float]:
        """(a, b) of ``expected = a + b · duration`` from the recent runs (see the module docstring)."""
        with self._cond:
            runs = list(self._history)
        if not runs:
            return OVERHEAD_S, PER_SECOND
        d = np.array([r[0] for r in runs])
        t = np.array([r[1] for r in runs])
        if len(runs) >= 2 and d.max() - d.min() >= 30.0:
            b, a = np.polyfit(d, t, 1)
            if a >= 0 and b > 0:
                return float(a), float(b)
        scale = float(np.median(t / (OVERHEAD_S + PER_SECOND * d)))
        return OVERHEAD_S * scale, PER_SECOND * scale

    def expected_seconds(self, duration: float) -> float:
        """How long a run of a ``duration`` s mix is expected to take on this server."""
        a, b = self.model()
        return a + b * float(duration)

    # ------------------------------------------------------------------ admission (call with the lock held)

    def _admits(self, running: list[Ticket], waiting: list[Ticket]) -> list[Ticket]:
        """Which waiting tickets start now, given what runs: arrival order, long mixes capped."""
        free = self.slots - len(running)
        long_running = sum(t.long for t in running)
        admitted = []
        for ticket in waiting:
            if free <= 0:
                break
            if ticket.long and long_running >= self.long_slots:
                continue
            admitted.append(ticket)
            free -= 1
            long_running += ticket.long
        return admitted

    def _wait_estimate(self, ticket: Ticket, now: float) -> tuple[int, float]:
        """(runs ahead of ``ticket`` in the line, seconds until it should start): the line simulated."""
        ahead = 0
        for other in self._waiting:
            if other is ticket:
                break
            ahead += 1
        running = [(max(now, (t.started or now) + t.expected), t) for t in self._running]
        waiting = list(self._waiting)
        clock = now
        while True:
            started = self._admits([t for _, t in running], waiting)
            if ticket in started:
                return ahead, clock - now
            for t in started:
                waiting.remove(t)
                running.append((clock + t.expected, t))
            if not running:  # cannot happen with slots ≥ 1; never loop forever
                return ahead, clock - now
            running.sort(key=lambda pair: pair[0])
            clock, _ = running.pop(0)

    # ------------------------------------------------------------------ the handler's side

    @contextmanager
    def slot(self, duration: float, on_wait: Callable[[int, float], None] | None = None) -> Iterator[Ticket]:
        """Hold a slot for one run of a ``duration`` s mix; while waiting, ``on_wait(ahead, seconds)``
        is called every :data:`POLL_S` (outside the lock). Raises :class:`QueueFull` at once when
        ``max_waiting`` runs are already waiting."""
        ticket = Ticket(float(duration), float(duration) > self.long_after, next(self._numbers))
        ticket.expected = self.expected_seconds(duration)
        with self._cond:
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} soundscapes are waiting already")
            self._waiting.append(ticket)
        try:
            while True:
                with self._cond:
                    if ticket in self._admits(self._running, list(self._waiting)):
                        self._waiting.remove(ticket)
                        ticket.started = time.monotonic()
                        self._running.append(ticket)
                        break
                    report = self._wait_estimate(ticket, time.monotonic())
                if on_wait is not None:
                    on_wait(*report)
                with self._cond:
                    if ticket not in self._admits(self._running, list(self._waiting)):
                        self._cond.wait(POLL_S)
        except BaseException:
            with self._cond:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                self._cond.notify_all()
            raise
        ok = False
        try:
            yield ticket
            ok = True
        finally:
            with self._cond:
                self._running.remove(ticket)
                if ok and ticket.counts and ticket.started is not None and self._warm:
                    self._history.append((ticket.duration, time.monotonic() - ticket.started))
                self._warm = self._warm or (ok and ticket.counts)
                self._cond.notify_all()

    def snapshot(self) -> dict[str, int]:
        """Counts for the page and tests: running (of them long) and waiting."""
        with self._cond:
            return {"running": len(self._running), "running_long": sum(t.long for t in self._running),
                    "waiting": len(self._waiting)}


def say_wait(ahead: int, seconds: float) -> str:
    """'2 runs ahead of yours; yours should start in about 3 min' — the words a waiting user sees."""
    runs = "1 run" if ahead == 1 else f"{ahead} runs"
    when = "a few seconds" if seconds < 15 else (f"{round(seconds / 5) * 5:.0f} s" if seconds < 90
                                                  else f"{round(seconds / 60):.0f} min")
    lead = f"In line: {runs} ahead of yours" if ahead else "In line: waiting for a free slot"
    return f"{lead}; yours should start in about {when}"


def progress_waiting(progress) -> Callable[[int, float], None]:
    """An ``on_wait`` for :meth:`Lanes.slot` that shows the wait in a ``gr.Progress``: the words of
    :func:`say_wait`, and a bar filling as the expected wait passes (Gradio shows a description
    only with a bar)."""
    queued = time.monotonic()

    def report(ahead: int, seconds: float) -> None:
        waited = time.monotonic() - queued
        progress(min(0.99, waited / max(waited + seconds, 1e-6)), desc=say_wait(ahead, seconds))

    return report
