"""One readable line for any error the CLI reports."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests


def _where(exc: requests.RequestException) -> str:
    url = getattr(getattr(exc, "request", None), "url", None) or ""
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme, parts.netloc) if parts.netloc else "the server"


def one_line(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        text = "the Mistral API at %s did not answer in time" % _where(exc)
    elif isinstance(exc, requests.ConnectionError):
        text = "cannot reach the Mistral API at %s (is it running? check --os-mistral-url)" % _where(exc)
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())
