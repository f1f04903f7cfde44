"""Dynamic actions: action classes of uploaded Python modules (code sources).

A code source is the text of a Python module kept in the database (``/v2/code_sources``);
a dynamic action names one of its classes (``/v2/dynamic_actions``). The API checks a
source with ``check_source`` (a syntax error is an ``InputError`` naming the line) and a
dynamic action's class with ``action_class``.

What runs an action gets a ``DynamicRef`` (the ``dynamic`` field of ``RunActionRequest``):
the code source's id, name, checksum, the class name and the module text. ``build(ref,
input)`` imports the module — once per checksum in a process (``ModuleCache``): an updated
source has another checksum, so its next run imports the new text — validates the input
against the class's constructor and returns an ``Action`` that wraps the instance.

A class may derive from ``mistral.actions.base.Action``, from ``mistral_lib.actions.Action``
(Mistral's own convention: it is run with a mistral_lib context and may return a
mistral_lib ``Result``), or be any class with ``run(context)`` (and, optionally,
``is_sync()``).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import threading
import traceback
import types
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mistral import exceptions as exc
from mistral.actions import plugins
from mistral.actions.base import Action, ActionContext, ActionSettings, input_signature, validate_input

LOG = logging.getLogger(__name__)

MAX_CACHED_MODULES = 128


def source_checksum(content: str) -> str:
    """The sha256 (hex) of a code source's text: the key its imported module is cached by."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _filename(name: str) -> str:
    return f"<code source {name}>"


def check_source(name: str, content: str) -> None:
    """Compile ``content``; a syntax error is an ``InputError`` naming line and column."""
    try:
        compile(content, _filename(name), "exec", dont_inherit=True)
    except SyntaxError as e:
        where = f"line {e.lineno}" + (f", column {e.offset}" if e.offset else "")
        raise exc.InputError(
            f"Code source {name} is not valid Python: {e.msg} ({where})"
        ) from None
    except (ValueError, RecursionError, MemoryError) as e:  # NUL bytes, absurd nesting
        raise exc.InputError(f"Code source {name} is not valid Python: {e}") from None


@dataclass(frozen=True)
class DynamicRef:
    """Which class of which code source an action execution runs."""

    code_source_id: str
    code_source_name: str
    checksum: str
    class_name: str
    content: str | None = None

    def to_dict(self, with_content: bool = True) -> dict[str, Any]:
        d = asdict(self)
        if not with_content:
            d.pop("content")
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "DynamicRef":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    @classmethod
    def of(cls, definition: Any, source: Any) -> "DynamicRef":
        """From a dynamic action row and its code source row."""
        return cls(
            code_source_id=source.id, code_source_name=source.name,
            checksum=source.checksum or source_checksum(source.content),
            class_name=definition.class_name, content=source.content,
        )


def _import_error(name: str, error: BaseException) -> exc.ActionError:
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__)
             if f.filename == _filename(name)]
    where = f" (line {lines[-1]})" if lines else ""
    return exc.ActionError(
        f"Cannot import code source {name}: {type(error).__name__}: {error}{where}"
    )


class ModuleCache:
    """Imported code sources by checksum, least recently used dropped beyond ``size``."""

    def __init__(self, size: int = MAX_CACHED_MODULES) -> None:
        self._size = size
        self._modules: OrderedDict[str, types.ModuleType] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, name: str, content: str, checksum: str | None = None) -> types.ModuleType:
        key = checksum or source_checksum(content)
        with self._lock:
            module = self._modules.get(key)
            if module is not None:
                self._modules.move_to_end(key)
                return module
        module = _import(name, content)
        with self._lock:
            self._modules[key] = module
            while len(self._modules) > self._size:
                self._modules.popitem(last=False)
        return module

    def __len__(self) -> int:
        return len(self._modules)


def _import(name: str, content: str) -> types.ModuleType:
    """A fresh module object holding ``content`` executed (not put in ``sys.modules``)."""
    module = types.ModuleType(name)
    module.__file__ = _filename(name)
    try:
        code = compile(content, _filename(name), "exec", dont_inherit=True)
    except SyntaxError as e:
        raise exc.ActionError(f"Cannot import code source {name}: {e.msg} (line {e.lineno})") from None
    try:
        exec(code, module.__dict__)  # noqa: S102 - running uploaded code is the feature
    except Exception as e:  # noqa: BLE001 - the module's own failure, reported with its line
        raise _import_error(name, e) from None
    LOG.info("Imported code source %s", name)
    return module


