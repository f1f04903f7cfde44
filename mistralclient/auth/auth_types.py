"""The names ``--auth-type`` accepts."""

from __future__ import annotations

KEYSTONE = "keystone"
KEYCLOAK_OIDC = "keycloak-oidc"

ALL = [KEYSTONE, KEYCLOAK_OIDC]
