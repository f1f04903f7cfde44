"""Helpers shared by the managers and the commands: reading files, JSON and YAML."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib import parse, request

import yaml

from mistralclient import exceptions


def do_action_on_many(action: Callable[[str], Any], resources: Iterable[str], success_msg: str,
                      error_msg: str) -> None:
    """Run ``action`` on each resource, print one line per outcome, fail if any failed."""
    failed = False
    for resource in resources:
        try:
            action(resource)
            print(success_msg % resource)
        except Exception as exc:  # one resource's failure must not stop the others
            failed = True
            print(exc)
    if failed:
        raise exceptions.MistralClientException(error_msg)


def load_content(content: str | None) -> Any:
    """Parse YAML (a superset of JSON); empty input is an empty dict."""
    if content is None or content == "":
        return {}
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError:
        return json.loads(content)


def load_file(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return load_content(f.read())


def get_contents_if_file(contents_or_file_name: str) -> str:
    """The text of a file (a path or a file:// / http:// URL), else the value itself."""
    try:
        if parse.urlparse(contents_or_file_name).scheme:
            url = contents_or_file_name
        else:
            path = os.path.abspath(contents_or_file_name)
            url = parse.urljoin("file:", request.pathname2url(path))
        with request.urlopen(url) as f:
            return f.read().decode("utf-8")
    except Exception:
        return contents_or_file_name


def load_json(input_string: str) -> Any:
    """The JSON in a file named ``input_string``, or ``input_string`` parsed as JSON."""
    try:
        with open(input_string, "rb") as fh:
            return json.load(fh)
    except OSError:
        return json.loads(input_string)
