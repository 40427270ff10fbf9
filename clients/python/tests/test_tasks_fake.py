"""The task half of the client against the FakeBrain: task events, schedules, commands
to the agent, and the reader's project/task/command/schedule calls.

The FakeBrain merges task events by a reduced rule and redacts nothing: these tests
check what the client sends and how it reads replies; test_tasks_brain.py checks the
same against the real brain.
"""
import json
import math
import threading
import time
import uuid

import pytest

from brain_client import (BrainClient, BrainError, BrainReader, Command, CommandOutcome, InvalidJSONValue,
                          Schedule, brain_pb2 as pb)
from brain_client.tasks import TRACEBACK_LIMIT, VALUE_LIMIT


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    return None


def task_events(fake_brain):
    return [e for e in fake_brain.received if e.WhichOneof("event") == "task_event"]


# ---------------------------------------------------------------- task events


def test_task_event_fields_and_seq(fake_brain):
    with BrainClient(fake_brain.path, agent="te") as brain:
        before = time.time_ns()
        s1 = brain.task_event("t-1", "task_sent", attempt=1, name="app.add", queue="celery", group_id="g-1",
                              args=[1, 2], kwargs={"z": None})
        s2 = brain.task_event("t-1", "started", attempt=1, ts=1_700_000_000.5)
        s3 = brain.task_event("t-1", "failed", attempt=1, exc_type="ValueError", exc_message="bad",
                              traceback="Traceback ...\nValueError: bad", payload={"hostname": "w1"})
        brain.flush(5)
        assert (s1, s2, s3) == (1, 2, 3)
    sent, started, failed = [e.task_event for e in task_events(fake_brain)]
    assert (sent.task_id, sent.engine, sent.kind, sent.attempt) == ("t-1", "celery", pb.TASK_EVENT_SENT, 1)
    assert (sent.name, sent.queue, sent.group_id) == ("app.add", "celery", "g-1")
    assert (sent.args_json, sent.kwargs_json) == ("[1,2]", '{"z":null}')
    assert before <= sent.ts <= time.time_ns()  # the agent's clock
    assert started.ts == 1_700_000_000_500_000_000
    assert (failed.kind, failed.exc_type, failed.exc_message) == (pb.TASK_EVENT_FAILED, "ValueError", "bad")
    assert failed.payload_json == '{"hostname":"w1"}'
    info = fake_brain.tasks["t-1"]["info"]
    assert info.state == pb.TASK_STATE_FAILED and info.error.exc_type == "ValueError"


@pytest.mark.parametrize("kind, code", [("sent", pb.TASK_EVENT_SENT), ("TASK_EVENT_STARTED", pb.TASK_EVENT_STARTED),
                                        ("succeeded", pb.TASK_EVENT_SUCCEEDED), ("retried", pb.TASK_EVENT_RETRY),
                                        ("retry", pb.TASK_EVENT_RETRY), ("cancelled", pb.TASK_EVENT_CANCELLED),
                                        ("expired", pb.TASK_EVENT_EXPIRED), (pb.TASK_EVENT_FAILED, pb.TASK_EVENT_FAILED)])
def test_task_event_kinds(kind, code):
    from brain_client.tasks import task_event_kind_value

    assert task_event_kind_value(kind) == code


def test_task_event_refuses_bad_values_and_publishes_nothing(fake_brain):
    with BrainClient(fake_brain.path, agent="tbad") as brain:
        brain.task_event("t", "sent")
        with pytest.raises(InvalidJSONValue, match=r"task_event args\[1\]: NaN is not valid JSON"):
            brain.task_event("t", "started", args=[1, math.nan])
        with pytest.raises(InvalidJSONValue, match=r"task_event kwargs\['x'\]: Infinity"):
            brain.task_event("t", "started", kwargs={"x": math.inf})
        with pytest.raises(InvalidJSONValue, match="payload"):
            brain.task_event("t", "started", payload={"n": -math.inf})
        with pytest.raises(ValueError, match="task_event ts: nan is not a time"):
            brain.task_event("t", "started", ts=math.nan)
        with pytest.raises(ValueError, match="ts: inf is not a time"):
            brain.task_event("t", "started", ts=math.inf)
        with pytest.raises(ValueError, match="unknown value 'bogus'"):
            brain.task_event("t", "bogus")
        with pytest.raises(ValueError, match="needs a task_id"):
            brain.task_event("", "sent")
        assert brain.last_seq == 1  # nothing published, no seq used
        assert brain.task_event("t", "started") == 2
        brain.flush(5)
    assert [e.seq for e in task_events(fake_brain)] == [1, 2]


