"""Client behaviour against the in-process FakeBrain (no binary needed).

These check the client's own logic (seq ownership, resend, rejections, the run API);
test_brain.py checks the same against the real brain.
"""
import time

import pytest

from brain_client import BrainClient, BrainError, brain_pb2 as pb


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
