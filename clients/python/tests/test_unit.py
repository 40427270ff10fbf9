"""Tests that need no brain: framing, conversions, socket path, buffer limits."""
import os

import pytest

from brain_client import (BrainClient, BrainError, BufferFullError, InvalidJSONValue, Rejection, SocketPathTooLong,
                          brain_pb2 as pb, default_socket_path)
from brain_client.connection import Connection
from brain_client.convert import dumps, message_to_dict, ns_to_rfc3339, rfc3339_to_datetime, run_status_value
from brain_client.framing import FrameDecoder, check_socket_path, encode_frame


def test_encode_frame_is_big_endian_length_prefix():
    req = pb.Request(call_id=7, get_status=pb.GetStatusRequest())
    frame = encode_frame(req)
    body = req.SerializeToString()
    assert frame[:4] == len(body).to_bytes(4, "big")
    assert frame[4:] == body


def test_empty_message_is_a_zero_length_frame():
    assert encode_frame(pb.Request()) == b"\x00\x00\x00\x00"
    assert FrameDecoder().feed(b"\x00\x00\x00\x00") == [b""]


def test_decoder_handles_split_and_coalesced_frames():
    msgs = [pb.Response(call_id=i, ack=pb.Ack(acked_seq=i * 1000)) for i in range(1, 6)]
    stream = b"".join(encode_frame(m) for m in msgs)
    dec = FrameDecoder()
    got = []
    for i in range(len(stream)):  # one byte at a time
        got += dec.feed(stream[i:i + 1])
    assert [pb.Response.FromString(b) for b in got] == msgs
    assert dec.pending == 0
    assert [pb.Response.FromString(b) for b in FrameDecoder().feed(stream)] == msgs  # all at once


def test_decoder_refuses_oversized_frame():
    dec = FrameDecoder(max_frame=10)
    with pytest.raises(BrainError) as ei:
        dec.feed((11).to_bytes(4, "big"))
    assert ei.value.code == "RESOURCE_EXHAUSTED"


def test_socket_path_too_long():
    long_path = "/tmp/" + "x" * 100 + ".sock"
    with pytest.raises(SocketPathTooLong) as ei:
        check_socket_path(long_path)
    assert ei.value.code == "INVALID_ARGUMENT"
    assert "104" in str(ei.value) or "103" in str(ei.value)
    with pytest.raises(SocketPathTooLong):
        BrainClient(long_path, agent="a")
    with pytest.raises(ValueError):  # also a ValueError
        Connection(long_path)
    assert check_socket_path("/tmp/" + "x" * 93) == "/tmp/" + "x" * 93  # 98 bytes is fine


def test_brain_error_carries_code_and_message():
    e = BrainError(code="UNAUTHENTICATED", message="wrong token")
    assert (e.code, e.message) == ("UNAUTHENTICATED", "wrong token")
    assert "UNAUTHENTICATED" in str(e) and "wrong token" in str(e)


def test_message_to_dict_conventions():
    info = pb.RunInfo(run_id="r", status=pb.RUN_STATUS_COMPLETED, input_json='{"a": 1}',
                      created_at=1_700_000_000_123_456_789)
    d = message_to_dict(info)
    assert d["run_id"] == "r"
    assert d["status"] == "completed"
    assert d["input"] == {"a": 1}
    assert d["result"] is None
    assert d["created_at"] == "2023-11-14T22:13:20.123456789Z"
    assert d["completed_at"] is None
    assert rfc3339_to_datetime(d["created_at"]).microsecond == 123456
    assert ns_to_rfc3339(0) is None
    assert run_status_value("failed") == pb.RUN_STATUS_FAILED
    with pytest.raises(ValueError):
        run_status_value("bogus")


def test_connection_to_missing_socket_is_unavailable(tmp_path):
    path = os.path.join("/tmp", f"nobrain-{os.getpid()}.sock")
    with pytest.raises(BrainError) as ei:
        Connection(path)
    assert ei.value.code == "UNAVAILABLE"


def test_buffer_full_raises_and_drops_nothing(fake_brain):
    fake_brain.hold_acks = True
    with BrainClient(fake_brain.path, agent="buf", max_buffered_events=5) as brain:
        run = brain.start_run(goal="g")
        for i in range(4):
            run.step("s", output=i)
        assert brain.pending == 5
        with pytest.raises(BufferFullError) as ei:
            run.step("s", output="too many")
        assert ei.value.code == "RESOURCE_EXHAUSTED"
        assert brain.last_seq == 5  # the refused event took no seq
        assert run.steps == 4  # ... and no step seq
        brain.close(flush_timeout=0)