MODULES = ModuleCache()


def action_class(module: types.ModuleType, class_name: str, source_name: str) -> type:
    """The class ``class_name`` of a code source's module, if it can be an action."""
    cls = getattr(module, class_name, None) if class_name.isidentifier() else None
    if cls is None:
        raise exc.InputError(f"Class {class_name} not found in code source {source_name}")
    if not isinstance(cls, type) or not callable(getattr(cls, "run", None)):
        raise exc.InputError(
            f"{class_name} of code source {source_name} is not an action class "
            "(a class with a run(context) method)"
        )
    return cls


def _is_mistral_lib(cls: type) -> bool:
    return any(c.__module__.split(".")[0] == "mistral_lib" for c in cls.__mro__[1:])


def _constructor_takes_nothing(cls: type) -> bool:
    return cls.__init__ is object.__init__


def check_input(name: str, cls: type, action_input: Mapping[str, Any]) -> None:
    if _constructor_takes_nothing(cls):
        if action_input:
            raise exc.InputError(
                f"Invalid input for action {name} (unexpected parameters: "
                f"{', '.join(sorted(action_input))}); expected: (no input)"
            )
        return
    validate_input(name, cls, dict(action_input))


def describe(cls: type) -> tuple[str, str]:
    """(input signature, first docstring line) as ``/v2/actions`` shows them."""
    signature = "" if _constructor_takes_nothing(cls) else input_signature(cls)
    doc = inspect.getdoc(cls) or ""
    return signature, doc.split("\n")[0]


def load_class(ref: DynamicRef, cache: ModuleCache = MODULES) -> type:
    if ref.content is None:
        raise exc.ActionError(f"Code source {ref.code_source_name} was sent without its text")
    module = cache.load(ref.code_source_name, ref.content, ref.checksum)
    try:
        return action_class(module, ref.class_name, ref.code_source_name)
    except exc.InputError as e:  # at run time the definition is what is wrong
        raise exc.ActionError(str(e)) from None


class DynamicAction(Action):
    """Our ``Action`` around an instance of an uploaded class."""

    def __init__(self, name: str, instance: Any) -> None:
        super().__init__()
        self.name = name
        self.instance = instance
        self._mistral_lib = _is_mistral_lib(type(instance))

    def configure(self, settings: ActionSettings) -> None:
        if isinstance(self.instance, Action):
            self.instance.configure(settings)

    def is_sync(self) -> bool:
        fn = getattr(self.instance, "is_sync", None)
        return bool(fn()) if callable(fn) else True

    def cancel(self) -> None:
        super().cancel()
        fn = getattr(self.instance, "cancel", None)
        if callable(fn):
            fn()

    def run(self, context: ActionContext) -> Any:
        if self._mistral_lib:  # as the plugins of mistral-lib are run (mistral.actions.plugins)
            return plugins._as_result(self.instance.run(plugins.lib_context(context)))
        return self.instance.run(context)


def build(name: str, ref: DynamicRef, action_input: Mapping[str, Any] | None = None,
          settings: ActionSettings | None = None, cache: ModuleCache = MODULES) -> DynamicAction:
    """The action ``name`` (class ``ref.class_name`` of its code source) with its input.

    An unimportable source or a missing class → ``ActionError``; bad input →
    ``InputError``; a constructor that fails → ``ActionError``.
    """
    cls = load_class(ref, cache)
    values = dict(action_input or {})
    check_input(name, cls, values)
    try:
        action = DynamicAction(name, cls(**values))
    except exc.MistralError:
        raise
    except Exception as e:  # noqa: BLE001 - the uploaded constructor failed
        raise exc.ActionError(f"Cannot build action {name}: {type(e).__name__}: {e}") from None
    action.configure(settings or ActionSettings())
    return action


__all__ = [
    "DynamicAction", "DynamicRef", "ModuleCache", "MODULES", "action_class", "build",
    "check_input", "check_source", "describe", "load_class", "source_checksum",
]
