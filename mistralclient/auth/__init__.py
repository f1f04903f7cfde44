"""Authentication handlers: ``get_auth_handler(auth_type).authenticate(req, session)``
returns what the client needs to reach Mistral (a keystoneauth1 session, the URL)."""

from __future__ import annotations

from typing import Any, Protocol

from mistralclient import exceptions
from mistralclient.auth import auth_types


class AuthHandler(Protocol):
    def authenticate(self, req: dict, session: Any = None) -> dict: ...


def get_auth_handler(auth_type: str) -> AuthHandler:
    if auth_type == auth_types.KEYSTONE:
        from mistralclient.auth.keystone import KeystoneAuthHandler

        return KeystoneAuthHandler()
    raise exceptions.IllegalArgumentException(
        "authentication type %r is not supported by this client (supported: %s)"
        % (auth_type, auth_types.KEYSTONE))