def test_buffer_wait_lets_acks_make_room(fake_brain):
    with BrainClient(fake_brain.path, agent="bufwait", max_buffered_events=2, buffer_wait=10) as brain:
        with brain.start_run(goal="g") as run:
            for i in range(50):
                run.step("s", output=i)
        brain.flush(10)
        assert brain.pending == 0
        assert brain.acked_seq == 52


def test_default_socket_path_follows_the_brain(monkeypatch):
    monkeypatch.setenv("BRAIN_SOCKET", "/tmp/explicit.sock")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/1000")
    assert default_socket_path() == "/tmp/explicit.sock"
    monkeypatch.setenv("BRAIN_SOCKET", "")  # set but empty: not used
    assert default_socket_path() == "/run/user/1000/brain/brain.sock"
    monkeypatch.delenv("BRAIN_SOCKET")
    assert default_socket_path() == "/run/user/1000/brain/brain.sock"
    monkeypatch.setenv("XDG_RUNTIME_DIR", "")
    assert default_socket_path() == f"/tmp/brain-{os.getuid()}/brain.sock"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert default_socket_path() == f"/tmp/brain-{os.getuid()}/brain.sock"


def test_no_socket_path_means_the_default(monkeypatch):
    missing = f"/tmp/nobrain-{os.getpid()}.sock"
    monkeypatch.setenv("BRAIN_SOCKET", missing)
    for connect in (lambda: Connection(), lambda: Connection(None), lambda: BrainClient(agent="a"),
                    lambda: BrainClient(None, "a")):
        with pytest.raises(BrainError) as ei:
            connect()
        assert ei.value.code == "UNAVAILABLE" and missing in ei.value.message
    monkeypatch.setenv("BRAIN_SOCKET", "/tmp/" + "x" * 100 + ".sock")
    with pytest.raises(SocketPathTooLong):
        BrainClient(agent="a")


def test_agent_name_is_required():
    with pytest.raises(ValueError, match="agent name is required"):
        BrainClient()


def test_example_help_names_the_default_socket_and_token(capsys):
    from brain_client import example

    with pytest.raises(SystemExit) as ei:
        example.main(["--help"])
    assert ei.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--socket SOCKET the brain's Unix socket (default: $BRAIN_SOCKET, else the brain's default" in text
    assert "$BRAIN_TOKEN" in text


def test_json_values_refuse_nan_and_infinity():
    with pytest.raises(InvalidJSONValue) as ei:
        dumps(float("nan"), "step 'nan' output")
    assert str(ei.value) == "step 'nan' output: NaN is not valid JSON"
    assert isinstance(ei.value, ValueError)
    with pytest.raises(InvalidJSONValue, match=r"^x\[0\]\['a'\]: Infinity is not valid JSON$"):
        dumps([{"a": float("inf")}], "x")
    with pytest.raises(InvalidJSONValue, match=r"^x\['b'\]\[1\]: -Infinity is not valid JSON$"):
        dumps({"a": 1, "b": (2, float("-inf"))}, "x")

    class Point:
        def __init__(self):
            self.y = float("nan")

    with pytest.raises(InvalidJSONValue, match=r"^x\['y'\]: NaN is not valid JSON$"):
        dumps(Point(), "x")
    cycle = []
    cycle.append(cycle)
    with pytest.raises(InvalidJSONValue, match="^x: Circular reference"):
        dumps(cycle, "x")
    assert dumps({"a": 1.5, "b": "NaN", "c": [None]}) == '{"a":1.5,"b":"NaN","c":[null]}'


def test_hello_values_are_checked_before_connecting():
    # No brain listens there: the JSON check comes first.
    with pytest.raises(InvalidJSONValue, match="BrainClient metadata\\['load'\\]: NaN"):
        BrainClient("/tmp/nobrain.sock", agent="a", metadata={"load": float("nan")})


def test_rejection_keeps_its_positional_fields():
    rej = Rejection(5, "ALREADY_EXISTS", "differs", "step", "r")
    assert (rej.seq, rej.step_seq) == (5, None)
    assert Rejection(5, "ALREADY_EXISTS", "differs", "step", "r", step_seq=2).step_seq == 2
