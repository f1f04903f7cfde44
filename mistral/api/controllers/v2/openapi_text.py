"""The words of the OpenAPI document: a summary and a description for every operation.

``describe(verb, path, docstring)`` gives them: a handler's own docstring (first line:
summary, the rest: description) when it has one, else what the route is — the resource
(``RESOURCES``), the verb and where the route sits (a sub-resource of an execution, a
task, a shared workflow ...). ``SPECIAL`` words the routes that are not plain CRUD.
"""

from __future__ import annotations

import re

#: path segment -> (singular, plural, what it is)
RESOURCES: dict[str, tuple[str, str, str]] = {
    "workbooks": ("workbook", "workbooks",
                  "A workbook is a YAML document holding workflows and actions under one name; "
                  "its workflows and actions are stored as <workbook>.<name>."),
    "workflows": ("workflow", "workflows",
                  "A workflow definition in Mistral's DSL v2 (direct or reverse), stored by name "
                  "and namespace; the body of create and update is the YAML text."),
    "actions": ("action", "actions",
                "Actions are the system (Python) actions and ad-hoc actions defined in YAML on "
                "top of another action."),
    "code_sources": ("code source", "code sources",
                     "A Python module uploaded to define dynamic actions."),
    "dynamic_actions": ("dynamic action", "dynamic actions",
                        "An action defined by a class of an uploaded code source."),
    "executions": ("workflow execution", "workflow executions",
                   "A workflow execution is one run of a workflow with its input, state, "
                   "output and tasks."),
    "tasks": ("task execution", "task executions",
              "A task execution is one task of a workflow execution: state, published "
              "variables and result."),
    "action_executions": ("action execution", "action executions",
                          "An action execution is one run of an action, inside a task or "
                          "started on its own."),
    "cron_triggers": ("cron trigger", "cron triggers",
                      "A cron trigger starts a workflow on a cron schedule (and/or at a first "
                      "execution time), a bounded or unbounded number of times."),
    "environments": ("environment", "environments",
                     "An environment is a named set of variables an execution can be started "
                     "with (env())."),
    "event_triggers": ("event trigger", "event triggers",
                       "An event trigger starts a workflow when a notification with a given "
                       "exchange, topic and event arrives."),
    "services": ("service", "services",
                 "The live service processes (api, engine, executor, ...) as the coordination "
                 "backend sees them."),
    "members": ("member", "members",
                "A member is another project a workflow or workbook is shared with; the "
                "project accepts or rejects the share."),
    "workflow_executions": ("workflow execution", "workflow executions",
                            "The subworkflow executions a task started."),
}

LIST_TAIL = (" The list is paginated: `limit` rows from after `marker`, ordered by "
             "`sort_keys`/`sort_dirs`; `fields` narrows the columns; other query parameters "
             "filter (see each one). Only rows visible to the caller's project: its own, "
             "public ones and those shared with it.")

#: (verb, path) -> (summary, description) for the routes that are not plain CRUD
SPECIAL: dict[tuple[str, str], tuple[str, str]] = {
    ("get", "/"): ("List the API versions",
                   "The API versions this server offers (only v2), with their links. Needs no "
                   "authentication."),
    ("get", "/v2"): ("Show the v2 API root", "The root of API v2 with its URI."),
    ("get", "/v2/openapi.json"): ("Show this OpenAPI document",
                                  "This document, generated from the server's own routes."),
    ("post", "/v2/workflows/validate"): (
        "Validate a workflow definition",
        "Checks a DSL v2 YAML text without storing anything; answers whether it is valid and, "
        "if not, every problem with its path and line."),
    ("post", "/v2/workbooks/validate"): (
        "Validate a workbook definition",
        "Checks a workbook YAML text without storing anything; answers whether it is valid "
        "and, if not, every problem with its path and line."),
    ("post", "/v2/actions/validate"): (
        "Validate ad-hoc action definitions",
        "Checks an actions YAML text without storing anything; answers whether it is valid "
        "and, if not, every problem."),
    ("get", "/v2/executions/{id}/report"): (
        "Report on a workflow execution",
        "The execution's tree of tasks, actions and subworkflows with their states and errors "
        "(errors_only, max_depth, statistics_only narrow it)."),
    ("put", "/v2/executions/{id}"): (
        "Change a workflow execution",
        "Pauses (state PAUSED), resumes (RUNNING), cancels (CANCELLED), fails or succeeds "
        "(ERROR / SUCCESS with state_info) the execution, or updates its description, env "
        "or params. params {\"revert\": true} (ours) reverts a finished ERROR or CANCELLED "
        "execution: it runs its tasks' reverts, newest first, then ends in the same state."),
    ("put", "/v2/tasks/{id}"): (
        "Re-run a task execution",
        "With state RUNNING and reset true or false, re-runs a failed task (reset: all its "
        "items again, or only the failed ones of a with-items task); env updates the "
        "execution's environment first."),
    ("put", "/v2/action_executions/{id}"): (
        "Complete or update an action execution",
        "Sets the state of an asynchronous action execution (required), with its result "
        "(output) for SUCCESS or ERROR: the result then continues the workflow."),
    ("post", "/v2/action_executions"): (
        "Run an action",
        "Runs an action outside any workflow with the given input; with run_sync it waits "
        "and answers with the result, with save_result the run is kept."),
}


def _resource(path: str) -> tuple[str, str, str, str | None]:
    """``(singular, plural, about, parent singular)`` of the path's last resource segment."""
    parts = [p for p in path.split("/") if p and p != "v2"]
    names = [p for p in parts if not p.startswith("{")]
    last = names[-1] if names else ""
    singular, plural, about = RESOURCES.get(last, (last.rstrip("s").replace("_", " "),
                                                   last.replace("_", " "), ""))
    parent = None
    if len(names) > 1:
        parent = RESOURCES.get(names[-2], (names[-2].rstrip("s"),))[0]
    return singular, plural, about, parent


def describe(verb: str, path: str, docstring: str | None) -> tuple[str, str]:
    """A summary and a description for the operation ``verb path``."""
    if (verb, path) in SPECIAL:
        return SPECIAL[(verb, path)]
    singular, plural, about, parent = _resource(path)
    item = path.endswith("}")
    of = f" of a {parent}" if parent and not path.rstrip("/").endswith(("/members",)) else ""
    if parent and "members" in path:
        of = f" of a shared {parent}"
    article = "an" if re.match(r"[aeiou]", singular) else "a"
    if verb == "get":
        summary = f"Show {article} {singular}{of}" if item else f"List {plural}{of}"
        text = (f"The {singular} named by the path." if item
                else f"The {plural}{of} the caller can see." + LIST_TAIL)
    elif verb == "post":
        summary = f"Create {article} {singular}{of}"
        text = f"Creates {article} {singular}{of} from the request body."
    elif verb == "put":
        summary = f"Update {article} {singular}{of}" if item else f"Update {plural}{of}"
        text = (f"Changes the {singular} named by the path." if item
                else f"Replaces the definitions of the {plural} in the request body (by name).")
    else:
        summary = f"Delete {article} {singular}{of}"
        text = f"Deletes the {singular} named by the path; 204 with no body."
    if docstring:
        first, _, rest = docstring.strip().partition("\n")
        summary = first.strip().rstrip(".")
        if rest.strip():
            text = " ".join(rest.split())
    if about:
        text = f"{text} {about}"
    return summary, text
