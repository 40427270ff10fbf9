"""CeleryAdapter: Celery's signals to task events, the per-process agent session, the
relay from pool children to the worker's main process, and the retry/cancel commands.
``install(app)`` makes one adapter per app (see the package docstring)."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from typing import Any, Dict, Optional

from .. import brain_pb2 as pb
from ..client import BrainClient
from ..errors import BrainError
from ..tasks import Command, CommandOutcome, build_task_event, jsonable
from .originals import OriginalsCache
from .task_fields import (_attempt, _body_args, _clean, _delivery, _exc_message, _exc_type, _queue, _saferepr,
                          _traceback)

log = logging.getLogger("brain_client.celery")

ENGINE = "celery"
#: Default agent names by role (``install(agent=...)`` takes the same fields).
AGENT_NAMES = {
    "worker": "{nodename}",
    "beat": "beat@{hostname}",
    "publisher": "{app}-publisher@{hostname}:{pid}",
    "monitor": "monitor@{hostname}",
}
_RELAY_MAX = 256 * 1024

_adapters: Dict[int, "CeleryAdapter"] = {}
_adapters_lock = threading.Lock()


def install(app, *, agent: Optional[str] = None, token: Optional[str] = None, project: Optional[str] = None,
            socket_path: Optional[str] = None, cache_size: int = 10_000, send_results: bool = True,
            respect_argsrepr: bool = True, **client_options) -> "CeleryAdapter":
    """Report ``app``'s tasks to the brain and run the brain's retry/cancel commands.

    Connects Celery's signals (process-wide, filtered to ``app``). The session starts
    when the worker starts (``worker_init``); in a process that only sends tasks (a web
    app) or runs beat, on first use. ``agent`` is the agent name, a format string with
    ``{role}`` (worker, beat, publisher), ``{nodename}`` (the worker's ``celery@host``),
    ``{hostname}``, ``{pid}``, ``{app}``; by default a worker is its node name, beat
    ``beat@<host>``, any other process ``<app>-publisher@<host>:<pid>`` (an agent is one
    sequence of events: two processes must never share a name). ``token``, ``project``
    and ``socket_path`` default to ``$BRAIN_TOKEN``, ``$BRAIN_PROJECT`` (else "default")
    and ``default_socket_path()``. ``cache_size`` bounds the originals kept for retries.
    ``send_results=False`` leaves task results out of the ``succeeded`` payload.
    ``respect_argsrepr``: a task sent with Celery's own ``argsrepr``/``kwargsrepr`` (to
    hide arguments) is reported with those strings, not its real arguments.
    Installing twice returns the first adapter.
    """
    with _adapters_lock:
        existing = _adapters.get(id(app))
        if existing is not None:
            return existing
        adapter = CeleryAdapter(app, agent=agent, token=token, project=project, socket_path=socket_path,
                                cache_size=cache_size, send_results=send_results,
                                respect_argsrepr=respect_argsrepr, client_options=client_options)
        _adapters[id(app)] = adapter
    adapter.connect_signals()
    return adapter


def adapter_for(app) -> "CeleryAdapter":
    """The adapter ``install`` made for ``app`` (installed now with the defaults if none)."""
    with _adapters_lock:
        existing = _adapters.get(id(app))
    return existing if existing is not None else install(app)


class CeleryAdapter:
    """The signal handlers, the per-process session and the command handlers for one app."""

    def __init__(self, app, *, agent=None, token=None, project=None, socket_path=None, cache_size=10_000,
                 send_results=True, respect_argsrepr=True, client_options=None) -> None:
        self.app = app
        self.agent_format = agent
        self.token = token if token is not None else os.environ.get("BRAIN_TOKEN", "")
        self.project = project or os.environ.get("BRAIN_PROJECT", "") or "default"
        self.socket_path = socket_path
        self.send_results = send_results
        self.respect_argsrepr = respect_argsrepr
        self.client_options = dict(client_options or {})
        self.originals = OriginalsCache(cache_size)
        self.dropped = 0  # events not reported (no session, relay failures)
        self.role: Optional[str] = None
        self._role_pid = os.getpid()
        self.nodename = ""
        self._client: Optional[BrainClient] = None
        self._client_pid = 0
        self._owner_pid = 0  # the worker's main process, once worker_init ran
        self._lock = threading.RLock()
        self._next_attempt = 0.0
        self._relay_dir: Optional[str] = None
        self._relay_path: Optional[str] = None
        self._relay_in: Optional[socket.socket] = None
        self._relay_out: Optional[socket.socket] = None
        self._relay_warned = False
        self._started: Dict[str, float] = {}  # task id -> monotonic start (this process)
        self._extra_handlers: Dict[str, Any] = {}
        self._receivers: list = []

    # ------------------------------------------------------------------ signals

    def connect_signals(self) -> None:
        from celery import signals

        s = signals
        for signal, handler in (
            (s.worker_init, self._on_worker_init),
            (s.worker_process_init, self._on_worker_process_init),
            (s.worker_shutdown, self._on_worker_shutdown),
            (s.after_task_publish, self._on_after_publish),
            (s.task_received, self._on_received),
            (s.task_prerun, self._on_prerun),
            (s.task_success, self._on_success),
            (s.task_failure, self._on_failure),
            (s.task_retry, self._on_retry),
            (s.task_revoked, self._on_revoked),
            (s.task_rejected, self._on_rejected),
            (s.task_unknown, self._on_unknown),
            (s.task_internal_error, self._on_internal_error),
        ):
            receiver = _safe(handler)
            signal.connect(receiver, weak=False)
            self._receivers.append((signal, receiver))

    def uninstall(self) -> None:
        """Disconnect the signals and close the session (tests, or switching apps)."""
        for signal, receiver in self._receivers:
            signal.disconnect(receiver)
        self._receivers.clear()
        with _adapters_lock:
            if _adapters.get(id(self.app)) is self:
                del _adapters[id(self.app)]
        self.close()

    def _mine(self, task) -> bool:
        app = getattr(task, "app", None) if task is not None else None
        return app is None or app is self.app or getattr(app, "main", None) == self.app.main

    def _on_worker_init(self, sender=None, **_):
        if getattr(sender, "app", self.app) is not self.app:
            return
        self.role, self._role_pid = "worker", os.getpid()
        self.nodename = getattr(sender, "hostname", "") or ""
        self._owner_pid = os.getpid()
        self._open_relay()  # used only if the pool forks children
        self.session()

    def _on_worker_process_init(self, **_):
        if self._owner_pid and os.getpid() != self._owner_pid:
            # A pool child: the inherited session belongs to the main process. Never close
            # it here (that would shut the parent's socket down); just stop using it.
            self.role, self._role_pid = "child", os.getpid()
            self._client = None
            self._relay_in = None
            self._started.clear()

    def _on_worker_shutdown(self, sender=None, **_):
        if os.getpid() == self._owner_pid:
            self.close()

    # -- where events go

    def session(self, role: Optional[str] = None) -> Optional[BrainClient]:
        """This process's agent session (started now if need be); None when the brain is
        not reachable (retried at most every 5 s)."""
        with self._lock:
            if self._client is not None and self._client_pid == os.getpid():
                return self._client
            if self.role == "child":
                return None
            if self._role_pid != os.getpid():
                # A process forked from one with a role (beat embedded in a worker with -B):
                # its own agent, never the parent's (one agent is one sequence of events).
                self.role, self._role_pid, self._next_attempt = None, os.getpid(), 0.0
            if time.monotonic() < self._next_attempt:
                return None
            role = self.role or role or "publisher"
            self.role = role
            name = self._agent_name(role)
            options = dict(self.client_options)
            options.setdefault("framework_adapter", "celery")
            options.setdefault("capabilities", {"commands": ["retry_task", "cancel_task", "enable_schedule",
                                                             "disable_schedule"], "engine": ENGINE})
            options.setdefault("metadata", {"role": role, "app": self.app.main or "", "pid": os.getpid(),
                                            "nodename": self.nodename})
            handlers = {"retry_task": self._on_retry_command, "cancel_task": self._on_cancel_command}
            for kinds, handler in self._extra_handlers.items():
                handlers.update({kind: handler for kind in kinds.split(",")})
            options.setdefault("on_command", handlers)
            try:
                client = BrainClient(self.socket_path, agent=name, token=self.token, project=self.project, **options)
            except (BrainError, OSError) as exc:
                self._next_attempt = time.monotonic() + 5.0
                log.error("brain_client.celery: cannot reach the brain as agent %r (%s); task events are dropped "
                          "until it can", name, exc)
                return None
            self._client, self._client_pid = client, os.getpid()
            log.info("brain_client.celery: reporting to the brain at %s as agent %r", client.socket_path, name)
            return client

    def add_command_handler(self, kinds, handler) -> None:
        """Also handle ``kinds`` (e.g. the beat scheduler's enable/disable) on this session."""
        key = ",".join([kinds] if isinstance(kinds, str) else kinds)
        with self._lock:
            self._extra_handlers[key] = handler
            if self._client is not None:
                self._client.on_command(handler, kinds=key.split(","))

    def _agent_name(self, role: str) -> str:
        fmt = self.agent_format or AGENT_NAMES.get(role, AGENT_NAMES["publisher"])
        host = socket.gethostname()
        return fmt.format(role=role, nodename=self.nodename or f"celery@{host}", hostname=host, pid=os.getpid(),
                          app=self.app.main or "celery")

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            relay, self._relay_in = self._relay_in, None
        if client is not None and self._client_pid == os.getpid():
            client.close()
        if relay is not None:
            relay.close()
        if self._relay_dir:
            shutil.rmtree(self._relay_dir, ignore_errors=True)
            self._relay_dir = None

    def emit(self, **fields) -> None:
        """Build one task event and send it: to the session, or to the main process."""
        try:
            event = build_task_event(engine=ENGINE, **fields)
        except ValueError as exc:
            log.error("brain_client.celery: task event of %s not reported: %s", fields.get("task_id"), exc)
            self.dropped += 1
            return
        if self.role == "child":
            self._relay_send(event)
            return
        self._publish(event)

    def _publish(self, event: "pb.TaskEventReported") -> None:
        client = self.session()
        if client is None:
            self.dropped += 1
            return
        try:
            client.publish(pb.AgentEvent(task_event=event))
        except BrainError as exc:
            self.dropped += 1
            log.error("brain_client.celery: task event of %s not reported: %s", event.task_id, exc)

    # -- the relay from pool children to the main process

    def _open_relay(self) -> None:
        self._relay_dir = tempfile.mkdtemp(prefix="brain-celery-", dir="/tmp")
        self._relay_path = os.path.join(self._relay_dir, "relay.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(self._relay_path)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self._relay_in = sock
        threading.Thread(target=self._relay_loop, args=(sock,), name="brain-celery-relay", daemon=True).start()

    def _relay_loop(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(_RELAY_MAX)
            except OSError:
                return
            if not data:
                continue
            try:
                self._publish(pb.TaskEventReported.FromString(data))
            except Exception:
                log.exception("brain_client.celery: bad event from a pool process")

    def _relay_send(self, event: "pb.TaskEventReported") -> None:
        data = event.SerializeToString()
        try:
            if self._relay_out is None:
                self._relay_out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._relay_out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024 * 1024)
            self._relay_out.sendto(data, self._relay_path)
        except (OSError, TypeError) as exc:
            self.dropped += 1
            if not self._relay_warned:
                self._relay_warned = True
                log.error("brain_client.celery: cannot pass task events to the worker's main process at %s (%s); "
                          "they are dropped", self._relay_path, exc)

    # ------------------------------------------------------------------ handlers

    def _on_after_publish(self, sender=None, body=None, headers=None, exchange=None, routing_key=None, **_):
        headers = headers or {}
        task_id = headers.get("id")
        name = headers.get("task") or sender or ""
        if not task_id:
            return
        args, kwargs = _body_args(body)
        self.originals.put(task_id, name, args, kwargs, _delivery(exchange, routing_key))
        shown_args, shown_kwargs = self._shown(args, kwargs, headers.get("argsrepr"), headers.get("kwargsrepr"))
        self.emit(task_id=task_id, kind="sent", attempt=int(headers.get("retries") or 0) + 1, name=name,
                  queue=routing_key or "", group_id=headers.get("group") or "", args=shown_args, kwargs=shown_kwargs,
                  payload=_clean({"parent_id": headers.get("parent_id"), "root_id": headers.get("root_id"),
                                  "eta": headers.get("eta"), "expires": headers.get("expires"),
                                  "exchange": exchange or None}))

    def _on_received(self, sender=None, request=None, **_):
        if request is None or not self._mine(getattr(request, "task", None)):
            return
        info = getattr(request, "delivery_info", None) or {}
        try:
            self.originals.put(request.id, request.task_name, request.args, request.kwargs,
                               _delivery(info.get("exchange"), info.get("routing_key")))
        except Exception:  # an undecodable body: nothing to keep
            log.debug("brain_client.celery: no originals for %s", getattr(request, "id", "?"), exc_info=True)

    def _on_prerun(self, sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        task = task or sender
        if not self._mine(task):
            return
        req = task.request
        self._started[task_id] = time.monotonic()
        if len(self._started) > 10_000:
            self._started.pop(next(iter(self._started)))
        if self.role != "child":
            info = req.delivery_info or {}
            self.originals.put(task_id, task.name, args, kwargs, _delivery(info.get("exchange"),
                                                                           info.get("routing_key")))
        shown_args, shown_kwargs = self._shown(args, kwargs, getattr(req, "argsrepr", None),
                                               getattr(req, "kwargsrepr", None))
        self.emit(task_id=task_id, kind="started", attempt=_attempt(req), name=task.name, queue=_queue(req),
                  group_id=req.group or "", args=shown_args, kwargs=shown_kwargs,
                  payload=_clean({"hostname": req.hostname, "pid": os.getpid(), "parent_id": req.parent_id,
                                  "root_id": req.root_id}))

    def _on_success(self, sender=None, result=None, **_):
        task = sender
        if task is None or not self._mine(task):
            return
        req = task.request
        started = self._started.pop(req.id, None)
        payload = {"hostname": req.hostname}
        if started is not None:
            payload["runtime_s"] = round(time.monotonic() - started, 6)
        if self.send_results:
            payload["result"] = jsonable(result)
        self.emit(task_id=req.id, kind="succeeded", attempt=_attempt(req), name=task.name, queue=_queue(req),
                  group_id=req.group or "", payload=_clean(payload))

    def _on_failure(self, sender=None, task_id=None, exception=None, args=None, kwargs=None, traceback=None,
                    einfo=None, **_):
        task = sender
        if task is not None and not self._mine(task):
            return
        req = getattr(task, "request", None)
        started = self._started.pop(task_id, None)
        same = req is not None and getattr(req, "id", None) == task_id
        self.emit(task_id=task_id, kind="failed", attempt=_attempt(req) if same else 0,
                  name=getattr(task, "name", "") or "", queue=_queue(req) if same else "",
                  group_id=(req.group or "") if same else "", exc_type=_exc_type(exception),
                  exc_message=_exc_message(exception), traceback=_traceback(einfo, traceback),
                  payload=_clean({"runtime_s": round(time.monotonic() - started, 6) if started else None,
                                  "hostname": getattr(req, "hostname", None) if same else None}))

    def _on_retry(self, sender=None, request=None, reason=None, einfo=None, **_):
        task = sender
        if request is None or not self._mine(task):
            return
        exc = getattr(reason, "exc", None) or reason
        self._started.pop(request.id, None)
        self.emit(task_id=request.id, kind="retry", attempt=_attempt(request), name=getattr(task, "name", "") or "",
                  queue=_queue(request), group_id=getattr(request, "group", None) or "",
                  exc_type=_exc_type(exc), exc_message=_exc_message(exc), traceback=_traceback(einfo, None),
                  payload=_clean({"reason": str(reason) if reason is not None else None,
                                  "eta": str(getattr(reason, "when", "") or "") or None}))

    def _on_revoked(self, sender=None, request=None, terminated=None, signum=None, expired=None, **_):
        task = sender
        if request is None or not self._mine(task):
            return
        self.emit(task_id=request.id, kind="expired" if expired else "cancelled", attempt=_attempt(request),
                  name=getattr(task, "name", "") or getattr(request, "task", "") or "", queue=_queue(request),
                  group_id=getattr(request, "group", None) or "",
                  payload=_clean({"terminated": bool(terminated), "signum": int(signum) if signum else None}))

    def _on_rejected(self, sender=None, message=None, exc=None, **_):
        headers = getattr(message, "headers", None) or {}
        if not headers.get("id"):
            return
        self.emit(task_id=headers["id"], kind="failed", name=headers.get("task") or "", exc_type="Rejected",
                  exc_message=_exc_message(exc) if exc else "the worker rejected the message")

    def _on_unknown(self, sender=None, name=None, id=None, message=None, exc=None, **_):
        if not id:
            return
        self.emit(task_id=id, kind="failed", name=name or "", exc_type=_exc_type(exc) or "NotRegistered",
                  exc_message=_exc_message(exc) if exc else f"task {name!r} is not registered on this worker")

    def _on_internal_error(self, sender=None, task_id=None, exception=None, einfo=None, **_):
        if not task_id:
            return
        self.emit(task_id=task_id, kind="failed", name=getattr(sender, "name", "") or "",
                  exc_type=_exc_type(exception), exc_message=_exc_message(exception),
                  traceback=_traceback(einfo, None), payload={"internal_error": True})

    def _shown(self, args, kwargs, argsrepr, kwargsrepr):
        """The args and kwargs to report: the real ones, or Celery's own hiding strings."""
        if not self.respect_argsrepr:
            return jsonable(list(args or ())), jsonable(dict(kwargs or {}))
        from celery.utils.saferepr import saferepr

        shown_args: Any = jsonable(list(args or ()))
        shown_kwargs: Any = jsonable(dict(kwargs or {}))
        limit_a = getattr(self.app.conf, "task_argsrepr_maxsize", None) or 1024
        limit_k = getattr(self.app.conf, "task_kwargsrepr_maxsize", None) or 1024
        if argsrepr is not None and argsrepr != _saferepr(saferepr, tuple(args or ()), limit_a) \
                and argsrepr != _saferepr(saferepr, list(args or ()), limit_a):
            shown_args = argsrepr
        if kwargsrepr is not None and kwargsrepr != _saferepr(saferepr, dict(kwargs or {}), limit_k):
            shown_kwargs = kwargsrepr
        return shown_args, shown_kwargs

    # ------------------------------------------------------------------ commands

    def _on_retry_command(self, command: Command) -> CommandOutcome:
        """Send the task again with the arguments this process held, never the brain's copy."""
        original = self.originals.get(command.task_id)
        if original is None:
            return CommandOutcome(False, f"task {command.task_id} cannot be retried by this agent: its original "
                                         f"arguments are not in the agent's cache (the last {self.originals.size} "
                                         "tasks it received or sent); the brain's copy is redacted and is never "
                                         "replayed")
        name, args, kwargs, options = original
        result = self.app.send_task(name, args=args, kwargs=kwargs, **options)
        return CommandOutcome(True, f"sent {name} again as {result.id}", new_task_id=result.id)

    def _on_cancel_command(self, command: Command) -> CommandOutcome:
        self.app.control.revoke(command.task_id, terminate=True)
        return CommandOutcome(True, f"revoke of {command.task_id} (terminate=True) sent to the workers")


def _safe(handler):
    """A signal receiver that never raises into Celery."""

    def receiver(*args, **kwargs):
        try:
            handler(*args, **kwargs)
        except Exception:
            log.exception("brain_client.celery: error in %s (the task is not affected)", handler.__name__)

    receiver.__name__ = f"brain_{handler.__name__}"
    return receiver


__all__ = ["AGENT_NAMES", "ENGINE", "CeleryAdapter", "adapter_for", "install"]
