"""The cross-client conformance suite, Python runner.

Executes every case of conformance/cases.json through this client library
(brain_client) against a real brain ($BRAIN_BIN) started in a temp dir, and checks the
golden messages of conformance/golden/ against Python's protobuf. The Swift
(Tests/ConformanceTests) and C (clients/c/tests/conformance.c) runners do the same; a
case id in cases.json without an implementation here fails.
"""
import json
import os
import queue
import shutil
import signal
import struct
import threading
import time

import pytest
from google.protobuf import json_format

import brain_client.client as client_module
from brain_client import BrainClient, BrainError, BrainReader, brain_pb2 as pb
from brain_client.connection import Connection
from brain_process import BRAIN_BIN, BrainProcess, short_tmpdir

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CONFORMANCE = os.environ.get("BRAIN_CONFORMANCE_DIR", os.path.join(REPO, "conformance"))

with open(os.path.join(CONFORMANCE, "cases.json"), encoding="utf-8") as f:
    SPEC = json.load(f)
CASES = {case["id"]: case for case in SPEC["cases"]}
GOLDEN_DIR = os.path.join(CONFORMANCE, "golden")
GOLDEN = sorted(name[:-5] for name in os.listdir(GOLDEN_DIR) if name.endswith(".json"))


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.02)


def short_name(enum_name: str) -> str:
    """RUN_STATUS_COMPLETED -> completed (the reader's dict convention)."""
    return enum_name.split("_STATUS_", 1)[1].lower()


@pytest.fixture(scope="module")
def brain():
    if not os.path.exists(BRAIN_BIN):
        pytest.skip(f"brain binary not found at {BRAIN_BIN} (set BRAIN_BIN)")
    max_frame = ["--max-frame-bytes", str(SPEC["brain"]["max_frame_bytes"])]
    b = BrainProcess(BRAIN_BIN, short_tmpdir("bc-py-"), extra_args=max_frame).start()
    try:
        yield b
    finally:
        b.kill(signal.SIGTERM, wait=15)
        shutil.rmtree(b.workdir, ignore_errors=True)


def agent(brain, case, **kw):
    return BrainClient(brain.socket, agent=case["agent"], token=case.get("token"),
                       project=case.get("project", "default"), **kw)


def step_event(run_id, step, **override):
    fields = dict(run_id=run_id, seq=step["seq"], step_name=step["name"], status=pb.STEP_STATUS_OK,
                  input_json=step["input_json"], output_json=step["output_json"],
                  duration_ms=step["duration_ms"], started_at=int(step["started_at"]))
    fields.update(override)
    return pb.AgentEvent(step=pb.StepReported(**fields))


# ---------------------------------------------------------------------- cases


def case_hello(brain, case):
    exp = case["expect"]
    with agent(brain, case) as c:
        first = c.welcome
    with agent(brain, case) as c:
        second = c.welcome
    for key in ("registered", "last_seq", "protocol_version", "project"):
        assert getattr(first, key) == exp["first"][key], key
    assert second.registered == exp["second"]["registered"]
    assert second.last_seq == exp["second"]["last_seq"]
    assert (second.agent_id == first.agent_id) == exp["second"]["same_agent_id"]
    assert bool(first.agent_id) == exp["agent_id_nonempty"]
    assert (first.heartbeat_interval_ms > 0) == exp["heartbeat_interval_ms_positive"]
    assert (first.heartbeat_timeout_ms >= first.heartbeat_interval_ms) == exp["heartbeat_timeout_ms_at_least_interval"]


def case_wrong_token(brain, case):
    agent(brain, case).close()
    with pytest.raises(BrainError) as info:
        BrainClient(brain.socket, agent=case["agent"], token=case["wrong_token"])
    assert info.value.code == case["expect"]["code"]
    assert info.value.message


def case_protocol_version_mismatch(brain, case, monkeypatch):
    monkeypatch.setattr(client_module, "PROTOCOL_VERSION", case["protocol_version"])
    with pytest.raises(BrainError) as info:
        agent(brain, case)
    assert info.value.code == case["expect"]["code"]
    assert case["expect"]["message_contains"] in info.value.message


