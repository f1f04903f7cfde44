"""The registry of Python actions, loaded once at start from stevedore entry points.

Entry point group ``mistral.actions`` (``std.echo = mistral.actions.std:EchoAction`` in
setup.cfg); third-party packages add actions the same way, either our ``Action`` or
Mistral's ``mistral_lib.actions.Action`` (wrapped, see ``mistral.actions.plugins``), and
Mistral's action generators (group ``mistral.generators``) add theirs. Ad-hoc (YAML) actions are
resolved by the engine to a base action before they reach an executor, so an executor
needs only this registry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mistral import exceptions as exc
from mistral.actions import plugins
from mistral.actions.base import Action, ActionSettings, input_signature, validate_input

LOG = logging.getLogger(__name__)

NAMESPACE = "mistral.actions"

# What setup.cfg declares for this package; used only when the installed metadata lacks
# the entry points (an old editable install), so the std actions are always present.
BUILTIN_ACTIONS: Mapping[str, str] = {
    "std.echo": "mistral.actions.std:EchoAction",
    "std.noop": "mistral.actions.std:NoOpAction",
    "std.async_noop": "mistral.actions.std:AsyncNoOpAction",
    "std.fail": "mistral.actions.std:FailAction",
    "std.sleep": "mistral.actions.std:SleepAction",
    "std.test_dict": "mistral.actions.std:TestDictAction",
    "std.http": "mistral.actions.http:HTTPAction",
    "std.mistral_http": "mistral.actions.http:MistralHTTPAction",
    "std.email": "mistral.actions.email:SendEmailAction",
    "std.ssh": "mistral.actions.ssh:SSHAction",
    "std.ssh_proxied": "mistral.actions.ssh:SSHProxiedAction",
    "std.wait_ssh": "mistral.actions.ssh:WaitSSHAction",
    "std.javascript": "mistral.actions.javascript:JavaScriptAction",
    "std.js": "mistral.actions.javascript:JavaScriptAction",
}


@dataclass(frozen=True)
class ActionDescriptor:
    """One action as ``GET /v2/actions`` shows it."""

    name: str
    input: str
    description: str = ""
    is_system: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": self.input,
            "description": self.description,
            "is_system": self.is_system,
            "tags": list(self.tags),
        }


def _import(target: str) -> type[Action]:
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _with_generated(ns: str, generate: Callable[[], Mapping[str, type[Action]]],
                    generated: Mapping[str, type[Action]]
                    ) -> Callable[[], Mapping[str, type[Action]]]:
    """A namespace's OpenStack actions, over the generator plugins' of that namespace."""
    def load() -> Mapping[str, type[Action]]:
        extra = {n: a for n, a in generated.items() if n.partition(".")[0] == ns}
        return {**extra, **generate()}

    return load


class ActionRegistry:
    """Name → action class; build validated action instances configured with ``settings``.

    ``lazy``: namespace → a function giving that namespace's actions (the OpenStack ones:
    ``nova`` → ``nova.*``), called the first time a name in it is asked for or every
    action is listed; names already in the registry win."""

    def __init__(self, actions: Mapping[str, type[Action]], settings: ActionSettings | None = None,
                 lazy: Mapping[str, Callable[[], Mapping[str, type[Action]]]] | None = None) -> None:
        self._actions = dict(actions)
        self.settings = settings or ActionSettings()
        self._lazy = dict(lazy or {})
        self._lazy_lock = threading.Lock()

    def _expand(self, namespaces: Iterable[str]) -> None:
        with self._lazy_lock:
            for ns in namespaces:
                generate = self._lazy.pop(ns, None)
                if generate is None:
                    continue
                try:
                    generated = generate()
                except Exception:  # noqa: BLE001 - a broken library gives no actions
                    LOG.exception("Cannot generate the %s actions", ns)
                    continue
                for name, action in generated.items():
                    self._actions.setdefault(name, action)

    def _lookup(self, name: object) -> type[Action] | None:
        if not isinstance(name, str):
            return None
        found = self._actions.get(name)
        if found is None and self._lazy:
            ns = name.partition(".")[0]
            if ns in self._lazy:
                self._expand([ns])
                found = self._actions.get(name)
        return found

    @classmethod
    def load(cls, namespace: str = NAMESPACE, settings: ActionSettings | None = None) -> "ActionRegistry":
        """Resolve the entry points of ``namespace`` once (plus the std actions)."""
        from stevedore import ExtensionManager

        found: dict[str, type[Action]] = {}

        def failed(_manager: Any, entry_point: Any, error: BaseException) -> None:
            LOG.error("Cannot load action %s: %s", getattr(entry_point, "name", entry_point), error)

        manager: ExtensionManager[Any] = ExtensionManager(namespace, invoke_on_load=False, on_load_failure_callback=failed)
        for ext in manager:
            if isinstance(ext.plugin, type) and issubclass(ext.plugin, Action):
                found[ext.name] = ext.plugin
            elif plugins.is_lib_action(ext.plugin):  # mistral_lib.actions.Action: Mistral's plugins
                found[ext.name] = plugins.adapt(ext.name, ext.plugin)
            else:
                LOG.error("Entry point %s is not an Action class; ignored", ext.name)
        if namespace == NAMESPACE:
            missing = [n for n in BUILTIN_ACTIONS if n not in found]
            if missing:
                LOG.warning(
                    "Entry points for %s not installed (re-run 'pip install -e .'); "
                    "using the built-in table", ", ".join(missing),
                )
                for name in missing:
                    found[name] = _import(BUILTIN_ACTIONS[name])
            # OpenStack actions of the installed clients, generated when first asked
            # for, then action generators (mistral-extra's); our own names win
            from mistral.actions import openstack

            generated = plugins.load_generated()
            groups = openstack.lazy_groups(
                (settings or ActionSettings()).openstack.modules_support_region)
            for name, action in generated.items():
                if name.partition(".")[0] not in groups:
                    found.setdefault(name, action)
            lazy = {ns: _with_generated(ns, fn, generated) for ns, fn in groups.items()}
            LOG.info("Loaded %d actions (OpenStack ones when first used)", len(found))
            return cls(found, settings, lazy=lazy)
        LOG.info("Loaded %d actions", len(found))
        return cls(found, settings)

    def __contains__(self, name: object) -> bool:
        return self._lookup(name) is not None

    def names(self) -> list[str]:
        self._expand(list(self._lazy))
        return sorted(self._actions)

    def get(self, name: str) -> type[Action]:
        found = self._lookup(name)
        if found is None:
            raise exc.NotFoundError(f"Action not found [name={name}]")
        return found

    def build(self, name: str, action_input: Mapping[str, Any] | None = None) -> Action:
        """An action instance for ``name`` with ``action_input``, validated.

        Unknown action → ``NotFoundError``; bad input → ``InputError`` naming the
        parameters; a constructor that refuses its values → ``ActionError``.
        """
        action_cls = self.get(name)
        values = dict(action_input or {})
        validate_input(name, action_cls, values)
        try:
            action = action_cls(**values)
            action.configure(self.settings)
            return action
        except exc.MistralError:
            raise
        except Exception as e:  # noqa: BLE001 - a plugin's constructor failed
            raise exc.ActionError(f"Cannot build action {name}: {type(e).__name__}: {e}") from None

    def validate(self, name: str, action_input: Mapping[str, Any] | None = None) -> None:
        """Check that ``name`` exists and takes ``action_input``, without building it."""
        validate_input(name, self.get(name), dict(action_input or {}))

    def describe(self, name: str) -> ActionDescriptor:
        action_cls = self.get(name)
        doc = action_cls.description or (action_cls.__doc__ or "").strip().split("\n")[0]
        return ActionDescriptor(name=name, input=input_signature(action_cls), description=doc)

    def list_definitions(self, names: Iterable[str] | None = None) -> list[ActionDescriptor]:
        """Every action (or those in ``names``) sorted by name, for ``GET /v2/actions``."""
        wanted = self.names() if names is None else sorted(n for n in names if n in self)
        return [self.describe(n) for n in wanted]