def test_task_event_values_are_kept_within_the_brains_limits(fake_brain):
    secret = "postgres://app:hunter2hunter2@db/prod"
    long_text = ("word " * 3000) + secret + (" tail" * 10)
    with BrainClient(fake_brain.path, agent="tlim") as brain:
        brain.task_event("big", "failed", args=["x" * 20_000, list(range(5000))], kwargs={"blob": long_text},
                         exc_message=long_text, traceback="line\n" * 10_000 + "ValueError: the end",
                         payload={f"k{i}": i for i in range(5000)})
        brain.flush(5)
    ev = task_events(fake_brain)[0].task_event
    for field in ("args_json", "kwargs_json", "payload_json"):
        text = getattr(ev, field)
        assert len(text.encode()) <= VALUE_LIMIT, field
        json.loads(text)  # still valid JSON
    assert "more items left out by brain_client" in ev.args_json
    assert len(ev.exc_message.encode()) <= VALUE_LIMIT
    assert ev.exc_message.endswith("more bytes]") and "hunter2" not in ev.exc_message
    assert len(ev.traceback.encode()) <= TRACEBACK_LIMIT
    assert ev.traceback.startswith("[truncated by brain_client:") and ev.traceback.endswith("ValueError: the end")
    assert ev.ByteSize() <= 64 * 1024


def test_clip_text_never_sends_a_token_in_part():
    from brain_client.tasks import clip_text

    token = "sk_live_" + "A" * 60
    text = "a" * 70 + " " + token + " end"
    clipped = clip_text(text, 130)  # room for the a's, the marker and part of the token
    assert len(clipped.encode()) <= 130
    assert "sk_live" not in clipped and clipped.startswith("a" * 70)
    assert clip_text("short", 100) == "short"
    assert clip_text("é" * 100, 60).count("é") <= 30  # cut on a UTF-8 boundary
    tail = clip_text("x" * 200 + "\nlast line", 60, keep="tail")
    assert tail.endswith("\nlast line") and "x" not in tail


def test_jsonable_never_raises():
    from brain_client.tasks import jsonable

    class Weird:
        def __repr__(self):
            raise RuntimeError("no repr")

    loop = []
    loop.append(loop)
    got = jsonable({"nan": math.nan, "inf": -math.inf, "b": b"\x00\xff", "set": {2, 1}, "t": (1, 2), "w": Weird(),
                    1: "int key", "loop": loop})
    assert json.loads(json.dumps(got, allow_nan=False)) == got
    assert got["nan"] == "NaN" and got["inf"] == "-Infinity" and got["set"] == [1, 2] and got["t"] == [1, 2]
    assert got["b"] == "b'\\x00\\xff'" and "repr failed" in got["w"] and got["1"] == "int key"
    assert got["loop"] == ["[circular reference]"]


def test_task_events_are_resent_after_a_reconnect(fake_brain):
    with BrainClient(fake_brain.path, agent="tres", reconnect_timeout=10) as brain:
        brain.task_event("r-1", "sent", attempt=1)
        brain.flush(5)
        fake_brain.hold_acks = True
        brain.task_event("r-1", "started", attempt=1)
        brain.task_event("r-1", "succeeded", attempt=1)
        assert wait_for(lambda: len(fake_brain.received) == 3)
        # The brain loses the last one (not durable yet) and restarts.
        del fake_brain.received[-1]
        fake_brain.agents["tres"]["last_seq"] = 2
        fake_brain.crash()
        brain.task_event("r-2", "sent", attempt=1)  # buffered while down
        fake_brain.hold_acks = False
        fake_brain.start()
        brain.flush(15)
        assert wait_for(lambda: brain.reconnects >= 1)
    assert [(e.seq, e.task_event.task_id, e.task_event.kind) for e in fake_brain.received] == [
        (1, "r-1", pb.TASK_EVENT_SENT), (2, "r-1", pb.TASK_EVENT_STARTED), (3, "r-1", pb.TASK_EVENT_SUCCEEDED),
        (4, "r-2", pb.TASK_EVENT_SENT)]


# ---------------------------------------------------------------- schedules


