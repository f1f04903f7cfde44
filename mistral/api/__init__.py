"""The REST API v2: a pecan + WSME application, wire-compatible with OpenStack Mistral.

``mistral.api.app.make_app(ApiServices(...))`` builds it; ``controllers/v2`` holds one
module per resource; ``errors.py`` maps domain exceptions to status codes; ``http.py`` is
the request/response plumbing; ``definitions.py`` stores YAML definitions via
``mistral.lang``. The API writes definitions and plain fields; every runtime change
(start, pause, resume, stop, rerun, action results) goes through the ``Engine`` Protocol.
"""
