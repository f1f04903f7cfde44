"""Keystone trusts: how a cron or event trigger acts as its creator long after the
creator's token expired (Mistral 23's scheme).

With ``[pecan] auth_enable``, creating a trigger makes a trust from the user to Mistral's
service user (the ``[keystone_authtoken]`` credentials keystonemiddleware logs in with):
the user's roles in the user's project, with impersonation. The trigger keeps the trust
id and its creator's context (without the token). When it fires, ``context()`` logs the
service user in *scoped to the trust*: Keystone answers with a token of the creator
(impersonation), the delegated roles and the project's catalog, and the execution starts
with that context (``is_trust_scoped``), so it and its OpenStack actions act as the
creator. Later events of a long execution may outlive that token: ``fresh(ctx)`` gives a
new one from the same trust when it is about to expire (the engine asks before sending
an action). Tokens are cached per trust until they near their expiry.

A trust is deleted (``delete``: the trust-scoped token may delete it, as its trustor)
with its trigger, but not while an execution the trigger started still runs:
``release(trust_id, trigger_id)`` deletes it only once the trigger is gone and none of
its executions is left running; the engine calls it again when such an execution ends.

Errors: Keystone refusing (4xx) is ``ForbiddenError`` (the caller's own token refused when
making a trust: ``NotAuthenticatedError``); Keystone unreachable or failing (5xx) is
``ServiceUnavailableError`` (a trigger's fire job then runs again later).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mistral import exceptions as exc
from mistral.context import RequestContext, admin_context, stored_context

LOG = logging.getLogger(__name__)

#: a token is renewed when it expires within this many seconds (or within half its
#: lifetime, for Keystones issuing short-lived tokens)
REFRESH_MARGIN = 300.0
#: what a trust-scoped login must not carry: the service user's own project or domain
_UNSCOPED = ("system_scope", "domain_id", "domain_name", "project_id", "project_name",
             "project_domain_id", "project_domain_name")


@dataclass(frozen=True)
class ServiceCredentials:
    """Mistral's service user: the ``[keystone_authtoken]`` auth plugin and its options,
    read by the composition root."""

    auth_type: str
    options: Mapping[str, Any]
    auth_url: str
    verify: bool | str = True
    timeout: float | None = 30.0


@dataclass(frozen=True)
class TrustToken:
    token: str
    user_id: str | None
    user_name: str | None
    project_id: str | None
    project_name: str | None
    roles: tuple[str, ...]
    expires: float  # time.time() at which it expires
    lifetime: float
    catalog: list[dict[str, Any]] = field(default_factory=list)

    @property
    def expires_at(self) -> str:
        when = datetime.datetime.fromtimestamp(self.expires, datetime.timezone.utc)
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def good_for(self, now: float) -> bool:
        return self.expires - now > min(REFRESH_MARGIN, self.lifetime / 2)


def _expiry(value: str | None) -> float | None:
    if not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


def _refused(what: str, e: Exception) -> exc.MistralError:
    from keystoneauth1 import exceptions as ks_exc

    status = getattr(e, "http_status", None)
    if isinstance(e, ks_exc.HttpError) and status is not None and status < 500:
        return exc.ForbiddenError(f"Keystone refused to {what} ({status})")
    return exc.ServiceUnavailableError(f"Keystone could not {what}: {type(e).__name__}")


class KeystoneTrusts:
    """Trusts to the service user in the Keystone at ``creds.auth_url``. ``db`` is used
    by ``release`` only (to see whether a trust is still needed)."""

    def __init__(self, creds: ServiceCredentials, db: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.creds = creds
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, TrustToken] = {}
        self._service: Any = None

    # -- sessions -------------------------------------------------------------------

    def _session(self, auth: Any = None) -> Any:
        from keystoneauth1 import session as ks_session

        return ks_session.Session(auth=auth, verify=self.creds.verify, timeout=self.creds.timeout)

    def _plugin(self, **overrides: Any) -> Any:
        from keystoneauth1 import loading

        loader = loading.get_plugin_loader(self.creds.auth_type)
        known = {o.dest for o in loader.get_options()}
        values = {k: v for k, v in {**self.creds.options, **overrides}.items() if k in known}
        return loader.load_from_options(**values)

    def _url(self, path: str) -> str:
        base = self.creds.auth_url.rstrip("/")
        if not base.endswith("/v3"):
            base += "/v3"
        return base + path

    def service_user_id(self) -> str:
        """The trustee: the service user's id (one login, then cached)."""
        from keystoneauth1 import exceptions as ks_exc

        with self._lock:
            if self._service is None:
                self._service = self._session(self._plugin())
            sess = self._service
        try:
            return str(sess.get_user_id())
        except ks_exc.ClientException as e:
            raise _refused("log the service user in", e) from None

    # -- trusts ---------------------------------------------------------------------

    def create(self, ctx: RequestContext, user_token: str | None = None) -> str:
        """A trust from ``ctx``'s user to the service user: the user's roles in the
        user's project, impersonation on. ``user_token`` is the caller's own token (the
        context's may be another cloud's, with ``X-Target-*``)."""
        from keystoneauth1 import exceptions as ks_exc

        token = user_token or ctx.auth_token
        if not token or not ctx.user_id:
            raise exc.ForbiddenError("A trust needs the caller's Keystone token and user")
        body = {"trust": {
            "trustor_user_id": ctx.user_id, "trustee_user_id": self.service_user_id(),
            "impersonation": True, "project_id": ctx.project_id,
            "roles": [{"name": r} for r in ctx.roles],
        }}
        try:
            resp = self._session().post(self._url("/OS-TRUST/trusts"), json=body,
                                        headers={"X-Auth-Token": token}, authenticated=False)
            trust_id = str(resp.json()["trust"]["id"])
        except ks_exc.Unauthorized:
            raise exc.NotAuthenticatedError(
                "Keystone refused the caller's token when creating the trigger's trust "
                "(it expired or was revoked)") from None
        except ks_exc.ClientException as e:
            raise _refused(f"create a trust for user {ctx.user_id}", e) from None
        except (ValueError, KeyError, TypeError):
            raise exc.ServiceUnavailableError("Keystone answered a trust creation "
                                              "without a trust") from None
        LOG.info("Trust %s created from user %s to the service user [project=%s]",
                 trust_id, ctx.user_id, ctx.project_id)
        return trust_id

    def _login(self, trust_id: str) -> TrustToken:
        from keystoneauth1 import exceptions as ks_exc

        plugin = self._plugin(trust_id=trust_id, **{k: None for k in _UNSCOPED})
        try:
            access = plugin.get_access(self._session())
        except ks_exc.ClientException as e:
            raise _refused(f"give a token for trust {trust_id}", e) from None
        now = self._clock()
        expires = access.expires.timestamp() if access.expires else now + 3600
        issued = access.issued.timestamp() if access.issued else now
        catalog = access.service_catalog.catalog if access.has_service_catalog() else []
        return TrustToken(
            token=access.auth_token, user_id=access.user_id, user_name=access.username,
            project_id=access.project_id, project_name=access.project_name,
            roles=tuple(access.role_names or ()), expires=expires,
            lifetime=max(expires - issued, 0.0), catalog=list(catalog or []))

    def token(self, trust_id: str) -> TrustToken:
        """A token of the trust good for a while (cached per trust)."""
        with self._lock:
            cached = self._tokens.get(trust_id)
        if cached is not None and cached.good_for(self._clock()):
            return cached
        fresh = self._login(trust_id)
        with self._lock:
            self._tokens[trust_id] = fresh
        return fresh

    def context(self, trust_id: str, creator: Mapping[str, Any] | None,
                project_id: str) -> RequestContext:
        """The context a trigger's execution starts with: its creator (``creator``, the
        trigger's stored context) acting through the trust with a fresh token."""
        tok = self.token(trust_id)
        if tok.project_id and tok.project_id != project_id:
            raise exc.ForbiddenError(f"Trust {trust_id} is for another project")
        values = dict(creator or {})
        values.update(
            project_id=project_id, user_id=tok.user_id or values.get("user_id"),
            user_name=tok.user_name or values.get("user_name"),
            project_name=tok.project_name or values.get("project_name"),
            roles=list(tok.roles), is_admin="admin" in tok.roles, auth_token=tok.token,
            expires_at=tok.expires_at, trust_id=trust_id, is_trust_scoped=True,
            service_catalog=tok.catalog or None, auth_uri=self.creds.auth_url,
            is_target=False, request_id=None,
        )
        return RequestContext.from_dict(values)

    def fresh(self, ctx: RequestContext) -> RequestContext:
        """``ctx`` with a token that does not expire soon: a trust-scoped context whose
        token is about to expire gets a new one of its trust; anything else is as is."""
        if not (ctx.is_trust_scoped and ctx.trust_id):
            return ctx
        expires = _expiry(ctx.expires_at)
        if expires is not None and expires - self._clock() > REFRESH_MARGIN:
            return ctx
        tok = self.token(ctx.trust_id)
        if tok.token == ctx.auth_token:
            return ctx
        return replace(ctx, auth_token=tok.token, expires_at=tok.expires_at,
                       service_catalog=tok.catalog or ctx.service_catalog)

    def delete(self, trust_id: str) -> bool:
        """Delete a trust (best effort: failures are logged); False if it was gone."""
        from keystoneauth1 import exceptions as ks_exc

        with self._lock:
            self._tokens.pop(trust_id, None)
        try:
            tok = self._login(trust_id)
        except exc.ForbiddenError:
            LOG.info("Trust %s is gone already", trust_id)
            return False
        except exc.MistralError as e:
            LOG.warning("Cannot delete trust %s: %s", trust_id, e)
            return False
        try:
            self._session().delete(self._url(f"/OS-TRUST/trusts/{trust_id}"),
                                   headers={"X-Auth-Token": tok.token}, authenticated=False)
        except ks_exc.ClientException as e:
            LOG.warning("Cannot delete trust %s: %s", trust_id, _refused("delete it", e))
            return False
        LOG.info("Trust %s deleted", trust_id)
        return True

    def release(self, trust_id: str | None, trigger_id: str | None) -> bool:
        """Delete the trust of a trigger once it is no longer needed: the trigger is gone
        and none of the executions it started still runs. True if deleted."""
        if not trust_id:
            return False
        if self._db is not None and trigger_id and in_use(self._db, trigger_id):
            LOG.info("Trust %s kept: trigger %s or one of its executions is still there",
                     trust_id, trigger_id)
            return False
        return self.delete(trust_id)


