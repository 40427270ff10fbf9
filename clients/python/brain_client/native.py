"""The native path: BrainClient on libbrain, the C client library, through ctypes.

``BrainClient(...)`` returns a :class:`NativeBrainClient` when libbrain is found and
usable, and the pure-Python client otherwise; both have the same API and semantics
(seq continuing after the welcome's ``last_seq``, events kept until acknowledged and
resent after a reconnect, rejections surfaced as :class:`Rejection` in
``client.rejections`` and ``on_rejection``, the same exceptions). ``client.backend`` says
which one runs: ``"native"`` or ``"python"``.

Where libbrain is looked for, first hit wins:

1. ``$BRAIN_LIBBRAIN``: a path to libbrain.so (only that one is tried);
2. next to this package: ``brain_client/libbrain.so`` (or ``.so.1``, ``.dylib``);
3. the system's library path: ``libbrain.so.1`` / ``libbrain.so`` by name, found by the
   dynamic loader (LD_LIBRARY_PATH, ldconfig's cache, /usr/lib, ...), e.g. after
   ``make -C clients/c install`` and ``ldconfig``.

A library without ``brain_publish_encoded`` (older than this package) is not used.
``BRAIN_PURE_PYTHON=1`` forces the pure-Python client; so does passing BrainClient an
option this module does not know. ``native.status()`` says what was found and why.

What runs where: a step goes to ``brain_step_report`` (libbrain encodes it); any other
event is encoded here (protobuf, upb) and handed over as bytes to
``brain_publish_encoded``. Either call assigns the seq and buffers the frame, holding the
GIL (a short, non-blocking call). libbrain's own I/O thread writes many frames per
write(), reads acks and rejections, sends heartbeats and reconnects, without the GIL;
Python takes the GIL only for a rejection or a connection change (the callbacks).
"""
from __future__ import annotations

import ctypes
import logging
import threading
import time
from typing import Any, Callable, Dict, Optional

from . import brain_pb2 as pb
from . import client as _client
from . import native_library
from .client import BrainClient, Rejection
from .convert import dumps, encode_json, step_status_value, to_ns  # noqa: F401  (importable from here, as before)
from .errors import BrainError, BrainTimeout, BufferFullError, ConnectionClosed
from .native_library import ENV_LIBRARY, ENV_PURE, library, status  # noqa: F401  (ENV_*: importable from here)
from .native_library import (_CONNECTED, _CONNECTION_FN, _E_CONNECT, _E_FAILED, _E_FULL, _E_INVALID, _E_IO,
                             _E_NOMEM, _E_PATH, _E_REFUSED, _E_TIMEOUT, _GAVE_UP, _LOST, _OK, _REJECTION_FN,
                             _ConnInfo, _Lib, _Options, _Rejection, _Stats, _Step, _Welcome)
from .native_run import NativeRun
from .paths import resolve_socket_path
from .run import Run

log = logging.getLogger("brain_client")

#: Clients not yet closed: kept alive like the pure client, whose threads hold it, so
#: an unreferenced client still delivers its events (closed at exit or by close()).
_open_clients: "set" = set()

_NATIVE_OPTIONS = frozenset((
    "socket_path", "agent", "token", "project", "max_buffered_events", "buffer_wait", "reconnect_timeout",
    "connect_timeout", "call_timeout", "framework_adapter", "capabilities", "metadata", "on_rejection"))


def native_class(kwargs) -> "Optional[type]":
    """NativeBrainClient when it can serve a BrainClient(**kwargs), else None."""
    if not _NATIVE_OPTIONS.issuperset(kwargs):
        return None
    return NativeBrainClient if library() is not None else None


