"""Client behaviour against the in-process FakeBrain (no binary needed).

These check the client's own logic (seq ownership, resend, rejections, the run API);
test_brain.py checks the same against the real brain.
"""
import os
import time

import pytest

import brain_client.connection as connection_module
from brain_client import BrainClient, BrainError, BrainReader, brain_pb2 as pb
from brain_client.connection import Connection


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_hello_and_seq_ownership(fake_brain):
    with BrainClient(fake_brain.path, agent="a1") as brain:
        assert brain.agent_id == "agent-a1"
        assert brain.welcome.heartbeat_interval_ms == 200
        brain.start_run(goal="one").complete()
        brain.flush(5)
        assert brain.acked_seq == 2
    with BrainClient(fake_brain.path, agent="a1") as brain:
        assert brain.acked_seq == 2
        run = brain.start_run(goal="two")
        brain.flush(5)
        assert [e.seq for e in fake_brain.received] == [1, 2, 3]
        run.complete()


def test_wrong_token(fake_brain):
    BrainClient(fake_brain.path, agent="tok", token="right").close()
    with pytest.raises(BrainError) as ei:
        BrainClient(fake_brain.path, agent="tok", token="wrong")
    assert ei.value.code == "UNAUTHENTICATED"


def test_context_manager_and_decorators(fake_brain):
    with BrainClient(fake_brain.path, agent="ctx") as brain:
        with pytest.raises(ZeroDivisionError):
            with brain.start_run(goal="boom") as run:
                @run.step_fn("divide")
                def divide(a, b):
                    return a / b

                assert divide(6, 3) == 2
                divide(1, 0)
        brain.flush(5)
        info = fake_brain.runs[run.id]["info"]
        assert info.status == pb.RUN_STATUS_FAILED
        assert info.error_type == "ZeroDivisionError"
        assert "Traceback" in info.error_context_json
        s1, s2 = fake_brain.steps[(run.id, 1)], fake_brain.steps[(run.id, 2)]
        assert (s1.step_name, s1.status, s1.input_json, s1.output_json) == ("divide", pb.STEP_STATUS_OK, '{"a":6,"b":3}', "2.0")
        assert s2.status == pb.STEP_STATUS_ERROR and "ZeroDivisionError" in s2.error

        @brain.step("double")
        def double(x):
            return 2 * x

        assert double(1) == 2  # outside a run: just runs
        with brain.start_run(goal="ok") as run2:
            assert brain.current_run is run2
            double(21)
        assert brain.current_run is None
        brain.flush(5)
        assert fake_brain.runs[run2.id]["info"].status == pb.RUN_STATUS_COMPLETED
        assert fake_brain.steps[(run2.id, 1)].output_json == "42"


def test_rejection_is_kept(fake_brain):
    seen = []
    with BrainClient(fake_brain.path, agent="rej", on_rejection=seen.append) as brain:
        run = brain.start_run(goal="g")
        run.complete()
        ev = pb.AgentEvent(run_status=pb.RunStatusChanged(run_id=run.id, status=pb.RUN_STATUS_COMPLETED))
        seq = brain.publish(ev)
        brain.flush(5)
        assert wait_for(lambda: brain.rejections)
        rej = brain.rejections[0]
        assert (rej.seq, rej.code, rej.kind, rej.run_id) == (seq, "FAILED_PRECONDITION", "run_status", run.id)
        assert rej.step_seq is None  # not a step
        assert seen == [rej]


def test_reconnect_resends_unacked(fake_brain):
    with BrainClient(fake_brain.path, agent="rc", reconnect_timeout=10) as brain:
        run = brain.start_run(goal="g")
        brain.flush(5)
        fake_brain.hold_acks = True
        for i in range(5):
            run.step("s", output=i)
        assert wait_for(lambda: len(fake_brain.received) == 6)
        # The brain "loses" the last two events (not yet durable) and restarts.
        del fake_brain.received[-2:]
        for key in [(run.id, 4), (run.id, 5)]:
            fake_brain.steps.pop(key)
        fake_brain.agents["rc"]["last_seq"] = 4
        fake_brain.crash()
        run.step("s", output="while down")  # buffered while disconnected
        time.sleep(0.3)
        fake_brain.hold_acks = False
        fake_brain.start()
        run.complete()
        brain.flush(15)
        assert wait_for(lambda: brain.reconnects >= 1)
        assert [e.seq for e in fake_brain.received] == list(range(1, 9))
        assert sorted(k[1] for k in fake_brain.steps if k[0] == run.id) == [1, 2, 3, 4, 5, 6]


def test_gives_up_after_reconnect_timeout(fake_brain):
    brain = BrainClient(fake_brain.path, agent="gu", reconnect_timeout=0.5)
    run = brain.start_run(goal="g")
    brain.flush(5)
    fake_brain.crash()
    assert wait_for(lambda: brain._fatal is not None, 5)
    with pytest.raises(BrainError) as ei:
        run.step("s")
    assert ei.value.code == "UNAVAILABLE"
    brain.close(flush_timeout=0)


