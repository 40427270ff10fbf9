"""brain_client.celery in one process: how Celery's signals, events and beat entries map
to task events and schedules, and the retry/cancel command handlers (FakeBrain, an
in-memory broker, tasks run with ``apply``). The real worker and beat are in
test_celery_real.py.
"""
import json
import math
import time
from datetime import timedelta

import pytest

celery = pytest.importorskip("celery", reason="celery is not installed (pip install './clients/python[test]')")

from celery import Celery  # noqa: E402
from celery.schedules import crontab, schedule, solar  # noqa: E402

import brain_client.celery as bc  # noqa: E402
from brain_client import BrainReader, brain_pb2 as pb  # noqa: E402


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    return None


class Entry:
    """The fields of a beat ScheduleEntry that schedule_of reads."""

    def __init__(self, name, sched, task="app.t", args=(), kwargs=None, options=None, total_run_count=0,
                 last_run_at=None):
        self.name, self.schedule, self.task = name, sched, task
        self.args, self.kwargs, self.options = args, kwargs or {}, options or {}
        self.total_run_count, self.last_run_at = total_run_count, last_run_at


# ---------------------------------------------------------------- beat entries


@pytest.mark.parametrize("cron, expression", [
    (crontab(), "* * * * *"),
    (crontab(minute=30, hour=3, day_of_week="mon-fri"), "30 3 * * mon-fri"),
    (crontab(minute=0, hour=[17, 9], day_of_month="1-7"), "0 9,17 1-7 * *"),
    (crontab(minute="*/15", month_of_year="1,7", day_of_week=1), "*/15 * * 1,7 1"),
    (crontab(minute={5, 0}, hour=0, day_of_month=1, month_of_year="*/3"), "0,5 0 1 */3 *"),
])
def test_crontab_is_cron_with_the_celery_dialect(cron, expression):
    s = bc.schedule_of(Entry("c", cron), timezone="Europe/Riga")
    assert (s.type, s.expression, s.dialect) == ("cron", expression, "celery")
    assert s.metadata["timezone"] == "Europe/Riga"
    report = s.to_proto("celery-beat")
    assert (report.type, report.dialect) == (pb.SCHEDULE_TYPE_CRON, pb.CRON_DIALECT_CELERY)


@pytest.mark.parametrize("run_every, expression", [(timedelta(seconds=30), "30"), (2.5, "2.5"),
                                                   (timedelta(hours=1), "3600"), (timedelta(milliseconds=1500), "1.5")])
def test_interval_is_seconds(run_every, expression):
    s = bc.schedule_of(Entry("i", schedule(run_every), args=(1, math.nan), kwargs={"password": "x"},
                             options={"queue": "q"}, total_run_count=3, last_run_at=1_700_000_000.0))
    assert (s.type, s.expression, s.dialect, s.enabled) == ("interval", expression, "vixie", True)
    assert s.args == [1, "NaN"] and s.kwargs == {"password": "x"}  # the brain redacts schedule args
    assert s.metadata == {"options": {"queue": "q"}, "total_run_count": 3}
    assert s.to_proto("b").last_run_at == 1_700_000_000 * 10**9


def test_solar_and_other_schedules_are_unsupported():
    sun = solar.__new__(solar)  # solar() itself needs the ephem package
    sun.event, sun.lat, sun.lon = "sunset", 56.95, 24.1
    s = bc.schedule_of(Entry("sun", sun))
    assert (s.type, s.expression) == ("unsupported", "solar sunset 56.95 24.1")
    assert "sun" in s.metadata["unsupported"]

    class Custom(celery.schedules.BaseSchedule):
        pass

    other = bc.schedule_of(Entry("custom", Custom()), enabled=False)
    assert (other.type, other.enabled) == ("unsupported", False)
    assert other.last_run_at is None  # never ran: no last run reported


# ---------------------------------------------------------------- Celery events (monitor mode)


