"""A client-side request budget that survives runs: so many per minute, so many per day.

Freesound throttles API keys (documented default: 60 requests/minute, 2000/day) and
answers 429 past that. Counting on our side keeps us under the limit instead of
bouncing off it, and across runs, because the timestamps live in SQLite next to the
response cache. Sliding windows, not fixed clock buckets, so a burst at 11:59:59 does
not get a fresh allowance at 12:00:00.

Past the minute limit we *wait* (the caller's ``sleep``, injectable for tests); past the
day limit we *fail* with :class:`FreesoundBudgetError`, since waiting hours inside a
sonify run is never what the user wants.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from .errors import FreesoundBudgetError

MINUTE = 60.0
DAY = 86_400.0


class RateBudget:
    def __init__(
        self,
        db_path: Path,
        *,
        per_minute: int = 60,
        per_day: int = 2000,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db_path = Path(db_path)
        self.per_minute = per_minute
        self.per_day = per_day
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0  # seconds spent waiting for the minute window, this process
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("CREATE TABLE IF NOT EXISTS requests (t REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS requests_t ON requests (t)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db_path, timeout=30.0, isolation_level=None)

    def used(self) -> tuple[int, int]:
        """Requests counted in the last minute and in the last 24 hours."""
        now = self.clock()
        with closing(self._connect()) as db:
            minute = db.execute("SELECT COUNT(*) FROM requests WHERE t > ?", (now - MINUTE,)).fetchone()[0]
            day = db.execute("SELECT COUNT(*) FROM requests WHERE t > ?", (now - DAY,)).fetchone()[0]
        return minute, day

    def acquire(self) -> None:
        """Take one request from the budget, waiting for the minute window if needed."""
        while True:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")  # one process at a time decides
                now = self.clock()
                db.execute("DELETE FROM requests WHERE t <= ?", (now - DAY,))
                day, oldest_day = db.execute("SELECT COUNT(*), MIN(t) FROM requests").fetchone()
                if day >= self.per_day:
                    db.execute("COMMIT")
                    free_at = datetime.fromtimestamp(oldest_day + DAY).strftime("%Y-%m-%d %H:%M")
                    raise FreesoundBudgetError(
                        f"Freesound daily request budget spent ({day} of {self.per_day} in 24 h); "
                        f"next request allowed at {free_at} (raise freesound.requests_per_day, or use --offline)"
                    )
                minute, oldest_minute = db.execute(
                    "SELECT COUNT(*), MIN(t) FROM requests WHERE t > ?", (now - MINUTE,)
                ).fetchone()
                if minute < self.per_minute:
                    db.execute("INSERT INTO requests (t) VALUES (?)", (now,))
                    db.execute("COMMIT")
                    return
                db.execute("COMMIT")
                wait = max(oldest_minute + MINUTE - now, 0.01)
            finally:
                db.close()
            self.waited += wait
            self.sleep(wait)