def test_schedule_listing_upsert_delete_fired(fake_brain):
    every = Schedule(name="every-5s", task="app.tick", type="interval", expression="5", args=[1],
                     kwargs={"k": "v"}, metadata={"timezone": "UTC"})
    nightly = {"name": "nightly", "task": "app.report", "type": "cron", "expression": "0 3 * * mon-fri",
               "dialect": "celery", "last_run_at": 1_700_000_000.0}  # Unix seconds
    with BrainClient(fake_brain.path, agent="beat-1") as brain:
        brain.report_schedules("celery-beat", [every, nightly], complete=True)
        brain.flush(5)
        assert set(fake_brain.schedules) == {("celery-beat", "every-5s"), ("celery-beat", "nightly")}
        listing = [e.schedule_listing for e in fake_brain.received if e.WhichOneof("event") == "schedule_listing"][0]
        assert listing.complete and listing.scheduler == "celery-beat"
        r_every, r_nightly = listing.schedules
        assert (r_every.type, r_every.expression, r_every.dialect) == (pb.SCHEDULE_TYPE_INTERVAL, "5",
                                                                       pb.CRON_DIALECT_VIXIE)
        assert (r_every.args_json, r_every.kwargs_json, r_every.enabled) == ("[1]", '{"k":"v"}', True)
        assert (r_nightly.type, r_nightly.dialect) == (pb.SCHEDULE_TYPE_CRON, pb.CRON_DIALECT_CELERY)
        assert r_nightly.last_run_at == 1_700_000_000 * 10**9
        # A partial listing only upserts ...
        brain.report_schedules("celery-beat", [Schedule("extra", "app.x", "date", "2030-01-01T00:00:00Z")],
                               complete=False)
        brain.flush(5)
        assert len(fake_brain.schedules) == 3
        # ... a complete one removes what it does not name.
        brain.report_schedules("celery-beat", [every], complete=True)
        brain.flush(5)
        assert set(fake_brain.schedules) == {("celery-beat", "every-5s")}
        brain.schedule_upsert("celery-beat", Schedule("solar", "app.sun", "unsupported", "solar sunset 1 2",
                                                      enabled=False))
        brain.schedule_fired("celery-beat", "every-5s", task_id="task-9", at=1_800_000_000.0)
        brain.schedule_delete("celery-beat", "solar")
        brain.flush(5)
        with pytest.raises(ValueError, match="unknown value 'weekly'"):
            brain.schedule_upsert("celery-beat", Schedule("bad", "t", "weekly", "x"))
        with pytest.raises(ValueError, match="scheduler name is required"):
            brain.schedule_fired("", "every-5s")
        with pytest.raises(ValueError, match="schedule_fired at: nan is not a time"):
            brain.schedule_fired("celery-beat", "every-5s", at=math.nan)
    fired = fake_brain.fires[0]
    assert (fired.name, fired.task_id, fired.at) == ("every-5s", "task-9", 1_800_000_000 * 10**9)
    assert set(fake_brain.schedules) == {("celery-beat", "every-5s")}
    upserts = [e.schedule_upsert for e in fake_brain.received if e.WhichOneof("event") == "schedule_upsert"]
    assert upserts[0].type == pb.SCHEDULE_TYPE_UNSUPPORTED and upserts[0].enabled is False


def test_rejected_schedule_event_is_reported(fake_brain):
    with BrainClient(fake_brain.path, agent="beat-rej") as brain:
        seq = brain.schedule_fired("celery-beat", "unknown")
        brain.flush(5)
        rej = wait_for(lambda: list(brain.rejections))
    assert (rej[0].seq, rej[0].kind, rej[0].code, rej[0].run_id, rej[0].task_id) == (
        seq, "schedule_fired", "NOT_FOUND", None, None)


# ---------------------------------------------------------------- commands


def command_events(fake_brain):
    return list(fake_brain.command_events)


