"""Python client library and ``mistral`` CLI for the Mistral v2 API.

A drop-in for python-mistralclient 6.3.0: the same modules, managers, methods and
commands. It imports nothing from the ``mistral`` server package and installs alone.
"""

from __future__ import annotations

#: The python-mistralclient release whose library and CLI this package reproduces.
__version__ = "6.3.0"
