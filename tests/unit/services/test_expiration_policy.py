"""``ExpirationPolicy.from_options``: Mistral's rule for when the policy is on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mistral import exceptions as exc
from mistral.services.expiration import ExpirationPolicy


def test_policy_from_options() -> None:
    opts = SimpleNamespace(evaluation_interval=None, older_than=60, max_finished_executions=0,
                           batch_size=0, ignored_states=[])
    assert not ExpirationPolicy.from_options(opts).enabled  # no interval: off, as in Mistral
    opts.evaluation_interval = 5
    assert ExpirationPolicy.from_options(opts).enabled
    opts.older_than = None
    assert not ExpirationPolicy.from_options(opts).enabled  # nothing to expire by
    opts.ignored_states = ["RUNNING"]
    with pytest.raises(exc.ConfigError, match="RUNNING is not a finished state"):
        ExpirationPolicy.from_options(opts)
