"""The engine: the only writer of runtime state (see ``default_engine.DefaultEngine``).

Modules: ``interface`` (Protocols and payloads that cross RPC), ``default_engine`` (the
local Engine: one locked transaction per event), ``work`` (an event in progress),
``executions`` / ``tasks`` / ``actions`` / ``timers`` / ``workflows`` / ``rerun`` (what
an event does), ``data`` (expression data, publishing), ``specs`` (definition lookup and
spec cache), ``recovery`` (the reconciler), ``report`` (execution reports),
``settings`` and ``ports`` (what the composition root passes in).
"""
