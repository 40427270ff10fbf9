"""A real Celery worker and beat (subprocesses, prefork pool, Redis broker) with the
brain_client.celery adapter, reporting to a brain.

Each test runs twice: against the FakeBrain (in this process: checks the adapter end to
end now) and against the real brain ($BRAIN_BIN; skipped when the binary is missing, or,
with the reason, when it answers UNIMPLEMENTED for what the test needs). Redaction is
the brain's, so it is checked against the real brain only.

Needs `redis-server` (Debian's package) and celery + redis-py; every process started
here is stopped at the end (its whole process group), whatever happened.
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("celery", reason="celery is not installed (pip install './clients/python[test]')")
pytest.importorskip("redis", reason="redis-py is not installed (pip install './clients/python[test]')")

from celery import Celery  # noqa: E402

from brain_client import BrainReader  # noqa: E402
from brain_process import BRAIN_BIN, BrainProcess, require, short_tmpdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.dirname(HERE)
HOST = socket.gethostname()
WORKER = f"w1@{HOST}"


def wait_for(pred, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
        except Exception as exc:  # e.g. NOT_FOUND before the first event arrived
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


class Stack:
    """redis-server, a brain, and the Celery processes of one test."""

    def __init__(self, workdir: str, kind: str) -> None:
        self.workdir = workdir
        self.kind = kind
        self.procs = {}  # name -> (Popen, log path)
        self.fake = None
        self.brain = None
        self.socket = None
        self.redis_socket = os.path.join(workdir, "redis.sock")
        self.sender = None

    # -- processes
    def _spawn(self, name, argv, env=None, cwd=None):
        log_path = os.path.join(self.workdir, f"{name}.log")
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd or self.workdir,
                                    start_new_session=True)  # its own process group: stopped as a whole
        self.procs[name] = (proc, log_path)
        return proc

    def log(self, name) -> str:
        try:
            with open(self.procs[name][1], "rb") as f:
                return f.read()[-6000:].decode("utf-8", "replace")
        except (KeyError, OSError):
            return ""

    def start_redis(self):
        self._spawn("redis", ["redis-server", "--port", "0", "--unixsocket", self.redis_socket, "--unixsocketperm",
                              "700", "--save", "", "--appendonly", "no", "--dir", self.workdir])
        wait_for(lambda: os.path.exists(self.redis_socket), 15, what="redis-server's socket")
        self.sender = Celery("sender", broker=f"redis+socket://{self.redis_socket}", set_as_current=False)

    def start_brain(self, *extra_args):
        if self.kind == "fake":
            from fake_brain import FakeBrain

            self.fake = FakeBrain(os.path.join(self.workdir, "b.sock")).start()
            self.socket = self.fake.path
        else:
            if not os.path.exists(BRAIN_BIN):
                pytest.skip(f"brain binary not found at {BRAIN_BIN} (set BRAIN_BIN, or build it with `swift build`)")
            self.brain = BrainProcess(BRAIN_BIN, os.path.join(self.workdir, "brain"), extra_args=extra_args).start()
            self.socket = self.brain.socket

    def require(self, *features):
        if self.kind == "real":
            require(self.socket, *features)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRAIN_")}
        env.update(PYTHONPATH=os.pathsep.join([PACKAGE_DIR, HERE]), BRAIN_SOCKET=self.socket,
                   BRAIN_TEST_REDIS_SOCKET=self.redis_socket,
                   BRAIN_TEST_BEAT_FILE=os.path.join(self.workdir, "beat-schedule"), **extra)
        return env

    def start_worker(self, *extra_args, env=None):
        proc = self._spawn("worker", [sys.executable, "-m", "celery", "-A", "celeryapp_for_tests", "worker",
                                      "-P", "prefork", "-c", "2", "-n", "w1@%h", "--without-gossip",
                                      "--without-mingle", "--without-heartbeat", "-l", "INFO", *extra_args],
                           env=env or self.env(), cwd=HERE)
        wait_for(lambda: proc.poll() is not None or " ready." in self.log("worker"), 60, what="the worker")
        assert proc.poll() is None, f"the worker exited:\n{self.log('worker')}"
        return proc

    def start_beat(self):
        proc = self._spawn("beat", [sys.executable, "-m", "celery", "-A", "celeryapp_for_tests", "beat",
                                    "-S", "brain_client.celery:BrainScheduler", "-l", "INFO"], env=self.env(), cwd=HERE)
        time.sleep(0.5)
        assert proc.poll() is None, f"beat exited:\n{self.log('beat')}"
        return proc

    def stop(self):
        for name in list(self.procs)[::-1]:
            proc, _ = self.procs[name]
            if proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(10)
        # Pool children left behind by a killed parent are in the same group.
        for name, (proc, _) in self.procs.items():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.fake is not None:
            self.fake.stop()
        if self.brain is not None:
            self.brain.stop()

    # -- reading back
    def reader(self):
        return BrainReader(self.socket)

    def send(self, name, args=(), kwargs=None):
        return self.sender.send_task(name, args=args, kwargs=kwargs or {}).id

    def agent_names(self, reader):
        if self.fake is not None:
            return set(self.fake.agents)
        return {a["name"] for a in reader.agents()}

    def task(self, reader, task_id, state=None, timeout=60):
        def done():
            t = reader.get_task(task_id)
            return t if state is None or t["state"] == state else None

        return wait_for(done, timeout, what=f"task {task_id} in state {state}")


@contextlib.contextmanager
def running_stack(kind, *brain_args):
    """redis-server and a brain (`brain_args` for `brain serve`), stopped and their logs
    printed at the end, whatever happened."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    workdir = short_tmpdir("bcel-")
    s = Stack(workdir, kind)
    try:
        s.start_redis()
        s.start_brain(*brain_args)
        yield s
    finally:
        s.stop()
        for name in s.procs:
            print(f"--- {name} log ---\n{s.log(name)}")
        if s.brain is not None:
            print(f"--- brain log ---\n{s.brain.log()}")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(params=["fake", "real"])
