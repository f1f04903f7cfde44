"""Pure policy arithmetic: how long a retry waits.

``retry_delay`` turns a task's ``retry`` (its ``delay`` already evaluated to seconds)
into the wait before retry number ``retry_no`` (1 for the first retry):

* ``backoff: constant`` (or none): ``delay`` every time;
* ``backoff: exponential``: ``delay``, ``2 × delay``, ``4 × delay`` ...;
* ``max-delay``: no wait is longer than this;
* ``jitter`` (a share in [0, 1]): that share of the wait is drawn at random, so the wait
  lies in ``[(1 - jitter) × d, d]`` (1: anywhere between 0 and ``d``; many tasks failing
  together then do not retry in lockstep).
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

EXPONENTIAL = "exponential"
CONSTANT = "constant"
#: doubling stops here (2**64 × any delay is far beyond any timer anyway)
MAX_DOUBLINGS = 64


def jitter_share(value: Any) -> float:
    """``jitter`` as a share in [0, 1]: ``True`` is 1, ``False``/None 0. Raises
    ``ValueError`` for anything else (the engine words it for the task)."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        share = float(value)
        if math.isfinite(share) and 0.0 <= share <= 1.0:
            return share
    raise ValueError(f"must be a boolean or a number between 0 and 1, got {value!r:.80}")


def retry_delay(delay: float, retry_no: int, backoff: str | None = None,
                max_delay: float | None = None, jitter: float = 0.0,
                rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry ``retry_no`` (1-based); never negative."""
    wait = max(float(delay), 0.0)
    if backoff == EXPONENTIAL and wait > 0:
        wait *= 2.0 ** min(max(retry_no - 1, 0), MAX_DOUBLINGS)
    if max_delay is not None:
        wait = min(wait, max(float(max_delay), 0.0))
    if jitter > 0 and wait > 0:
        wait -= wait * min(jitter, 1.0) * rand()
    return max(wait, 0.0)
