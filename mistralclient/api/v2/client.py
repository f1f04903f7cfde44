"""The v2 client: one object holding a manager per resource."""

from __future__ import annotations

from mistralclient.api.httpclient import HTTPClient
from mistralclient.api.v2 import definitions, misc, runtime


class Client:
    def __init__(self, http: HTTPClient) -> None:
        self.http_client = http
        self.workbooks = definitions.WorkbookManager(http)
        self.workflows = definitions.WorkflowManager(http)
        self.actions = definitions.ActionManager(http)
        self.executions = runtime.ExecutionManager(http)
        self.tasks = runtime.TaskManager(http)
        self.action_executions = runtime.ActionExecutionManager(http)
        self.cron_triggers = misc.CronTriggerManager(http)
        self.environments = misc.EnvironmentManager(http)
        self.event_triggers = misc.EventTriggerManager(http)
        self.members = misc.MemberManager(http)
        self.services = misc.ServiceManager(http)
