"""``cron-trigger-*`` commands."""

from __future__ import annotations

import argparse
import datetime
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base

FIRST_TIME_FORMAT = "%Y-%m-%d %H:%M"


class CronTriggerFormatter(base.MistralFormatter):
    COLUMNS = [("name", "Name"), ("workflow_name", "Workflow"), ("workflow_params", "Params"),
               ("pattern", "Pattern"), ("next_execution_time", "Next execution time"),
               ("remaining_executions", "Remaining executions"), ("created_at", "Created at"),
               ("updated_at", "Updated at")]


class List(base.MistralLister):
    """List the cron triggers."""

    def _get_format_function(self) -> Any:
        return CronTriggerFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).cron_triggers.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=CronTriggerFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one cron trigger."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("cron_trigger", help="Cron trigger name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return CronTriggerFormatter.format(base.client(self).cron_triggers.get(parsed_args.cron_trigger))


def local_to_utc(text: str) -> str:
    """``'YYYY-MM-DD HH:MM'`` in this machine's local time, as UTC."""
    try:
        local = datetime.datetime.strptime(text, FIRST_TIME_FORMAT)
    except ValueError:
        raise ValueError("--first-time %r: expected YYYY-MM-DD HH:MM" % text) from None
    return local.astimezone(datetime.timezone.utc).strftime(FIRST_TIME_FORMAT)


class Create(base.ShowOne):
    """Create a cron trigger: run a workflow on a schedule (a pattern, a first time, a count)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Cron trigger name.")
        parser.add_argument("workflow_identifier", help="Workflow name or ID.")
        parser.add_argument("workflow_input", nargs="?", help="Workflow input: JSON, or a JSON file.")
        parser.add_argument("--params", help="Workflow start parameters: JSON, or a JSON file.")
        parser.add_argument("--pattern", type=str, help="Cron pattern, e.g. '*/5 * * * *'.")
        parser.add_argument("--first-time", type=str, metavar="<YYYY-MM-DD HH:MM>",
                            help="First run, in local time (UTC with --utc).")
        parser.add_argument("--utc", action="store_true", help="--first-time is in UTC.")
        parser.add_argument("--count", type=int, help="Number of runs, then the trigger goes away.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        first_time = parsed_args.first_time
        if first_time and not parsed_args.utc:
            first_time = local_to_utc(first_time)
        trigger = base.client(self).cron_triggers.create(
            parsed_args.name, parsed_args.workflow_identifier,
            base.json_argument(parsed_args.workflow_input, "workflow_input"),
            base.json_argument(parsed_args.params, "--params"),
            parsed_args.pattern, first_time, parsed_args.count)
        return CronTriggerFormatter.format(trigger)


class Delete(base.Command):
    """Delete cron triggers."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("cron_trigger", nargs="+", help="Cron trigger names.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        triggers = base.client(self).cron_triggers
        utils.do_action_on_many(triggers.delete, parsed_args.cron_trigger,
                                "Request to delete cron trigger %s has been accepted.",
                                "Unable to delete the specified cron trigger(s).")