def in_use(db: Any, trigger_id: str) -> bool:
    """Whether a trigger still exists or an execution it started has not finished (a
    look across projects; nothing is changed)."""
    from mistral.db.filters import Filter
    from mistral.workflow import states

    with db.transaction(admin_context(), readonly=True) as tx:
        if tx.cron_triggers.count(id=trigger_id) or tx.event_triggers.count(id=trigger_id):
            return True
        return bool(tx.workflow_executions.count(
            trigger_id=trigger_id, state=Filter("nin", sorted(states.TERMINAL))))


def trigger_values(ctx: RequestContext, trust_id: str | None) -> dict[str, Any]:
    """What a new trigger keeps of its creator: the context (without the token when a
    trust stands for it) and the trust."""
    kept = stored_context(ctx)
    if trust_id:
        kept.update(auth_token=None, expires_at=None)
    return {"auth_context": kept, "trust_id": trust_id}


def firing_context(trusts: KeystoneTrusts | None, row: Mapping[str, Any]) -> RequestContext:
    """The context a trigger (``row``: its ``project_id``, ``trust_id``, ``auth_context``)
    starts an execution with: its creator through the trust when it has one, otherwise
    its creator's stored context (no Keystone), always in the trigger's project."""
    from mistral.context import owner_context

    project_id = row["project_id"]
    if row.get("trust_id") and trusts is not None:
        return trusts.context(str(row["trust_id"]), row.get("auth_context"), project_id)
    return owner_context(row.get("auth_context"), project_id)
