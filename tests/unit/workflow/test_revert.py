"""The revert planner: which tasks, in which order, what happens when a revert fails."""

from __future__ import annotations

from mistral import lang
from mistral.workflow import revert
from mistral.workflow.commands import EndRevert, RevertTask
from mistral.workflow.revert import RanTask, RevertState

UPGRADE = lang.parse_workflow("""
version: '2.0'
upgrade:
  revert-on-error: true
  tasks:
    stop_service:
      revert: std.echo output=start
      on-success: backup_db
    backup_db:
      revert: std.echo output=drop-backup
      on-success: upgrade_db
    upgrade_db:
      revert: std.echo output=restore
      on-success: upgrade_app
    upgrade_app:
      revert: std.echo output=downgrade
      on-success: start_service
    start_service: {}
""")

# the execution's completion counter: (started, finished) of a chain
CHAIN = [RanTask("1", "stop_service", 0, 1), RanTask("2", "backup_db", 1, 2),
         RanTask("3", "upgrade_db", 2, 3), RanTask("4", "upgrade_app", 3, 4, failed=True)]


def _names(cmds: tuple) -> list[str]:
    return [c.task_name for c in cmds if isinstance(c, RevertTask)]


def _drive(spec: object, ran: list[RanTask], fail: set[str] = frozenset()
           ) -> tuple[list[list[str]], RevertState, EndRevert | None]:
    """Run every revert in waves (each wave finishes together); failures as given."""
    d = revert.plan(spec, ran, "Failure caused by error in tasks: upgrade_app\n", "ERROR")
    waves: list[list[str]] = []
    end = None
    state = d.state
    cmds = d.commands
    while cmds:
        wave = [c for c in cmds if isinstance(c, RevertTask)]
        end = next((c for c in cmds if isinstance(c, EndRevert)), end)
        if not wave:
            break
        waves.append([c.task_name for c in wave])
        cmds = ()
        for c in wave:
            d = revert.on_revert_done(state, c.task_ex_id, c.task_name not in fail,
                                      f"r-{c.task_ex_id}", "boom")
            state = d.state
            cmds += d.commands
    return waves, state, end


def test_a_chain_is_reverted_failed_task_first_then_in_reverse_order() -> None:
    waves, state, end = _drive(UPGRADE, CHAIN)
    assert waves == [["upgrade_app"], ["upgrade_db"], ["backup_db"], ["stop_service"]]
    assert end is not None and end.state == "ERROR"
    assert end.msg.startswith("Failure caused by error in tasks: upgrade_app\n\n")
    assert "every revert succeeded: upgrade_app, upgrade_db, backup_db, stop_service" in end.msg
    assert state.done and not state.pending and not state.running


def test_one_wave_at_a_time() -> None:
    d = revert.plan(UPGRADE, CHAIN, "f", "ERROR")
    assert _names(d.commands) == ["upgrade_app"]
    d2 = revert.on_revert_done(d.state, "4", True, "r4")
    assert _names(d2.commands) == ["upgrade_db"]
    # a result for a revert that is not running changes nothing
    assert revert.on_revert_done(d2.state, "4", True, "r4").commands == ()
    assert revert.RevertState.from_dict(d2.state.to_dict()) == d2.state


PARALLEL = lang.parse_workflow("""
version: '2.0'
branches:
  revert-on-error: true
  tasks:
    prepare:
      revert: std.noop
      on-success: [left, right]
    left:
      revert: std.noop
      on-success: joined
    right:
      revert: std.noop
      on-success: joined
    joined:
      join: all
      revert: std.noop
      on-success: broken
    broken:
      revert: std.noop
""")


def test_parallel_branches_are_reverted_in_parallel() -> None:
    ran = [RanTask("p", "prepare", 0, 1), RanTask("l", "left", 1, 3),
           RanTask("r", "right", 1, 2), RanTask("j", "joined", 3, 4),
           RanTask("b", "broken", 4, 5, failed=True)]
    waves, _, end = _drive(PARALLEL, ran)
    assert waves == [["broken"], ["joined"], ["left", "right"], ["prepare"]]
    assert end is not None


def test_a_task_without_revert_is_skipped_but_keeps_the_order() -> None:
    ran = CHAIN[:2] + [RanTask("3", "start_service", 2, 3), RanTask("4", "upgrade_app", 3, 4,
                                                                      failed=True)]
    waves, _, _ = _drive(UPGRADE, ran)
    assert waves == [["upgrade_app"], ["backup_db"], ["stop_service"]]


def test_a_failed_revert_stops_the_rest_and_says_so() -> None:
    waves, state, end = _drive(UPGRADE, CHAIN, fail={"upgrade_db"})
    assert waves == [["upgrade_app"], ["upgrade_db"]]
    assert end is not None and end.state == "ERROR"
    assert "Revert failed" in end.msg
    assert "  revert:upgrade_db [task_ex_id=r-3] -> boom" in end.msg
    assert "Reverted: upgrade_app\n" in end.msg
    assert "Not reverted: backup_db, stop_service, upgrade_db" in end.msg
    # asked again, only what is not reverted yet is reverted
    again = revert.plan(UPGRADE, CHAIN, "f", "ERROR", previous=state)
    assert _names(again.commands) == ["upgrade_db"]
    assert [r.name for r in again.state.reverted] == ["upgrade_app"]


def test_a_failed_parallel_revert_lets_its_sibling_finish() -> None:
    ran = [RanTask("p", "prepare", 0, 1), RanTask("l", "left", 1, 3),
           RanTask("r", "right", 1, 2)]
    d = revert.plan(PARALLEL, ran, "f", "CANCELLED")
    assert sorted(_names(d.commands)) == ["left", "right"]
    d = revert.on_revert_done(d.state, "l", False, "rl", "nope")
    assert d.commands == ()  # right still runs
    d = revert.on_revert_done(d.state, "r", True, "rr")
    end, = d.commands
    assert isinstance(end, EndRevert) and end.state == "CANCELLED"
    assert "Reverted: right" in end.msg and "Not reverted: prepare, left" in end.msg


def test_nothing_to_revert() -> None:
    assert revert.plan(UPGRADE, [RanTask("5", "start_service", 0, 1)], "f", "ERROR") == \
        revert.RevertDecision()
    done = revert.plan(UPGRADE, CHAIN[:1], "f", "ERROR")
    state = revert.on_revert_done(done.state, "1", True, "r1").state
    assert revert.plan(UPGRADE, CHAIN[:1], "f", "ERROR", previous=state).state is None
