"""OpenStack actions generated from the installed client libraries, named as Mistral names
them: ``<service>.<manager>_<method>`` (``nova.servers_list``, ``cinder.volumes_create``),
or ``<service>.<method>`` for a client without managers (``neutron.list_networks``).

Every public method of every manager of a probe client (made offline) becomes a
subclass of ``OpenStackAction`` whose constructor signature is the method's, with
``action_region=""`` added for the modules of ``[openstack_actions]
modules-support-region`` (where mistral-extra puts it: before the last parameter with a
default); its description is the method's docstring. ``generate()`` runs once per
process; ``lazy_groups()`` defers each client library's import and generation until an
action of its namespace is first asked for (``nova.*`` ...), which keeps them out of a
server's start-up and memory until then. See ``base`` for how they run.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any

from mistral.actions.base import Action
from mistral.actions.base import DEFAULT_REGION_MODULES, OpenStackSettings
from mistral.actions.openstack.base import Call, OpenStackAction
from mistral.actions.openstack.clients import SERVICES, Service, installed

__all__ = ["OpenStackAction", "OpenStackSettings", "generate", "lazy_groups"]

LOG = logging.getLogger(__name__)

# client plumbing on every manager, not operations of the service
_SKIP = frozenset({"completion_cache", "write_to_completion_cache", "alternate_service_type",
                   "add_hook", "run_hooks", "api_version"})
# the HTTP helpers of a client without managers (neutron's)
_SKIP_FLAT = _SKIP | {"get_auth_info", "get_auth_ref", "get_status_code", "retry_request", "serialize",
                      "deserialize", "do_request", "get", "put", "post", "delete", "head", "patch",
                      "httpclient", "request", "get_attr_names", "get_resource_plural"}
_CACHE: dict[tuple[str, ...], dict[str, type[Action]]] = {}
_SERVICE_CACHE: dict[tuple[str, tuple[str, ...]], dict[str, type[Action]]] = {}


def _managers(client: Any) -> Iterable[tuple[str, Any]]:
    for attr, value in sorted(vars(client).items()):
        if attr.startswith("_") or value is None or isinstance(value, (str, int, float, bool, dict, list)):
            continue
        module = type(value).__module__ or ""
        is_manager = any(c.__name__.endswith(("Manager", "Controller")) for c in type(value).__mro__)
        if is_manager and module.split(".")[0] == type(client).__module__.split(".")[0]:
            yield attr, value


def _methods(obj: Any, skip: frozenset[str] = _SKIP) -> list[str]:
    return [name for name, _fn in inspect.getmembers(type(obj), inspect.isfunction)
            if not name.startswith("_") and name not in skip]


def _with_region(sig: inspect.Signature) -> inspect.Signature:
    """Add ``action_region=""`` where mistral-extra shows it."""
    params = list(sig.parameters.values())
    region = inspect.Parameter("action_region", inspect.Parameter.KEYWORD_ONLY, default="")
    var_kw = [p for p in params if p.kind is p.VAR_KEYWORD]
    plain = [p for p in params if p.kind is not p.VAR_KEYWORD]
    last_default = max((i for i, p in enumerate(plain) if p.default is not p.empty), default=None)
    at = len(plain) if last_default is None else last_default
    plain.insert(at, region)
    return sig.replace(parameters=plain + var_kw)


def _signature(method: Any, region: bool) -> inspect.Signature:
    sig = inspect.signature(method)
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        else p
        for p in sig.parameters.values() if p.name != "self" and p.kind is not p.VAR_POSITIONAL
    ]
    out = sig.replace(parameters=params, return_annotation=inspect.Signature.empty)
    return _with_region(out) if region else out


def _action_class(service: Service, name: str, path: tuple[str, ...], method: Any,
                  region: bool) -> type[Action]:
    sig = _signature(method, region)
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)

    def __init__(self: OpenStackAction, **values: Any) -> None:
        OpenStackAction.__init__(self, **values)

    __init__.__signature__ = sig.replace(parameters=[self_param, *sig.parameters.values()])  # type: ignore[attr-defined]
    doc = inspect.getdoc(method) or ""
    return type(name.replace(".", "_"), (OpenStackAction,), {
        "__init__": __init__, "action_name": name, "call": Call(service, path),
        "description": doc, "__doc__": doc, "supports_region": region,
    })


def _generate_service(service: Service, region_modules: tuple[str, ...]) -> dict[str, type[Action]]:
    try:
        probe = service.probe()
    except Exception as e:  # noqa: BLE001 - a client library we cannot drive: no actions
        LOG.warning("No %s actions: cannot build a %s client: %s", service.namespace, service.module, e)
        return {}
    region = service.namespace in region_modules
    found: dict[str, type[Action]] = {}
    if service.flat:
        groups: list[tuple[str | None, Any]] = [(None, probe)]
    else:
        groups = list(_managers(probe))
    for attr, obj in groups:
        for method_name in _methods(obj, _SKIP_FLAT if service.flat else _SKIP):
            name = f"{service.namespace}.{method_name}" if attr is None else \
                f"{service.namespace}.{attr}_{method_name}"
            path = (method_name,) if attr is None else (attr, method_name)
            try:
                found[name] = _action_class(service, name, path, getattr(obj, method_name), region)
            except (TypeError, ValueError) as e:  # no introspectable signature
                LOG.info("Action %s skipped: %s", name, e)
    return found


def _service_actions(service: Service, key: tuple[str, ...]) -> dict[str, type[Action]]:
    """The actions of one client library, generated once per process (none if absent)."""
    cache_key = (service.namespace, key)
    if cache_key not in _SERVICE_CACHE:
        found = _generate_service(service, key) if installed(service) else {}
        if found:
            LOG.info("Generated %d %s actions", len(found), service.namespace)
        _SERVICE_CACHE[cache_key] = found
    return _SERVICE_CACHE[cache_key]


def generate(region_modules: Iterable[str] = DEFAULT_REGION_MODULES) -> dict[str, type[Action]]:
    """Name -> action class for every installed client library (cached per process)."""
    key = tuple(sorted(region_modules))
    if key not in _CACHE:
        found: dict[str, type[Action]] = {}
        for service in SERVICES:
            found.update(_service_actions(service, key))
        LOG.info("Generated %d OpenStack actions", len(found))
        _CACHE[key] = found
    return dict(_CACHE[key])


def lazy_groups(region_modules: Iterable[str] = DEFAULT_REGION_MODULES
                ) -> dict[str, Callable[[], dict[str, type[Action]]]]:
    """Namespace (``nova``) -> a function generating that library's actions on first call.
    Nothing is imported until one is called."""
    key = tuple(sorted(region_modules))
    return {s.namespace: (lambda s=s: _service_actions(s, key)) for s in SERVICES}
