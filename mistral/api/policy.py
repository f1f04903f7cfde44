"""API policy: Mistral's rule names and defaults (oslo.policy), and the check controllers call.

The rules are registered in code (``RULES``, listed for ``oslopolicy-sample-generator
--namespace mistral`` through the ``oslo.policy.policies`` entry point) and an operator
overrides them in the file named by ``[oslo_policy] policy_file`` (``policy.yaml``), exactly
as with Mistral. Two base rules carry the defaults::

    admin_only:     is_admin:True
    admin_or_owner: is_admin:True or project_id:%(project_id)s

The target of every check is the caller's own project, as in Mistral: ``admin_or_owner``
lets any authenticated caller act on what it can see; rows of other projects are kept out
by the database layer, not here. ``<resource>:list:all_projects`` (admins) widens a list to
every project.

With ``[pecan] auth_enable = False`` there is no identity to check: everything is allowed.

Controllers call ``authorize(rule)`` first (policy → parse → service/engine → type) and,
for lists, ``list_tx(resource)`` instead of ``http.read_tx()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from mistral import exceptions as exc
from mistral.api import errors, http
from mistral.context import RequestContext

ADMIN_ONLY = "rule:admin_only"
ADMIN_OR_OWNER = "rule:admin_or_owner"
ALL_PROJECTS_PARAM = "all_projects"


def _rule(name: str, check: str, description: str, *operations: tuple[str, str]) -> Any:
    return oslo_policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{"method": method, "path": path} for method, path in operations],
    )


def _crud(resource: str, noun: str, item_path: str, *, all_projects: bool = False,
          publicize: bool = False, update: bool = True, check: str = ADMIN_OR_OWNER) -> list[Any]:
    """The usual create/delete/get/list/update rules of one resource (default ``check``)."""
    base = f"/v2/{resource}"
    a = "an" if noun[0] in "aeiou" else "a"
    rules = [
        _rule(f"{resource}:create", check, f"Create a new {noun}.", ("POST", base)),
        _rule(f"{resource}:delete", check, f"Delete {a} {noun}.", ("DELETE", item_path)),
        _rule(f"{resource}:get", check, f"Show one {noun}.", ("GET", item_path)),
        _rule(f"{resource}:list", check, f"List the {noun}s the caller can see.",
              ("GET", base)),
    ]
    if all_projects:
        rules.append(_rule(f"{resource}:list:all_projects", ADMIN_ONLY,
                           f"List the {noun}s of every project (all_projects=true).",
                           ("GET", base)))
    if publicize:  # as in Mistral 23: only an admin makes anything public
        rules.append(_rule(f"{resource}:publicize", ADMIN_ONLY,
                           f"Make {a} {noun} public (scope=public).",
                           ("POST", base), ("PUT", base)))
    if update:
        rules.append(_rule(f"{resource}:update", check, f"Update {a} {noun}.",
                           ("PUT", base)))
    return rules


RULES: list[Any] = [
    oslo_policy.RuleDefault("admin_only", "is_admin:True",
                            description="Only a caller with the admin role."),
    oslo_policy.RuleDefault("admin_or_owner", "is_admin:True or project_id:%(project_id)s",
                            description="An admin, or the project that owns the target."),
    *_crud("actions", "ad-hoc action", "/v2/actions/{action_id}", publicize=True),
    *_crud("action_executions", "action execution",
           "/v2/action_executions/{action_execution_id}"),
    # Uploaded Python runs in the service's processes: admins only by default, as in Mistral.
    *_crud("code_sources", "code source", "/v2/code_sources/{identifier}", publicize=True,
           check=ADMIN_ONLY),
    *_crud("cron_triggers", "cron trigger", "/v2/cron_triggers/{cron_trigger_id}",
           all_projects=True, update=False, publicize=True),
    *_crud("dynamic_actions", "dynamic action", "/v2/dynamic_actions/{identifier}",
           publicize=True, check=ADMIN_ONLY),
    *_crud("environments", "environment", "/v2/environments/{environment_name}",
           publicize=True),
    *_crud("event_triggers", "event trigger", "/v2/event_triggers/{event_trigger_id}",
           all_projects=True, publicize=True),
    *_crud("executions", "workflow execution", "/v2/executions/{execution_id}",
           all_projects=True),
    *_crud("members", "resource member",
           "/v2/{resource_type}s/{resource_id}/members/{member_id}"),
    _rule("services:list", ADMIN_OR_OWNER, "List the running Mistral services.",
          ("GET", "/v2/services")),
    _rule("tasks:get", ADMIN_OR_OWNER, "Show one task execution.", ("GET", "/v2/tasks/{task_id}")),
    _rule("tasks:list", ADMIN_OR_OWNER, "List task executions.", ("GET", "/v2/tasks")),
    _rule("tasks:update", ADMIN_OR_OWNER, "Re-run or update a task execution.",
          ("PUT", "/v2/tasks/{task_id}")),
    *_crud("workbooks", "workbook", "/v2/workbooks/{workbook_name}", publicize=True),
    *_crud("workflows", "workflow", "/v2/workflows/{workflow_id}", all_projects=True,
           publicize=True),
]


def list_rules() -> list[Any]:
    """Entry point (``oslo.policy.policies``) for oslopolicy-sample-generator and friends."""
    return list(RULES)


class Policy:
    """oslo.policy's ``Enforcer`` over our rules and the operator's policy file.

    ``conf`` is the service's ``ConfigOpts`` (``[oslo_policy] policy_file``, found in the
    config directories like any oslo file); without one only the defaults apply.
    """

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        if conf is None:
            conf = cfg.ConfigOpts()
            conf([], project="mistral", default_config_files=[], default_config_dirs=[])
        self._enforcer = oslo_policy.Enforcer(conf)
        self._enforcer.register_defaults(RULES)

    def load(self) -> None:
        """Read the policy file now (fails early on a broken file)."""
        self._enforcer.load_rules()

    def check(self, rule: str, ctx: RequestContext) -> bool:
        creds = {
            "is_admin": ctx.is_admin,
            "project_id": ctx.project_id,
            "user_id": ctx.user_id,
            "roles": list(ctx.roles),
        }
        target = {"project_id": ctx.project_id, "user_id": ctx.user_id}
        try:
            return bool(self._enforcer.authorize(rule, target, creds, do_raise=False))
        except ValueError as e:  # the operator's file changed and no longer parses
            raise exc.ConfigError(f"The policy file cannot be read: {str(e).splitlines()[0]}")


def authorize_scope(resource: str, scope: str | None) -> None:
    """``scope=public`` needs ``<resource>:publicize`` (admins only by default)."""
    if scope == "public":
        authorize(f"{resource}:publicize")


def authorize(rule: str) -> None:
    """403 unless the policy lets the caller of the current request do ``rule``."""
    services = http.services()
    if not services.settings.auth_enable:
        return
    enforcer = getattr(services, "policy", None) or _defaults()
    ctx = http.ctx()
    if not enforcer.check(rule, ctx):
        raise errors.ApiError(
            403,
            f"Policy doesn't allow {rule} to be performed "
            f"[project_id={ctx.project_id}, roles={','.join(ctx.roles) or '-'}].",
        )


def list_context(resource: str) -> RequestContext:
    """The context a list of ``resource`` is read in.

    ``all_projects=true`` (rule ``<resource>:list:all_projects``, admins by default) reads
    every project, and so does an admin's ``project_id=<project>`` filter; otherwise even an
    admin sees its own, public and shared rows.
    """
    ctx = http.ctx()
    if http.query_bool(ALL_PROJECTS_PARAM, False):
        authorize(f"{resource}:list:all_projects")
        return dataclasses.replace(ctx, is_admin=True)
    if ctx.is_admin and http.query().get("project_id"):
        # As Mistral 23: an admin asking for one project's rows (?project_id=<other>)
        # sees them; the filter itself narrows the list to that project.
        return ctx
    return dataclasses.replace(ctx, is_admin=False) if ctx.is_admin else ctx


def list_tx(resource: str) -> Any:
    """A read-only transaction for a list of ``resource`` (see ``list_context``)."""
    return http.services().db.transaction(list_context(resource), readonly=True)


LIST_PARAMS: Sequence[str] = (ALL_PROJECTS_PARAM,)

_DEFAULTS: list[Policy] = []


def _defaults() -> Policy:
    """The defaults-only policy for an app built without one (tests, embedding)."""
    if not _DEFAULTS:
        _DEFAULTS.append(Policy())
    return _DEFAULTS[0]
