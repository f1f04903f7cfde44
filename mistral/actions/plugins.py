"""Mistral's own plugin actions, run unchanged: ``mistral_lib.actions.Action`` classes and
action generators.

* A class deriving from ``mistral_lib.actions.Action`` under the ``mistral.actions``
  entry point is wrapped in a subclass of our ``Action`` (``adapt``) with the plugin's
  constructor signature, so the registry lists and validates it like ours. Its
  ``run`` gets a ``mistral_lib.actions.context.ActionContext`` (``security``: token,
  auth URI, project, catalog, region, trust from our ``RequestContext``;
  ``execution``: the execution ids), and a ``mistral_lib`` ``Result`` becomes our
  ``ActionResult``.
* Entry point group ``mistral.generators`` (mistral-extra's OpenStack actions): each
  entry loads to a generator class, or a callable returning generator classes; each
  generator's ``create_actions()`` gives ``{"name", "class", "arg_list",
  "description"}`` dicts. The ``arg_list`` (``"a, b=1, **kwargs"``) becomes the action's
  signature, checked before dispatch.

``mistral_lib`` is optional: without it only our own actions load.
"""

from __future__ import annotations

import ast
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any

from mistral.actions.base import Action, ActionContext
from mistral.engine.interface import ActionResult
from mistral.exceptions import ActionError

LOG = logging.getLogger(__name__)

GENERATORS_NAMESPACE = "mistral.generators"


def lib_action_base() -> type | None:
    """``mistral_lib.actions.Action`` when mistral-lib is installed."""
    try:
        from mistral_lib.actions import Action as LibAction
    except Exception:  # noqa: BLE001 - not installed, or broken: no plugins of that kind
        return None
    return LibAction


def is_lib_action(obj: Any) -> bool:
    base = lib_action_base()
    return base is not None and isinstance(obj, type) and issubclass(obj, base)


def lib_context(ctx: ActionContext) -> Any:
    """Our ``ActionContext`` as mistral-lib's (what Mistral hands a plugin's ``run``)."""
    from mistral_lib.actions import context as lib

    req = ctx.request
    security = lib.SecurityContext(
        auth_uri=getattr(req, "auth_uri", None),
        auth_cacert=getattr(req, "auth_cacert", None),
        insecure=getattr(req, "insecure", False),
        service_catalog=getattr(req, "service_catalog", None),
        region_name=getattr(req, "region_name", None),
        is_trust_scoped=bool(getattr(req, "is_trust_scoped", False)),
        redelivered=False,
        expires_at=getattr(req, "expires_at", None),
        trust_id=getattr(req, "trust_id", None),
        is_target=False,
        project_id=req.project_id,
        project_name=req.project_name,
        user_name=req.user_name,
        auth_token=req.auth_token,
    )
    execution = lib.ExecutionContext(
        workflow_execution_id=ctx.workflow_execution_id,
        task_execution_id=ctx.task_execution_id,
        action_execution_id=ctx.action_execution_id,
        workflow_name=ctx.workflow_name,
        callback_url=ctx.callback_url,
        with_items_index=ctx.extra.get("with_items_index", 0),
        task_rerun_no=ctx.extra.get("task_rerun_no", 0),
    )
    return lib.ActionContext(security_ctx=security, execution_ctx=execution)


def _as_result(value: Any) -> Any:
    if value is not None and type(value).__name__ == "Result" and type(value).__module__.startswith("mistral_lib"):
        return ActionResult(data=value.data, error=value.error, cancel=bool(value.cancel))
    return value


class LibActionAdapter(Action):
    """Runs a ``mistral_lib`` action instance (``plugin``) as one of ours."""

    plugin_class: type = object
    action_name: str = ""

    def _setup(self, values: dict[str, Any]) -> None:
        Action.__init__(self)
        self.plugin = self.plugin_class(**values)

    def run(self, context: ActionContext) -> Any:
        try:
            return _as_result(self.plugin.run(lib_context(context)))
        except ActionError:
            raise
        except Exception as e:  # noqa: BLE001 - a plugin's failure is the action's error
            if type(e).__module__.startswith("mistral_lib") or type(e).__name__ == "ActionException":
                raise ActionError(f"{self.action_name}: {e}") from None
            raise ActionError(f"{self.action_name}: {type(e).__name__}: {e}") from None

    def is_sync(self) -> bool:
        try:
            return bool(self.plugin.is_sync())
        except Exception:  # noqa: BLE001
            return True

    def cancel(self) -> None:
        super().cancel()
        cancel = getattr(self.plugin, "cancel", None)
        if callable(cancel):
            try:
                cancel()
            except Exception:  # noqa: BLE001 - best effort
                LOG.info("cancel() of %s failed", self.action_name, exc_info=True)


