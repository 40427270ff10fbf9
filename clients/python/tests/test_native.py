"""The client's behaviours again, through the native path (libbrain via ctypes).

Every test of test_client_fake.py and test_brain.py that drives the public API runs here
a second time with BrainClient on libbrain (``backend == "native"``); the ones that patch
the pure client's internals (its reconnect loop, its Connection) stay in those files.
The conformance cases run through the native path in test_native_conformance.py.

libbrain is $BRAIN_LIBBRAIN, else clients/c/build/libbrain.so (``make -C clients/c``).
Without it the module is skipped, with the reason.
"""
import ctypes
import os
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
LIBBRAIN = os.environ.get("BRAIN_LIBBRAIN") or os.path.join(REPO, "clients", "c", "build", "libbrain.so")


def _why_not_usable(path):
    if not os.path.exists(path):
        return f"libbrain.so not built at {path} (make -C clients/c, or set BRAIN_LIBBRAIN): native path not tested"
    try:
        lib = ctypes.CDLL(path)
        lib.brain_publish_encoded  # noqa: B018 (the symbol the native path needs)
    except (OSError, AttributeError) as exc:
        return f"{path} is not a usable libbrain ({exc}): native path not tested"
    return None


_reason = _why_not_usable(LIBBRAIN)
if _reason:
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(autouse=True)
def native_backend(monkeypatch):
    monkeypatch.setenv("BRAIN_LIBBRAIN", LIBBRAIN)
    monkeypatch.delenv("BRAIN_PURE_PYTHON", raising=False)


# ---------------------------------------------------------------- the same behaviours, native

from test_client_fake import *  # noqa: E402,F401,F403
from test_brain import *  # noqa: E402,F401,F403

# These patch the pure client's own machinery (BrainClient._connect_and_hello, _resend,
# connection._Pending); libbrain's reconnect loop is covered by clients/c/tests.
del test_reconnect_survives_close_right_after_welcome  # noqa: F821
del test_reconnect_survives_close_right_after_adopting  # noqa: F821
del test_reply_that_arrived_before_the_close_is_kept  # noqa: F821

from brain_client import BrainClient, BrainError, BufferFullError, native  # noqa: E402
from brain_client import brain_pb2 as pb  # noqa: E402
from brain_client.client import BrainClient as PureBase  # noqa: E402
from brain_client.run import Run  # noqa: E402


# ---------------------------------------------------------------- which path, and why


def test_native_is_picked_when_libbrain_is_found(fake_brain):
    assert native.status() == f"native: {LIBBRAIN}"
    with BrainClient(fake_brain.path, agent="nat") as brain:
        assert brain.backend == "native"
        assert isinstance(brain, PureBase)  # still a BrainClient
        run = brain.start_run(goal="g")
        assert isinstance(run, Run)


def test_brain_pure_python_forces_the_python_path(fake_brain, monkeypatch):
    monkeypatch.setenv("BRAIN_PURE_PYTHON", "1")
    assert native.status() == "pure Python: BRAIN_PURE_PYTHON is set"
    with BrainClient(fake_brain.path, agent="pure") as brain:
        assert brain.backend == "python"
        assert type(brain) is PureBase


def test_a_library_without_the_api_is_not_used(fake_brain, monkeypatch):
    monkeypatch.setenv("BRAIN_LIBBRAIN", "libc.so.6")
    assert native.status().startswith("pure Python: libc.so.6")
    with BrainClient(fake_brain.path, agent="nolib") as brain:
        assert brain.backend == "python"


def test_missing_library_falls_back_to_python(fake_brain, monkeypatch):
    monkeypatch.setenv("BRAIN_LIBBRAIN", "/nonexistent/libbrain.so")
    with BrainClient(fake_brain.path, agent="nolib2") as brain:
        assert brain.backend == "python"


def test_unknown_options_take_the_python_path():
    assert native.native_class({"agent": "x", "max_buffered_events": 3}) is native.NativeBrainClient
    assert native.native_class({"agent": "x", "some_future_option": 1}) is None


# ---------------------------------------------------------------- same bytes, same seqs