class NativeBrainClient(BrainClient):
    """BrainClient on libbrain (see the module docstring). Made by ``BrainClient(...)``."""

    backend = "native"

    def on_command(self, handler=None, kinds=None):
        """Commands from the brain are served by the pure-Python client only: say so at once
        rather than let libbrain acknowledge commands nobody runs."""
        raise BrainError(
            "FAILED_PRECONDITION",
            "commands from the brain need the pure-Python client: pass on_command= to BrainClient(...) "
            "(which picks it) or set BRAIN_PURE_PYTHON=1",
        )

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
    ) -> None:
        import collections

        lib = library()
        if lib is None:
            raise BrainError("FAILED_PRECONDITION", f"libbrain is not usable: {native_library._status}")
        self._lib = lib
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
        capabilities_json = dumps(capabilities, "BrainClient capabilities")
        metadata_json = dumps(metadata, "BrainClient metadata")
        self.on_rejection = on_rejection
        self.rejections = collections.deque(maxlen=10_000)
        self._cond = threading.Condition()  # guards _closing, _waiters; the reader API's lock
        self._api_lock = threading.Lock()  # held around calls that use the handle, never blocking ones
        self._closing = False
        self._waiters = 0
        self._reader_api = None
        self._stop = threading.Event()
        self._meta: Dict[int, Any] = {}  # seq -> what a rejection needs to know (until acked)
        self._published = 0
        self._seq_out = ctypes.c_uint64()
        self._stats = _Stats()
        self._final_stats: Optional[_Stats] = None
        self._fatal_error: Optional[BrainError] = None
        self._h: Optional[int] = None

        me = _weak(self)
        self._callbacks = (_REJECTION_FN(lambda user, r: me(NativeBrainClient._on_rejected, r.contents)),
                           _CONNECTION_FN(lambda user, i: me(NativeBrainClient._on_connection, i.contents)))
        o = _Options()
        self._strings = [s.encode("utf-8") for s in (self.socket_path, agent, self.project, self.token,
                                                     framework_adapter or "", capabilities_json, metadata_json)]
        (o.socket_path, o.agent_name, o.project, o.token, o.framework_adapter, o.capabilities_json,
         o.metadata_json) = self._strings
        o.max_unacked = self.max_buffered_events
        rt = reconnect_timeout
        o.reconnect_timeout_ms = -1 if rt is None or rt < 0 else max(1, int(rt * 1000))
        o.connect_timeout_ms = max(1, min(int(max(connect_timeout, call_timeout or 0) * 1000), 0xFFFFFFFF))
        o.protocol_version = _client.PROTOCOL_VERSION  # read here: the conformance test patches it
        o.on_rejection = ctypes.cast(self._callbacks[0], ctypes.c_void_p).value
        o.on_connection = ctypes.cast(self._callbacks[1], ctypes.c_void_p).value
        handle = ctypes.c_void_p()
        rc = lib.connect(ctypes.byref(o), ctypes.byref(handle))
        if rc != _OK:
            raise self._error(rc)
        self._h = handle.value
        import weakref

        self._finalizer = weakref.finalize(self, _close_handle, lib, self._h, self._callbacks)
        _open_clients.add(self)

    # ------------------------------------------------------------------ publishing

    def start_run(self, *args, **kwargs) -> Run:
        run = super().start_run(*args, **kwargs)
        return NativeRun(self, run.id)

    def publish(self, event: "pb.AgentEvent") -> int:
        """Assign the next seq to ``event``, buffer it and send it. Returns the seq."""
        event.seq = 0
        seq = self._publish_bytes(event.SerializeToString(), event)
        event.seq = seq
        return seq

    def _publish_bytes(self, data: bytes, meta) -> int:
        """brain_publish_encoded(data): the seq, with ``meta`` kept for a rejection."""
        deadline = None
        while True:
            with self._api_lock:
                h = self._h
                if h is None or self._closing:
                    self._check_usable()
                rc = self._lib.publish_encoded(h, data, len(data), self._seq_out)
                if rc == _OK:
                    seq = self._seq_out.value
                    self._meta[seq] = meta
                    self._published += 1
                    if not self._published & 1023:
                        self._prune()
                    return seq
            deadline = self._not_published(rc, deadline)

    def _publish_step(self, step: _Step, meta) -> int:
        """brain_step_report(step), like _publish_bytes."""
        deadline = None
        while True:
            with self._api_lock:
                h = self._h
                if h is None or self._closing:
                    self._check_usable()
                rc = self._lib.step_report(h, step, self._seq_out)
                if rc == _OK:
                    seq = self._seq_out.value
                    self._meta[seq] = meta
                    self._published += 1
                    if not self._published & 1023:
                        self._prune()
                    return seq
            deadline = self._not_published(rc, deadline)

    def _not_published(self, rc: int, deadline: Optional[float]) -> float:
        """After a publish returned ``rc``: raise, or wait for room (buffer_wait) and return
        the deadline for the next attempt. Called on the publishing thread (its last error)."""
        err = self._error(rc)
        if rc != _E_FULL:
            raise err
        now = time.monotonic()
        if deadline is None:
            deadline = now + (self.buffer_wait or 0)
        if deadline - now <= 0:
            st = self._get_stats()
            raise BufferFullError(self.max_buffered_events, st.acked_seq, st.last_seq + 1)
        self._wait(self._lib.wait_space, deadline - now)
        return deadline

    def _prune(self) -> None:
        """Forget what acknowledged events were (api lock held)."""
        self._lib.get_stats(self._h, self._stats)
        acked = self._stats.acked_seq
        meta = self._meta
        done = []
        for seq in meta:
            if seq > acked:
                break
            done.append(seq)
        for seq in done:
            del meta[seq]

    # ------------------------------------------------------------------ waiting

    def _wait(self, fn, seconds: Optional[float]) -> int:
        """brain_wait_acked / brain_wait_space for up to ``seconds`` (None = forever), in
        slices so close() never frees the client under a waiter. Returns the last rc."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            with self._cond:
                if self._closing or self._h is None:
                    return _E_FAILED
                self._waiters += 1
            try:
                left = None if deadline is None else deadline - time.monotonic()
                ms = 100 if left is None else max(0, min(100, int(left * 1000)))
                rc = fn(self._h, ms)
                if rc == _E_FAILED and not self._closing:
                    self._error(rc)  # records the fatal error from this thread's last error
            finally:
                with self._cond:
                    self._waiters -= 1
                    self._cond.notify_all()
            if rc != _E_TIMEOUT or (deadline is not None and time.monotonic() >= deadline):
                return rc

    def flush(self, timeout: Optional[float] = 30.0) -> None:
        """Wait until the brain has acknowledged every published event."""
        rc = self._wait(self._lib.wait_acked, timeout)
        if rc == _OK:
            return
        if self._fatal is not None:
            raise self._fatal
        st = self._get_stats()
        if self._closing:
            if st.unacked:
                raise ConnectionClosed("client closed with unacknowledged events")
            return
        raise BrainTimeout(
            f"{st.unacked} events not acknowledged within {timeout} s "
            f"(acked up to seq {st.acked_seq}, last published {st.last_seq})")

    def close(self, flush_timeout: Optional[float] = 10.0) -> None:
        """Flush (up to ``flush_timeout`` seconds; 0 to skip) and disconnect."""
        if flush_timeout and not self._closing:
            try:
                self.flush(flush_timeout)
            except BrainError as exc:
                log.warning("brain_client: closing with %d unacknowledged events: %s", self.pending, exc)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            while self._waiters:
                self._cond.wait(0.2)
        with self._api_lock:
            h, self._h = self._h, None
            if h is not None:
                final = _Stats()
                self._lib.get_stats(h, final)
                final.connected = 0
                self._final_stats = final
        self._stop.set()
        _open_clients.discard(self)
        if h is not None:
            if threading.get_ident() == self._io_thread:  # close() from a callback: not on the I/O thread
                threading.Thread(target=self._finalizer, name="brain-close", daemon=True).start()
            else:
                self._finalizer()  # brain_close: stops the I/O thread, then frees the client
        if self._reader_api is not None:
            self._reader_api.close()

    # ------------------------------------------------------------------ state

    def _get_stats(self) -> _Stats:
        with self._api_lock:
            if self._h is None:
                return self._final_stats or _Stats()
            st = _Stats()
            self._lib.get_stats(self._h, st)
            return st

    @property
    def acked_seq(self) -> int:
        return self._get_stats().acked_seq

    @property
    def last_seq(self) -> int:
        return self._get_stats().last_seq

    @property
    def pending(self) -> int:
        return self._get_stats().unacked

    @property
    def connected(self) -> bool:
        return bool(self._get_stats().connected)

    @property
    def reconnects(self) -> int:
        return self._get_stats().reconnects

    @property
    def welcome(self) -> Optional["pb.Welcome"]:
        w = _Welcome()
        with self._api_lock:
            if self._h is None:
                return getattr(self, "_last_welcome", None)
            self._lib.get_welcome(self._h, w)
        self._last_welcome = pb.Welcome(
            agent_id=w.agent_id.decode("utf-8", "replace"), project=w.project.decode("utf-8", "replace"),
            heartbeat_interval_ms=w.heartbeat_interval_ms, heartbeat_timeout_ms=w.heartbeat_timeout_ms,
            last_seq=w.last_seq, registered=bool(w.registered), protocol_version=w.protocol_version)
        return self._last_welcome

    @property
    def agent_id(self) -> Optional[str]:
        w = self.welcome
        return w.agent_id if w is not None else None

    @property
    def _fatal(self) -> Optional[BrainError]:
        """The error the client gave up with (reconnecting failed), else None."""
        if self._fatal_error is None and self._get_stats().failed:
            self._record_fatal()
        return self._fatal_error

    def _check_usable(self) -> None:
        if self._fatal_error is not None:
            raise self._fatal_error
        if self._closing or self._h is None:
            raise BrainError("FAILED_PRECONDITION", "the client is closed")

    # ------------------------------------------------------------------ errors

    def _record_fatal(self) -> None:
        """The client gave up (stats.failed): remember why, as the pure client's _fatal."""
        if self._fatal_error is None:
            status, msg = self._gave_up or (0, "the client gave up reconnecting to the brain")
            code = _status_name(status) if status else "UNAVAILABLE"
            self._fatal_error = BrainError(code, _strip_refusal(msg, code))

    _gave_up = None  # (status, message) from the GAVE_UP callback
    _io_thread = None  # the ident of libbrain's I/O thread, once it called back

    def _error(self, rc: int) -> BaseException:
        status, msg = self._lib.error()
        if rc == _E_FAILED:
            if self._fatal_error is None:
                code = _status_name(status) if status else "UNAVAILABLE"
                self._fatal_error = BrainError(code, _strip_refusal(msg, code))
            return self._fatal_error
        if rc == _E_REFUSED:
            code = _status_name(status)
            return BrainError(code, _strip_refusal(msg, code))
        if rc == _E_TIMEOUT:
            return BrainTimeout(msg)
        if rc in (_E_CONNECT, _E_IO):
            return ConnectionClosed(msg)
        if rc == _E_PATH:
            return BrainError("INVALID_ARGUMENT", msg)
        if rc == _E_INVALID:
            return BrainError("INVALID_ARGUMENT", msg)
        if rc == _E_NOMEM:
            return MemoryError(msg)
        return BrainError("INTERNAL", f"libbrain error {rc}: {msg}")

    # ------------------------------------------------------------------ callbacks (libbrain's I/O thread)

    def _on_rejected(self, r: _Rejection) -> None:
        self._io_thread = threading.get_ident()
        seq = r.seq
        message = r.message.decode("utf-8", "replace")
        if seq == 0:  # an error not tied to one event
            log.warning("brain_client: the brain reported an error: %s", BrainError(_status_name(r.code), message))
            return
        code = _status_name(r.code) if r.code else "UNKNOWN"
        meta = self._meta.get(seq)
        if isinstance(meta, tuple):
            which, run_id, step_seq = meta
        elif meta is not None:
            which = meta.WhichOneof("event")
            run_id = getattr(getattr(meta, which), "run_id", None) if which else None
            step_seq = meta.step.seq if which == "step" else None
        else:
            which = run_id = step_seq = None
        rej = Rejection(seq=seq, code=code, message=message, kind=which, run_id=run_id, step_seq=step_seq)
        self.rejections.append(rej)
        log.warning("brain_client: the brain rejected event seq %d (%s of run %s): %s %s", seq,
                    f"step {step_seq}" if step_seq is not None else which, run_id, code, message)
        if self.on_rejection is not None:
            self.on_rejection(rej)

    def _on_connection(self, info: _ConnInfo) -> None:
        if self._h is not None:  # not brain_connect's own thread
            self._io_thread = threading.get_ident()
        msg = (info.message or b"").decode("utf-8", "replace")
        if info.event == _LOST:
            log.warning("brain_client: connection to the brain lost (%s); reconnecting", msg or "closed")
        elif info.event == _GAVE_UP:
            status, _ = self._lib.error()  # the I/O thread's own last error: why it gave up
            self._gave_up = (status, msg)
            log.error("brain_client: giving up on the brain: %s", msg)
        elif info.event == _CONNECTED and info.attempt and self._h is not None:
            log.info("brain_client: reconnected to the brain")


def _weak(obj):
    """A caller of obj's methods that does not keep obj alive (for the C callbacks)."""
    import weakref

    ref = weakref.ref(obj)

    def call(method, *args):
        target = ref()
        if target is None:
            return
        try:
            method(target, *args)
        except Exception:  # never let a callback unwind into C
            log.exception("brain_client: error while handling a message from the brain")

    return call


def _close_handle(lib: _Lib, handle: int, callbacks) -> None:
    lib.close(handle)
    del callbacks  # kept alive until the I/O thread that calls them is gone


def _status_name(code: int) -> str:
    try:
        return pb.StatusCode.Name(code)
    except ValueError:
        return f"CODE_{code}"


def _strip_refusal(msg: str, code: str) -> str:
    """libbrain's "the brain refused the hello: CODE: message" -> "message" (as the pure client)."""
    for prefix in ("the brain refused the hello: ", ""):
        if msg.startswith(prefix + code + ": "):
            return msg[len(prefix + code + ": "):]
    return msg


__all__ = ["NativeBrainClient", "NativeRun", "library", "native_class", "status"]
