"""Retry delays: constant, exponential backoff, the max-delay cap and jitter."""

from __future__ import annotations

import pytest

from mistral.workflow.policies import jitter_share, retry_delay


def test_constant_delay_is_the_delay_every_time() -> None:
    assert [retry_delay(3, n) for n in (1, 2, 5)] == [3.0, 3.0, 3.0]
    assert retry_delay(3, 4, "constant") == 3.0


def test_exponential_backoff_doubles_from_the_delay() -> None:
    assert [retry_delay(2, n, "exponential") for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert retry_delay(0, 10, "exponential") == 0.0


def test_max_delay_caps_the_growth_and_a_constant_delay() -> None:
    assert [retry_delay(2, n, "exponential", 5) for n in (1, 2, 3, 9)] == [2.0, 4.0, 5.0, 5.0]
    assert retry_delay(30, 1, None, 10) == 10.0


def test_a_huge_retry_number_does_not_overflow() -> None:
    assert retry_delay(1, 10 ** 9, "exponential", 60) == 60.0
    assert retry_delay(1, 10 ** 9, "exponential") == 2.0 ** 64


@pytest.mark.parametrize("draw, expected", [(0.0, 8.0), (0.5, 6.0), (1.0, 4.0)])
def test_jitter_draws_that_share_of_the_wait(draw: float, expected: float) -> None:
    assert retry_delay(2, 3, "exponential", None, 0.5, rand=lambda: draw) == expected


def test_full_jitter_may_go_down_to_zero() -> None:
    assert retry_delay(4, 1, None, None, 1.0, rand=lambda: 1.0) == 0.0
    assert 0.0 <= retry_delay(4, 1, None, None, 1.0) <= 4.0


@pytest.mark.parametrize("value, share", [(None, 0.0), (False, 0.0), (True, 1.0), (0, 0.0),
                                          (0.25, 0.25), (1, 1.0)])
def test_jitter_share(value: object, share: float) -> None:
    assert jitter_share(value) == share


@pytest.mark.parametrize("value", [1.5, -0.1, "half", float("nan"), [0.5]])
def test_jitter_share_refuses_what_is_not_a_share(value: object) -> None:
    with pytest.raises(ValueError):
        jitter_share(value)
