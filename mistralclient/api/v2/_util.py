"""Small helpers the v2 managers share."""

from __future__ import annotations

import json
import uuid
from typing import Any


def is_uuid_like(value: Any) -> bool:
    try:
        return str(uuid.UUID(str(value))) == str(value).lower().replace("urn:uuid:", "")
    except (TypeError, ValueError, AttributeError):
        return False


def dumps(value: Any) -> str:
    """A JSON text field: strings pass as they are (already JSON), anything else is dumped."""
    return value if isinstance(value, str) else json.dumps(value)
