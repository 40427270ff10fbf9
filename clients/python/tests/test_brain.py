"""Contract tests against the real brain ($BRAIN_BIN, default .build/debug/brain).

Skipped, with the reason, when the binary does not exist.
"""
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid

import pytest

from brain_client import (BrainClient, BrainError, BrainReader, InvalidJSONValue, brain_pb2 as pb,
                          default_socket_path)
from brain_client.connection import Connection
from brain_process import BRAIN_BIN, BrainProcess, short_tmpdir

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wait_for(pred, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    return None


def agent_name():
    return "t-" + uuid.uuid4().hex[:8]


class RawAgent:
    """Speaks the agent protocol by hand, to send exactly the events a test wants."""

    def __init__(self, path, name, token=""):
        self.acks = []
        self.rejections = []
        self.cond = threading.Condition()
        self.conn = Connection(path, on_unsolicited=self._on)
        resp = self.conn.call(pb.Request(hello=pb.HelloRequest(agent_name=name, token=token, protocol_version=1)))
        self.welcome = resp.welcome

    def _on(self, resp):
        with self.cond:
            if resp.WhichOneof("result") == "ack":
                self.acks.append(resp.ack.acked_seq)
            elif resp.WhichOneof("result") == "rejected":
                self.rejections.append((resp.rejected.seq, pb.StatusCode.Name(resp.status.code), resp.status.message))
            self.cond.notify_all()

    def publish(self, seq, **event):
        self.conn.send(pb.Request(publish=pb.AgentEvent(seq=seq, **event)))

    def wait_acked(self, seq, timeout=10):
        with self.cond:
            ok = self.cond.wait_for(lambda: self.acks and max(self.acks) >= seq, timeout)
        assert ok, f"no ack covering seq {seq} within {timeout} s (acks: {self.acks[-5:]})"

    def close(self):
        self.conn.close()


# ---------------------------------------------------------------- hello

def test_hello_welcome(brain):
    name = agent_name()
    with BrainClient(brain.socket, agent=name, token="s3cret") as c:
        w = c.welcome
        assert w.agent_id
        assert w.heartbeat_interval_ms > 0
        assert w.heartbeat_timeout_ms >= w.heartbeat_interval_ms
        assert w.last_seq == 0
        assert w.registered is True
        assert w.protocol_version == 1
        assert w.project == "default"
        c.start_run(goal="g").complete()
        c.flush(10)
        first_id = w.agent_id
    with BrainClient(brain.socket, agent=name, token="s3cret") as c:
        assert c.welcome.registered is False
        assert c.welcome.agent_id == first_id
        assert c.welcome.last_seq == 2
        assert c.last_seq == 2  # the next event gets seq 3


def test_wrong_token_is_unauthenticated(brain):
    name = agent_name()
    BrainClient(brain.socket, agent=name, token="right").close()
    with pytest.raises(BrainError) as ei:
        BrainClient(brain.socket, agent=name, token="wrong")
    assert ei.value.code == "UNAUTHENTICATED"
    assert ei.value.message


def test_status_and_agents_without_hello(brain):
    with BrainReader(brain.socket) as r:
        st = r.status()
        assert st["version"]
        assert st["started_at"].endswith("Z")
        assert st["socket_path"] == brain.socket or os.path.samefile(st["socket_path"], brain.socket)
    name = agent_name()
    with BrainClient(brain.socket, agent=name) as c:
        agents = {a["name"]: a for a in c.agents()}
        assert agents[name]["agent_id"] == c.agent_id
        assert agents[name]["state"] == "online"


# ---------------------------------------------------------------- runs and steps

def test_run_steps_complete_readable(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        run = c.start_run(goal="fetch a page", target_url="https://example.com/a", input={"q": "x"},
                          run_type="crawl", metadata={"k": 1}, timeout_ms=60000)
        run.step("fetch", input={"url": "https://example.com/a"}, output={"status": 200}, duration_ms=15)
        run.step("parse", output=["a", "b"], duration_ms=3, status="skip")
        run.complete(result={"links": 2})
        c.flush(10)
        assert c.pending == 0
        assert c.acked_seq == 4
        assert not c.rejections
        d = c.run(run.id)
    assert d["run_id"] == run.id
    assert d["status"] == "completed"
    assert d["goal"] == "fetch a page"
    assert d["target_url"] == "https://example.com/a"
    assert d["run_type"] == "crawl"
    assert d["input"] == {"q": "x"}
    assert d["metadata"] == {"k": 1}
    assert d["result"] == {"links": 2}
    assert d["timeout_ms"] == 60000
    assert d["step_count"] == 2
    assert d["created_at"] and d["completed_at"]
    steps = d["steps"]
    assert [s["seq"] for s in steps] == [1, 2]
    assert steps[0]["step_name"] == "fetch" and steps[0]["status"] == "ok"
    assert steps[0]["input"] == {"url": "https://example.com/a"} and steps[0]["output"] == {"status": 200}
    assert steps[0]["duration_ms"] == 15
    assert steps[1]["status"] == "skip" and steps[1]["output"] == ["a", "b"]
    with BrainReader(brain.socket) as r:
        listed = r.runs(status="completed", limit=10)
        assert run.id in [x["run_id"] for x in listed]
        assert run.id not in [x["run_id"] for x in r.runs(status=["failed", "running"])]
        assert [s["seq"] for s in r.steps(run.id)] == [1, 2]


def test_unknown_run_is_not_found(brain):
    with BrainReader(brain.socket) as r:
        with pytest.raises(BrainError) as ei:
            r.run(str(uuid.uuid4()))
    assert ei.value.code == "NOT_FOUND"


def test_context_manager_failure_records_error(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        with pytest.raises(KeyError):
            with c.start_run(goal="will fail") as run:
                run.step("lookup", output=1)
                {}["missing"]
        with c.start_run(goal="will succeed") as ok_run:
            ok_run.step("a")
        c.flush(10)
        assert not c.rejections
        d = c.run(run.id)
        assert d["status"] == "failed"
        assert d["error_type"] == "KeyError"
        assert "missing" in d["error_message"]
        assert "Traceback" in d["error_context"]["traceback"]
        assert c.run(ok_run.id)["status"] == "completed"


def test_decorator_records_steps(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        with pytest.raises(ValueError):
            with c.start_run(goal="decorated") as run:
                @run.step_fn("add")
                def add(a, b=2):
                    time.sleep(0.02)
                    return a + b

                @c.step()
                def explode(x):
                    raise ValueError(f"bad {x}")

                assert add(1) == 3
                explode("input")
        c.flush(10)
        d = c.run(run.id)
    s1, s2 = d["steps"]
    assert (s1["step_name"], s1["status"], s1["input"], s1["output"]) == ("add", "ok", {"a": 1}, 3)
    assert s1["duration_ms"] >= 15
    assert (s2["step_name"], s2["status"], s2["input"]) == ("explode", "error", {"x": "input"})
    assert "ValueError: bad input" in s2["error"]
    assert d["status"] == "failed" and d["error_type"] == "ValueError" and d["failed_at_step"] == 2


# ---------------------------------------------------------------- resends

def test_duplicate_resend_is_harmless(brain):
    raw = RawAgent(brain.socket, agent_name())
    rid = str(uuid.uuid4())
    created = dict(run_created=pb.RunCreated(run_id=rid, goal="dup", initial_status=pb.RUN_STATUS_RUNNING))
    step = dict(step=pb.StepReported(run_id=rid, seq=1, step_name="s", status=pb.STEP_STATUS_OK, output_json='{"v":1}'))
    raw.publish(1, **created)
    raw.publish(2, **step)
    raw.wait_acked(2)
    raw.publish(1, **created)  # same agent seqs again: handled already
    raw.publish(2, **step)
    raw.publish(3, **step)  # a new seq carrying the identical step
    raw.wait_acked(3)
    time.sleep(0.2)
    assert raw.rejections == []
    raw.close()
    with BrainReader(brain.socket) as r:
        d = r.run(rid)
    assert d["step_count"] == 1 and len(d["steps"]) == 1 and d["steps"][0]["output"] == {"v": 1}


def test_conflicting_resend_is_rejected(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        run = c.start_run(goal="conflict")
        run.step("s", output={"v": 1})
        c.flush(10)
        seq = c.publish(pb.AgentEvent(step=pb.StepReported(run_id=run.id, seq=1, step_name="s",
                                                            status=pb.STEP_STATUS_OK, output_json='{"v":2}')))
        c.flush(10)  # a rejected event still counts as handled
        rej = wait_for(lambda: list(c.rejections), 5)
        assert rej, "no rejection received"
        assert (rej[0].seq, rej[0].code, rej[0].kind, rej[0].run_id) == (seq, "ALREADY_EXISTS", "step", run.id)
        assert rej[0].message
        d = c.run(run.id)
        assert d["steps"][0]["output"] == {"v": 1}
        errs = c.errors(run_id=run.id)
        assert errs, "the rejection is not in the persistence-error sink"
        assert errs[0]["run_id"] == run.id


def test_reconnect_after_sigkill_loses_nothing(brain):
    with BrainClient(brain.socket, agent=agent_name(), reconnect_timeout=60) as c:
        run = c.start_run(goal="survive a crash")
        for i in range(20):
            run.step("before", output=i)
        c.flush(10)
        for i in range(30):
            run.step("around", output=i)
        brain.kill()
        assert wait_for(lambda: not c.connected, 5)
        for i in range(10):
            run.step("while-down", output=i)  # buffered
        brain.start()
        run.complete(result="done")
        c.flush(60)
        assert c.reconnects >= 1
        assert not c.rejections, list(c.rejections)
        d = c.run(run.id)
    assert d["status"] == "completed"
    assert [s["seq"] for s in d["steps"]] == list(range(1, 61))
    assert d["step_count"] == 60


def test_reconnect_after_graceful_restart(brain):
    """SIGTERM (final snapshot) instead of SIGKILL: checks the client's reconnect and resend."""
    with BrainClient(brain.socket, agent=agent_name(), reconnect_timeout=60) as c:
        run = c.start_run(goal="survive a restart")
        for i in range(20):
            run.step("before", output=i)
        c.flush(10)
        brain.stop()
        assert wait_for(lambda: not c.connected, 5)
        for i in range(10):
            run.step("while-down", output=i)  # buffered
        brain.start()
        run.complete(result="done")
        c.flush(60)
        assert c.reconnects >= 1
        assert c.welcome.last_seq >= 21
        assert not c.rejections, list(c.rejections)
        d = c.run(run.id)
    assert d["status"] == "completed"
    assert [s["seq"] for s in d["steps"]] == list(range(1, 31))


def test_example_survives_restart(brain):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cmd = [sys.executable, "-m", "brain_client.example", "--socket", brain.socket, "--runs", "500",
           "--steps", "10", "--payload-bytes", "200", "--agent", "example-restart"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)

    def streaming():
        # Kill the brain once the example streams (Python's start-up alone can take longer
        # than a fixed sleep on a loaded machine), so the restart lands mid-stream. Its first
        # run, not its agent: the agent is listed at the hello, and a kill before the client
        # has read the welcome fails the client's first connect, which is not retried.
        with BrainReader(brain.socket) as r:
            return len(r.runs(agent="example-restart", limit=1)) > 0

    assert wait_for(streaming, 60), "the example never streamed"
    brain.kill()
    time.sleep(0.5)
    brain.start()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() == "acked 6000 events", (out, err)
    with BrainReader(brain.socket) as r:
        runs = r.runs(agent="example-restart", limit=1000)
    assert len(runs) == 500
    assert all(x["status"] == "completed" and x["step_count"] == 10 for x in runs)


# ---------------------------------------------------------------- watch

def test_watch_sees_steps(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        run = c.start_run(goal="watched")
        c.flush(10)
        events = []
        ready = threading.Event()

        failures = []

        def consume():
            try:
                with BrainReader(brain.socket) as r:
                    gen = r.watch(run_id=run.id, idle_timeout=10)
                    ready.set()
                    for ev in gen:
                        events.append(ev)
                        if ev["type"] == "run" and ev["status"] == "completed":
                            break
                    gen.close()
            except Exception as exc:
                failures.append(exc)
                ready.set()

        t = threading.Thread(target=consume, daemon=True)
        t.start()
        ready.wait(5)
        time.sleep(0.3)  # let the watch register
        run.step("one", output=1)
        run.step("two", output=2)
        run.complete()
        c.flush(10)
        t.join(15)
    assert not failures, failures
    steps = [e for e in events if e["type"] == "step"]
    assert [(s["seq"], s["step_name"], s["output"]) for s in steps] == [(1, "one", 1), (2, "two", 2)]
    assert any(e["type"] == "run" and e["status"] == "completed" for e in events)


def test_watch_project(brain):
    with BrainClient(brain.socket, agent=agent_name(), project="watchproj") as c:
        events = []
        with BrainReader(brain.socket) as r:
            gen = r.watch(project="watchproj", idle_timeout=3)
            time.sleep(0.3)
            run = c.start_run(goal="in project")
            run.step("s")
            run.complete()
            c.flush(10)
            for ev in gen:
                events.append(ev)
                if ev["type"] == "run" and ev["status"] == "completed":
                    break
            gen.close()
    assert any(e["type"] == "run" and e["run_id"] == run.id for e in events)


def test_heartbeats_keep_agent_online(brain):
    name = agent_name()
    with BrainClient(brain.socket, agent=name) as c:
        timeout_s = c.welcome.heartbeat_timeout_ms / 1000
        if timeout_s > 10:
            pytest.skip(f"heartbeat timeout is {timeout_s} s; too long for a unit test")
        time.sleep(timeout_s * 1.5)
        agents = {a["name"]: a for a in c.agents()}
        assert agents[name]["state"] == "online"


# ---------------------------------------------------------------- default socket, example agent


def test_default_socket_agrees_with_brain_serve(monkeypatch):
    """`brain serve` without --socket and a client without a socket path meet."""
    if not os.path.exists(BRAIN_BIN):
        pytest.skip(f"brain binary not found at {BRAIN_BIN}")
    runtime = short_tmpdir("bxdg-")
    env = {k: v for k, v in os.environ.items() if k != "BRAIN_SOCKET"}
    env["XDG_RUNTIME_DIR"] = runtime
    expected = f"{runtime}/brain/brain.sock"
    proc = BrainProcess(BRAIN_BIN, runtime, env=env, default_socket=expected).start()
    try:
        monkeypatch.delenv("BRAIN_SOCKET", raising=False)
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        assert default_socket_path() == expected
        with BrainClient(agent=agent_name()) as c:
            assert c.socket_path == expected
            run = c.start_run(goal="on the default socket")
            run.complete()
            c.flush(10)
        with BrainReader() as r:
            assert r.socket_path == expected
            assert r.run(run.id)["status"] == "completed"
    finally:
        proc.stop()
        shutil.rmtree(runtime, ignore_errors=True)


def run_example(args, env_overrides, timeout=60):
    env = {k: v for k, v in os.environ.items() if k not in ("BRAIN_SOCKET", "BRAIN_TOKEN")}
    env["PYTHONPATH"] = PACKAGE_DIR
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-m", "brain_client.example", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_example_walkthrough_registers_agent_with_token(brain, monkeypatch):
    """The README walk-through: the example registers "crawler" with its token (trust on
    first use) on the default socket, then a BrainClient continues as that agent."""
    done = run_example(["--runs", "2", "--steps", "3", "--agent", "crawler", "--token", "s3cret"],
                       {"BRAIN_SOCKET": brain.socket})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "acked 10 events"
    monkeypatch.setenv("BRAIN_SOCKET", brain.socket)
    with BrainClient(agent="crawler", token="s3cret") as c:
        assert c.welcome.registered is False
        assert c.welcome.last_seq == 10
        with c.start_run(goal="after the example") as run:
            run.step("fetch", output={"status": 200})
        c.flush(10)
        runs = c.runs(agent="crawler")
    assert len(runs) == 3 and all(r["status"] == "completed" for r in runs)
    with pytest.raises(BrainError) as ei:
        BrainClient(agent="crawler", token="wrong")
    assert ei.value.code == "UNAUTHENTICATED"
    # BRAIN_TOKEN stands in for --token.
    again = run_example(["--runs", "1", "--steps", "1", "--agent", "crawler"],
                        {"BRAIN_SOCKET": brain.socket, "BRAIN_TOKEN": "s3cret"})
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "acked 3 events"
    wrong = run_example(["--runs", "1", "--agent", "crawler"], {"BRAIN_SOCKET": brain.socket, "BRAIN_TOKEN": "nope"})
    assert wrong.returncode == 1
    assert "UNAUTHENTICATED" in wrong.stderr


# ---------------------------------------------------------------- deleted runs


def test_deleted_run_is_hidden_unless_include_deleted(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        with c.start_run(goal="to delete") as gone:
            gone.step("s", output=1)
        with c.start_run(goal="to keep") as kept:
            pass
        c.flush(10)
        assert c.run(gone.id)["deleted_at"] is None
        deleted = c.reader.delete_run(gone.id)
        assert deleted["run_id"] == gone.id and deleted["deleted_at"]
        with pytest.raises(BrainError) as ei:
            c.run(gone.id)
        assert ei.value.code == "NOT_FOUND"
        d = c.run(gone.id, include_deleted=True)
        assert d["run_id"] == gone.id and d["status"] == "completed"
        assert d["deleted_at"] == deleted["deleted_at"]
        assert [s["output"] for s in d["steps"]] == [1]
        with BrainReader(brain.socket) as r:
            assert r.run(gone.id, include_deleted=True)["deleted_at"] == deleted["deleted_at"]
        listed = {r["run_id"]: r for r in c.runs(include_deleted=True)}
        assert listed[gone.id]["deleted_at"] == deleted["deleted_at"]
        assert listed[kept.id]["deleted_at"] is None
        assert gone.id not in [r["run_id"] for r in c.runs()]


# ---------------------------------------------------------------- NaN and Infinity


def test_nan_and_infinity_are_refused_at_the_call(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        run = c.start_run(goal="numbers", input={"n": 1})
        assert run.step("first", output={"x": 1.5}) == 1
        last = c.last_seq
        with pytest.raises(ValueError) as ei:
            run.step("nan", output=float("nan"))
        assert isinstance(ei.value, InvalidJSONValue)
        assert str(ei.value) == "step 'nan' output: NaN is not valid JSON"
        assert ei.value.field == "step 'nan' output"
        with pytest.raises(InvalidJSONValue, match=r"step 'inf' input\['scores'\]\[1\]: Infinity is not valid JSON"):
            run.step("inf", input={"scores": [1.0, math.inf]})
        with pytest.raises(InvalidJSONValue, match=r"complete result\['total'\]: -Infinity is not valid JSON"):
            run.complete(result={"total": -math.inf})
        with pytest.raises(InvalidJSONValue, match="fail context"):
            run.fail("E", context=[math.nan])
        with pytest.raises(InvalidJSONValue, match="abandon context"):
            run.abandon(context=math.nan)
        for field in ("input", "metadata", "workflow"):
            with pytest.raises(InvalidJSONValue, match=rf"start_run {field}\['v'\]: NaN is not valid JSON"):
                c.start_run(goal="never", **{field: {"v": math.nan}})
        assert c.last_seq == last, "a refused value was published"
        assert run.steps == 1 and run.finished is None
        assert run.step("second", output={"x": 2.5}) == 2
        run.complete(result={"ok": True})
        c.flush(10)
        assert c.acked_seq == last + 2
        d = c.run(run.id)
    assert not c.rejections, list(c.rejections)
    assert d["status"] == "completed" and d["result"] == {"ok": True}
    assert [(s["seq"], s["step_name"], s["output"]) for s in d["steps"]] == [(1, "first", {"x": 1.5}),
                                                                             (2, "second", {"x": 2.5})]


# ---------------------------------------------------------------- rejections carry the step seq


def test_rejection_carries_step_seq(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c:
        run = c.start_run(goal="rejections")
        assert run.step("ok") == 1
        bad_seq = c.publish(pb.AgentEvent(step=pb.StepReported(run_id=run.id, seq=7, step_name="bad",
                                                               status=pb.STEP_STATUS_OK, output_json="{not json")))
        run.complete()
        late = run.step("late")  # a finished run takes no more steps
        c.flush(10)
        rejections = wait_for(lambda: list(c.rejections) if len(c.rejections) >= 2 else None, 5)
        assert rejections, f"expected 2 rejections, got {list(c.rejections)}"
    invalid, finished = rejections
    assert (invalid.seq, invalid.step_seq, invalid.kind, invalid.code) == (bad_seq, 7, "step", "INVALID_ARGUMENT")
    assert "not valid JSON" in invalid.message
    assert (finished.step_seq, finished.kind, finished.code) == (late, "step", "FAILED_PRECONDITION")
    assert finished.seq == c.last_seq and finished.seq != finished.step_seq
    assert late == 2


# ---------------------------------------------------------------- queued runs


def test_queued_run_moves_through_running_and_persisting(brain):
    with BrainClient(brain.socket, agent=agent_name()) as c, BrainReader(brain.socket) as r:
        run = c.start_run(goal="queued first", status="queued")
        c.flush(10)
        seen = [r.run(run.id)["status"]]
        with r.watch(run_id=run.id, idle_timeout=10) as w:
            first = next(w)
            assert (first["type"], first["status"]) == ("run", "queued")
            run.set_status("running")
            c.flush(10)
            seen.append(r.run(run.id)["status"])
            run.step("work", output=1)
            run.set_status("persisting")
            c.flush(10)
            seen.append(r.run(run.id)["status"])
            run.complete(result="stored")
            c.flush(10)
            seen.append(r.run(run.id)["status"])
            watched = [first["status"]]
            for event in w:
                if event["type"] == "run":
                    watched.append(event["status"])
                    if event["status"] == "completed":
                        break
        assert not c.rejections, list(c.rejections)
    assert seen == ["queued", "running", "persisting", "completed"]
    assert watched == ["queued", "running", "persisting", "completed"]
    with pytest.raises(RuntimeError, match="already completed"):
        run.set_status("running")
