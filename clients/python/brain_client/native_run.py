"""NativeRun: a Run whose steps libbrain encodes (brain_step_report)."""
from __future__ import annotations

import time
from typing import Any

from . import brain_pb2 as pb
from .convert import dumps, encode_json, step_status_value, to_ns
from .native_library import _Step
from .run import Run

_STEP_CODES = {"ok": pb.STEP_STATUS_OK, "skip": pb.STEP_STATUS_SKIP, "error": pb.STEP_STATUS_ERROR}


def _json(value: Any, what: str, name: str) -> str:
    """convert.dumps, without building the error label unless it is needed."""
    if value is None:
        return ""
    if not isinstance(value, (bytes, bytearray)):
        try:
            return encode_json(value)
        except ValueError:
            pass
    return dumps(value, f"step {name!r} {what}")  # raises InvalidJSONValue (or encodes bytes)


class NativeRun(Run):
    """A Run whose steps go straight to libbrain (brain_step_report)."""

    _id_bytes = None

    def _encode_id(self) -> bytes:
        self._id_bytes = self.id.encode()
        return self._id_bytes

    def step(self, name: str, input: Any = None, output: Any = None, duration_ms: float = 0, status: str = "ok",
             error: str = "", started_at=None) -> int:
        # Run.step's contract, line for line (tests/test_native.py compares the bytes).
        if not name or len(name) > 50:
            raise ValueError("step name must be 1 to 50 characters")
        code = _STEP_CODES.get(status) if status.__class__ is str else None
        if code is None:
            code = step_status_value(status)
            if code not in _STEP_CODES.values():  # brain_step_report takes ok/skip/error only
                return Run.step(self, name, input, output, duration_ms, status, error, started_at)
        input_json = _json(input, "input", name)
        output_json = _json(output, "output", name)
        duration = max(0, int(round(duration_ms or 0)))
        started = to_ns(started_at) if started_at is not None else time.time_ns()
        # Encoded by libbrain (brain_step_report): cheaper than building the message here.
        step = _Step(self._id_bytes or self._encode_id(), 0, name.encode(), code, input_json.encode(),
                     output_json.encode(), error.encode() if error else None, duration, started)
        with self._lock:
            seq = self._step_seq + 1
            step.seq = seq
            self.client._publish_step(step, ("step", self.id, seq))
            self._step_seq = seq
            if code == pb.STEP_STATUS_ERROR:
                self._last_error_step = seq
        return seq


__all__ = ["NativeRun"]