def stack(request):
    with running_stack(request.param) as s:
        yield s


# ---------------------------------------------------------------- the worker


def test_worker_reports_success_failure_and_retry(stack):
    stack.require("task_events", "tasks")
    stack.start_worker()
    ok = stack.send("brainapp.add", (2, 3), {"note": "plain"})
    bad = stack.send("brainapp.boom", ("bad input",), {"password": "hunter2", "user": "ann"})
    flaky = stack.send("brainapp.flaky")
    with stack.reader() as r:
        t_ok = stack.task(r, ok, "succeeded")
        assert (t_ok["name"], t_ok["queue"], t_ok["engine"], t_ok["attempt"]) == ("brainapp.add", "celery", "celery", 1)
        assert t_ok["args"] == [2, 3] and t_ok["kwargs"] == {"note": "plain"}
        assert t_ok["started_at"] and t_ok["finished_at"]
        kinds = [e["kind"] for e in r.get_task(ok)["events"]]
        assert "started" in kinds and "succeeded" in kinds
        # started/succeeded run in a pool child; the worker's main process published them.
        assert {e["agent_id"] for e in r.get_task(ok)["events"]} == {t_ok["agent_id"]}

        t_bad = stack.task(r, bad, "failed")
        assert t_bad["error"]["exc_type"] == "ValueError" and t_bad["error"]["exc_msg"] == "bad input"
        assert "Traceback" in t_bad["error"]["traceback_redacted"]
        assert "ValueError: bad input" in t_bad["error"]["traceback_redacted"]
        assert t_bad["args"] == ["bad input"] and t_bad["kwargs"]["user"] == "ann"
        if stack.kind == "real":  # the brain redacts before anything is stored
            assert t_bad["kwargs"]["password"] == "[REDACTED]"
            assert r.list_tasks(search="hunter2") == []

        t_flaky = stack.task(r, flaky, "succeeded")
        assert t_flaky["attempt"] == 2
        events = [(e["kind"], e["attempt"]) for e in r.get_task(flaky)["events"]]
        assert ("retry", 1) in events and ("succeeded", 2) in events, events
        retry = [e for e in r.get_task(flaky)["events"] if e["kind"] == "retry"][0]
        assert retry["error"]["exc_type"] == "ConnectionError"


