"""The v2 client: one object holding a manager per resource."""

from __future__ import annotations

import copy
from typing import Any

from mistralclient import auth
from mistralclient.api import httpclient
from mistralclient.api.v2 import (
    action_executions,
    actions,
    code_sources,
    cron_triggers,
    dynamic_actions,
    environments,
    event_triggers,
    executions,
    members,
    services,
    tasks,
    workbooks,
    workflows,
)

_DEFAULT_MISTRAL_URL = "http://localhost:8989/v2"


class Client:
    MANAGERS = {
        "workbooks": workbooks.WorkbookManager,
        "executions": executions.ExecutionManager,
        "tasks": tasks.TaskManager,
        "actions": actions.ActionManager,
        "workflows": workflows.WorkflowManager,
        "cron_triggers": cron_triggers.CronTriggerManager,
        "event_triggers": event_triggers.EventTriggerManager,
        "environments": environments.EnvironmentManager,
        "action_executions": action_executions.ActionExecutionManager,
        "members": members.MemberManager,
        "code_sources": code_sources.CodeSourceManager,
        "dynamic_actions": dynamic_actions.DynamicActionManager,
    }
    #: Beyond python-mistralclient: ``/v2/services`` (the server answers it).
    EXTRA_MANAGERS = {"services": services.ServiceManager}

    def __init__(self, auth_type: str = "keystone", **kwargs: Any) -> None:
        session = kwargs.pop("session", None)  # may hold locks: never deep-copied
        enforce_raw_definitions = kwargs.pop("enforce_raw_definitions", False)
        req = copy.deepcopy(kwargs)
        mistral_url = req.get("mistral_url")
        if mistral_url and not isinstance(mistral_url, str):
            raise RuntimeError("Mistral url should be a string.")

        auth_response: dict = {}
        if req.get("auth_url") or req.get("target_auth_url") or req.get("cloud"):
            handler = auth.get_auth_handler(auth_type)
            auth_response = handler.authenticate(req, session=session)
        if session is None:
            session = auth_response.pop("session", None)
        req.update(auth_response)
        mistral_url = auth_response.get("mistral_url") or mistral_url or _DEFAULT_MISTRAL_URL
        req.pop("mistral_url", None)

        self.http_client = httpclient.HTTPClient(mistral_url, session=session, **req)
        for name, cls in {**self.MANAGERS, **self.EXTRA_MANAGERS}.items():
            setattr(self, name, cls(self.http_client, enforce_raw_definitions))
