"""Errors as the API shows them: one table from domain exceptions to HTTP status codes.

Every error body has Mistral's shape::

    {"faultstring": "<what is wrong, and where>", "faultcode": "Client" | "Server",
     "debuginfo": null}

``faultcode`` is ``Client`` for 4xx and ``Server`` for 5xx. Domain exceptions
(``mistral.exceptions``) carry no HTTP codes; they are mapped here by the first class in
``STATUS_BY_EXCEPTION`` they are an instance of (most specific first). Errors the API
finds itself (bad JSON, wrong content type, bad query parameters) are ``ApiError``.
"""

from __future__ import annotations

import json
import logging

from webob import Response

from mistral import exceptions as exc

LOG = logging.getLogger(__name__)


class ApiError(Exception):
    """An error found by the API layer itself, with its status code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


# Most specific first: the first match wins.
STATUS_BY_EXCEPTION: tuple[tuple[type[BaseException], int], ...] = (
    (exc.NotFoundError, 404),
    (exc.DuplicateEntryError, 409),
    (exc.SizeLimitExceededError, 413),
    (exc.ValidationError, 400),  # DSLError, InputError, ExpressionError
    (exc.InUseError, 400),  # as Mistral 23 (a DBError there)
    (exc.InvalidStateTransitionError, 400),
    (exc.NotAuthenticatedError, 401),
    (exc.ForbiddenError, 403),  # another project's row (Mistral 23: 403)
    (exc.NotAllowedError, 400),
    (exc.ActionError, 400),
    (exc.ServiceUnavailableError, 503),
    (exc.DBError, 500),
    (exc.ConfigError, 500),
    (exc.MistralError, 500),
)


def status_for(error: BaseException) -> int:
    """The HTTP status an exception is shown with; 500 for anything unexpected."""
    if isinstance(error, ApiError):
        return error.status
    for cls, status in STATUS_BY_EXCEPTION:
        if isinstance(error, cls):
            return status
    return 500


def fault_body(status: int, message: str) -> dict:
    return {
        "faultstring": message,
        "faultcode": "Client" if status < 500 else "Server",
        "debuginfo": None,
    }


def fault_response(status: int, message: str, plain: bool = False) -> Response:
    """``plain``: Mistral 23's definition uploads answer an error with the message alone."""
    body = {"faultstring": message} if plain else fault_body(status, message)
    return Response(
        status=status,
        body=json.dumps(body).encode("utf-8"),
        content_type="application/json",
        charset="UTF-8",
    )


def response_for_exception(error: BaseException, plain: bool = False) -> Response:
    """Render any exception as a fault response; unexpected ones are logged, not leaked."""
    status = status_for(error)
    if isinstance(error, (ApiError, exc.MistralError)):
        message = str(error) or type(error).__name__
        if status >= 500:
            LOG.error("Request failed: %s", message)
    else:
        LOG.exception("Unexpected error while serving a request")
        message = "Internal server error: " + type(error).__name__
    return fault_response(status, message, plain)
