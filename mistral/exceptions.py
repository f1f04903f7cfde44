"""Domain exceptions. They carry no HTTP codes: ``mistral/api/errors.py`` maps them in one table.

::

    MistralError
    ├── NotFoundError                 an id or name that does not exist (or is not visible)
    ├── DuplicateEntryError           a unique key clash (same name, namespace and project)
    ├── ValidationError               input a client sent is wrong
    │   ├── DSLError                  a definition that does not parse or validate (.errors: DSLProblem)
    │   ├── InputError                workflow / action input missing, unexpected or of the wrong type
    │   ├── ExpressionError           a YAQL / Jinja expression that does not parse or fails to evaluate
    │   └── SizeLimitExceededError    a definition, payload or field above its configured limit
    ├── NotAllowedError               the request is understood but the current state forbids it
    │   ├── ForbiddenError            another project's row; Keystone refusing a trust
    │   ├── NotAuthenticatedError     Keystone no longer accepts the caller's token
    │   ├── InvalidStateTransitionError  e.g. resuming a SUCCESS execution
    │   └── InUseError                deleting what a cron trigger or running execution uses
    ├── ActionError                   an action failed or could not be built
    ├── DBError                       the database is unreachable or misconfigured
    │   └── DBDeadlockError           the transaction lost a deadlock and was rolled back; retry it
    ├── ServiceUnavailableError       an engine / executor did not answer (RPC timeout, broker down)
    └── ConfigError                   a bad option value (bad URL, unknown server name, ...)
"""

from __future__ import annotations

from dataclasses import dataclass


class MistralError(Exception):
    """Base of every error this service raises on purpose."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(MistralError):
    pass


class DuplicateEntryError(MistralError):
    def __init__(self, message: str = "", columns: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.columns = columns


class ValidationError(MistralError):
    pass


@dataclass(frozen=True)
class DSLProblem:
    """One problem in a definition: where it is and what is wrong."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "<document>"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class DSLError(ValidationError):
    """A definition does not parse or validate; ``errors`` holds every problem found."""

    def __init__(self, message: str = "", errors: list[DSLProblem] | None = None) -> None:
        self.errors: list[DSLProblem] = list(errors or [])
        if not message:
            message = "; ".join(str(e) for e in self.errors) or "Invalid definition"
        super().__init__(message)


class InputError(ValidationError):
    pass


class ExpressionError(ValidationError):
    pass


class SizeLimitExceededError(ValidationError):
    pass


class NotAllowedError(MistralError):
    pass


class ForbiddenError(NotAllowedError):
    """Changing or deleting a row the caller sees but does not own (another project's
    public or shared row)."""


class NotAuthenticatedError(NotAllowedError):
    """Keystone refused the caller's own token when the service used it (it expired or
    was revoked since the API checked it)."""


class InvalidStateTransitionError(NotAllowedError):
    pass


class InUseError(NotAllowedError):
    pass


class ActionError(MistralError):
    pass


class DBError(MistralError):
    pass


class DBDeadlockError(DBError):
    """The database chose this transaction as a deadlock victim; running it again is safe."""


class ServiceUnavailableError(MistralError):
    pass


class ConfigError(MistralError):
    pass