def test_retry_command_reruns_the_original_and_fills_retried_as(stack):
    stack.require("task_events", "tasks", "commands")
    stack.start_worker()
    bad = stack.send("brainapp.boom", ("run me again",), {"password": "hunter2"})
    with stack.reader() as r:
        stack.task(r, bad, "failed")
        cmd = r.retry_task(bad, deadline=30)
        assert cmd["kind"] == "retry_task" and cmd["task_id"] == bad
        done = wait_for(lambda: (lambda c: c if c["state"] in ("succeeded", "failed", "timed_out") else None)(
            r.get_command(cmd["command_id"])), 30, what="the retry command")
        assert done["state"] == "succeeded", done
        new_id = done["new_task_id"]
        assert new_id and new_id != bad
        assert r.get_task(bad)["retried_as"] == new_id
        again = stack.task(r, new_id, "failed")
        # The worker re-sent its own copy: the task saw the real password, not "[REDACTED]".
        assert again["error"]["exc_msg"] == "run me again" and again["name"] == "brainapp.boom"
        if stack.kind == "real":
            assert again["kwargs"]["password"] == "[REDACTED]"
        else:
            assert again["kwargs"]["password"] == "hunter2"


def test_cancel_command_revokes_a_running_task(stack):
    stack.require("task_events", "tasks", "commands")
    stack.start_worker()
    slow = stack.send("brainapp.sleepy", (60,))
    with stack.reader() as r:
        stack.task(r, slow, "started")
        cmd = r.cancel_task(slow, deadline=30)
        done = wait_for(lambda: (lambda c: c if c["state"] in ("succeeded", "failed", "timed_out") else None)(
            r.get_command(cmd["command_id"])), 30, what="the cancel command")
        assert done["state"] == "succeeded", done
        stack.task(r, slow, "cancelled", timeout=30)
        assert [e for e in r.get_task(slow)["events"] if e["kind"] == "cancelled"]


@pytest.fixture
def lossy_stack():
    """A real brain that calls a started task lost 1 s after its agent goes offline."""
    with running_stack("real", "--heartbeat-interval", "200ms", "--heartbeat-timeout", "1s", "--task-lost-grace", "1s") as s:
        yield s


def test_a_task_running_when_the_worker_is_killed_becomes_lost(lossy_stack):
    """kill -9 of the whole worker (main process and pool): the brain, not the worker, says
    what happened to its started task, with the reason; nothing else is touched."""
    stack = lossy_stack
    stack.require("task_events", "tasks")
    worker = stack.start_worker()
    done = stack.send("brainapp.add", (1, 2))
    slow = stack.send("brainapp.sleepy", (120,))
    with stack.reader() as r:
        stack.task(r, done, "succeeded")
        stack.task(r, slow, "started")
        os.killpg(worker.pid, signal.SIGKILL)
        lost = stack.task(r, slow, "lost", timeout=30)
        reason = lost["state_reason"]
        assert f"agent {WORKER}" in reason and "went offline" in reason and "grace period of 1 s" in reason, reason
        assert not lost["finished_at"]  # the brain does not write its clock into the agent's times
        assert r.get_task(done)["state"] == "succeeded"


# ---------------------------------------------------------------- beat