def test_read_methods_on_client(fake_brain):
    with BrainClient(fake_brain.path, agent="rd") as brain:
        with brain.start_run(goal="read me", input={"q": 1}) as run:
            run.step("fetch", input={"u": "x"}, output={"n": 3}, duration_ms=12)
        brain.flush(5)
        d = brain.run(run.id)
        assert d["goal"] == "read me" and d["status"] == "completed"
        assert d["steps"][0]["step_name"] == "fetch" and d["steps"][0]["output"] == {"n": 3}
        assert d["steps"][0]["duration_ms"] == 12
        with pytest.raises(BrainError) as ei:
            brain.run("00000000-0000-0000-0000-000000000000")
        assert ei.value.code == "NOT_FOUND"


# ---------------------------------------------------------------- a reconnect's connection closing at once


def _unacked_run(fake_brain, brain, steps=3):
    """A run whose events all reached the fake brain but are not acknowledged."""
    run = brain.start_run(goal="g")
    brain.flush(5)
    fake_brain.hold_acks = True
    for i in range(steps):
        run.step("s", output=i)
    assert wait_for(lambda: len(fake_brain.received) == 1 + steps)
    assert brain.pending == steps
    return run


@pytest.mark.parametrize("lost_on_brain", [0, 2], ids=["nothing-to-resend", "resend-two"])
def test_reconnect_survives_close_right_after_welcome(fake_brain, lost_on_brain):
    """The fix in _resend: a connection that closes while its welcome is being handled,
    before the client installs its close handler, must not be adopted as if alive.

    The client is made to handle the welcome only once the connection has closed (the
    fake brain closes it right after sending the welcome), which is the interleaving
    that lost the close: nothing reconnected and flush() never finished.
    """
    with BrainClient(fake_brain.path, agent="hr", reconnect_timeout=10) as brain:
        run = _unacked_run(fake_brain, brain)
        if lost_on_brain:  # the brain did not keep the last events: they must be resent
            del fake_brain.received[-lost_on_brain:]
            for seq in range(4 - lost_on_brain, 4):
                del fake_brain.steps[(run.id, seq)]
            fake_brain.agents["hr"]["last_seq"] -= lost_on_brain
        hellos = []
        connect_and_hello = brain._connect_and_hello

        def hello_answered_after_close():
            conn, welcome = connect_and_hello()
            hellos.append(welcome.last_seq)
            if len(hellos) == 1:
                assert wait_for(lambda: conn.closed, 5), "the fake brain did not close the connection"
            return conn, welcome

        brain._connect_and_hello = hello_answered_after_close
        fake_brain.drop_after_welcome = 1
        fake_brain.hold_acks = False
        fake_brain.drop_connections()
        assert wait_for(lambda: brain.reconnects == 1)
        run.step("s", output="after")
        run.complete()
        brain.flush(10)
        assert fake_brain.dropped_after_welcome == 1
        assert hellos == [4 - lost_on_brain] * 2  # went round once more, nothing held on the brain changed
        assert brain.reconnects == 1 and brain.connected
        assert [e.seq for e in fake_brain.received] == list(range(1, 7))
        assert sorted(k[1] for k in fake_brain.steps if k[0] == run.id) == [1, 2, 3, 4]
        assert fake_brain.runs[run.id]["info"].status == pb.RUN_STATUS_COMPLETED


def test_reconnect_survives_close_right_after_adopting(fake_brain):
    """The connection a reconnect adopted closes before the reconnect loop has ended.

    Its close handler runs while the loop still counts as reconnecting, so it starts no
    loop of its own: the loop must see that its connection is gone and go round.
    """
    with BrainClient(fake_brain.path, agent="ha", reconnect_timeout=10) as brain:
        run = _unacked_run(fake_brain, brain)
        resends = []
        resend = brain._resend

        def resend_then_lose_connection(conn, welcome):
            adopted = resend(conn, welcome)
            resends.append(adopted)
            if len(resends) == 1:
                assert adopted and brain._conn is conn
                fake_brain.drop_connections()
                assert wait_for(lambda: brain._conn is None, 5), "the client did not see the close"
            return adopted

        brain._resend = resend_then_lose_connection
        fake_brain.hold_acks = False
        fake_brain.drop_connections()
        assert wait_for(lambda: brain.reconnects == 1)
        run.step("s", output="after")
        run.complete()
        brain.flush(10)
        assert resends == [True, True]
        assert brain.reconnects == 1 and brain.connected
        assert [e.seq for e in fake_brain.received] == list(range(1, 7))
        assert fake_brain.runs[run.id]["info"].status == pb.RUN_STATUS_COMPLETED


