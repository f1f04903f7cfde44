"""``event-trigger-*`` commands: start a workflow on a notification."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class EventTriggerFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("workflow_id", "Workflow ID"), ("workflow_params", "Params"),
               ("exchange", "Exchange"), ("topic", "Topic"), ("event", "Event"), ("created_at", "Created at"),
               ("updated_at", "Updated at")]


class List(base.MistralLister):
    """List the event triggers."""

    def _get_format_function(self) -> Any:
        return EventTriggerFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).event_triggers.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=EventTriggerFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one event trigger."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("event_trigger", help="Event trigger ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return EventTriggerFormatter.format(base.client(self).event_triggers.get(parsed_args.event_trigger))


class Create(base.ShowOne):
    """Create an event trigger: run a workflow whenever a notification arrives."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Event trigger name.")
        parser.add_argument("workflow_id", help="ID of the workflow to start.")
        parser.add_argument("exchange", type=str, help="Message bus exchange, e.g. nova.")
        parser.add_argument("topic", type=str, help="Notification topic, e.g. notifications.")
        parser.add_argument("event", type=str, help="Event type, e.g. compute.instance.create.end.")
        parser.add_argument("workflow_input", nargs="?", help="Workflow input: JSON, or a JSON file.")
        parser.add_argument("--params", help="Workflow start parameters: JSON, or a JSON file.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        trigger = base.client(self).event_triggers.create(
            parsed_args.name, parsed_args.workflow_id, parsed_args.exchange, parsed_args.topic,
            parsed_args.event, base.json_argument(parsed_args.workflow_input, "workflow_input"),
            base.json_argument(parsed_args.params, "--params"))
        return EventTriggerFormatter.format(trigger)


class Delete(base.Command):
    """Delete event triggers."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("event_trigger_id", nargs="+", help="Event trigger IDs.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        triggers = base.client(self).event_triggers
        utils.do_action_on_many(triggers.delete, parsed_args.event_trigger_id,
                                "Request to delete event trigger %s has been accepted.",
                                "Unable to delete the specified event trigger(s).")
