"""Executors: run actions in a bounded pool, heartbeat them, report their results."""

from __future__ import annotations

from mistral.executors.default import DefaultExecutor
from mistral.executors.local import LocalExecutor

__all__ = ["DefaultExecutor", "LocalExecutor"]