def case_steps(brain, case):
    exp = case["expect"]
    with agent(brain, case) as c:
        run = c.start_run(goal="conformance steps")
        for s in case["steps"]:
            run.step(s["name"], status=short_name(s["status"]), error=s.get("error", ""))
        run.complete(json.loads(case["result_json"]))
        c.flush(15)
        assert c.acked_seq == c.last_seq == exp["acked_seq"]
        time.sleep(0.1)
        assert len(c.rejections) == exp["rejections"], list(c.rejections)
    with BrainReader(brain.socket) as r:
        got = r.run(run.id)
    assert got["status"] == short_name(exp["run_status"])
    assert got["step_count"] == exp["step_count"] == len(got["steps"])
    assert [s["seq"] for s in got["steps"]] == exp["step_seqs"]
    assert [s["step_name"] for s in got["steps"]] == exp["step_names"]
    assert [s["status"] for s in got["steps"]] == [short_name(x) for x in exp["step_statuses"]]
    assert got["result"] == json.loads(exp["result_json"])


def case_duplicate_resend(brain, case):
    exp = case["expect"]
    with agent(brain, case) as c:
        run = c.start_run(goal="conformance duplicate")
        c.publish(step_event(run.id, case["step"]))
        c.publish(step_event(run.id, case["step"]))  # same step, next agent seq
        c.flush(15)
        assert c.acked_seq == exp["acked_seq"]
        time.sleep(0.1)
        assert len(c.rejections) == exp["rejections"], list(c.rejections)
    with BrainReader(brain.socket) as r:
        got = r.run(run.id)
    assert got["step_count"] == exp["step_count"] == len(got["steps"])


def case_conflicting_resend(brain, case):
    exp = case["expect"]
    with agent(brain, case) as c:
        run = c.start_run(goal="conformance conflict")
        c.publish(step_event(run.id, case["step"]))
        conflicting = c.publish(step_event(run.id, case["step"], output_json=case["conflicting_output_json"]))
        c.flush(15)
        assert c.acked_seq == exp["acked_seq"]
        assert wait_for(lambda: len(c.rejections) >= 1, 5)
        time.sleep(0.1)
        rejections = list(c.rejections)
    assert len(rejections) == exp["rejections"], rejections
    assert rejections[0].code == exp["rejected_code"]
    assert rejections[0].seq == conflicting == exp["rejected_seq"]
    assert rejections[0].message
    with BrainReader(brain.socket) as r:
        got = r.run(run.id)
        errors = r.errors(run_id=run.id)
    assert got["step_count"] == exp["step_count"] == len(got["steps"])
    assert got["steps"][0]["output"] == json.loads(exp["stored_output_json"])
    rows = [e for e in errors if e["phase"] == exp["persistence_error_phase"]]
    assert rows, errors
    assert rows[0]["run_id"] == run.id
    assert rows[0]["agent_name"] == exp["persistence_error_agent"]


def case_oversized_frame(brain, case):
    exp = case["expect"]
    with agent(brain, case) as healthy:
        replies: "queue.Queue" = queue.Queue()
        closed = threading.Event()
        bad = Connection(brain.socket, on_unsolicited=replies.put, on_close=lambda err: closed.set())
        bad.send_raw(struct.pack(">I", case["frame_bytes"]) + b"\x00" * case["body_bytes_sent"])
        assert closed.wait(5) == exp["closed"], "the oversized frame's connection was not closed"
        reply = replies.get(timeout=1)
        assert pb.StatusCode.Name(reply.status.code) == exp["code"]
        assert reply.status.message
        # The client's other connection is unaffected.
        run = healthy.start_run(goal="after an oversized frame")
        for i in range(case["steps_after"]):
            run.step(f"s{i + 1}")
        run.complete()
        healthy.flush(15)
        assert healthy.acked_seq == exp["healthy_acked_seq"]
        assert not healthy.rejections
        assert healthy.reconnects == 0
    with BrainReader(brain.socket) as r:
        assert r.run(run.id)["step_count"] == exp["healthy_step_count"]


