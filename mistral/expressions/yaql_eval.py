"""YAQL evaluation: one engine and root context per ``ExpressionSettings``, parsed expressions cached."""

from __future__ import annotations

import collections.abc  # noqa: F401 - yaql 3 uses collections.abc without importing it
import functools
import threading
from typing import Any

import yaql
from yaql.language import contexts as yaql_contexts
from yaql.language import exceptions as yaql_exc
from yaql.language import specs as yaql_specs
from yaql.language import utils as yaql_utils

from mistral.exceptions import ExpressionError
from mistral.expressions import budget
from mistral.expressions import functions as fns
from mistral.expressions import yaql_regex
from mistral.expressions.env import NULL_ENV, FunctionEnv
from mistral.expressions.settings import ExpressionSettings

# A context key no expression can name ('#' is not a YAQL identifier character).
_FENV_KEY = "#fenv"


def _register(context: Any) -> None:
    def task(context: Any, task_name: str | None = None) -> Any:
        return fns.task_(context[_FENV_KEY], task_name)

    def tasks(
        context: Any,
        workflow_execution_id: str | None = None,
        recursive: bool = False,
        state: str | None = None,
        flat: bool = False,
    ) -> Any:
        return fns.tasks_(context[_FENV_KEY], workflow_execution_id, recursive, state, flat)

    def execution(context: Any) -> Any:
        return fns.execution_(context[_FENV_KEY])

    def executions(
        context: Any,
        id: str | None = None,
        root_execution_id: str | None = None,
        state: str | None = None,
        from_time: str | None = None,
        to_time: str | None = None,
    ) -> Any:
        return fns.executions_(context[_FENV_KEY], id, root_execution_id, state, from_time, to_time)

    def env(context: Any) -> Any:
        return fns.env_(context[_FENV_KEY])

    def global_(context: Any, var_name: str) -> Any:
        return fns.global_(context[_FENV_KEY], var_name)

    for name, fn in (("task", task), ("tasks", tasks), ("execution", execution),
                     ("executions", executions), ("env", env), ("global", global_)):
        context.register_function(fn, name=name)
    for name, pure in fns.PURE_FUNCTIONS.items():
        context.register_function(pure, name=name)


# Functions that make long or endless iterators out of small arguments; ``x.len()`` on
# them is not bounded by limit_iterators, so every item they produce spends the budget.
_PRODUCERS = ("range", "sequence", "repeat", "cycle")


def _counting(iterable: Any) -> Any:
    for item in iterable:
        budget.spend()
        yield item


