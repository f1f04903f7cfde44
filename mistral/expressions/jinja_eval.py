"""Jinja2 evaluation in a bounded sandbox.

``_`` is the data context (as in Mistral); Mistral's functions are globals and filters.
The sandbox refuses unsafe attributes; on top of it we bound loop iterations (``range``),
sequence/string growth through ``*``/``+``/``**`` and size arguments of calls, so one
expression cannot exhaust the service.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any, Callable

import jinja2
import jinja2.nodes
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment

from mistral.exceptions import ExpressionError
from mistral.expressions import budget
from mistral.expressions import functions as fns
from mistral.expressions.env import NULL_ENV, FunctionEnv
from mistral.expressions.settings import ExpressionSettings

_FENV = "__mistral_fenv"


class _Holder:
    """Carries per-evaluation state; attributes start with '_' so the sandbox hides them."""

    def __init__(self, value: Any) -> None:
        self._value = value


def _spend_on_output(value: Any) -> Any:
    budget.spend()
    budget.spend_output(len(value) if isinstance(value, str) else len(str(value)))
    return value


_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")
_DIGITS = re.compile(r"\d+")


def _check_format(fmt: str, limit: int) -> None:
    """Refuse widths/precisions that would build a huge string (``'%0999999999d' % 1``,
    ``'{:>999999999}'.format(1)``) before Python allocates it."""
    numbers = [g for m in _PERCENT_SPEC.finditer(fmt) for g in m.groups() if g]
    numbers += [d for m in _BRACE_SPEC.finditer(fmt) for d in _DIGITS.findall(m.group(1))]
    if any(len(n) > 9 or int(n) > limit for n in numbers):
        raise ExpressionError("a format width or precision is larger than the allowed size")


def _check_args(args: Any, limit: int) -> None:
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool) and a > limit:
            raise ExpressionError("a call argument is larger than the allowed size")


def _guard_filter(flt: Callable[..., Any], name: str, limit: int) -> Callable[..., Any]:
    """Filters are called directly by compiled templates (not through ``call``): give them
    the same argument and size checks."""
    skip = 2 if hasattr(flt, "jinja_pass_arg") else 1

    @functools.wraps(flt)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget.spend()
        _check_args(args[skip:], limit)
        _check_args(kwargs.values(), limit)
        if name == "format" and len(args) >= skip and isinstance(args[skip - 1], str):
            _check_format(args[skip - 1], limit)
        result = flt(*args, **kwargs)
        budget.spend_alloc(result)
        return result

    return guarded


class _BoundedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, settings: ExpressionSettings) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                         autoescape=False, finalize=_spend_on_output)
        self.settings = settings

    def wrap_str_format(self, value: Any) -> Any:
        # ``'...'.format`` is wrapped when read: check the format string there.
        f_self = getattr(value, "__self__", None)
        if isinstance(f_self, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            _check_format(f_self, self.settings.max_string_length)
        return super().wrap_str_format(value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        budget.spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget.spend()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        budget.spend()
        limit = self.settings.max_string_length
        if operator_ == "**":
            if isinstance(right, (int, float)) and abs(right) > 1024:
                raise ExpressionError("exponent too large in '**'")
            return operator.pow(left, right)
        if operator_ == "%":
            if isinstance(left, str):
                _check_format(left, limit)
                _check_args(right if isinstance(right, tuple) else (right,), limit)
            result = operator.mod(left, right)
            budget.spend_alloc(result)
            return result
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if hasattr(seq, "__len__") and isinstance(n, int) and len(seq) * n > limit:
                    raise ExpressionError("'*' would build a value larger than the limit")
            result = operator.mul(left, right)
            budget.spend_alloc(result)
            return result
        if hasattr(left, "__len__") and hasattr(right, "__len__") and len(left) + len(right) > limit:
            raise ExpressionError("'+' would build a value larger than the limit")
        result = operator.add(left, right)
        budget.spend_alloc(result)
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget.spend()
        limit = __self.settings.max_string_length
        _check_args((*args, *kwargs.values()), limit)
        name = getattr(__obj, "__name__", "")
        if name == "replace" and isinstance(getattr(__obj, "__self__", None), str) and len(args) >= 2:
            base, old, new = __obj.__self__, str(args[0]), str(args[1])
            growth = base.count(old) if old else len(base) + 1
            if len(base) + growth * max(0, len(new) - len(old)) > limit:
                raise ExpressionError("replace() would build a string larger than the limit")
        result = SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        budget.spend_alloc(result)
        return result


def _env_of(ctx: Any) -> FunctionEnv:
    holder = ctx.get(_FENV)
    return holder._value if isinstance(holder, _Holder) else NULL_ENV


def _make_env_function(impl: Callable[..., Any]) -> Callable[..., Any]:
    @jinja2.pass_context
    def fn(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        return impl(_env_of(ctx), *args, **kwargs)

    return fn


def _make_filter(impl: Callable[..., Any]) -> Callable[..., Any]:
    # ``{{ 'abc' | task }}``: the piped value is the first argument, as in Mistral.
    @jinja2.pass_context
    def flt(ctx: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        return impl(_env_of(ctx), value, *args, **kwargs)

    return flt


def _budget_range(*args: int) -> range:
    rng = range(*args)
    budget.spend(len(rng))
    return rng


class JinjaEvaluator:
    """Parses and evaluates Jinja for one set of settings."""

    def __init__(self, settings: ExpressionSettings) -> None:
        self.settings = settings
        env = _BoundedSandbox(settings)
        env.globals.pop("lipsum", None)
        env.globals["range"] = _budget_range
        for name, impl in fns.ENV_FUNCTIONS.items():
            env.globals[name] = _make_env_function(impl)
            env.filters[name] = _make_filter(impl)
        for name, pure in fns.PURE_FUNCTIONS.items():
            env.globals[name] = pure
            env.filters[name] = pure
        for name, flt in list(env.filters.items()):
            env.filters[name] = _guard_filter(flt, name, settings.max_string_length)
        self._env = env
        self.compile_expression = functools.lru_cache(maxsize=4096)(self._compile_expression)
        self.compile_template = functools.lru_cache(maxsize=4096)(self._compile_template)

    def _check_length(self, source: str) -> None:
        if len(source) > self.settings.max_expression_length:
            raise ExpressionError(
                f"Jinja expression is longer than {self.settings.max_expression_length} characters"
            )

    def _compile_expression(self, source: str) -> Any:
        self._check_length(source)
        try:
            return self._env.compile_expression(source, undefined_to_none=False)
        except jinja2.TemplateSyntaxError as e:
            raise ExpressionError(f"Invalid Jinja expression '{_short(source)}': {e.message}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(f"Jinja expression '{_short(source)}' is too deeply nested") from None

    def _compile_template(self, source: str) -> jinja2.Template:
        self._check_length(source)
        try:
            return self._env.from_string(source)
        except jinja2.TemplateSyntaxError as e:
            raise ExpressionError(f"Invalid Jinja template '{_short(source)}': {e.message}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(f"Jinja template '{_short(source)}' is too deeply nested") from None

    def _vars(self, data: Any, fenv: FunctionEnv | None) -> dict[str, Any]:
        return {"_": data, _FENV: _Holder(fenv or NULL_ENV)}

    def evaluate_expression(self, source: str, data: Any, fenv: FunctionEnv | None) -> Any:
        compiled = self.compile_expression(source)
        return self._run(source, lambda: compiled(**self._vars(data, fenv)))

    def render(self, source: str, data: Any, fenv: FunctionEnv | None) -> str:
        template = self.compile_template(source)
        result = self._run(source, lambda: template.render(**self._vars(data, fenv)))
        if len(result) > self.settings.max_string_length:
            raise ExpressionError(f"Jinja template '{_short(source)}' rendered a too large string")
        return result

    def _run(self, source: str, thunk: Callable[[], Any]) -> Any:
        try:
            with budget.spending(self.settings.max_operations, self.settings.max_string_length,
                                 self.settings.max_allocated):
                result = thunk()
        except ExpressionError as e:
            raise ExpressionError(f"Can not evaluate Jinja expression '{_short(source)}': {e}") from None
        except jinja2.UndefinedError as e:
            raise ExpressionError(
                f"Can not evaluate Jinja expression '{_short(source)}': {e.message}"
            ) from None
        except jinja2.exceptions.SecurityError as e:
            raise ExpressionError(
                f"Can not evaluate Jinja expression '{_short(source)}': not allowed: {e}"
            ) from None
        except (RecursionError, MemoryError) as e:
            raise ExpressionError(
                f"Can not evaluate Jinja expression '{_short(source)}': {e.__class__.__name__}"
            ) from None
        except Exception as e:  # noqa: BLE001 - any failure of user code becomes a domain error
            reason = f"{e.__class__.__name__}: {e}"[:300]
            raise ExpressionError(f"Can not evaluate Jinja expression '{_short(source)}': {reason}") from None
        if isinstance(result, jinja2.Undefined):
            # A whole-value expression that names nothing: as strict as a template would be.
            hint = getattr(result, "_undefined_hint", None) or "undefined value"
            raise ExpressionError(f"Can not evaluate Jinja expression '{_short(source)}': {hint}")
        return result

    def validate(self, source: str, whole: bool) -> None:
        """Syntax check only (no code generation): cheap enough for every definition upload."""
        self._check_length(source)
        self._syntax(source, whole)

    def _check_names(self, tree: Any) -> None:
        """Unknown filters and tests are found at definition time, as compiling would."""
        for node in (tree, *tree.find_all((jinja2.nodes.Filter, jinja2.nodes.Test))):
            if isinstance(node, jinja2.nodes.Filter) and node.name not in self._env.filters:
                raise jinja2.TemplateSyntaxError(f"no filter named '{node.name}'", node.lineno)
            if isinstance(node, jinja2.nodes.Test) and node.name not in self._env.tests:
                raise jinja2.TemplateSyntaxError(f"no test named '{node.name}'", node.lineno)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - evaluators live as long as the process
    def _syntax(self, source: str, whole: bool) -> None:
        try:
            if whole:
                parser = Parser(self._env, source, state="variable")
                tree: Any = parser.parse_expression()
                if not parser.stream.eos:
                    raise jinja2.TemplateSyntaxError(
                        "unexpected text after the expression", parser.stream.current.lineno)
            else:
                tree = self._env.parse(source)
            self._check_names(tree)
        except jinja2.TemplateSyntaxError as e:
            kind = "expression" if whole else "template"
            raise ExpressionError(f"Invalid Jinja {kind} '{_short(source)}': {e.message}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(f"Jinja expression '{_short(source)}' is too deeply nested") from None


def _short(source: str, limit: int = 200) -> str:
    source = source.strip()
    return source if len(source) <= limit else source[:limit] + "..."


@functools.lru_cache(maxsize=8)
def get_jinja(settings: ExpressionSettings) -> JinjaEvaluator:
    return JinjaEvaluator(settings)

