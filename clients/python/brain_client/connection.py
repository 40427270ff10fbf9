"""One socket to the brain: sends Requests, a reader thread routes Responses.

Replies are matched to calls by call id; streams (Watch) get a queue; anything else
(cumulative Acks, rejections, heartbeat replies) goes to ``on_unsolicited``.
"""
from __future__ import annotations

import itertools
import logging
import queue
import socket
import threading
from typing import Callable, Dict, Optional

from . import brain_pb2 as pb
from .errors import BrainError, BrainTimeout, ConnectionClosed
from .framing import DEFAULT_MAX_FRAME, FrameDecoder, encode_frame
from .paths import resolve_socket_path

log = logging.getLogger("brain_client")

#: Put on a stream's queue when the connection ends.
CLOSED = object()


def status_error(resp: "pb.Response") -> Optional[BrainError]:
    """The BrainError a Response carries, or None when its status is OK."""
    if resp.HasField("status") and resp.status.code != pb.OK:
        try:
            name = pb.StatusCode.Name(resp.status.code)
        except ValueError:
            name = f"CODE_{resp.status.code}"
        return BrainError(name, resp.status.message)
    return None


class _Pending:
    __slots__ = ("event", "response", "error")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.response: Optional[pb.Response] = None
        self.error: Optional[BaseException] = None


class Connection:
    def __init__(
        self,
        socket_path=None,
        *,
        connect_timeout: float = 5.0,
        on_unsolicited: Optional[Callable[["pb.Response"], None]] = None,
        on_close: Optional[Callable[[Optional[BaseException]], None]] = None,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> None:
        self.socket_path = resolve_socket_path(socket_path)
        self._on_unsolicited = on_unsolicited
        self._on_close = on_close
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # guards _pending, _streams, _closed
        self._send_lock = threading.Lock()
        self._pending: Dict[int, _Pending] = {}
        self._streams: Dict[int, "queue.Queue"] = {}
        self._closed = False
        self._close_error: Optional[BaseException] = None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(connect_timeout)
        try:
            sock.connect(self.socket_path)
        except OSError as exc:
            sock.close()
            raise ConnectionClosed(f"cannot connect to the brain at {self.socket_path}", exc) from exc
        sock.settimeout(None)
        self._sock = sock
        self._decoder = FrameDecoder(max_frame)
        self._reader = threading.Thread(target=self._read_loop, name="brain-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ sending

    def next_call_id(self) -> int:
        return next(self._ids)

    def send(self, request: "pb.Request") -> None:
        """Send one frame; raises ConnectionClosed if the socket is gone."""
        self.send_raw(encode_frame(request))

    def send_raw(self, frame: bytes) -> None:
        if self._closed:
            raise ConnectionClosed("connection to the brain is closed", self._close_error)
        try:
            with self._send_lock:
                self._sock.sendall(frame)
        except OSError as exc:
            self._shutdown(exc)
            raise ConnectionClosed("sending to the brain failed", exc) from exc

    def call(self, request: "pb.Request", timeout: Optional[float] = 30.0) -> "pb.Response":
        """Send ``request`` with a fresh call id and wait for its reply.

        Raises BrainError when the reply's status is not OK.
        """
        call_id = self.next_call_id()
        request.call_id = call_id
        pending = _Pending()
        with self._lock:
            if self._closed:
                raise ConnectionClosed("connection to the brain is closed", self._close_error)
            self._pending[call_id] = pending
        try:
            self.send(request)
            if not pending.event.wait(timeout):
                raise BrainTimeout(f"no reply from the brain within {timeout} s")
        finally:
            with self._lock:
                self._pending.pop(call_id, None)
        if pending.error is not None:
            raise pending.error
        resp = pending.response
        err = status_error(resp)
        if err is not None:
            raise err
        return resp

    def open_stream(self, request: "pb.Request") -> "tuple[int, queue.Queue]":
        """Send a streaming request; its responses (then CLOSED) arrive on the queue."""
        call_id = self.next_call_id()
        request.call_id = call_id
        q: "queue.Queue" = queue.Queue()
        with self._lock:
            if self._closed:
                raise ConnectionClosed("connection to the brain is closed", self._close_error)
            self._streams[call_id] = q
        try:
            self.send(request)
        except BaseException:
            self.close_stream(call_id)
            raise
        return call_id, q

    def close_stream(self, call_id: int) -> None:
        with self._lock:
            self._streams.pop(call_id, None)

    # ------------------------------------------------------------------ reading

    def _read_loop(self) -> None:
        error: Optional[BaseException] = None
        try:
            while True:
                data = self._sock.recv(256 * 1024)
                if not data:
                    break
                for body in self._decoder.feed(data):
                    self._dispatch(pb.Response.FromString(body))
        except BaseException as exc:  # socket errors, undecodable frames
            error = exc
        self._shutdown(error)

    def _dispatch(self, resp: "pb.Response") -> None:
        call_id = resp.call_id
        with self._lock:
            # Popped here, not by the caller: a close that follows at once must not turn a
            # reply that already arrived (a reconnect's welcome) into ConnectionClosed.
            pending = self._pending.pop(call_id, None) if call_id else None
            stream = self._streams.get(call_id) if call_id else None
            if stream is not None and resp.end_of_stream:
                del self._streams[call_id]
        if pending is not None:
            pending.response = resp
            pending.event.set()
        elif stream is not None:
            stream.put(resp)
            if resp.end_of_stream:
                stream.put(CLOSED)
        elif self._on_unsolicited is not None:
            try:
                self._on_unsolicited(resp)
            except Exception:  # never let a callback kill the reader
                log.exception("brain_client: error while handling a message from the brain")

    # ------------------------------------------------------------------ closing

    @property
    def closed(self) -> bool:
        return self._closed

    def _shutdown(self, error: Optional[BaseException]) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._close_error = error
            pending = list(self._pending.values())
            self._pending.clear()
            streams = list(self._streams.values())
            self._streams.clear()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass
        for p in pending:
            p.error = ConnectionClosed("connection to the brain closed before the reply", error)
            p.event.set()
        for q in streams:
            q.put(CLOSED)
        if self._on_close is not None:
            try:
                self._on_close(error)
            except Exception:
                log.exception("brain_client: error in connection close handler")

    def close(self) -> None:
        self._shutdown(None)
        if threading.current_thread() is not self._reader:
            self._reader.join(timeout=5)
