"""What the CLI shows of each resource: (header, attribute) pairs, as python-mistralclient shows them."""

from __future__ import annotations

WORKBOOK = [("Name", "name"), ("Namespace", "namespace"), ("Tags", "tags"), ("Scope", "scope"),
            ("Created at", "created_at"), ("Updated at", "updated_at")]
WORKFLOW = [("ID", "id"), ("Name", "name"), ("Namespace", "namespace"), ("Project ID", "project_id"),
            ("Tags", "tags"), ("Input", "input"), ("Scope", "scope"), ("Created at", "created_at"),
            ("Updated at", "updated_at")]
ACTION = [("ID", "id"), ("Name", "name"), ("Namespace", "namespace"), ("Is system", "is_system"),
          ("Input", "input"), ("Description", "description"), ("Tags", "tags"),
          ("Created at", "created_at"), ("Updated at", "updated_at")]
EXECUTION = [("ID", "id"), ("Workflow ID", "workflow_id"), ("Workflow name", "workflow_name"),
             ("Workflow namespace", "workflow_namespace"), ("Description", "description"),
             ("Task Execution ID", "task_execution_id"), ("Root Execution ID", "root_execution_id"),
             ("State", "state"), ("State info", "state_info"), ("Created at", "created_at"),
             ("Updated at", "updated_at")]
TASK = [("ID", "id"), ("Name", "name"), ("Workflow name", "workflow_name"),
        ("Workflow namespace", "workflow_namespace"), ("Workflow Execution ID", "workflow_execution_id"),
        ("State", "state"), ("State info", "state_info"), ("Created at", "created_at"),
        ("Started at", "started_at"), ("Finished at", "finished_at")]
ACTION_EXECUTION = [("ID", "id"), ("Name", "name"), ("Workflow name", "workflow_name"),
                    ("Workflow namespace", "workflow_namespace"), ("Task name", "task_name"),
                    ("Task ID", "task_execution_id"), ("State", "state"), ("Accepted", "accepted"),
                    ("Created at", "created_at"), ("Updated at", "updated_at")]
CRON_TRIGGER = [("Name", "name"), ("Workflow", "workflow_name"), ("Params", "workflow_params"),
                ("Pattern", "pattern"), ("Next execution time", "next_execution_time"),
                ("Remaining executions", "remaining_executions"), ("Created at", "created_at"),
                ("Updated at", "updated_at")]
ENVIRONMENT = [("Name", "name"), ("Description", "description"), ("Variables", "variables"),
               ("Scope", "scope"), ("Created at", "created_at"), ("Updated at", "updated_at")]
EVENT_TRIGGER = [("ID", "id"), ("Name", "name"), ("Workflow ID", "workflow_id"), ("Exchange", "exchange"),
                 ("Topic", "topic"), ("Event", "event"), ("Created at", "created_at"),
                 ("Updated at", "updated_at")]
MEMBER = [("Resource ID", "resource_id"), ("Resource Type", "resource_type"), ("Owner", "project_id"),
          ("Member ID", "member_id"), ("Status", "status"), ("Created at", "created_at"),
          ("Updated at", "updated_at")]
SERVICE = [("Name", "name"), ("Type", "type")]
