"""SQLAlchemy models: the tables, named like Mistral's ``*_v2`` ones.

Every user-owned row carries ``project_id`` and ``scope`` ('private' | 'public').
JSON columns hold plain ``dict``/``list`` values; the runtime payload columns
(context, input, output, published, params, ...) are ``limited``: a value above the
configured field size limit raises ``SizeLimitExceededError``.

There are no ORM relationships: what a caller loads is explicit (a list of task
executions is one query by ``workflow_execution_id``), so nothing lazy-loads behind a
list. Child rows go away with their parent through ``ON DELETE CASCADE`` foreign keys.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mistral.db.types import JsonEncoded, LongText, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

SCOPES = ("private", "public")

# MySQL/MariaDB: InnoDB for row locks and foreign keys; utf8mb4 whatever the server's
# default charset; binary collation so names compare case-sensitively, as on
# PostgreSQL and SQLite.
TABLE_OPTIONS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def generate_id() -> str:
    return str(uuid.uuid4())


def json_column(limited: bool = False) -> Any:
    """A nullable JSON column; ``limited`` ones obey the field size limit."""
    return mapped_column(JsonEncoded(limited=limited), nullable=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # Name used in error messages ("Workflow not found [id=...]").
    __display_name__: ClassVar[str] = ""
    # Columns of the natural unique key, for duplicate-entry messages.
    __natural_key__: ClassVar[tuple[str, ...]] = ("id",)
    # Rows belong to a project and are filtered by the request context's project.
    __project_scoped__: ClassVar[bool] = True
    # resource_type in resource_members when rows of this table can be shared.
    __member_resource_type__: ClassVar[str | None] = None

    id: Mapped[str] = mapped_column(
        String(36), primary_key=True, default=generate_id, sort_order=-3
    )
    created_at: Mapped[datetime.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, sort_order=-2
    )
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        UTCDateTime(), onupdate=utcnow, nullable=True, sort_order=-1
    )

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        return tuple(c.key for c in cls.__table__.columns)

    # Set on rows loaded with ``fields=``: only those columns exist.
    _partial: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        """Every column as a plain dict (only the loaded ones for a ``fields`` query)."""
        if self._partial:
            unloaded = inspect(self).unloaded
            return {k: getattr(self, k) for k in self.column_names() if k not in unloaded}
        return {k: getattr(self, k) for k in self.column_names()}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.__dict__.get('id')!r}>"


class _Owned:
    project_id: Mapped[str] = mapped_column(
        String(80), nullable=False, index=True, sort_order=10
    )
    scope: Mapped[str] = mapped_column(
        String(80), nullable=False, default="private", sort_order=11
    )


class _Definition(_Owned):
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    namespace: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    definition: Mapped[str | None] = mapped_column(LongText())
    spec: Mapped[Any] = json_column()
    checksum: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[Any] = json_column()
    is_system: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Workbook(_Definition, Base):
    __tablename__ = "workbooks_v2"
    __table_args__ = (UniqueConstraint("name", "namespace", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Workbook"
    __natural_key__ = ("name", "namespace")
    __member_resource_type__ = "workbook"


class WorkflowDefinition(_Definition, Base):
    __tablename__ = "workflow_definitions_v2"
    __table_args__ = (UniqueConstraint("name", "namespace", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Workflow"
    __natural_key__ = ("name", "namespace")
    __member_resource_type__ = "workflow"

    workbook_name: Mapped[str | None] = mapped_column(String(255))


class ActionDefinition(_Definition, Base):
    __tablename__ = "action_definitions_v2"
    __table_args__ = (UniqueConstraint("name", "namespace", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Action"
    __natural_key__ = ("name", "namespace")

    description: Mapped[str | None] = mapped_column(LongText())
    input: Mapped[str | None] = mapped_column(LongText())
    attributes: Mapped[Any] = json_column()
    action_class: Mapped[str | None] = mapped_column(String(200))
    workbook_name: Mapped[str | None] = mapped_column(String(255))


class WorkbookV1(_Owned, Base):
    """A 2014 (v1) workbook (``/v1/workbooks``): its v1 ``definition`` and ``spec``, the
    converted v2 workbook (``mistral.lang.v1.V1Workbook.to_dict()``), stored as v2
    workflow and action definitions in the ``v1`` namespace."""

    __tablename__ = "workbooks_v1"
    __table_args__ = (UniqueConstraint("name", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Workbook"
    __natural_key__ = ("name",)

    name: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(LongText())
    tags: Mapped[Any] = json_column()
    definition: Mapped[str | None] = mapped_column(LongText())
    spec: Mapped[Any] = json_column()
    checksum: Mapped[str | None] = mapped_column(String(64))


class CodeSource(_Owned, Base):
    """An uploaded Python module (``/v2/code_sources``); ``checksum`` is the sha256 of
    ``content`` (ours: the key executors cache the imported module by)."""

    __tablename__ = "code_sources"
    __table_args__ = (UniqueConstraint("name", "namespace", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Code source"
    __natural_key__ = ("name", "namespace")

    name: Mapped[str] = mapped_column(String(255), nullable=False)
    namespace: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    content: Mapped[str] = mapped_column(LongText(), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    checksum: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[Any] = json_column()


class DynamicActionDefinition(_Owned, Base):
    """An action defined by a class of a code source (``/v2/dynamic_actions``)."""

    __tablename__ = "dynamic_action_definitions"
    __table_args__ = (UniqueConstraint("name", "namespace", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Dynamic action"
    __natural_key__ = ("name", "namespace")

    name: Mapped[str] = mapped_column(String(255), nullable=False)
    namespace: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    class_name: Mapped[str] = mapped_column(String(255), nullable=False)
    code_source_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("code_sources.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_source_name: Mapped[str] = mapped_column(String(255), nullable=False)


class _Execution(_Owned):
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    workflow_name: Mapped[str | None] = mapped_column(String(255))
    workflow_namespace: Mapped[str | None] = mapped_column(String(255))
    spec: Mapped[Any] = json_column()
    state: Mapped[str | None] = mapped_column(String(20), index=True)
    state_info: Mapped[str | None] = mapped_column(LongText())
    tags: Mapped[Any] = json_column()
    runtime_context: Mapped[Any] = json_column(limited=True)


class WorkflowExecution(_Execution, Base):
    __tablename__ = "workflow_executions_v2"
    __table_args__ = (Index(None, "created_at"), TABLE_OPTIONS)
    __display_name__ = "Workflow execution"

    workflow_id: Mapped[str | None] = mapped_column(String(80), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    input: Mapped[Any] = json_column(limited=True)
    output: Mapped[Any] = json_column(limited=True)
    params: Mapped[Any] = json_column(limited=True)
    context: Mapped[Any] = json_column(limited=True)
    # The task execution that started this one as a subworkflow (no FK: a cycle).
    task_execution_id: Mapped[str | None] = mapped_column(String(36), index=True)
    root_execution_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Ours: the cron or event trigger that started it (``?trigger_id=`` lists them).
    trigger_id: Mapped[str | None] = mapped_column(String(36), index=True, sort_order=12)
    # Ours: the engine that currently drives it, and when the reconciler looks again.
    owner: Mapped[str | None] = mapped_column(String(255))
    # Ours: the RequestContext.to_dict() it was started with; every event acts as it.
    # Never rendered by the API (it holds the token).
    auth_context: Mapped[Any] = json_column()
    next_check_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime(), index=True)


class TaskExecution(_Execution, Base):
    __tablename__ = "task_executions_v2"
    __table_args__ = (
        Index(None, "state", "updated_at"),
        Index(None, "created_at"),
        # an execution's tasks in some states (completion, resume, cancel): an index
        # range, not a scan of all its tasks
        Index(None, "workflow_execution_id", "state"),
        TABLE_OPTIONS,
    )
    __display_name__ = "Task execution"

    workflow_execution_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("workflow_executions_v2.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    workflow_id: Mapped[str | None] = mapped_column(String(80))
    action_spec: Mapped[Any] = json_column()
    in_context: Mapped[Any] = json_column(limited=True)
    published: Mapped[Any] = json_column(limited=True)
    processed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    unique_key: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(10))
    started_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    has_next_tasks: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error_handled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    next_tasks: Mapped[Any] = json_column()
    # Ours: with-items and join bookkeeping, updated under the execution lock.
    items_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    items_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    join_pending: Mapped[int | None] = mapped_column(Integer)


class ActionExecution(_Execution, Base):
    __tablename__ = "action_executions_v2"
    __table_args__ = (
        Index(None, "state", "last_heartbeat"),
        Index(None, "created_at"),
        TABLE_OPTIONS,
    )
    __display_name__ = "Action execution"

    task_execution_id: Mapped[str | None] = mapped_column(
        String(36),
        ForeignKey("task_executions_v2.id", ondelete="CASCADE"),
        index=True,
    )
    workflow_execution_id: Mapped[str | None] = mapped_column(String(36), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    input: Mapped[Any] = json_column(limited=True)
    output: Mapped[Any] = json_column(limited=True)
    is_sync: Mapped[bool | None] = mapped_column(Boolean)
    last_heartbeat: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    executor_host: Mapped[str | None] = mapped_column(String(255))
    #: the executor process (``host:pid:uuid``) whose claim was granted for this send
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    #: Ours: a standalone action's (``run-action``) RequestContext.to_dict(), which its
    #: repairs act as (an action of a workflow acts as its execution's). Never rendered.
    auth_context: Mapped[Any] = json_column()


class CronTrigger(_Owned, Base):
    __tablename__ = "cron_triggers_v2"
    __table_args__ = (UniqueConstraint("name", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Cron trigger"
    __natural_key__ = ("name",)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    pattern: Mapped[str | None] = mapped_column(String(100))
    first_execution_time: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    next_execution_time: Mapped[datetime.datetime | None] = mapped_column(
        UTCDateTime(), index=True
    )
    workflow_name: Mapped[str | None] = mapped_column(String(255))
    workflow_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workflow_definitions_v2.id"), index=True
    )
    workflow_input: Mapped[Any] = json_column()
    workflow_params: Mapped[Any] = json_column()
    remaining_executions: Mapped[int | None] = mapped_column(Integer)
    trust_id: Mapped[str | None] = mapped_column(String(80))
    # Ours: the creator's RequestContext.to_dict() (no token when a trust stands for
    # it); every execution the trigger starts acts as it. Never rendered by the API.
    auth_context: Mapped[Any] = json_column()


class Environment(_Owned, Base):
    __tablename__ = "environments_v2"
    __table_args__ = (UniqueConstraint("name", "project_id"), TABLE_OPTIONS)
    __display_name__ = "Environment"
    __natural_key__ = ("name",)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(LongText())
    variables: Mapped[Any] = json_column()


class EventTrigger(_Owned, Base):
    __tablename__ = "event_triggers_v2"
    __table_args__ = (
        UniqueConstraint("exchange", "topic", "event", "workflow_id", "project_id"),
        TABLE_OPTIONS,
    )
    __display_name__ = "Event trigger"
    __natural_key__ = ("exchange", "topic", "event", "workflow_id")

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    workflow_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("workflow_definitions_v2.id"), nullable=False
    )
    workflow_input: Mapped[Any] = json_column()
    workflow_params: Mapped[Any] = json_column()
    exchange: Mapped[str] = mapped_column(String(80), nullable=False)
    topic: Mapped[str] = mapped_column(String(80), nullable=False)
    event: Mapped[str] = mapped_column(String(80), nullable=False)
    trust_id: Mapped[str | None] = mapped_column(String(80))
    # Ours: as CronTrigger.auth_context.
    auth_context: Mapped[Any] = json_column()


class ResourceMember(Base):
    """A resource (workflow, workbook) of ``project_id`` shared with ``member_id``."""

    __tablename__ = "resource_members_v2"
    __table_args__ = (
        UniqueConstraint("resource_id", "resource_type", "member_id"),
        Index(None, "member_id"),
        TABLE_OPTIONS,
    )
    __display_name__ = "Resource member"
    __natural_key__ = ("resource_id", "resource_type", "member_id")
    __project_scoped__ = False  # filtered by owner OR member, see repositories

    resource_id: Mapped[str] = mapped_column(String(80), nullable=False)
    resource_type: Mapped[str] = mapped_column(String(50), nullable=False, default="workflow")
    project_id: Mapped[str] = mapped_column(String(80), nullable=False)
    member_id: Mapped[str] = mapped_column(String(80), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")


class ScheduledJob(Base):
    """A durable timer: ``handler`` is a stable key such as 'task.timeout'."""

    __tablename__ = "scheduled_jobs_v2"
    __table_args__ = (Index(None, "run_at"), Index(None, "captured_at"), TABLE_OPTIONS)
    __display_name__ = "Scheduled job"
    __natural_key__ = ("key",)
    __project_scoped__ = False  # internal; run with the stored auth_ctx

    handler: Mapped[str] = mapped_column(String(100), nullable=False)
    args: Mapped[Any] = json_column()
    run_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime(), nullable=False)
    key: Mapped[str | None] = mapped_column(String(250), unique=True)
    captured_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime())
    captured_by: Mapped[str | None] = mapped_column(String(255))
    auth_ctx: Mapped[Any] = json_column()


ALL_MODELS: tuple[type[Base], ...] = (
    Workbook,
    WorkflowDefinition,
    ActionDefinition,
    CodeSource,
    DynamicActionDefinition,
    WorkflowExecution,
    TaskExecution,
    ActionExecution,
    CronTrigger,
    Environment,
    EventTrigger,
    ResourceMember,
    ScheduledJob,
)