def test_retry_command_runs_the_handler_and_reports_the_new_task(fake_brain):
    seen = []
    with BrainClient(fake_brain.path, agent="w1") as brain, BrainReader(fake_brain.path) as reader:
        @brain.on_command(kinds="retry_task")
        def retry(command):
            seen.append(command)
            return CommandOutcome(True, "sent again", new_task_id="t-new")

        brain.task_event("t-old", "failed", attempt=1, name="app.add")
        brain.flush(5)
        cmd = reader.retry_task("t-old", deadline=30)
        assert (cmd["kind"], cmd["state"], cmd["task_id"]) == ("retry_task", "pending", "t-old")
        done = reader.wait_command(cmd["command_id"], timeout=10)
        assert (done["state"], done["result_message"], done["new_task_id"]) == ("succeeded", "sent again", "t-new")
        assert done["deadline"] and done["received_at"] and done["finished_at"]
        assert reader.get_task("t-old")["retried_as"] == "t-new"
    [command] = seen
    assert isinstance(command, Command)
    assert (command.kind, command.task_id, command.engine, command.task_name) == ("retry_task", "t-old", "celery",
                                                                                  "app.add")
    assert command.deadline > time.time_ns()
    assert command_events(fake_brain) == [("received", cmd["command_id"]), ("result", cmd["command_id"])]


@pytest.mark.parametrize("returned, ok, message", [(None, True, ""), ("done", True, "done"), (False, False, ""),
                                                   ({"ok": False, "message": "no"}, False, "no")])
def test_handler_return_values(fake_brain, returned, ok, message):
    with BrainClient(fake_brain.path, agent="w-ret", on_command=lambda c: returned) as brain, \
            BrainReader(fake_brain.path) as reader:
        brain.task_event("t", "started")
        brain.flush(5)
        done = reader.wait_command(reader.cancel_task("t")["command_id"])
    assert (done["state"] == "succeeded", done["result_message"]) == (ok, message)


def test_handler_exception_and_missing_handler_fail_the_command(fake_brain):
    with BrainClient(fake_brain.path, agent="w-exc", command_handler_wait=0.2) as brain, \
            BrainReader(fake_brain.path) as reader:
        @brain.on_command(kinds=["cancel_task"])
        def cancel(command):
            raise LookupError(f"no such task {command.task_id}")

        brain.task_event("t", "started")
        brain.flush(5)
        failed = reader.wait_command(reader.cancel_task("t")["command_id"])
        assert (failed["state"], failed["result_message"]) == ("failed", "LookupError: no such task t")
        unhandled = reader.wait_command(reader.retry_task("t")["command_id"])
        assert unhandled["state"] == "failed"
        assert unhandled["result_message"] == "agent 'w-exc' has no handler for retry_task commands"
        commands = reader.list_commands(state=["failed"])
        assert {c["command_id"] for c in commands} == {failed["command_id"], unhandled["command_id"]}
        assert reader.list_commands(state="succeeded") == []


def test_a_command_delivered_again_is_answered_again_never_run_twice(fake_brain):
    runs = []
    release = threading.Event()
    with BrainClient(fake_brain.path, agent="w-dup", reconnect_timeout=10) as brain:
        @brain.on_command
        def handler(command):
            runs.append(command.command_id)
            release.wait(5)
            return CommandOutcome(True, "ran", new_task_id="n-1")

        cid = str(uuid.uuid4())
        cmd = pb.AgentCommand(command_id=cid, kind=pb.COMMAND_RETRY_TASK, task_id="t")
        assert fake_brain.send_command("w-dup", cmd)
        assert wait_for(lambda: runs)
        assert fake_brain.send_command("w-dup", cmd)  # again while it runs
        assert wait_for(lambda: brain._command_queue.qsize() == 1)  # taken in before the first one ends
        release.set()
        assert wait_for(lambda: cid in fake_brain.results)
        # The connection drops; after the reconnect the brain delivers it once more.
        fake_brain.drop_connections()
        assert wait_for(lambda: brain.reconnects >= 1 and brain.connected)
        assert fake_brain.send_command("w-dup", cmd)
        assert wait_for(lambda: fake_brain.command_events.count(("result", cid)) == 2)
        brain.flush(5)
    assert runs == [cid]
    assert fake_brain.command_events.count(("received", cid)) == 3
    results = [e.command_result for e in fake_brain.received if e.WhichOneof("event") == "command_result"]
    assert [(r.ok, r.message, r.new_task_id) for r in results] == [(True, "ran", "n-1")] * 2


def test_a_command_past_its_deadline_is_not_run(fake_brain):
    runs = []
    with BrainClient(fake_brain.path, agent="w-late") as brain:
        brain.on_command(runs.append)
        cid = str(uuid.uuid4())
        fake_brain.send_command("w-late", pb.AgentCommand(command_id=cid, kind=pb.COMMAND_CANCEL_TASK, task_id="t",
                                                          deadline=time.time_ns() - 10**9))
        assert wait_for(lambda: cid in fake_brain.results)
    assert runs == []
    assert not fake_brain.results[cid].ok and "deadline passed" in fake_brain.results[cid].message