def test_celery_events_map_to_task_events():
    f = bc.task_event_from_celery_event
    received = f({"type": "task-received", "uuid": "u1", "name": "app.add", "args": "(1, 2)", "kwargs": "{}",
                  "retries": 2, "timestamp": 1_700_000_000.25, "hostname": "w@h", "root_id": "r"})
    assert received["kind"] == "sent" and received["attempt"] == 3 and received["args"] == "(1, 2)"
    assert received["ts"] == 1_700_000_000.25 and received["payload"]["root_id"] == "r"
    started = f({"type": "task-started", "uuid": "u1", "timestamp": 1.0}, name="app.add")
    assert (started["kind"], started["name"], started.get("attempt", 0)) == ("started", "app.add", 0)
    failed = f({"type": "task-failed", "uuid": "u1", "exception": "KeyError('x')", "traceback": "Traceback..."})
    assert (failed["kind"], failed["exc_type"], failed["exc_message"]) == ("failed", "KeyError", "KeyError('x')")
    retried = f({"type": "task-retried", "uuid": "u1", "exception": "Retry(...)"})
    assert retried["kind"] == "retry"
    assert f({"type": "task-revoked", "uuid": "u1", "expired": True})["kind"] == "expired"
    revoked = f({"type": "task-revoked", "uuid": "u1", "terminated": True, "signum": 15})
    assert revoked["kind"] == "cancelled" and revoked["payload"]["terminated"] is True
    assert f({"type": "task-rejected", "uuid": "u1"})["exc_type"] == "Rejected"
    ok = f({"type": "task-succeeded", "uuid": "u1", "result": "3", "runtime": 0.5})
    assert ok["payload"]["runtime_s"] == 0.5 and ok["payload"]["result"] == "3"
    assert f({"type": "worker-heartbeat"}) is None
    assert "ts" not in f({"type": "task-started", "uuid": "u", "timestamp": math.nan})


# ---------------------------------------------------------------- signals, in one process


@pytest.fixture
def app_and_brain(fake_brain):
    app = Celery("unit", broker="memory://", set_as_current=False)
    app.conf.task_store_eager_result = False

    @app.task(name="unit.add")
    def add(x, y, **kw):
        return {"sum": x + y, "nan": math.nan}

    @app.task(name="unit.boom")
    def boom(message, **kw):
        raise KeyError(message)

    @app.task(name="unit.again", bind=True, max_retries=1)
    def again(self):
        raise self.retry(exc=ConnectionError("try later"), countdown=60)

    adapter = bc.install(app, socket_path=fake_brain.path, agent="unit-{role}")
    try:
        yield app, adapter, fake_brain, {"add": add, "boom": boom, "again": again}
    finally:
        adapter.uninstall()


def events_of(fake_brain, task_id):
    return [e.task_event for e in fake_brain.received
            if e.WhichOneof("event") == "task_event" and e.task_event.task_id == task_id]


def test_install_is_idempotent(app_and_brain):
    app, adapter, _, _ = app_and_brain
    assert bc.install(app) is adapter and bc.adapter_for(app) is adapter


def test_signals_report_sent_started_succeeded(app_and_brain):
    app, adapter, fake, tasks = app_and_brain
    sent = tasks["add"].apply_async((2, 3), {"flag": b"\x01"}, queue="math", task_id="t-sent")
    res = tasks["add"].apply((2, 3), task_id="t-ok")
    assert res.get() == {"sum": 5, "nan": math.nan}
    assert adapter.session().agent == "unit-publisher"
    adapter.session().flush(5)
    [e_sent] = events_of(fake, sent.id)
    assert (e_sent.kind, e_sent.name, e_sent.queue, e_sent.attempt) == (pb.TASK_EVENT_SENT, "unit.add", "math", 1)
    assert (json.loads(e_sent.args_json), json.loads(e_sent.kwargs_json)) == ([2, 3], {"flag": "b'\\x01'"})
    assert e_sent.engine == "celery"
    started, succeeded = events_of(fake, "t-ok")
    assert (started.kind, started.attempt, json.loads(started.args_json)) == (pb.TASK_EVENT_STARTED, 1, [2, 3])
    assert succeeded.kind == pb.TASK_EVENT_SUCCEEDED
    payload = json.loads(succeeded.payload_json)
    assert payload["result"] == {"sum": 5, "nan": "NaN"} and payload["runtime_s"] >= 0
    assert adapter.originals.get(sent.id)[:3] == ("unit.add", [2, 3], {"flag": b"\x01"})  # the real values


def test_signals_report_failure_with_the_real_exception(app_and_brain):
    app, adapter, fake, tasks = app_and_brain
    tasks["boom"].apply(("no such key",), {"api_key": "k"}, task_id="t-boom")
    adapter.session().flush(5)
    started, failed = events_of(fake, "t-boom")
    assert (failed.kind, failed.exc_type, failed.exc_message) == (pb.TASK_EVENT_FAILED, "KeyError", "'no such key'")
    assert "Traceback" in failed.traceback and "raise KeyError(message)" in failed.traceback
    assert json.loads(started.kwargs_json) == {"api_key": "k"}  # sent as is: the brain redacts


