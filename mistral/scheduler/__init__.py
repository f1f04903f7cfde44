"""Durable timers in the database, claimed with a lease and run exactly once."""

from __future__ import annotations

from mistral.scheduler.scheduler import ClaimedJob, Handler, PlainHandler, Scheduler

__all__ = ["ClaimedJob", "Handler", "PlainHandler", "Scheduler"]
