"""One run of an agent: its steps, and how it ends."""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import traceback
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Optional

from . import brain_pb2 as pb
from .convert import dumps, now_ns, run_status_value, step_status_value, to_ns
from .errors import InvalidJSONValue

if TYPE_CHECKING:  # pragma: no cover
    from .client import BrainClient

log = logging.getLogger("brain_client")
_current_run: "ContextVar[Optional[Run]]" = ContextVar("brain_current_run", default=None)


class Run:
    """A run started with ``BrainClient.start_run``.

    As a context manager it completes the run when the block ends normally (unless it
    was already completed or failed) and fails it when an exception escapes (the
    exception is re-raised): error_type is the exception's class name, the message
    ``str(exc)`` and the traceback goes into the error context.
    """

    def __init__(self, client: "BrainClient", run_id: str) -> None:
        self.client = client
        self.id = run_id
        self._lock = threading.Lock()
        self._step_seq = 0
        self._last_error_step = 0
        self.finished: Optional[str] = None  # "completed" / "failed" once ended
        self._tokens: list = []

    def __repr__(self) -> str:
        return f"Run({self.id!r}, steps={self._step_seq}, finished={self.finished!r})"

    @property
    def steps(self) -> int:
        """How many steps were recorded."""
        return self._step_seq

    # ------------------------------------------------------------------ steps

    def step(
        self,
        name: str,
        input: Any = None,
        output: Any = None,
        duration_ms: float = 0,
        status: str = "ok",
        error: str = "",
        started_at=None,
    ) -> int:
        """Record one step; returns its seq (1-based, increasing per run).

        ``status`` is "ok", "skip" or "error"; input and output are any JSON-able value
        (NaN or Infinity in them raises InvalidJSONValue, a ValueError, and records nothing).
        ``started_at`` is a datetime, Unix seconds (float) or nanoseconds (int).
        """
        if not name or len(name) > 50:
            raise ValueError("step name must be 1 to 50 characters")
        code = step_status_value(status)
        input_json = dumps(input, f"step {name!r} input")
        output_json = dumps(output, f"step {name!r} output")
        with self._lock:
            seq = self._step_seq + 1
            event = pb.AgentEvent(
                step=pb.StepReported(
                    run_id=self.id,
                    seq=seq,
                    step_name=name,
                    status=code,
                    input_json=input_json,
                    output_json=output_json,
                    error=error or "",
                    duration_ms=max(0, int(round(duration_ms or 0))),
                    started_at=to_ns(started_at) if started_at is not None else now_ns(),
                )
            )
            # Published under the run's lock so step seqs reach the brain in order.
            self.client.publish(event)  # raises (BufferFullError, ...) before taking the seq
            self._step_seq = seq
            if code == pb.STEP_STATUS_ERROR:
                self._last_error_step = seq
        return seq

    def step_fn(self, name: Optional[str] = None):
        """Decorator: record each call of the function as a step of this run.

        Input is the bound arguments, output the return value (both as JSON), the
        duration is measured; an exception records status "error" and is re-raised.
        """

        def decorate(fn):
            step_name = name or fn.__name__

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return self._call_as_step(step_name, fn, args, kwargs)

            return wrapper

        return decorate

    def _call_as_step(self, name: str, fn, args, kwargs):
        inputs = _bind(fn, args, kwargs)
        started = now_ns()
        t0 = time.monotonic()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            try:
                self.step(name, input=inputs, duration_ms=(time.monotonic() - t0) * 1000, status="error",
                          error=f"{type(exc).__name__}: {exc}", started_at=started)
            except InvalidJSONValue as bad:  # never hide the function's own exception
                log.error("brain_client: step %r of run %s not recorded: %s", name, self.id, bad)
            raise
        self.step(name, input=inputs, output=result, duration_ms=(time.monotonic() - t0) * 1000,
                  started_at=started)
        return result

    # ------------------------------------------------------------------ status

    def set_status(self, status: str) -> None:
        """Move an unfinished run to ``"running"`` or ``"persisting"`` (RunStatusChanged).

        The brain's lifecycle is queued -> running -> persisting -> completed (persisting
        optional); a run started with ``status="queued"`` is moved on with
        ``set_status("running")``. End a run with complete(), fail() or abandon().
        """
        code = run_status_value(status)
        if code in (pb.RUN_STATUS_COMPLETED, pb.RUN_STATUS_FAILED, pb.RUN_STATUS_ABANDONED):
            raise ValueError(f"set_status does not end a run ({status!r}): use complete(), fail() or abandon()")
        if code not in (pb.RUN_STATUS_RUNNING, pb.RUN_STATUS_PERSISTING):
            why = " (a run cannot move back to queued)" if code == pb.RUN_STATUS_QUEUED else ""
            raise ValueError(f'set_status takes "running" or "persisting", not {status!r}{why}')
        self._publish_status(pb.RunStatusChanged(run_id=self.id, status=code, at=now_ns()), None)

    # ------------------------------------------------------------------ endings

    def complete(self, result: Any = None) -> None:
        """Mark the run completed with an optional JSON-able result."""
        self._publish_status(pb.RunStatusChanged(run_id=self.id, status=pb.RUN_STATUS_COMPLETED,
                                                 result_json=dumps(result, "complete result"), at=now_ns()),
                             "completed")

    def fail(self, error_type: str, message: str = "", failed_at_step: int = 0, context: Any = None) -> None:
        """Mark the run failed."""
        self._publish_status(pb.RunStatusChanged(run_id=self.id, status=pb.RUN_STATUS_FAILED,
                                                 error_type=error_type, error_message=message,
                                                 failed_at_step=int(failed_at_step or 0),
                                                 error_context_json=dumps(context, "fail context"), at=now_ns()),
                             "failed")

    def abandon(self, error_type: str = "Abandoned", message: str = "", context: Any = None) -> None:
        """Mark the run abandoned (given up without a verdict)."""
        self._publish_status(pb.RunStatusChanged(run_id=self.id, status=pb.RUN_STATUS_ABANDONED,
                                                 error_type=error_type, error_message=message,
                                                 error_context_json=dumps(context, "abandon context"), at=now_ns()),
                             "abandoned")

    def _publish_status(self, change: "pb.RunStatusChanged", outcome: Optional[str]) -> None:
        """Publish a status change; ``outcome`` ends the run ("completed", ...) or is None."""
        with self._lock:
            if self.finished is not None:
                raise RuntimeError(f"run {self.id} is already {self.finished}")
            self.client.publish(pb.AgentEvent(run_status=change))
            if outcome is not None:
                self.finished = outcome

    # ------------------------------------------------------------------ context manager

    def __enter__(self) -> "Run":
        self._tokens.append(_current_run.set(self))
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._tokens:
            _current_run.reset(self._tokens.pop())
        if self.finished is not None:
            return False
        if exc_type is None:
            self.complete()
        else:
            try:
                self.fail(
                    error_type=exc_type.__name__,
                    message=str(exc),
                    failed_at_step=self._last_error_step,
                    context={"traceback": "".join(traceback.format_exception(exc_type, exc, tb))},
                )
            except Exception as fail_exc:  # never hide the original exception
                log.error("brain_client: could not record the failure of run %s: %s", self.id, fail_exc)
        return False


def _bind(fn, args, kwargs) -> Any:
    """The call's arguments as a dict by parameter name (self/cls left out)."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return {"args": list(args), "kwargs": kwargs}
    out = dict(bound.arguments)
    for skip in ("self", "cls"):
        out.pop(skip, None)
    return out