def test_signals_report_retry(app_and_brain):
    app, adapter, fake, tasks = app_and_brain
    tasks["again"].apply(task_id="t-again")
    adapter.session().flush(5)
    kinds = [(e.kind, e.attempt) for e in events_of(fake, "t-again")]
    # apply() runs a retry at once, in the same call (a worker re-publishes it: see test_celery_real.py);
    # max_retries=1, so attempt 2 fails for good.
    assert kinds == [(pb.TASK_EVENT_STARTED, 1), (pb.TASK_EVENT_RETRY, 1), (pb.TASK_EVENT_STARTED, 2),
                     (pb.TASK_EVENT_FAILED, 2)]
    retry = [e for e in events_of(fake, "t-again") if e.kind == pb.TASK_EVENT_RETRY][0]
    assert (retry.exc_type, retry.exc_message) == ("ConnectionError", "try later")
    assert "Retry in 60s" in json.loads(retry.payload_json)["reason"]


def test_argsrepr_hides_arguments(app_and_brain):
    app, adapter, fake, tasks = app_and_brain
    r = tasks["add"].apply_async((1, 2), {"card": "4111"}, argsrepr="(<hidden>)", kwargsrepr="{'card': '****'}")
    adapter.session().flush(5)
    [sent] = events_of(fake, r.id)
    assert (json.loads(sent.args_json), json.loads(sent.kwargs_json)) == ("(<hidden>)", "{'card': '****'}")
    assert adapter.originals.get(r.id)[2] == {"card": "4111"}  # a retry still re-sends the real ones


def test_retry_command_resends_the_original_and_reports_the_new_id(app_and_brain):
    app, adapter, fake, tasks = app_and_brain
    r = tasks["add"].apply_async((4, 5), {"token": "t0k3n"}, task_id="t-orig")
    adapter.session().flush(5)
    with BrainReader(fake.path) as reader:
        cmd = reader.retry_task("t-orig")
        done = reader.wait_command(cmd["command_id"])
        assert done["state"] == "succeeded", done
        new_id = done["new_task_id"]
        assert new_id and new_id != r.id and done["result_message"] == f"sent unit.add again as {new_id}"
        assert reader.get_task("t-orig")["retried_as"] == new_id
        adapter.session().flush(5)
        [resent] = events_of(fake, new_id)
        assert (json.loads(resent.args_json), json.loads(resent.kwargs_json)) == ([4, 5], {"token": "t0k3n"})
        # Not in the cache (e.g. sent before the agent started): failed, with the reason.
        adapter.session().task_event("t-unknown", "failed", name="unit.add")
        adapter.session().flush(5)
        missing = reader.wait_command(reader.retry_task("t-unknown")["command_id"])
        assert missing["state"] == "failed"
        assert "original arguments are not in the agent's cache" in missing["result_message"]


def test_cancel_command_revokes_with_terminate(app_and_brain, monkeypatch):
    app, adapter, fake, tasks = app_and_brain
    revoked = []
    monkeypatch.setattr(app.control, "revoke", lambda task_id, **kw: revoked.append((task_id, kw)))
    tasks["add"].apply_async((1, 1), task_id="t-cancel")
    adapter.session().flush(5)
    with BrainReader(fake.path) as reader:
        done = reader.wait_command(reader.cancel_task("t-cancel")["command_id"])
    assert done["state"] == "succeeded"
    assert revoked == [("t-cancel", {"terminate": True})]


def test_originals_cache_is_bounded():
    cache = bc.OriginalsCache(2)
    for i in range(3):
        cache.put(f"t{i}", "n", [i], {})
    assert cache.get("t0") is None and cache.get("t2") == ("n", [2], {}, {}) and len(cache) == 2


def test_no_brain_drops_events_without_breaking_tasks(tmp_path):
    app = Celery("nobrain", broker="memory://", set_as_current=False)

    @app.task(name="nobrain.add")
    def add(x, y):
        return x + y

    adapter = bc.install(app, socket_path=str(tmp_path / "none.sock"))
    try:
        assert add.apply((1, 2)).get() == 3
        assert adapter.dropped == 2 and adapter.session() is None  # retried at most every 5 s
    finally:
        adapter.uninstall()
