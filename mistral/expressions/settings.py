"""Evaluation settings: what the service reads from the ``[yaql]`` config group, plus bounds.

The service builds one ``ExpressionSettings`` (from ``cfg.CONF.yaql``) and passes it in;
nothing here reads configuration. The defaults are safe for untrusted definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from mistral.exceptions import ExpressionError

LANGUAGES = frozenset({"yaql", "jinja"})


@dataclass(frozen=True)
class ExpressionSettings:
    """Knobs of the YAQL and Jinja evaluators. Frozen and hashable: engines are cached per value.

    ``limit_iterators`` / ``memory_quota`` mean what Mistral's ``[yaql]`` options mean (-1 is
    "no limit"); the remaining fields bound the Jinja sandbox and the size of expressions.
    """

    limit_iterators: int = 100_000
    memory_quota: int = 64 * 1024 * 1024
    convert_input_data: bool = True
    convert_output_data: bool = True
    convert_tuples_to_lists: bool = True
    convert_sets_to_lists: bool = False
    iterable_dicts: bool = False
    keyword_operator: str = "=>"
    allow_delegates: bool = False
    #: ``[expressions] allowed_languages``: an expression in another language is refused
    allowed_languages: frozenset[str] = LANGUAGES
    # Bounds that are ours, not Mistral's.
    max_expression_length: int = 64 * 1024
    # Operations one evaluation may perform (YAQL calls/operators, Jinja calls, attribute
    # and item reads, outputs, range steps); -1 disables the budget. A YAQL operation costs
    # ~40 us on a slow core, so the default bounds an evaluation to a few seconds.
    max_operations: int = 100_000
    # Characters / items all operations of one evaluation may produce in total (strings,
    # lists, dicts built along the way, garbage included); -1 disables it.
    max_allocated: int = 64 * 1024 * 1024
    max_string_length: int = 16 * 1024 * 1024
    max_nesting: int = 64
    # Seconds one regular-expression match may take (YAQL's regex functions).
    regex_timeout: float = 1.0

    @classmethod
    def from_options(cls, group: object, **overrides: object) -> "ExpressionSettings":
        """Build from any object with the ``[yaql]`` option names as attributes (the service
        passes ``cfg.CONF.yaql``); missing attributes keep their defaults."""
        names = ("limit_iterators", "memory_quota", "convert_input_data", "convert_output_data",
                 "convert_tuples_to_lists", "convert_sets_to_lists", "iterable_dicts",
                 "keyword_operator", "allow_delegates")
        values = {n: getattr(group, n) for n in names if hasattr(group, n)}
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def yaql_options(self) -> dict[str, object]:
        """The ``options`` dict yaql's ``YaqlFactory.create`` understands."""
        return {
            "yaql.limitIterators": self.limit_iterators,
            "yaql.memoryQuota": self.memory_quota,
            "yaql.convertTuplesToLists": self.convert_tuples_to_lists,
            "yaql.convertSetsToLists": self.convert_sets_to_lists,
            "yaql.iterableDicts": self.iterable_dicts,
            "yaql.convertOutputData": self.convert_output_data,
        }


def check_language(kind: str, allowed: frozenset[str] | None) -> None:
    """Raise ``ExpressionError`` when ``kind`` ('yaql' / 'jinja') is not in ``allowed``."""
    if allowed is not None and kind not in allowed:
        raise ExpressionError(
            f"{kind} expressions are not allowed (allowed expression languages: "
            f"{', '.join(sorted(allowed)) or 'none'}; [expressions] allowed_languages)"
        )


DEFAULT_SETTINGS = ExpressionSettings()
