"""Per-token request limits: at most N requests in any sliding window of S seconds."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """A sliding-window counter per key (a token's hash), in memory.

    Parameters
    ----------
    requests : int
        Requests allowed per window.
    seconds : float
        Window length.
    """

    def __init__(self, requests: int, seconds: float) -> None:
        self.requests = requests
        self.seconds = seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """Count one request of ``key``; 0 when allowed, else the seconds until one would be."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.requests:
                return seen[0] + self.seconds - now
            seen.append(now)
            return 0.0