def test_reply_that_arrived_before_the_close_is_kept(fake_brain, monkeypatch):
    """A welcome followed at once by the close: the caller gets the welcome, not
    ConnectionClosed, even when it wakes up only after the close was handled."""
    fake_brain.drop_after_welcome = 1
    conn = Connection(fake_brain.path)

    class WakesAfterClose(connection_module._Pending):
        __slots__ = ()

        def __init__(self):
            super().__init__()
            arrived = self.event

            class Event:
                def set(self):
                    arrived.set()

                def wait(self, timeout=None):
                    got = arrived.wait(timeout)
                    assert wait_for(lambda: conn.closed, 5), "the fake brain did not close the connection"
                    return got

            self.event = Event()

    monkeypatch.setattr(connection_module, "_Pending", WakesAfterClose)
    resp = conn.call(pb.Request(hello=pb.HelloRequest(agent_name="early", protocol_version=1)), timeout=5)
    assert resp.welcome.agent_id == "agent-early"
    assert conn.closed


# ---------------------------------------------------------------- default socket, run status


def test_no_socket_path_uses_brain_socket_env(fake_brain, monkeypatch):
    monkeypatch.setenv("BRAIN_SOCKET", fake_brain.path)
    with BrainClient(agent="env") as brain:
        assert brain.socket_path == fake_brain.path
        run = brain.start_run(goal="via BRAIN_SOCKET")
        run.complete()
        brain.flush(5)
        assert brain.run(run.id)["status"] == "completed"
        assert brain.reader.socket_path == fake_brain.path
    with BrainReader() as reader:
        assert reader.socket_path == fake_brain.path
        assert reader.status()["version"] == "fake"


def test_no_socket_path_uses_xdg_runtime_dir(fake_brain, monkeypatch):
    from fake_brain import FakeBrain

    runtime = os.path.dirname(fake_brain.path)
    os.makedirs(os.path.join(runtime, "brain"))
    other = FakeBrain(os.path.join(runtime, "brain", "brain.sock")).start()
    try:
        monkeypatch.delenv("BRAIN_SOCKET", raising=False)
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        with BrainClient(agent="xdg") as brain:
            assert brain.socket_path == f"{runtime}/brain/brain.sock"
            brain.start_run(goal="via XDG_RUNTIME_DIR").complete()
            brain.flush(5)
        assert [e.WhichOneof("event") for e in other.received] == ["run_created", "run_status"]
        assert fake_brain.received == []
    finally:
        other.stop()


def test_start_run_status_and_set_status(fake_brain):
    with BrainClient(fake_brain.path, agent="st") as brain:
        running = brain.start_run(goal="default")
        queued = brain.start_run(goal="later", status="queued")
        last = brain.last_seq
        for wrong, hint in (("completed", "complete"), ("failed", "fail"), ("queued", "back to queued")):
            with pytest.raises(ValueError, match=hint):
                queued.set_status(wrong)
        with pytest.raises(ValueError, match="unknown value"):
            queued.set_status("bogus")
        assert brain.last_seq == last  # nothing published
        queued.set_status("running")
        queued.set_status("persisting")
        queued.complete()
        with pytest.raises(RuntimeError, match="already completed"):
            queued.set_status("running")
        running.complete()
        brain.flush(5)
    created = [e.run_created for e in fake_brain.received if e.WhichOneof("event") == "run_created"]
    # "running" is sent explicitly, not left to the brain's default for an unset status.
    assert [c.initial_status for c in created] == [pb.RUN_STATUS_RUNNING, pb.RUN_STATUS_QUEUED]
    changes = [(e.run_status.run_id, e.run_status.status) for e in fake_brain.received
               if e.WhichOneof("event") == "run_status"]
    assert changes == [(queued.id, pb.RUN_STATUS_RUNNING), (queued.id, pb.RUN_STATUS_PERSISTING),
                       (queued.id, pb.RUN_STATUS_COMPLETED), (running.id, pb.RUN_STATUS_COMPLETED)]


def test_step_fn_with_a_nan(fake_brain):
    from brain_client import InvalidJSONValue

    with BrainClient(fake_brain.path, agent="fnan") as brain:
        with brain.start_run(goal="g") as run:
            @run.step_fn("ratio")
            def ratio(a, b):
                return float(a) / float(b)

            with pytest.raises(InvalidJSONValue, match="step 'ratio' output: Infinity is not valid JSON"):
                ratio("inf", "1")
            # A NaN input of a call that raises: the function's own exception wins.
            with pytest.raises(ZeroDivisionError):
                ratio(float("nan"), 0.0)
            assert run.steps == 0
            assert ratio(1.0, 2.0) == 0.5
        brain.flush(5)
    assert sorted(k[1] for k in fake_brain.steps if k[0] == run.id) == [1]
    assert fake_brain.steps[(run.id, 1)].output_json == "0.5"
