"""The agent side: BrainClient publishes runs and steps, Run is one run.

BrainClient's session with the brain (hello, acks, reconnecting, resending) is in
client_session.py, its handling of the brain's commands in client_commands.py.
"""
from __future__ import annotations

import collections
import logging
import os
import queue
import threading
import time
import uuid
from typing import Any, Callable, Deque, Dict, Iterable, Optional, Union

from . import brain_pb2 as pb
from .client_commands import CommandHandlingMixin
from .client_session import SessionMixin
from .connection import Connection, status_error  # noqa: F401  (status_error: importable from here, as before)
from .convert import dumps, now_ns, run_status_value, to_ns
from .errors import BrainError, BrainTimeout, BufferFullError, ConnectionClosed
from .framing import encode_frame
from .paths import resolve_socket_path
from .rejection import Rejection
from .run import Run, _current_run
from .tasks import (VALUE_LIMIT, Command, CommandOutcome, Schedule, build_task_event,  # noqa: F401
                    clip_text)  # VALUE_LIMIT, clip_text: importable from here, as before

log = logging.getLogger("brain_client")

# Read at each hello (client_session.py, native.py), so the conformance test can patch it here.
PROTOCOL_VERSION = 1


class BrainClient(SessionMixin, CommandHandlingMixin):
    """An agent's connection to the brain.

    >>> with BrainClient(agent="crawler", token="s3cret") as brain:
    ...     with brain.start_run(goal="fetch the front page") as run:
    ...         run.step("fetch", output={"status": 200})

    With no ``socket_path`` it connects to ``default_socket_path()``: ``$BRAIN_SOCKET``,
    else the brain's own default (``$XDG_RUNTIME_DIR/brain/brain.sock``, else
    ``/tmp/brain-<uid>/brain.sock``).

    Every published event gets the next agent sequence number and stays in a bounded
    buffer until the brain acknowledges it. When the connection drops the client
    reconnects with backoff (for ``reconnect_timeout`` seconds) and resends what the
    brain has not acknowledged.

    When libbrain (the C client library) is found, ``BrainClient(...)`` returns a
    ``native.NativeBrainClient``: the same API on libbrain's I/O thread (``backend`` is
    ``"native"``, else ``"python"``; ``BRAIN_PURE_PYTHON=1`` forces this class). See native.py.
    """

    backend = "python"

    def __new__(cls, *args, **kwargs):
        if cls is BrainClient and os.environ.get("BRAIN_PURE_PYTHON", "") in ("", "0"):
            from .native import native_class

            cls = native_class(kwargs) or cls
        return super().__new__(cls)

    def __init__(
        self,
        socket_path: Optional[str] = None,
        agent: Optional[str] = None,
        token: Optional[str] = None,
        project: str = "default",
        *,
        max_buffered_events: int = 10_000,
        buffer_wait: float = 0.0,
        reconnect_timeout: float = 30.0,
        connect_timeout: float = 5.0,
        call_timeout: float = 30.0,
        framework_adapter: str = "python",
        capabilities: Optional[Dict[str, Any]] = None,
        metadata: Optional[Dict[str, Any]] = None,
        on_rejection: Optional[Callable[[Rejection], None]] = None,
        remembered_commands: int = 10_000,
        on_command: Union[None, Callable[[Command], Any], Dict[str, Callable[[Command], Any]]] = None,
        command_handler_wait: float = 5.0,
    ) -> None:
        """
        :param socket_path: the brain's socket; None means ``default_socket_path()``.
        :param agent: the agent's name (required); an unknown agent is registered with
            ``token`` by its first hello (trust on first use).
        :param max_buffered_events: unacknowledged events kept for resending; when the
            buffer is full, publishing raises BufferFullError (after ``buffer_wait``
            seconds of waiting for acks, 0 = at once).
        :param reconnect_timeout: how long to keep reconnecting after the connection
            drops before giving up (later publishes and flush() then raise).
        :param on_rejection: called (on the reader thread) for every refused event.
        :param remembered_commands: command ids remembered (with their outcome) so a
            command the brain delivers again is answered again, never run twice.
        :param on_command: command handlers registered before the hello (the brain may
            deliver waiting commands right after its welcome): a callable for every kind,
            or a dict kind -> callable (see ``on_command()``).
        :param command_handler_wait: how long a command that arrives before any handler
            for its kind is registered waits for one before it is answered failed.
        """
        self.socket_path = resolve_socket_path(socket_path)
        if not agent:
            raise ValueError('an agent name is required, e.g. BrainClient(agent="crawler")')
        self.agent = agent
        self.token = token or ""
        self.project = project or "default"
        self.max_buffered_events = int(max_buffered_events)
        if self.max_buffered_events < 1:
            raise ValueError("max_buffered_events must be at least 1")
        self.buffer_wait = buffer_wait
        self.reconnect_timeout = reconnect_timeout
        self.connect_timeout = connect_timeout
        self.call_timeout = call_timeout
        self._hello_fields = dict(
            framework_adapter=framework_adapter,
            capabilities_json=dumps(capabilities, "BrainClient capabilities"),
            metadata_json=dumps(metadata, "BrainClient metadata"),
        )
        self.on_rejection = on_rejection

        self._cond = threading.Condition()  # guards the state below
        self._send_lock = threading.RLock()  # orders seq assignment + sending; never held by the reader
        self._buffer: "collections.OrderedDict[int, pb.AgentEvent]" = collections.OrderedDict()
        self._next_seq = 1
        self._acked_seq = 0
        self._conn: Optional[Connection] = None
        self._closing = False
        self._fatal: Optional[BrainError] = None
        self._reconnecting = False
        self.rejections: Deque[Rejection] = collections.deque(maxlen=10_000)
        self.welcome: Optional[pb.Welcome] = None
        self.agent_id: Optional[str] = None
        self.reconnects = 0
        self._reader_api = None
        self._stop = threading.Event()
        # Commands from the brain: handlers by kind (None = any), what was seen (bounded),
        # and a thread of their own that runs them (never the reader thread).
        self._command_handlers: Dict[Optional[str], Callable[[Command], Any]] = {}
        self._commands_seen: "collections.OrderedDict[str, Optional[CommandOutcome]]" = collections.OrderedDict()
        self.remembered_commands = max(1, int(remembered_commands))
        self._command_queue: "queue.Queue" = queue.Queue()
        self._command_thread: Optional[threading.Thread] = None
        self.command_handler_wait = command_handler_wait
        # Set once the first welcome's last_seq has set the next seq: a command that arrives
        # with the welcome must not be answered before, or its receipt and result would take
        # seqs the brain already holds and be dropped as resends.
        self._session_ready = threading.Event()
        if callable(on_command):
            self._command_handlers[None] = on_command
        elif on_command:
            self._command_handlers.update(on_command)

        conn, welcome = self._connect_and_hello()
        with self._send_lock, self._cond:
            self._adopt(conn, welcome)
            self._next_seq = welcome.last_seq + 1
            self._acked_seq = welcome.last_seq
        self._session_ready.set()
        if conn.closed:  # closed between hello and now
            self._on_disconnect(conn, None)
        self._heartbeat_thread = threading.Thread(target=self._heartbeat_loop, name="brain-heartbeat", daemon=True)
        self._heartbeat_thread.start()

    # ------------------------------------------------------------------ public API

    def start_run(
        self,
        goal: str = "",
        target_url: str = "",
        input: Any = None,
        run_type: str = "",
        parent=None,
        metadata: Any = None,
        timeout_ms: int = 0,
        *,
        run_id: Optional[str] = None,
        initiated_by: str = "",
        workflow: Any = None,
        status: str = "running",
    ) -> Run:
        """Publish a RunCreated event and return the Run.

        ``run_id`` defaults to a fresh UUID4, so a resend is idempotent. ``parent`` is a
        Run or a run id. Use the Run as a context manager to complete or fail it.
        ``status`` is "running" (sent explicitly) or "queued"; move a queued run on with
        ``Run.set_status("running")``. NaN or Infinity in ``input``, ``metadata`` or
        ``workflow`` raises InvalidJSONValue (a ValueError) and publishes nothing.
        """
        if len(run_type) > 50:
            raise ValueError("run_type is at most 50 characters")
        rid = run_id or str(uuid.uuid4())
        parent_id = parent.id if isinstance(parent, Run) else (parent or "")
        event = pb.AgentEvent(
            run_created=pb.RunCreated(
                run_id=rid,
                goal=goal,
                target_url=target_url,
                initiated_by=initiated_by,
                run_type=run_type,
                workflow_json=dumps(workflow, "start_run workflow"),
                input_json=dumps(input, "start_run input"),
                metadata_json=dumps(metadata, "start_run metadata"),
                parent_run_id=parent_id,
                timeout_ms=int(timeout_ms or 0),
                initial_status=run_status_value(status),
                created_at=now_ns(),
            )
        )
        self.publish(event)
        return Run(self, rid)

    @property
    def current_run(self) -> Optional[Run]:
        """The run of the innermost ``with brain.start_run(...)`` block, if any."""
        return _current_run.get()

    def step(self, name: Optional[str] = None):
        """Decorator: record each call as a step of the current run (see Run.step_fn).

        Outside a ``with brain.start_run(...)`` block the function just runs.
        """

        def decorate(fn):
            import functools

            step_name = name or fn.__name__

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                run = _current_run.get()
                if run is None or run.client is not self:
                    return fn(*args, **kwargs)
                return run._call_as_step(step_name, fn, args, kwargs)

            return wrapper

        return decorate

    def publish(self, event: "pb.AgentEvent") -> int:
        """Assign the next seq to ``event``, buffer it and send it. Returns the seq."""
        deadline = time.monotonic() + self.buffer_wait
        while True:
            # Wait for room without the send lock, so a reconnect can resend meanwhile.
            with self._cond:
                self._check_usable()
                while len(self._buffer) >= self.max_buffered_events:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise BufferFullError(self.max_buffered_events, self._acked_seq, self._next_seq)
                    self._cond.wait(min(remaining, 0.5))
                    self._check_usable()
            with self._send_lock:
                with self._cond:
                    self._check_usable()
                    if len(self._buffer) >= self.max_buffered_events:
                        continue  # another thread took the room
                    seq = self._next_seq
                    self._next_seq += 1
                    event.seq = seq
                    self._buffer[seq] = event
                    conn = self._conn
                if conn is not None:
                    try:
                        conn.send_raw(encode_frame(pb.Request(call_id=0, publish=event)))
                    except ConnectionClosed:
                        pass  # kept in the buffer; resent after reconnecting
                return seq

    # ------------------------------------------------------------------ tasks

    def task_event(self, task_id: str, kind, *, engine: str = "celery", ts=None, attempt: int = 0,
                   name: str = "", queue: str = "", group_id: str = "", retried_as: str = "", args: Any = None,
                   kwargs: Any = None, exc_type: str = "", exc_message: str = "", traceback: str = "",
                   payload: Any = None) -> int:
        """Publish one TaskEventReported; returns its agent seq.

        ``kind`` is ``"sent"`` (or ``"task_sent"``), ``"started"``, ``"succeeded"``,
        ``"failed"``, ``"retry"``, ``"cancelled"`` or ``"expired"``. ``ts`` is the agent's
        clock (a datetime, Unix seconds or nanoseconds; None = now). ``attempt`` counts
        from 1 (0 = not known). ``args``, ``kwargs`` and ``payload`` are JSON-able values
        (NaN or Infinity raise InvalidJSONValue and publish nothing). Values over the
        brain's limits (8 KiB per value, 16 KiB per traceback) are shrunk before sending
        (see ``brain_client.tasks``). Same guarantees as runs and steps: buffered until
        acknowledged, resent after a reconnect.
        """
        event = build_task_event(task_id, kind, engine=engine, ts=ts, attempt=attempt, name=name, queue=queue,
                                 group_id=group_id, retried_as=retried_as, args=args, kwargs=kwargs,
                                 exc_type=exc_type, exc_message=exc_message, traceback=traceback, payload=payload)
        return self.publish(pb.AgentEvent(task_event=event))

    # ------------------------------------------------------------------ schedules

    def report_schedules(self, scheduler: str, schedules: Iterable[Union[Schedule, Dict[str, Any]]],
                         complete: bool = True) -> int:
        """Publish a ScheduleListing of ``scheduler`` ("celery-beat", ...); returns its seq.

        ``schedules`` are ``Schedule`` objects (or dicts of their fields). A ``complete``
        listing names every schedule the scheduler has: the brain removes the ones it
        does not name. A partial listing (``complete=False``) only upserts.
        """
        reports = [_schedule(s).to_proto(_scheduler(scheduler)) for s in schedules]
        return self.publish(pb.AgentEvent(schedule_listing=pb.ScheduleListing(
            scheduler=scheduler, schedules=reports, complete=bool(complete))))

    def schedule_upsert(self, scheduler: str, schedule: Union[Schedule, Dict[str, Any]]) -> int:
        """Publish one schedule, added or changed (ScheduleReport); returns its seq."""
        return self.publish(pb.AgentEvent(schedule_upsert=_schedule(schedule).to_proto(_scheduler(scheduler))))

    def schedule_delete(self, scheduler: str, name: str) -> int:
        """Publish that ``scheduler`` no longer has the schedule ``name``; returns its seq."""
        return self.publish(pb.AgentEvent(schedule_delete=pb.ScheduleDeleted(scheduler=_scheduler(scheduler),
                                                                             name=name)))

    def schedule_fired(self, scheduler: str, name: str, at=None, task_id: str = "") -> int:
        """Publish that a schedule fired (``at``: the agent's clock, None = now), with the
        id of the task it sent when known; returns its seq."""
        try:
            at_ns = now_ns() if at is None else to_ns(at)
        except ValueError as exc:
            raise ValueError(f"schedule_fired at: {exc}") from None
        return self.publish(pb.AgentEvent(schedule_fired=pb.ScheduleFired(
            scheduler=_scheduler(scheduler), name=name, at=at_ns, task_id=task_id or "")))

    # ------------------------------------------------------------------ flushing and closing

    def flush(self, timeout: Optional[float] = 30.0) -> None:
        """Wait until the brain has acknowledged every published event."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._buffer:
                if self._fatal is not None:
                    raise self._fatal
                if self._closing and self._conn is None:
                    raise ConnectionClosed("client closed with unacknowledged events")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise BrainTimeout(
                        f"{len(self._buffer)} events not acknowledged within {timeout} s "
                        f"(acked up to seq {self._acked_seq}, last published {self._next_seq - 1})"
                    )
                self._cond.wait(0.5 if remaining is None else min(remaining, 0.5))

    @property
    def acked_seq(self) -> int:
        return self._acked_seq

    @property
    def last_seq(self) -> int:
        """The seq of the last published event."""
        return self._next_seq - 1

    @property
    def pending(self) -> int:
        """Events published but not yet acknowledged."""
        return len(self._buffer)

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.closed

    def close(self, flush_timeout: Optional[float] = 10.0) -> None:
        """Flush (up to ``flush_timeout`` seconds; 0 to skip) and disconnect."""
        if flush_timeout:
            try:
                self.flush(flush_timeout)
            except BrainError as exc:
                log.warning("brain_client: closing with %d unacknowledged events: %s", self.pending, exc)
        with self._cond:
            self._closing = True
            conn, self._conn = self._conn, None
            self._cond.notify_all()
        self._stop.set()
        self._session_ready.set()  # a command thread started during a failed start ends too
        self._command_queue.put(None)
        if conn is not None:
            conn.close()
        if self._reader_api is not None:
            self._reader_api.close()

    def __enter__(self) -> "BrainClient":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    # -- read side, on a separate connection without hello

    @property
    def reader(self):
        """A BrainReader on its own connection (opened on first use)."""
        with self._cond:
            if self._reader_api is None:
                from .reader import BrainReader

                self._reader_api = BrainReader(self.socket_path, timeout=self.call_timeout)
            return self._reader_api

    def run(self, run_id: str, *, from_seq: int = 0, to_seq: int = 0, include_deleted: bool = False):
        """BrainReader.run: a deleted run is NOT_FOUND unless ``include_deleted``."""
        return self.reader.run(run_id, from_seq=from_seq, to_seq=to_seq, include_deleted=include_deleted)

    def runs(self, *args, **kw):
        """BrainReader.runs (``include_deleted=True`` also lists deleted runs)."""
        return self.reader.runs(*args, **kw)

    def errors(self, *args, **kw):
        return self.reader.errors(*args, **kw)

    def status(self):
        return self.reader.status()

    def agents(self, *args, **kw):
        return self.reader.agents(*args, **kw)

    def watch(self, run_id: Optional[str] = None, project: Optional[str] = None, **kw):
        return self.reader.watch(run_id=run_id, project=project, **kw)


def _schedule(value: Union[Schedule, Dict[str, Any]]) -> Schedule:
    return value if isinstance(value, Schedule) else Schedule(**value)


def _scheduler(name: str) -> str:
    if not name:
        raise ValueError('a scheduler name is required, e.g. "celery-beat"')
    return name


__all__ = ["BrainClient", "Rejection", "Run"]
