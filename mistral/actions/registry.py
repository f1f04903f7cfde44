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
from collections.abc import Iterable, Mapping
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


class ActionRegistry:
    """Name → action class; build validated action instances configured with ``settings``."""

    def __init__(self, actions: Mapping[str, type[Action]], settings: ActionSettings | None = None) -> None:
        self._actions = dict(actions)
        self.settings = settings or ActionSettings()

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
            # OpenStack actions from the installed clients, then action generators
            # (mistral-extra's); our own names win
            from mistral.actions import openstack

            for name, generated in openstack.generate(
                    (settings or ActionSettings()).openstack.modules_support_region).items():
                found.setdefault(name, generated)
            for name, generated in plugins.load_generated().items():
                found.setdefault(name, generated)
        LOG.info("Loaded %d actions", len(found))
        return cls(found, settings)

    def __contains__(self, name: object) -> bool:
        return name in self._actions

    def names(self) -> list[str]:
        return sorted(self._actions)

    def get(self, name: str) -> type[Action]:
        try:
            return self._actions[name]
        except KeyError:
            raise exc.NotFoundError(f"Action not found [name={name}]") from None

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
        wanted = self.names() if names is None else sorted(n for n in names if n in self._actions)
        return [self.describe(n) for n in wanted]