def _with_self(sig: inspect.Signature) -> inspect.Signature:
    params = [p for p in sig.parameters.values() if p.name != "self"]
    return sig.replace(parameters=[inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY), *params])


def adapt(name: str, plugin_class: type, signature: inspect.Signature | None = None,
          description: str | None = None) -> type[Action]:
    """A subclass of our ``Action`` that builds and runs ``plugin_class`` (a mistral-lib
    action) and shows ``signature`` (default: the plugin's constructor's)."""
    sig = _with_self(signature or inspect.signature(plugin_class.__init__))

    def __init__(self: LibActionAdapter, **values: Any) -> None:
        self._setup(values)

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    doc = description if description is not None else (inspect.getdoc(plugin_class) or "")
    return type(plugin_class.__name__, (LibActionAdapter,), {
        "__init__": __init__, "plugin_class": plugin_class, "action_name": name,
        "description": (doc or "").strip(), "__module__": plugin_class.__module__,
        "__doc__": doc,
    })


def parse_arg_list(arg_list: str) -> inspect.Signature:
    """``"a, b=1, c=\\"x\\", **kwargs"`` (Mistral's input string) as a signature.

    Defaults are Python or JSON literals; anything else is kept as its text."""
    params: list[inspect.Parameter] = []
    kinds = inspect.Parameter
    for raw in _split_args(arg_list or ""):
        item = raw.strip()
        if not item:
            continue
        if item.startswith("**"):
            params.append(kinds(item[2:].strip() or "kwargs", kinds.VAR_KEYWORD))
            continue
        if item.startswith("*"):
            continue
        pname, eq, default = item.partition("=")
        pname = pname.strip()
        if not pname.isidentifier():
            continue
        if not eq:
            params.append(kinds(pname, kinds.KEYWORD_ONLY))
            continue
        params.append(kinds(pname, kinds.KEYWORD_ONLY, default=_literal(default.strip())))
    # required ones first would change the order Mistral shows; keyword-only allows any order
    return inspect.Signature(params)


def _literal(text: str) -> Any:
    mapping = {"null": None, "true": True, "false": False}
    if text in mapping:
        return mapping[text]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _split_args(text: str) -> Iterator[str]:
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            yield text[start:i]
            start = i + 1
    yield text[start:]


def load_generated(namespace: str = GENERATORS_NAMESPACE) -> dict[str, type[Action]]:
    """The actions of every generator plugged in under ``namespace`` (mistral-extra's)."""
    from stevedore import ExtensionManager

    found: dict[str, type[Action]] = {}

    def failed(_manager: Any, entry_point: Any, error: BaseException) -> None:
        LOG.error("Cannot load action generator %s: %s", getattr(entry_point, "name", entry_point), error)

    manager: ExtensionManager[Any] = ExtensionManager(namespace, invoke_on_load=False,
                                                      on_load_failure_callback=failed)
    for ext in manager:
        for generator in _generators(ext.plugin):
            try:
                generated = list(generator.create_actions())
            except Exception as e:  # noqa: BLE001 - one broken generator must not stop the rest
                LOG.error("Action generator %s failed: %s", getattr(generator, "__name__", generator), e)
                continue
            for item in generated:
                try:
                    name = item["name"]
                    found[name] = adapt(name, item["class"], parse_arg_list(item.get("arg_list") or ""),
                                        item.get("description") or "")
                except Exception as e:  # noqa: BLE001
                    LOG.error("Generated action %r ignored: %s", item.get("name"), e)
    return found


def _generators(plugin: Any) -> list[Any]:
    if isinstance(plugin, type):
        return [plugin]
    if callable(plugin):
        try:
            return list(plugin())
        except Exception as e:  # noqa: BLE001
            LOG.error("Action generator factory %s failed: %s", getattr(plugin, "__name__", plugin), e)
    return []


Factory = Callable[..., Action]
