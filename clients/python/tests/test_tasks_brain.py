"""The task half of the contract against the real brain ($BRAIN_BIN): task events,
projects, commands to agents, schedules, watch.

Each test is skipped, with the brain's own message, when the binary is missing or when
it answers UNIMPLEMENTED for what the test needs (brain_process.require); against a
brain that implements it, it runs. The same client calls are checked against the
FakeBrain in test_tasks_fake.py.
"""
import threading
import time
import uuid

import pytest

from brain_client import BrainClient, BrainError, BrainReader, CommandOutcome, Schedule
from brain_process import require


def wait_for(pred, timeout=15.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
        except BrainError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def agent_name():
    return "t-" + uuid.uuid4().hex[:8]


def tid():
    return "task-" + uuid.uuid4().hex


def finished(reader, command_id, timeout=15.0):
    return wait_for(lambda: (lambda c: c if c["state"] in ("succeeded", "failed", "timed_out") else None)(
        reader.get_command(command_id)), timeout, what=f"command {command_id} to finish")


# ---------------------------------------------------------------- task events


def test_task_events_are_merged_and_read_back(brain):
    require(brain.socket, "task_events", "tasks")
    ok, bad = tid(), tid()
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        t0 = time.time_ns()
        c.task_event(ok, "sent", attempt=1, name="app.add", queue="q", group_id="g", args=[1, 2], kwargs={"n": 1},
                     ts=t0)
        c.task_event(ok, "succeeded", attempt=1, ts=t0 + 2_000_000, payload={"result": 3})
        c.task_event(ok, "started", ts=t0 + 1_000_000)  # late, attempt unknown: history (rule 5)
        c.task_event(bad, "sent", attempt=1, name="app.boom")
        c.task_event(bad, "failed", attempt=1, exc_type="KeyError", exc_message="'k'", traceback="Traceback ...")
        c.flush(10)
        assert not c.rejections, list(c.rejections)
        t = r.get_task(ok)
        assert (t["state"], t["name"], t["queue"], t["group_id"], t["attempt"]) == ("succeeded", "app.add", "q", "g", 1)
        assert (t["args"], t["kwargs"], t["engine"], t["event_count"]) == ([1, 2], {"n": 1}, "celery", 3)
        assert t["enqueued_at"] and t["finished_at"] and t["agent_id"] == c.agent_id
        assert [e["kind"] for e in t["events"]] == ["sent", "succeeded", "started"]  # as applied
        for e in t["events"]:
            assert e["ts"] and e["created_at"] and e["agent_id"] == c.agent_id and e["rule"]
        b = r.get_task(bad)
        assert b["state"] == "failed" and b["error"]["exc_type"] == "KeyError" and b["error"]["exc_msg"] == "'k'"
        ids = {x["task_id"] for x in r.list_tasks(state=["failed", "succeeded"], limit=0)}
        assert {ok, bad} <= ids
        assert bad not in {x["task_id"] for x in r.list_tasks(state="succeeded", limit=0)}
        stats = {s["name"]: s for s in r.get_task_stats()}
        assert stats["app.boom"]["counts"]["failed"] >= 1 and stats["app.boom"]["failure_rate"] == 1.0


def test_a_later_attempt_restarts_and_retry_bypasses(brain):
    require(brain.socket, "task_events", "tasks")
    t = tid()
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        c.task_event(t, "started", attempt=1, name="app.flaky")
        c.task_event(t, "failed", attempt=1, exc_type="IOError")
        c.task_event(t, "retry", attempt=1, exc_type="IOError")  # retry beats failed (rule 3)
        c.flush(10)
        assert r.get_task(t)["state"] == "retried"
        c.task_event(t, "started", attempt=2)
        c.task_event(t, "succeeded", attempt=2)
        c.task_event(t, "failed", attempt=1)  # an old attempt: history (rule 2)
        c.flush(10)
        got = r.get_task(t)
    assert (got["state"], got["attempt"], got["error"]) == ("succeeded", 2, None)


def test_task_args_are_redacted_and_kept_within_limits(brain):
    require(brain.socket, "task_events", "tasks")
    t = tid()
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        c.task_event(t, "failed", attempt=1, name="app.x", args=["x" * 50_000],
                     kwargs={"db_password": "hunter2", "dsn": "postgres://app:s3cret@db/prod", "n": 1},
                     exc_message="login with token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl failed",
                     traceback="Traceback\n" * 5000)
        c.flush(10)
        assert not c.rejections, list(c.rejections)
        got = r.get_task(t)
    assert got["kwargs"]["db_password"] == "[REDACTED]" and got["kwargs"]["n"] == 1
    assert "s3cret" not in got["kwargs"]["dsn"] and "hunter2" not in str(got)
    assert "eyJzdWIiOiIxIn0" not in got["error"]["exc_msg"]
    assert len(got["error"]["traceback_redacted"].encode()) <= 16 * 1024 + 64


def test_task_events_survive_a_brain_restart(brain):
    require(brain.socket, "task_events", "tasks")
    ids = [tid() for _ in range(20)]
    with BrainClient(brain.socket, agent=agent_name(), reconnect_timeout=60) as c:
        for t in ids[:10]:
            c.task_event(t, "sent", attempt=1, name="app.r")
        brain.kill()
        wait_for(lambda: not c.connected, 5, what="the client to notice")
        for t in ids[10:]:
            c.task_event(t, "sent", attempt=1, name="app.r")  # buffered
        brain.start()
        for t in ids:
            c.task_event(t, "succeeded", attempt=1)
        c.flush(60)
        assert not c.rejections, list(c.rejections)
    with BrainReader(brain.socket) as r:
        for t in ids:
            got = r.get_task(t)
            assert got["state"] == "succeeded" and got["event_count"] == 2, got


def test_watch_follows_tasks(brain):
    require(brain.socket, "task_events", "tasks")
    t = tid()
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        with r.watch(tasks=True, runs=False, idle_timeout=10) as w:
            time.sleep(0.3)
            c.task_event(t, "sent", attempt=1, name="app.w")
            c.task_event(t, "succeeded", attempt=1)
            c.flush(10)
            states = []
            for event in w:
                assert event["type"] == "task"
                if event["task_id"] == t:
                    states.append(event["state"])
                    if event["state"] == "succeeded":
                        break
    assert states[-1] == "succeeded"


# ---------------------------------------------------------------- projects


def test_projects(brain):
    require(brain.socket, "projects")
    name = "p-" + uuid.uuid4().hex[:8]
    with BrainReader(brain.socket) as r:
        assert "default" in [p["name"] for p in r.list_projects()]
        p = r.create_project(name, {"time_zone": "Europe/Riga", "allowed_keys": ["token_count"]})
        assert p["name"] == name and p["project_id"] and p["created_at"]
        with pytest.raises(BrainError) as ei:
            r.create_project(name)
        assert ei.value.code == "ALREADY_EXISTS"
        u = r.update_project(name, extra_key_patterns=["*_pin"])
        assert u["settings"]["time_zone"] == "Europe/Riga" and u["settings"]["extra_key_patterns"] == ["*_pin"]
        assert r.get_project(name)["settings"]["allowed_keys"] == ["token_count"]
        with pytest.raises(BrainError) as ei:
            r.get_project("nope-" + uuid.uuid4().hex[:6])
        assert ei.value.code == "NOT_FOUND"


# ---------------------------------------------------------------- commands


def test_retry_and_cancel_commands_reach_the_agent(brain):
    require(brain.socket, "task_events", "tasks", "commands")
    old, new = tid(), tid()
    seen = []
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        @c.on_command(kinds="retry_task")
        def retry(command):
            seen.append(command)
            c.task_event(new, "sent", attempt=1, name=command.task_name)
            return CommandOutcome(True, "sent again", new_task_id=new)

        @c.on_command(kinds="cancel_task")
        def cancel(command):
            raise RuntimeError("cannot cancel here")

        c.task_event(old, "failed", attempt=1, name="app.boom", kwargs={"password": "hunter2"})
        c.flush(10)
        cmd = r.retry_task(old, deadline=10)
        assert (cmd["kind"], cmd["task_id"]) == ("retry_task", old)
        done = finished(r, cmd["command_id"])
        assert (done["state"], done["new_task_id"], done["result_message"]) == ("succeeded", new, "sent again")
        assert done["received_at"] and done["finished_at"] and not done["late"]
        assert r.get_task(old)["retried_as"] == new
        assert seen[0].task_name == "app.boom" and seen[0].deadline
        failed = finished(r, r.cancel_task(old, deadline=10)["command_id"])
        assert (failed["state"], failed["result_message"]) == ("failed", "RuntimeError: cannot cancel here")
        assert failed["command_id"] in {x["command_id"] for x in r.list_commands(state="failed", limit=0)}


def test_a_command_waits_for_an_offline_agent_until_its_deadline(brain):
    require(brain.socket, "task_events", "tasks", "commands")
    name, t, gone = agent_name(), tid(), tid()
    with BrainReader(brain.socket) as r:
        with BrainClient(brain.socket, agent=name) as c:
            c.task_event(t, "started", attempt=1, name="app.slow")
            c.task_event(gone, "started", attempt=1, name="app.slow")
            c.flush(10)
            open_then = r.stats()["connections"]
        # The brain has seen the agent's connection close before the commands are asked for
        # (otherwise one may go out on it at once: "delivered", not "pending").
        wait_for(lambda: r.stats()["connections"] < open_then, what="the agent's connection closed")
        waiting = r.cancel_task(t, deadline=30)
        expiring = r.cancel_task(gone, deadline=0.5)
        assert r.get_command(waiting["command_id"])["state"] == "pending"
        assert finished(r, expiring["command_id"])["state"] == "timed_out"
        with BrainClient(brain.socket, agent=name) as c:
            c.on_command(lambda command: "revoked", kinds="cancel_task")
            assert finished(r, waiting["command_id"])["state"] == "succeeded"


# ---------------------------------------------------------------- schedules


def test_schedules_listing_fires_and_enable(brain):
    require(brain.socket, "schedule_events", "schedules", "commands")
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        toggled = threading.Event()

        @c.on_command(kinds=["enable_schedule", "disable_schedule"])
        def toggle(command):
            c.schedule_upsert(command.scheduler, Schedule(command.schedule_name, "app.tick", "interval", "30",
                                                          enabled=command.kind == "enable_schedule"))
            toggled.set()

        c.report_schedules("celery-beat", [
            Schedule("tick", "app.tick", "interval", "30", kwargs={"api_token": "s3cr3t"}),
            Schedule("nightly", "app.report", "cron", "30 3 * * mon-fri", dialect="celery"),
            Schedule("sun", "app.sun", "unsupported", "solar sunset 56.9 24.1"),
        ], complete=True)
        c.flush(10)
        assert not c.rejections, list(c.rejections)
        listed = {s["name"]: s for s in r.list_schedules(agent=c.agent_id)}
        assert set(listed) == {"tick", "nightly", "sun"}
        assert listed["tick"]["kwargs"]["api_token"] == "[REDACTED]"
        assert listed["nightly"]["dialect"] == "celery" and listed["nightly"]["next_run_at"]
        assert listed["sun"]["next_run_at"] is None and listed["sun"]["problem"]
        # By exact name, and scheduler: the brain filters, nothing is paged through here.
        assert [s["name"] for s in r.list_schedules(name="nightly", agent=c.agent_id)] == ["nightly"]
        assert r.list_schedules(name="night", agent=c.agent_id) == []
        assert r.list_schedules(name="nightly", scheduler="other-beat", agent=c.agent_id) == []
        detail = r.get_schedule("celery-beat", "nightly", next_runs=3)
        assert len(detail["next_runs"]) == 3
        c.schedule_fired("celery-beat", "tick", task_id=tid())
        c.report_schedules("celery-beat", [Schedule("extra", "app.x", "interval", "60")], complete=False)
        c.flush(10)
        assert r.get_schedule("celery-beat", "tick")["last_run_at"]
        assert {s["name"] for s in r.list_schedules(agent=c.agent_id)} == {"tick", "nightly", "sun", "extra"}
        c.schedule_delete("celery-beat", "extra")
        c.flush(10)
        assert "extra" not in {s["name"] for s in r.list_schedules(agent=c.agent_id)}
        done = finished(r, r.set_schedule_enabled("celery-beat", "tick", False, deadline=10)["command_id"])
        assert done["state"] == "succeeded" and toggled.is_set()
        c.flush(10)
        assert r.get_schedule("celery-beat", "tick")["enabled"] is False
        assert "tick" in {s["name"] for s in r.list_schedules(enabled=False, agent=c.agent_id)}