def test_beat_reports_its_schedule_fires_and_obeys_disable(stack):
    stack.require("task_events", "tasks", "schedule_events", "schedules", "commands")
    stack.start_worker()
    stack.start_beat()
    with stack.reader() as r:
        listed = wait_for(lambda: {s["name"]: s for s in r.list_schedules()} if len(r.list_schedules()) >= 3
                          else None, 30, what="beat's schedule listing")
        assert {"tick", "nightly", "first-week"} <= set(listed)  # and Celery's own backend_cleanup
        assert (listed["tick"]["type"], listed["tick"]["expression"]) == ("interval", "1")
        assert listed["tick"]["task"] == "brainapp.add" and listed["tick"]["args"] == [1, 1]
        assert (listed["nightly"]["type"], listed["nightly"]["expression"], listed["nightly"]["dialect"]) == (
            "cron", "30 3 * * mon-fri", "celery")
        assert listed["first-week"]["expression"] == "0 9,17 1-7 * *"
        assert all(s["enabled"] for s in listed.values())
        assert listed["nightly"]["metadata"]["timezone"] == "UTC"
        if stack.kind == "real":
            assert listed["tick"]["kwargs"]["api_token"] == "[REDACTED]"
            assert listed["nightly"]["next_run_at"]  # the brain predicts cron runs

        wait_for(lambda: r.get_schedule("celery-beat", "tick")["last_run_at"], 30, what="a fire of 'tick'")

        def tick_tasks():
            return [t for t in r.list_tasks(name="brainapp.add", limit=0) if t["args"] == [1, 1]]

        wait_for(lambda: [t for t in tick_tasks() if t["state"] == "succeeded"], 30, what="a tick task run")
        if stack.kind == "fake":  # the fired reports carry the id of the task beat sent
            fired = [f.task_id for f in stack.fake.fires if f.name == "tick"]
            assert fired and fired[0] in {t["task_id"] for t in tick_tasks()}

        cmd = r.set_schedule_enabled("celery-beat", "tick", False, deadline=30)
        done = wait_for(lambda: (lambda c: c if c["state"] in ("succeeded", "failed", "timed_out") else None)(
            r.get_command(cmd["command_id"])), 30, what="the disable command")
        assert done["state"] == "succeeded", done
        assert r.get_schedule("celery-beat", "tick")["enabled"] is False
        time.sleep(1.5)  # a fire already under way may still land
        before = len(tick_tasks())
        time.sleep(3)
        assert len(tick_tasks()) == before, "a disabled entry was still sent"
        assert "disabled in the brain; not sent" in stack.log("beat")

        cmd = r.set_schedule_enabled("celery-beat", "tick", True, deadline=30)
        wait_for(lambda: r.get_command(cmd["command_id"])["state"] == "succeeded", 30, what="the enable command")
        assert r.get_schedule("celery-beat", "tick")["enabled"] is True
        wait_for(lambda: len(tick_tasks()) > before, 30, what="fires after enabling again")


def test_beat_embedded_in_the_worker_is_an_agent_of_its_own(stack):
    """`celery worker -B`: beat runs in a process forked from the worker's main process; it
    must report as its own agent, never as the worker (one agent, one sequence)."""
    stack.require("task_events", "tasks", "schedule_events", "schedules")
    stack.start_worker("-B", "--scheduler", "brain_client.celery:BrainScheduler",
                       "-s", os.path.join(stack.workdir, "embedded-beat"))
    with stack.reader() as r:
        wait_for(lambda: len(r.list_schedules()) >= 3, 30, what="the embedded beat's listing")
        wait_for(lambda: [t for t in r.list_tasks(name="brainapp.add", limit=0)
                          if t["args"] == [1, 1] and t["state"] == "succeeded"], 30, what="a tick task run")
        assert {WORKER, f"beat@{HOST}"} <= stack.agent_names(r)
        if stack.kind == "fake":
            assert {a: v["last_seq"] for a, v in stack.fake.agents.items()}[f"beat@{HOST}"] >= 1
        assert "Traceback" not in stack.log("worker")


# ---------------------------------------------------------------- event-stream mode


def test_monitor_mode_follows_the_event_stream(stack):
    stack.require("task_events", "tasks")
    env = stack.env(BRAIN_TEST_NO_ADAPTER="1")
    stack.start_worker("-E", env=env)
    stack._spawn("monitor", [sys.executable, "-m", "brain_client.celery", "monitor", "--app",
                             "celeryapp_for_tests:app"], env=env, cwd=HERE)
    time.sleep(2)  # the monitor's receiver binds its queue; events sent before are not seen
    ok = stack.send("brainapp.add", (5, 6))
    bad = stack.send("brainapp.boom", ("from events",))
    with stack.reader() as r:
        t_ok = stack.task(r, ok, "succeeded")
        assert t_ok["name"] == "brainapp.add" and t_ok["args"] == "(5, 6)"  # Celery's repr, as a string
        t_bad = stack.task(r, bad, "failed")
        assert t_bad["error"]["exc_type"] == "ValueError" and "from events" in t_bad["error"]["exc_msg"]
