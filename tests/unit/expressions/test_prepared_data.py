"""``PreparedData``: large data converted for YAQL once, shared by every overlay."""

from __future__ import annotations

import pytest

from mistral import expressions
from mistral.exceptions import ExpressionError
from mistral.expressions import DEFAULT_SETTINGS, PreparedData, evaluate


def test_overlays_see_the_base_and_their_own_keys() -> None:
    base = PreparedData({"big": [{"a": 1}, {"a": 2}], "x": 1})
    got = [
        expressions.evaluate_recursively(
            {"y": "<% $.i + $.x + len($.big) %>", "j": "{{ _.i * 10 }}", "s": "n=<% $.i %>"},
            base.overlay({"i": i}),
        )
        for i in range(3)
    ]
    assert got == [{"y": 3, "j": 0, "s": "n=0"}, {"y": 4, "j": 10, "s": "n=1"},
                   {"y": 5, "j": 20, "s": "n=2"}]
    assert "i" not in base and base["x"] == 1 and len(base) == 2


def test_an_overlay_reuses_the_converted_base() -> None:
    base = PreparedData({"big": [{"a": i} for i in range(100)], "x": {"k": "v"}})
    converted = base.for_yaql(DEFAULT_SETTINGS)
    item = base.overlay({"i": {"n": 1}, "x": "shadowed"})
    mine = item.for_yaql(DEFAULT_SETTINGS)
    assert mine["big"] is converted["big"]  # not converted again
    assert mine["x"] == "shadowed" and mine["i"]["n"] == 1
    assert item.for_yaql(DEFAULT_SETTINGS) is mine
    assert expressions.evaluate("<% $.x %>", item) == "shadowed"


@pytest.mark.parametrize("source", ["$.i", "$.a.b", " $.n ", "$.a.l", "$.a", "$.f", "$.t"])
def test_a_plain_key_path_gives_what_yaql_gives(source: str) -> None:
    """``$.a.b`` of existing keys is read without YAQL's machinery when it is a scalar;
    the answer is the same as YAQL's for every kind of value."""
    data = {"i": 3, "a": {"b": "x", "l": [1, {"k": (2,)}]}, "n": None, "f": 1.5, "t": True}
    fast = evaluate("<% " + source + " %>", PreparedData(data).overlay({"i": 4}))
    # in parentheses it is no plain path: YAQL evaluates it
    assert fast == evaluate("<% (" + source + ") %>", {**data, "i": 4})


def test_a_missing_key_in_a_plain_path_is_still_yaqls_error() -> None:
    with pytest.raises(ExpressionError, match=r"\$\.a\.nope"):
        evaluate("<% $.a.nope %>", PreparedData({"a": {"b": 1}}))
