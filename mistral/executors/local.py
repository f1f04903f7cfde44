"""``[executor] type = local``: the default executor inside the engine process, no RPC hop.

The engine calls ``run_action`` directly (after its commit) and the pool delivers results
by calling the engine directly. The engine and the executor need each other, so the
composition root builds the executor first and attaches the engine afterwards.
"""

from __future__ import annotations

from mistral.actions.registry import ActionRegistry
from mistral.executors.default import DefaultExecutor


class LocalExecutor(DefaultExecutor):
    """A ``DefaultExecutor`` whose engine is the local engine object."""

    def __init__(
        self,
        registry: ActionRegistry,
        max_workers: int = 16,
        heartbeat_interval: float = 2.0,
        host: str = "local",
    ) -> None:
        super().__init__(
            registry, engine=None, max_workers=max_workers,
            heartbeat_interval=heartbeat_interval, host=host,
            # the engine calls run_action after its commit, from the thread of the event:
            # it must not wait for a slot (the job queues in the pool, reported as queued)
            wait_for_slot=False,
        )