def test_commands_wait_for_an_offline_agent(fake_brain):
    with BrainClient(fake_brain.path, agent="w-off") as brain:
        brain.task_event("t-off", "started")
        brain.flush(5)
    # The fake brain sees the close on its own thread; until then the agent still counts as online.
    assert wait_for(lambda: not fake_brain.is_online("w-off"))
    with BrainReader(fake_brain.path) as reader:
        cmd = reader.cancel_task("t-off")
        assert reader.get_command(cmd["command_id"])["state"] == "pending"
        # Delivered right after the welcome: the handler registered a moment later still gets it.
        with BrainClient(fake_brain.path, agent="w-off") as brain:
            time.sleep(0.3)
            brain.on_command(lambda c: "cancelled", kinds="cancel_task")
            assert reader.wait_command(cmd["command_id"])["state"] == "succeeded"
        cmd2 = reader.cancel_task("t-off")
        with BrainClient(fake_brain.path, agent="w-off", on_command={"cancel_task": lambda c: "at once"}):
            done = reader.wait_command(cmd2["command_id"])
        assert (done["state"], done["result_message"]) == ("succeeded", "at once")


# ---------------------------------------------------------------- the reader


def test_projects(fake_brain):
    with BrainReader(fake_brain.path) as r:
        assert [p["name"] for p in r.list_projects()] == ["default"]
        p = r.create_project("shop", {"time_zone": "Europe/Riga", "allowed_keys": ["token_count"],
                                      "retention": {"tasks_ns": 86_400 * 10**9}})
        assert p["name"] == "shop" and p["project_id"] and p["created_at"].endswith("Z")
        assert p["settings"]["time_zone"] == "Europe/Riga" and p["settings"]["allowed_keys"] == ["token_count"]
        assert p["settings"]["retention"]["tasks_ns"] == 86_400 * 10**9
        with pytest.raises(BrainError) as ei:
            r.create_project("shop")
        assert ei.value.code == "ALREADY_EXISTS"
        # Changes on top of the current settings; the rest is kept.
        u = r.update_project("shop", extra_key_patterns=["*_pin"], redact_steps=True)
        assert u["settings"]["time_zone"] == "Europe/Riga" and u["settings"]["extra_key_patterns"] == ["*_pin"]
        assert u["settings"]["redact_steps"] is True and u["settings"]["allowed_keys"] == ["token_count"]
        # Settings given whole replace them.
        w = r.update_project("shop", {"time_zone": "UTC"})
        assert w["settings"]["allowed_keys"] == [] and w["settings"]["time_zone"] == "UTC"
        assert r.get_project("shop")["settings"]["time_zone"] == "UTC"
        with pytest.raises(BrainError) as ei:
            r.get_project("nope")
        assert ei.value.code == "NOT_FOUND"


def test_tasks_list_get_and_stats(fake_brain):
    with BrainClient(fake_brain.path, agent="w-list") as brain:
        for i in range(5):
            brain.task_event(f"ok-{i}", "sent", attempt=1, name="app.add", queue="q1", kwargs={"n": i})
            brain.task_event(f"ok-{i}", "succeeded", attempt=1)
        brain.task_event("bad", "sent", attempt=1, name="app.boom", kwargs={"needle": "haystack"})
        brain.task_event("bad", "failed", attempt=1, exc_type="KeyError", exc_message="'x'", traceback="tb")
        brain.flush(5)
    with BrainReader(fake_brain.path) as r:
        assert len(r.list_tasks()) == 6
        assert [t["task_id"] for t in r.list_tasks(state="failed")] == ["bad"]
        assert len(r.list_tasks(state=["failed", "succeeded"], limit=0)) == 6
        assert len(r.list_tasks(limit=4)) == 4
        page, cursor = r.tasks_page(limit=2)
        assert len(page) == 2 and cursor
        assert [t["task_id"] for t in r.list_tasks(search="HAYSTACK")] == ["bad"]
        assert [t["task_id"] for t in r.list_tasks(name="app.add", queue="q1")][:1] == ["ok-0"]
        t = r.get_task("bad")
        assert (t["state"], t["name"], t["attempt"], t["kwargs"]) == ("failed", "app.boom", 1, {"needle": "haystack"})
        assert t["error"] == {"exc_type": "KeyError", "exc_msg": "'x'", "traceback_redacted": "tb"}
        assert t["finished_at"].endswith("Z") and t["enqueued_at"].endswith("Z")
        assert [(e["kind"], e["attempt"]) for e in t["events"]] == [("sent", 1), ("failed", 1)]
        assert t["events"][0]["ts"].endswith("Z") and t["events"][0]["error"] is None
        assert r.get_task("ok-0")["error"] is None
        stats = {s["name"]: s for s in r.get_task_stats()}
        assert stats["app.add"]["counts"]["succeeded"] == 5 and stats["app.add"]["failure_rate"] == 0.0
        assert stats["app.boom"]["failure_rate"] == 1.0
        with pytest.raises(BrainError) as ei:
            r.get_task("missing")
        assert ei.value.code == "NOT_FOUND"


