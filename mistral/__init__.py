"""A workflow-as-a-service platform, wire-compatible with OpenStack Mistral."""

__version__ = "0.1.0"