def _published(fake_brain, backend, monkeypatch, agent):
    if backend == "python":
        monkeypatch.setenv("BRAIN_PURE_PYTHON", "1")
    else:
        monkeypatch.delenv("BRAIN_PURE_PYTHON", raising=False)
    fake_brain.received.clear()
    with BrainClient(fake_brain.path, agent=agent, token="t") as brain:
        assert brain.backend == backend
        run = brain.start_run(goal="g", run_id="00000000-0000-4000-8000-000000000001", input={"q": [1, 2]})
        assert run.step("fetch", input={"url": "https://é.example"}, output={"n": 1.5, "t": (1, 2)},
                        duration_ms=12.6, started_at=1_700_000_000_000_000_000) == 1
        assert run.step("skip", status="skip", started_at=5) == 2
        assert run.step("bad", input=b"raw", error="boom", status="error", started_at=6) == 3
        run.set_status("persisting")
        run.fail("Boom", "it broke", failed_at_step=3, context={"k": "v"})
        last = brain.last_seq
    events = list(fake_brain.received)
    for e in events:  # times taken by the client itself
        if e.WhichOneof("event") == "run_created":
            e.run_created.created_at = 0
        if e.WhichOneof("event") == "run_status":
            e.run_status.at = 0
    return last, events


def test_native_sends_what_the_python_client_sends(fake_brain, monkeypatch):
    last_py, py = _published(fake_brain, "python", monkeypatch, "same-py")
    last_nat, nat = _published(fake_brain, "native", monkeypatch, "same-nat")
    assert (last_py, last_nat) == (6, 6)
    assert [e.SerializeToString(deterministic=True) for e in nat] == \
           [e.SerializeToString(deterministic=True) for e in py]


def test_seq_continues_after_the_welcome(fake_brain):
    with BrainClient(fake_brain.path, agent="cont", token="t") as brain:
        brain.start_run(goal="g").step("s")
    with BrainClient(fake_brain.path, agent="cont", token="t") as brain:
        assert brain.welcome.last_seq == 2
        assert brain.last_seq == 2 and brain.acked_seq == 2
        assert brain.publish(pb.AgentEvent(run_created=pb.RunCreated(run_id="r2", goal="g"))) == 3


def test_buffer_full_is_raised_and_nothing_is_dropped(fake_brain):
    fake_brain.hold_acks = True
    brain = BrainClient(fake_brain.path, agent="full", max_buffered_events=3, buffer_wait=0.2)
    try:
        run = brain.start_run(goal="g")
        run.step("a")
        run.step("b")
        t0 = time.monotonic()
        with pytest.raises(BufferFullError) as ei:
            run.step("c")
        assert time.monotonic() - t0 >= 0.15  # waited buffer_wait for room
        assert ei.value.code == "RESOURCE_EXHAUSTED"
        assert run.steps == 2 and brain.pending == 3 and brain.last_seq == 3  # the refused step took no seq
        assert wait_for(lambda: len(fake_brain.received) == 3)
    finally:
        brain.close(flush_timeout=0)


def test_closed_client_refuses_to_publish(fake_brain):
    brain = BrainClient(fake_brain.path, agent="closed")
    run = brain.start_run(goal="g")
    brain.close()
    brain.close()  # twice is fine
    with pytest.raises(BrainError) as ei:
        run.step("late")
    assert ei.value.code == "FAILED_PRECONDITION"
    assert not brain.connected and brain.pending == 0


def test_wrong_token_on_the_native_path(fake_brain):
    with BrainClient(fake_brain.path, agent="tok", token="right"):
        pass
    with pytest.raises(BrainError) as ei:
        BrainClient(fake_brain.path, agent="tok", token="wrong")
    assert ei.value.code == "UNAUTHENTICATED"
    assert not ei.value.message.startswith("the brain refused")


def test_many_threads_publish_in_order(fake_brain):
    import threading

    with BrainClient(fake_brain.path, agent="threads") as brain:
        runs = [brain.start_run(goal=f"r{i}") for i in range(4)]

        def work(run):
            for i in range(200):
                run.step("s", output=i)

        threads = [threading.Thread(target=work, args=(r,)) for r in runs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        brain.flush(10)
        assert brain.pending == 0 and brain.last_seq == 4 + 800
    seqs = [e.seq for e in fake_brain.received]
    assert seqs == list(range(1, 805))
    for run in runs:
        steps = [e.step.seq for e in fake_brain.received if e.WhichOneof("event") == "step" and e.step.run_id == run.id]
        assert steps == list(range(1, 201))