def _bounded(payload: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        return _counting(payload(*args, **kwargs))

    return call


MAX_EXPONENT = 1024


def _bounded_pow(payload: Any) -> Any:
    def call(a: Any, b: Any, c: Any = None) -> Any:
        if c is None and isinstance(b, (int, float)) and abs(b) > MAX_EXPONENT and (
                isinstance(a, int) and abs(a) > 1):
            raise ExpressionError(f"pow(): exponent larger than {MAX_EXPONENT}")
        return payload(a, b, c)

    return call


def _rewrap(context: Any, name: str, wrap: Any) -> None:
    for layer in context.collect_functions(name):
        for fd in layer:
            params = {k: p.clone() for k, p in fd.parameters.items()}
            context.register_function(yaql_specs.FunctionDefinition(
                fd.name, wrap(fd.payload), params, fd.doc, fd.meta,
                fd.is_function, fd.is_method, fd.no_kwargs))


def _bound_producers(context: Any) -> None:
    for name in _PRODUCERS:
        _rewrap(context, name, _bounded)
    _rewrap(context, "pow", _bounded_pow)


class _CountingContext(yaql_contexts.Context):
    """Every function and operator call of an evaluation resolves through a context
    derived from this one (``create_child_context`` keeps the class): spend one unit."""

    def __call__(self, name: Any, engine: Any, receiver: Any = yaql_utils.NO_VALUE,
                 data_context: Any = None, use_convention: bool = False,
                 function_filter: Any = None) -> Any:
        budget.spend()
        run = super().__call__(name, engine, receiver, data_context, use_convention,
                               function_filter)

        def counted(*args: Any, **kwargs: Any) -> Any:
            result = run(*args, **kwargs)
            budget.spend_alloc(result)
            return result

        return counted


class YaqlEvaluator:
    """Parses and evaluates YAQL for one set of settings."""

    def __init__(self, settings: ExpressionSettings) -> None:
        self.settings = settings
        factory = yaql.YaqlFactory(keyword_operator=settings.keyword_operator or None,
                                   allow_delegates=settings.allow_delegates)
        self._engine = factory.create(options=settings.yaql_options())
        # yaql's regex library matches with ``re``, which nothing can interrupt; ours
        # has the same functions with a time limit (see yaql_regex).
        root = yaql.create_context(delegates=settings.allow_delegates, regex=False)
        yaql_regex.register(root, settings.regex_timeout)
        _register(root)
        _bound_producers(root)
        self._root = root
        # yaql's engine shares one ply lexer and parser, which keep state while parsing.
        self._parse_lock = threading.Lock()
        self.parse = functools.lru_cache(maxsize=4096)(self._parse)

    def _parse(self, source: str) -> Any:
        if len(source) > self.settings.max_expression_length:
            raise ExpressionError(
                f"YAQL expression is longer than {self.settings.max_expression_length} characters"
            )
        try:
            with self._parse_lock:
                return self._engine(source)
        except yaql_exc.YaqlException as e:
            raise ExpressionError(f"Invalid YAQL expression '{_short(source)}': {_reason(e)}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(f"YAQL expression '{_short(source)}' is too deeply nested") from None

    def validate(self, source: str) -> None:
        self.parse(source)

    def prepare(self, data: Any) -> Any:
        """The data as YAQL sees it; convert once when evaluating many expressions."""
        if self.settings.convert_input_data:
            return yaql_utils.convert_input_data(data)
        return data

    def prepare_overlay(self, prepared: Any, extra: Any) -> Any:
        """``prepare({**data, **extra})`` given ``prepared = prepare(data)``: converts
        only ``extra`` (and copies the top-level keys)."""
        if not self.settings.convert_input_data or not isinstance(prepared, yaql_utils.FrozenDict):
            return {**prepared, **extra}
        converted = yaql_utils.convert_input_data(dict(extra))
        return yaql_utils.FrozenDict({**dict(prepared.items()), **dict(converted.items())})

    def evaluate(self, source: str, data: Any, fenv: FunctionEnv | None,
                 prepared: Any = yaql_utils.NO_VALUE) -> Any:
        parsed = self.parse(source)
        ctx = _CountingContext(self._root)
        ctx[_FENV_KEY] = fenv or NULL_ENV
        ctx["$"] = self.prepare(data) if prepared is yaql_utils.NO_VALUE else prepared
        try:
            with budget.spending(self.settings.max_operations, -1, self.settings.max_allocated):
                return parsed.evaluate(context=ctx)
        except ExpressionError as e:
            raise ExpressionError(f"Can not evaluate YAQL expression '{_short(source)}': {e}") from None
        except yaql_exc.CollectionTooLargeException:
            raise ExpressionError(
                f"Can not evaluate YAQL expression '{_short(source)}': a collection is larger than "
                f"the limit of {self.settings.limit_iterators} items"
            ) from None
        except yaql_exc.MemoryQuotaExceededException:
            raise ExpressionError(
                f"Can not evaluate YAQL expression '{_short(source)}': memory quota exceeded"
            ) from None
        except (RecursionError, MemoryError) as e:
            raise ExpressionError(
                f"Can not evaluate YAQL expression '{_short(source)}': {e.__class__.__name__}"
            ) from None
        except Exception as e:  # noqa: BLE001 - any failure of user code becomes a domain error
            raise ExpressionError(
                f"Can not evaluate YAQL expression '{_short(source)}': {_reason(e)}"
            ) from None


def _short(source: str, limit: int = 200) -> str:
    source = source.strip()
    return source if len(source) <= limit else source[:limit] + "..."


def _reason(e: BaseException, limit: int = 300) -> str:
    text = f"{e.__class__.__name__}: {e}" if str(e) else e.__class__.__name__
    return text if len(text) <= limit else text[:limit] + "..."


@functools.lru_cache(maxsize=8)
def get_yaql(settings: ExpressionSettings) -> YaqlEvaluator:
    return YaqlEvaluator(settings)
