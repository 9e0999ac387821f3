"""The UI's line of soundscape runs (ui/lanes.py): short mixes never wait behind long ones,
long ones take turns, and a waiting run is told its place and a start time that comes true."""

from __future__ import annotations

import threading
import time

import pytest

from image_extender.ui.lanes import OVERHEAD_S, PER_SECOND, Lanes, QueueFull, say_wait


def _run(lanes: Lanes, duration: float, hold: float, log: list, name: str, waits: list | None = None) -> threading.Thread:
    def body():
        with lanes.slot(duration, on_wait=(lambda a, s: waits.append((a, s))) if waits is not None else None):
            log.append((name, "start", time.monotonic()))
            time.sleep(hold)
        log.append((name, "end", time.monotonic()))

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def _when(log, name, what):
    return next(t for n, w, t in log if n == name and w == what)


def test_a_short_mix_starts_at_once_while_a_long_one_runs_and_a_second_long_one_waits():
    lanes = Lanes(2, long_after=60)
    log: list = []
    waits: list = []
    first = _run(lanes, 300, 0.8, log, "long-1")
    time.sleep(0.1)
    second = _run(lanes, 300, 0.2, log, "long-2", waits)
    time.sleep(0.1)
    short = _run(lanes, 30, 0.1, log, "short")
    for t in (first, second, short):
        t.join(5)
    # the 30 s mix did not wait for the 300 s one (nor for the long one queued before it) ...
    assert _when(log, "short", "end") < _when(log, "long-1", "end")
    assert _when(log, "short", "start") < _when(log, "long-2", "start")
    # ... while the second long mix took its turn after the first, and was told it was next in line
    assert _when(log, "long-2", "start") >= _when(log, "long-1", "end")
    assert waits and waits[0][0] == 0 and waits[0][1] > 0


def test_with_one_slot_everything_takes_turns_in_arrival_order():
    lanes = Lanes(1, long_after=60)
    log: list = []
    threads = []
    for k, duration in enumerate((300, 30, 10)):
        threads.append(_run(lanes, duration, 0.15, log, f"run-{k}"))
        time.sleep(0.05)
    for t in threads:
        t.join(5)
    starts = sorted((t, n) for n, w, t in log if w == "start")
    assert [n for _, n in starts] == ["run-0", "run-1", "run-2"]


def test_the_promised_start_is_when_the_runs_ahead_are_expected_to_end():
    lanes = Lanes(2, long_after=60)
    release = threading.Event()
    holding = []

    def hold(duration, on_wait=None):
        with lanes.slot(duration, on_wait=on_wait):
            holding.append(duration)
            release.wait(5)

    runner = threading.Thread(target=hold, args=(300,))
    runner.start()
    while not holding:
        time.sleep(0.01)
    waits: list = []
    waiter = threading.Thread(target=hold, args=(120,))
    second = threading.Thread(target=hold, args=(200, lambda a, s: waits.append((a, s))))
    waiter.start()
    time.sleep(0.1)
    second.start()
    time.sleep(0.3)
    # a 300 s mix runs; a 120 s mix waits for it; the 200 s one is second in line:
    # it starts when the 300 s run ends and then the 120 s run ends
    ahead, seconds = waits[-1]
    assert ahead == 1
    expected = (OVERHEAD_S + PER_SECOND * 300) + (OVERHEAD_S + PER_SECOND * 120)
    assert seconds == pytest.approx(expected, abs=1.0)
    release.set()
    runner.join(5)
    waiter.join(5)
    second.join(5)


def test_measured_runs_teach_the_estimate_and_a_full_line_is_refused():
    lanes = Lanes(1, long_after=60, max_waiting=1)
    with lanes.slot(10):  # the first run loads the models: not counted
        time.sleep(0.6)
    assert lanes.model() == (OVERHEAD_S, PER_SECOND)
    with lanes.slot(10):
        time.sleep(0.3)
    # one run: the prior's shape, scaled to this (fast) machine
    prior = OVERHEAD_S + PER_SECOND * 10
    assert lanes.expected_seconds(10) == pytest.approx(0.3, rel=0.3)
    assert lanes.expected_seconds(100) == pytest.approx((OVERHEAD_S + PER_SECOND * 100) * 0.3 / prior, rel=0.3)
    # runs of different lengths: a straight line through them (here 0.2 s + 0.01 s per mix second)
    lanes._history.clear()
    lanes._history.extend([(10, 0.3), (50, 0.7), (100, 1.2)])
    a, b = lanes.model()
    assert a == pytest.approx(0.2, abs=0.01) and b == pytest.approx(0.01, abs=0.001)

    release = threading.Event()
    with lanes.slot(10):
        waiting = threading.Thread(target=lambda: _enter_and_leave(lanes, release))
        waiting.start()
        time.sleep(0.1)
        with pytest.raises(QueueFull):
            with lanes.slot(10):
                pass
        release.set()
    waiting.join(5)
    assert lanes.snapshot() == {"running": 0, "running_long": 0, "waiting": 0}


def _enter_and_leave(lanes, release):
    with lanes.slot(10):
        release.wait(5)


def test_the_wait_is_said_in_plain_words():
    assert say_wait(2, 170) == "In line: 2 runs ahead of yours; yours should start in about 3 min"
    assert say_wait(1, 42) == "In line: 1 run ahead of yours; yours should start in about 40 s"
    assert say_wait(0, 5).startswith("In line: waiting for a free slot")
