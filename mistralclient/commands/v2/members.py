"""``member-*`` commands: sharing a workflow with another project."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient.commands.v2 import base


class MemberFormatter(base.MistralFormatter):
    COLUMNS = [("resource_id", "Resource ID"), ("resource_type", "Resource Type"),
               ("project_id", "Resource Owner"), ("member_id", "Member ID"), ("status", "Status"),
               ("created_at", "Created at"), ("updated_at", "Updated at")]


class List(base.MistralLister):
    """List the projects a resource is shared with."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("resource_id", help="ID of the shared resource.")
        parser.add_argument("resource_type", help="Type of the resource (workflow).")
        return parser

    def _get_format_function(self) -> Any:
        return MemberFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).members.list(parsed_args.resource_id, parsed_args.resource_type)


class Get(base.ShowOne):
    """Show one project's membership of a shared resource."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("resource", help="ID of the shared resource.")
        parser.add_argument("resource_type", help="Type of the resource (workflow).")
        parser.add_argument("-m", "--member-id", default="",
                            help="Project ID of the member (default: the caller's project).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        member = base.client(self).members.get(parsed_args.resource, parsed_args.resource_type,
                                               parsed_args.member_id)
        return MemberFormatter.format(member)


class Create(base.ShowOne):
    """Share a resource with another project (it has to accept)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("resource_id", help="ID of the resource to share.")
        parser.add_argument("resource_type", help="Type of the resource (workflow).")
        parser.add_argument("member_id", help="Project ID to share it with.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        member = base.client(self).members.create(parsed_args.resource_id, parsed_args.resource_type,
                                                  parsed_args.member_id)
        return MemberFormatter.format(member)


class Delete(base.Command):
    """Stop sharing a resource with a project."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("resource", help="ID of the shared resource.")
        parser.add_argument("resource_type", help="Type of the resource (workflow).")
        parser.add_argument("member_id", help="Project ID of the member.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        base.client(self).members.delete(parsed_args.resource, parsed_args.resource_type,
                                         parsed_args.member_id)
        self.app.stdout.write("Request to delete member %s of %s %s has been accepted.\n"
                              % (parsed_args.member_id, parsed_args.resource_type, parsed_args.resource))


class Update(base.ShowOne):
    """Accept or reject a resource shared with your project."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("resource_id", help="ID of the shared resource.")
        parser.add_argument("resource_type", help="Type of the resource (workflow).")
        parser.add_argument("-m", "--member-id", default="",
                            help="Project ID of the member (default: the caller's project).")
        parser.add_argument("-s", "--status", default="accepted", choices=["pending", "accepted", "rejected"],
                            help="New status of the membership.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        member = base.client(self).members.update(parsed_args.resource_id, parsed_args.resource_type,
                                                  parsed_args.member_id, status=parsed_args.status)
        return MemberFormatter.format(member)