def test_schedules_on_the_reader(fake_brain):
    with BrainClient(fake_brain.path, agent="beat-r") as brain:
        enabled_runs = []

        @brain.on_command(kinds=["enable_schedule", "disable_schedule"])
        def toggle(command):
            enabled_runs.append((command.kind, command.scheduler, command.schedule_name))
            brain.schedule_upsert(command.scheduler, Schedule(command.schedule_name, "app.tick", "interval", "10",
                                                              enabled=command.kind == "enable_schedule"))

        brain.report_schedules("celery-beat", [Schedule("tick", "app.tick", "interval", "10", last_run_at=1000.0),
                                               Schedule("off", "app.off", "cron", "0 3 * * *", enabled=False)])
        brain.flush(5)
        with BrainReader(fake_brain.path) as r:
            all_ = r.list_schedules()
            assert {s["name"] for s in all_} == {"tick", "off"}
            assert [s["name"] for s in r.list_schedules(enabled=False)] == ["off"]
            s = r.get_schedule("celery-beat", "tick", next_runs=3)
            assert (s["type"], s["expression"], s["dialect"], s["enabled"]) == ("interval", "10", "vixie", True)
            assert s["last_run_at"] == "1970-01-01T00:16:40.000000000Z"
            assert s["next_runs"] == ["1970-01-01T00:16:50.000000000Z", "1970-01-01T00:17:00.000000000Z",
                                      "1970-01-01T00:17:10.000000000Z"]
            cmd = r.set_schedule_enabled("celery-beat", "tick", False)
            assert cmd["kind"] == "disable_schedule" and cmd["schedule_name"] == "tick"
            assert r.wait_command(cmd["command_id"])["state"] == "succeeded"
            assert r.get_schedule("celery-beat", "tick")["enabled"] is False
    assert enabled_runs == [("disable_schedule", "celery-beat", "tick")]


def test_watch_request_carries_the_new_flags(monkeypatch, fake_brain):
    sent = []
    with BrainReader(fake_brain.path) as r:
        monkeypatch.setattr(r._conn, "open_stream", lambda req: (sent.append(req), (1, None))[1])
        r.watch(project="p", tasks=True, schedules=True, commands=True, runs=False)
        r.watch(run_id="x")
    assert sent[0].watch == pb.WatchRequest(project="p", tasks=True, schedules=True, commands=True, runs_off=True)
    assert sent[1].watch == pb.WatchRequest(run_id="x")


def test_enum_and_time_conversions():
    from brain_client.convert import message_to_dict

    d = message_to_dict(pb.CommandInfo(kind=pb.COMMAND_ENABLE_SCHEDULE, state=pb.COMMAND_STATE_TIMED_OUT,
                                       deadline=1_000_000_000))
    assert (d["kind"], d["state"], d["deadline"]) == ("enable_schedule", "timed_out", "1970-01-01T00:00:01.000000000Z")
    assert message_to_dict(pb.CommandInfo())["kind"] == "unspecified"
    s = message_to_dict(pb.ScheduleInfo(type=pb.SCHEDULE_TYPE_UNSUPPORTED, dialect=pb.CRON_DIALECT_CELERY))
    assert (s["type"], s["dialect"], s["next_run_at"]) == ("unsupported", "celery", None)
    e = message_to_dict(pb.TaskEventInfo(kind=pb.TASK_EVENT_RETRY, ts=0))
    assert (e["kind"], e["ts"]) == ("retry", None)
    assert message_to_dict(pb.TaskInfo(state=pb.TASK_STATE_LOST))["state"] == "lost"