def case_reconnect_after_restart(brain, case):
    exp = case["expect"]
    c = agent(brain, case, reconnect_timeout=60)
    try:
        runs = []
        for i in range(case["runs"]):
            run = c.start_run(goal=f"restart run {i}")
            for s in range(case["steps_per_run"]):
                run.step(f"step-{s + 1}", input={"i": i, "s": s})
            run.complete()
            runs.append(run.id)
            if i == case["flush_after_run"]:
                c.flush(15)
                acked_before_kill = c.acked_seq
            if i == case["kill_after_run"]:
                brain.kill(signal.SIGKILL)
            if i == case["restart_after_run"]:
                brain.start()
        c.flush(60)
        assert c.reconnects >= 1
        assert (c.welcome.last_seq >= acked_before_kill > 0) == exp["welcome_last_seq_at_least_acked_before_kill"], \
            f"welcome.last_seq {c.welcome.last_seq} after the restart, acked before the kill {acked_before_kill}"
        assert c.acked_seq == c.last_seq == exp["acked_seq"]
        time.sleep(0.1)
        assert len(c.rejections) == exp["rejections"], list(c.rejections)
    finally:
        c.close()
    with BrainReader(brain.socket) as r:
        for rid in runs:
            got = r.run(rid)
            assert got["status"] == short_name(exp["run_status"]), rid
            assert got["step_count"] == exp["step_count"] == len(got["steps"]), rid


def case_watch(brain, case):
    exp = case["expect"]
    with agent(brain, case) as c, BrainReader(brain.socket) as r:
        run = c.start_run(goal="conformance watch")
        c.flush(15)
        with r.watch(run_id=run.id, idle_timeout=10) as w:
            first = next(w)
            assert first["type"] == exp["first_event"]
            assert first["status"] == short_name(exp["first_run_status"])
            for i in range(case["steps"]):
                run.step(f"w{i + 1}")
            run.complete()
            seqs, final = [], None
            for event in w:
                if event["type"] == "step":
                    seqs.append(event["seq"])
                elif event["type"] == "run" and event["status"] == short_name(exp["final_run_status"]):
                    final = event["status"]
                    break
        assert seqs == exp["step_seqs"]
        assert final == short_name(exp["final_run_status"])


IMPLEMENTED = {
    "hello": case_hello,
    "wrong_token": case_wrong_token,
    "protocol_version_mismatch": case_protocol_version_mismatch,
    "steps": case_steps,
    "duplicate_resend": case_duplicate_resend,
    "conflicting_resend": case_conflicting_resend,
    "oversized_frame": case_oversized_frame,
    "reconnect_after_restart": case_reconnect_after_restart,
    "watch": case_watch,
}


def test_every_case_is_implemented():
    missing = [cid for cid in CASES if cid not in IMPLEMENTED]
    assert not missing, f"cases in conformance/cases.json without a Python implementation: {missing}"


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(brain, case_id, monkeypatch):
    if case_id not in IMPLEMENTED:
        pytest.fail(f"case {case_id!r} has no Python implementation")
    fn = IMPLEMENTED[case_id]
    try:
        if "monkeypatch" in fn.__code__.co_varnames[: fn.__code__.co_argcount]:
            fn(brain, CASES[case_id], monkeypatch)
        else:
            fn(brain, CASES[case_id])
    except BaseException:
        print(f"--- brain log ---\n{brain.log()}")
        raise


# ---------------------------------------------------------------------- golden bytes


def load_golden(name):
    with open(os.path.join(GOLDEN_DIR, name + ".json"), encoding="utf-8") as f:
        description = json.load(f)
    with open(os.path.join(GOLDEN_DIR, name + ".pb"), "rb") as f:
        data = f.read()
    cls = {"brain.v1.Request": pb.Request, "brain.v1.Response": pb.Response}[description["message"]]
    return cls, description["value"], data


def test_golden_files_exist():
    assert len(GOLDEN) >= 4, GOLDEN
    for name in GOLDEN:
        assert os.path.exists(os.path.join(GOLDEN_DIR, name + ".pb")), name


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_encode(name):
    cls, value, data = load_golden(name)
    assert json_format.ParseDict(value, cls()).SerializeToString() == data


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_decode(name):
    cls, value, data = load_golden(name)
    assert json_format.MessageToDict(cls.FromString(data), preserving_proto_field_name=True) == value
