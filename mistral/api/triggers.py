"""What cron and event triggers keep of their creator, and their Keystone trusts.

A new trigger stores its creator's context (``auth_context``) and, with ``[pecan]
auth_enable`` and the service's trusts (``ApiServices.trusts``, a
``mistral.services.trusts.KeystoneTrusts``), a trust from the creator to Mistral's
service user, made with the caller's own token before the row is written and deleted
again if writing fails. Deleting a trigger releases its trust: deleted at once, or when
the last execution the trigger started ends.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import pecan

from mistral import exceptions as exc
from mistral.api import http
from mistral.services.trusts import trigger_values

LOG = logging.getLogger(__name__)


def _trusts() -> Any:
    services = http.services()
    return services.trusts if services.settings.auth_enable else None


@contextlib.contextmanager
def creator() -> Iterator[dict[str, Any]]:
    """The values a new trigger keeps of its creator (``auth_context``, ``trust_id``);
    a trust made for a trigger that is then not stored is deleted again."""
    with creators(1) as [values]:
        yield values


@contextlib.contextmanager
def creators(count: int) -> Iterator[list[dict[str, Any]]]:
    """``creator`` for ``count`` new triggers: a trust each, as each trigger releases its
    own; all of them are deleted again if the triggers are then not stored."""
    ctx, trusts = http.ctx(), _trusts()
    if trusts is None:
        yield [trigger_values(ctx, None) for _ in range(count)]
        return
    made: list[str] = []
    try:
        for _ in range(count):
            # the caller's own token: with X-Target-* headers the context's is the other cloud's
            made.append(trusts.create(ctx, pecan.request.headers.get("X-Auth-Token")))
        yield [trigger_values(ctx, trust_id) for trust_id in made]
    except BaseException:
        for trust_id in made:
            trusts.delete(trust_id)
        raise


def release_all(released: list[tuple[str | None, str]]) -> None:
    """``release`` for each (trust, trigger) of deleted triggers."""
    for trust_id, trigger_id in released:
        release(trust_id, trigger_id)


def release(trust_id: str | None, trigger_id: str) -> None:
    """A trigger was deleted: its trust goes once no execution it started runs."""
    trusts = _trusts()
    if trusts is None or not trust_id:
        return
    try:
        trusts.release(trust_id, trigger_id)
    except exc.MistralError as e:  # the trigger is gone either way
        LOG.warning("Trust %s of trigger %s not released: %s", trust_id, trigger_id, e)
