"""Sphinx configuration. Build: ``python -m sphinx -W -b html docs docs/_build/html``
(tests/functional/docs/test_build.py does, with warnings as errors)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

project = "Mistral (wire-compatible workflow service)"
copyright = "the project's authors, Apache License 2.0"
extensions = ["mistral_reference"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
nitpicky = False
