"""``client(**kwargs)``: the entry point scripts and the Horizon plugin call."""

from __future__ import annotations

from typing import Any

from mistralclient.api.v2 import client as client_v2


def client(auth_type: str = "keystone", **kwargs: Any) -> client_v2.Client:
    """A v2 client. Without ``auth_url`` it talks to ``mistral_url`` unauthenticated (or
    with ``auth_token``); with it, it logs in to Keystone first (see ``mistralclient.auth``)."""
    return client_v2.Client(auth_type=auth_type, **kwargs)


def determine_client_version(mistral_version: str) -> int:
    if "v2" in mistral_version:
        return 2
    raise RuntimeError("Cannot determine mistral API version")
