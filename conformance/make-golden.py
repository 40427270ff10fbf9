#!/usr/bin/env python3
"""Writes conformance/golden/<name>.json and <name>.pb.

Each .json describes one message: {"message": "brain.v1.Request" | "brain.v1.Response",
"value": {...}} where value is the proto3 JSON mapping with the proto field names
(snake_case), 64-bit integers as strings, enums by name, and no default values. The .pb
is that message serialized by Python's protobuf (brain_client/brain_pb2.py) — the one
encoder the C (protobuf-c) and Swift (BrainProtocol.WireCodec) runners compare with.

    python3 conformance/make-golden.py          # (re)write the files
    python3 conformance/make-golden.py --check  # fail if the committed files differ
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients", "python"))

from google.protobuf import json_format  # noqa: E402

from brain_client import brain_pb2 as pb  # noqa: E402

RUN_ID = "123e4567-e89b-12d3-a456-426614174000"

MESSAGES = {
    "hello_request": ("brain.v1.Request", {
        "call_id": "7",
        "hello": {
            "agent_name": "agent-\u00e9",
            "project": "proj",
            "token": "t0k",
            "protocol_version": 1,
            "framework_adapter": "fw",
            "engine_adapters": ["a", "b"],
            "scheduler_adapters": ["s"],
            "capabilities_json": "{}",
            "metadata_json": "{\"k\":1}",
        },
    }),
    "publish_step_request": ("brain.v1.Request", {
        "publish": {
            "seq": "300",
            "step": {
                "run_id": RUN_ID,
                "seq": 2,
                "step_name": "fetch",
                "status": "STEP_STATUS_ERROR",
                "input_json": "[1]",
                "output_json": "\"x\"",
                "error": "boom",
                "duration_ms": "1500",
                "started_at": "1700000000000000000",
            },
        },
    }),
    "publish_run_created_request": ("brain.v1.Request", {
        "call_id": "5",
        "publish": {
            "seq": "1",
            "run_created": {
                "run_id": RUN_ID,
                "goal": "g",
                "target_url": "https://example.com/a",
                "timeout_ms": "60000",
                "initial_status": "RUN_STATUS_RUNNING",
                "created_at": "-1",
            },
        },
    }),
    "rejected_response": ("brain.v1.Response", {
        "call_id": "12",
        "status": {"code": "ALREADY_EXISTS",
                   "message": "step 1 of run " + RUN_ID + " already exists with different content"},
        "rejected": {"seq": "3"},
    }),
    "run_detail_response": ("brain.v1.Response", {
        "call_id": "34",
        "run": {
            "run": {
                "run_id": RUN_ID,
                "agent_id": "agent-1",
                "agent_name": "crawler",
                "project": "default",
                "status": "RUN_STATUS_COMPLETED",
                "goal": "fetch the front page",
                "target_url": "https://example.com",
                "run_type": "crawl",
                "input_json": "{\"url\":\"https://example.com\"}",
                "timeout_ms": "60000",
                "step_count": 2,
                "result_json": "{\"ok\":true}",
                "created_at": "1700000000000000000",
                "updated_at": "1700000000500000000",
                "completed_at": "1700000000500000000",
            },
            "child_run_ids": ["child-1", "child-2"],
            "steps": [
                {"run_id": RUN_ID, "seq": 1, "step_name": "get", "status": "STEP_STATUS_OK",
                 "output_json": "{\"status\":200}", "duration_ms": "42",
                 "started_at": "1700000000100000000", "received_at": "1700000000200000000"},
                {"run_id": RUN_ID, "seq": 2, "step_name": "parse", "status": "STEP_STATUS_SKIP",
                 "received_at": "1700000000300000000"},
            ],
        },
    }),
    "ack_response": ("brain.v1.Response", {"ack": {"acked_seq": "42"}}),
}


def build(name):
    kind, value = MESSAGES[name]
    message = pb.Request() if kind == "brain.v1.Request" else pb.Response()
    json_format.ParseDict(value, message)
    # The description must be canonical: what the message prints back as.
    back = json_format.MessageToDict(message, preserving_proto_field_name=True)
    if back != value:
        raise SystemExit(f"{name}: description is not canonical:\n{back}\n!=\n{value}")
    description = json.dumps({"message": kind, "value": value}, indent=2, ensure_ascii=False) + "\n"
    return description.encode("utf-8"), message.SerializeToString()


def main():
    check = "--check" in sys.argv[1:]
    out = os.path.join(HERE, "golden")
    os.makedirs(out, exist_ok=True)
    stale = []
    for name in MESSAGES:
        description, data = build(name)
        for path, content in ((os.path.join(out, name + ".json"), description), (os.path.join(out, name + ".pb"), data)):
            old = open(path, "rb").read() if os.path.exists(path) else None
            if old == content:
                continue
            if check:
                stale.append(path)
            else:
                with open(path, "wb") as f:
                    f.write(content)
                print("wrote", os.path.relpath(path, os.path.join(HERE, "..")))
    if stale:
        raise SystemExit("stale golden files (run conformance/make-golden.py): " + ", ".join(stale))


if __name__ == "__main__":
    main()
