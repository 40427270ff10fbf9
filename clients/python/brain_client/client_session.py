"""The connection half of BrainClient: the hello, acks and rejections, reconnecting with
backoff and resending what the brain has not acknowledged, heartbeats."""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional

from . import brain_pb2 as pb
from .connection import Connection, status_error
from .convert import now_ns
from .errors import BrainError, ConnectionClosed
from .framing import encode_frame
from .rejection import Rejection

log = logging.getLogger("brain_client")


class SessionMixin:
    """BrainClient's session with the brain: one connection at a time, replaced after a drop
    and sent what the brain has not acknowledged. A base class of BrainClient, whose
    ``__init__`` sets up the state used here (``_cond`` guards it; ``_send_lock`` orders
    seq assignment and sending)."""

    def _check_usable(self) -> None:
        if self._fatal is not None:
            raise self._fatal
        if self._closing:
            raise BrainError("FAILED_PRECONDITION", "the client is closed")

    def _connect_and_hello(self):
        # Looked up at each hello, where it is defined: the conformance test patches it there.
        from .client import PROTOCOL_VERSION

        conn = Connection(
            self.socket_path,
            connect_timeout=self.connect_timeout,
            on_unsolicited=self._on_message,
            on_close=None,
        )
        hello = pb.HelloRequest(
            agent_name=self.agent,
            project=self.project,
            token=self.token,
            protocol_version=PROTOCOL_VERSION,
            **self._hello_fields,
        )
        try:
            resp = conn.call(pb.Request(hello=hello), timeout=self.call_timeout)
        except BaseException:
            conn.close()
            raise
        if resp.WhichOneof("result") != "welcome":
            conn.close()
            raise BrainError("INTERNAL", f"expected a welcome, got {resp.WhichOneof('result')!r}")
        return conn, resp.welcome

    def _adopt(self, conn: Connection, welcome: "pb.Welcome") -> None:
        """Install a fresh connection (send lock and state lock held)."""
        self.welcome = welcome
        self.agent_id = welcome.agent_id
        self._conn = conn
        conn._on_close = lambda err, c=conn: self._on_disconnect(c, err)

    def _on_message(self, resp: "pb.Response") -> None:
        kind = resp.WhichOneof("result")
        if kind == "ack":
            with self._cond:
                acked = resp.ack.acked_seq
                if acked > self._acked_seq:
                    self._acked_seq = acked
                while self._buffer:
                    seq = next(iter(self._buffer))
                    if seq > acked:
                        break
                    del self._buffer[seq]
                self._cond.notify_all()
        elif kind == "rejected":
            err = status_error(resp) or BrainError("UNKNOWN", "event rejected without a status")
            seq = resp.rejected.seq
            with self._cond:
                event = self._buffer.get(seq)
            which = event.WhichOneof("event") if event is not None else None
            body = getattr(event, which) if which else None
            run_id = getattr(body, "run_id", None) if body is not None and hasattr(body, "run_id") else None
            step_seq = event.step.seq if which == "step" else None
            task_id = event.task_event.task_id if which == "task_event" else None
            rej = Rejection(seq=seq, code=err.code, message=err.message, kind=which, run_id=run_id,
                            step_seq=step_seq, task_id=task_id)
            self.rejections.append(rej)
            what = (f"step {step_seq} of run {run_id}" if step_seq is not None else
                    f"task_event of task {task_id}" if task_id is not None else
                    f"{which} of run {run_id}" if run_id else str(which))
            log.warning("brain_client: the brain rejected event seq %d (%s): %s %s", seq, what, err.code,
                        err.message)
            if self.on_rejection is not None:
                self.on_rejection(rej)
        elif kind == "agent_command":
            self._receive_command(resp.agent_command)
        elif kind is None:
            err = status_error(resp)
            if err is not None:
                log.warning("brain_client: the brain reported an error: %s", err)

    def _on_disconnect(self, conn: Connection, error: Optional[BaseException]) -> None:
        with self._cond:
            if self._conn is not conn:
                return
            self._conn = None
            self._cond.notify_all()
            if self._closing or self._reconnecting:
                return
            self._reconnecting = True
        log.warning("brain_client: connection to the brain lost (%s); reconnecting", error or "closed")
        threading.Thread(target=self._reconnect_loop, name="brain-reconnect", daemon=True).start()

    def _reconnect_loop(self) -> None:
        deadline = time.monotonic() + self.reconnect_timeout
        delay = 0.05
        last_error: Optional[BaseException] = None
        finished = False
        try:
            while not self._closing:
                try:
                    conn, welcome = self._connect_and_hello()
                except BrainError as exc:
                    last_error = exc
                    if exc.code not in ("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"):
                        self._give_up(exc)  # e.g. UNAUTHENTICATED: retrying will not help
                        return
                else:
                    with self._send_lock:
                        adopted = self._resend(conn, welcome)
                    if adopted and self._finish_reconnect(conn):
                        finished = True
                        log.info("brain_client: reconnected to the brain (last_seq %d)", welcome.last_seq)
                        return
                    # The new connection closed while its hello was answered or while
                    # resending: go round (its close handler started no loop of its own).
                    last_error = ConnectionClosed("the connection closed right after the brain's welcome")
                if time.monotonic() + delay > deadline:
                    self._give_up(
                        BrainError("UNAVAILABLE",
                                   f"could not reconnect to the brain at {self.socket_path} within "
                                   f"{self.reconnect_timeout} s: {last_error}")
                    )
                    return
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, 2.0)
        finally:
            if not finished:  # else _finish_reconnect cleared it, and a new loop may own it now
                with self._cond:
                    self._reconnecting = False
                    self._cond.notify_all()

    def _finish_reconnect(self, conn: Connection) -> bool:
        """End the reconnect loop if ``conn`` is still the live connection.

        Checked and decided under the state lock that ``_on_disconnect`` takes: a close
        handled before this sees ``_conn`` gone (the loop goes round), one handled after
        sees ``_reconnecting`` false and starts a new loop. Without this, a close handled
        between the resend and the loop's end was dropped and nothing reconnected.
        """
        with self._cond:
            if self._closing:
                self._reconnecting = False
                return True
            if self._conn is not conn:
                return False
            self.reconnects += 1
            self._reconnecting = False
            self._cond.notify_all()
            return True

    def _resend(self, conn: Connection, welcome: "pb.Welcome") -> bool:
        """Drop what the brain holds, resend the rest in order. Send lock held."""
        last = welcome.last_seq
        with self._cond:
            if self._closing:
                conn.close()
                return True
            if last < self._acked_seq:
                log.error("brain_client: the brain holds events only up to seq %d but had acknowledged %d; "
                          "events %d..%d are lost on its side", last, self._acked_seq, last + 1, self._acked_seq)
            for seq in [s for s in self._buffer if s <= last]:
                del self._buffer[seq]
            self._acked_seq = max(self._acked_seq, last)
            if last >= self._next_seq:
                self._next_seq = last + 1
            events = list(self._buffer.values())
            self._cond.notify_all()
        try:
            # Buffered events go out before the connection is adopted, so nothing
            # published meanwhile (the send lock is held) can overtake them.
            frames = b"".join(encode_frame(pb.Request(call_id=0, publish=e)) for e in events)
            if frames:
                conn.send_raw(frames)
        except ConnectionClosed:
            return False
        with self._cond:
            self._adopt(conn, welcome)
            if conn.closed:  # lost again before its close handler was installed
                self._conn = None
                return False
        return True

    def _give_up(self, error: BrainError) -> None:
        log.error("brain_client: giving up on the brain: %s", error)
        with self._cond:
            self._fatal = error
            self._cond.notify_all()

    def _heartbeat_loop(self) -> None:
        while True:
            welcome = self.welcome
            interval = (welcome.heartbeat_interval_ms if welcome and welcome.heartbeat_interval_ms else 5000) / 1000.0
            if self._stop.wait(interval):
                return
            conn = self._conn
            if conn is None:
                continue
            try:
                conn.send(pb.Request(call_id=conn.next_call_id(), heartbeat=pb.HeartbeatRequest(sent_at=now_ns())))
            except ConnectionClosed:
                pass
