"""Mistral's 2014 API (v1): a thin facade over the v2 engine (see ``workbooks``)."""
