"""``EngineSettings``: the values the engine needs, filled by the caller from
``[engine]`` and ``[action_heartbeat]`` (the engine never reads ``cfg.CONF``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mistral.expressions.settings import ExpressionSettings


@dataclass(frozen=True)
class EngineSettings:
    host: str = "engine"
    #: seconds between reconciler passes (``[engine] reconcile_interval``)
    reconcile_interval: float = 5.0
    #: ``[action_heartbeat]``: 0 missed heartbeats disables the heartbeat check
    max_missed_heartbeats: int = 5
    check_interval: float = 2.0
    first_heartbeat_timeout: float = 10.0
    #: ``[engine] execution_integrity_check_delay``: a RUNNING task untouched this long
    #: is checked by the reconciler (-1 disables)
    integrity_check_delay: float = 20.0
    integrity_check_batch_size: int = 50
    #: ``[engine] merge_strategy``: 'replace' or 'merge' (deep merge of published dicts)
    merge_strategy: str = "replace"
    #: rows inserted per batch for with-items / fan-out
    insert_batch_size: int = 500
    #: ``[notifier] notify``: publishers every execution notifies (before its own)
    notify: tuple = ()
    #: how expressions are evaluated (``[expressions] allowed_languages``)
    expressions: ExpressionSettings = field(default_factory=ExpressionSettings)

    @property
    def heartbeat_deadline(self) -> float | None:
        """Seconds without a heartbeat after which a running action is considered lost."""
        if self.max_missed_heartbeats <= 0 or self.check_interval <= 0:
            return None
        return self.max_missed_heartbeats * self.check_interval

    @classmethod
    def from_conf(cls, conf: object) -> "EngineSettings":
        """Build from an oslo.config object (called by the composition root only)."""
        engine = getattr(conf, "engine")
        hb = getattr(conf, "action_heartbeat")
        notifier = getattr(conf, "notifier", None)
        languages = getattr(getattr(conf, "expressions", None), "allowed_languages", None)
        return cls(
            host=engine.host,
            reconcile_interval=float(engine.reconcile_interval),
            max_missed_heartbeats=int(hb.max_missed_heartbeats),
            check_interval=float(hb.check_interval),
            first_heartbeat_timeout=float(hb.first_heartbeat_timeout),
            integrity_check_delay=float(engine.execution_integrity_check_delay),
            integrity_check_batch_size=int(engine.execution_integrity_check_batch_size),
            merge_strategy=str(engine.merge_strategy),
            notify=tuple(dict(p) for p in (getattr(notifier, "notify", None) or ())),
            expressions=_expression_settings(getattr(conf, "yaql", None), languages),
        )


def _expression_settings(yaql_group: object, languages: object) -> ExpressionSettings:
    """``[yaql]`` options (limits, conversions) and ``[expressions] allowed_languages``."""
    overrides: dict = {}
    if languages is not None:
        overrides["allowed_languages"] = frozenset(languages)  # type: ignore[arg-type]
    if yaql_group is None:
        return ExpressionSettings(**overrides)
    return ExpressionSettings.from_options(yaql_group, **overrides)
