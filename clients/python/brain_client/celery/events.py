"""Event-stream mode: task events from Celery's own event stream, like Flower.

For workers you cannot modify. The workers must send events (``celery worker -E`` or
``worker_send_task_events = True``; ``task_send_sent_event = True`` for ``task-sent``).

What it cannot do, compared with the signal mode of ``install``: args and kwargs are
Celery's ``repr`` strings (cut at 1024 characters by Celery), reported as JSON strings;
the exception is known only by its ``repr`` (its class is taken from it); the attempt
only from ``task-sent``/``task-received`` (0, "the current attempt", otherwise); a
retry command is answered failed (the original arguments are never held here, and a
``repr`` is not the value); cancel works (``revoke``).
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any, Dict, Optional

from ..tasks import Command, CommandOutcome, jsonable

log = logging.getLogger("brain_client.celery")

_KINDS = {
    "task-sent": "sent",
    "task-received": "sent",
    "task-started": "started",
    "task-succeeded": "succeeded",
    "task-failed": "failed",
    "task-retried": "retry",
    "task-rejected": "failed",
}
_EXC = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*\(")


def task_event_from_celery_event(event: Dict[str, Any], name: str = "") -> Optional[Dict[str, Any]]:
    """``BrainClient.task_event`` keyword arguments for one Celery event dict (None for
    events that are not about a task). ``name`` is the task's name when the event does
    not carry it (only ``task-sent`` and ``task-received`` do)."""
    etype = event.get("type", "")
    if etype == "task-revoked":
        kind = "expired" if event.get("expired") else "cancelled"
    else:
        kind = _KINDS.get(etype)
    if kind is None or not event.get("uuid"):
        return None
    out: Dict[str, Any] = dict(task_id=event["uuid"], kind=kind, name=event.get("name") or name or "")
    ts = event.get("timestamp")
    if isinstance(ts, (int, float)) and ts == ts and ts not in (float("inf"), float("-inf")):
        out["ts"] = float(ts)
    if etype in ("task-sent", "task-received"):
        out["attempt"] = int(event.get("retries") or 0) + 1
        # repr strings, as Celery sends them: reported as they are, never evaluated.
        if event.get("args") is not None:
            out["args"] = str(event["args"])
        if event.get("kwargs") is not None:
            out["kwargs"] = str(event["kwargs"])
        out["queue"] = event.get("queue") or event.get("routing_key") or ""
    payload: Dict[str, Any] = {"hostname": event.get("hostname"), "celery_event": etype}
    if etype in ("task-failed", "task-retried"):
        text = str(event.get("exception") or "")
        m = _EXC.match(text)
        out["exc_type"] = m.group(1) if m else ""
        out["exc_message"] = text
        out["traceback"] = str(event.get("traceback") or "")
    elif etype == "task-rejected":
        out["exc_type"] = "Rejected"
        out["exc_message"] = "the worker rejected the message" + (" (requeued)" if event.get("requeue") else "")
    elif etype == "task-succeeded":
        payload["runtime_s"] = event.get("runtime")
        payload["result"] = event.get("result")
    elif etype == "task-revoked":
        payload["terminated"] = bool(event.get("terminated"))
        payload["signum"] = event.get("signum")
    for key in ("root_id", "parent_id", "eta", "expires", "pid"):
        if event.get(key) is not None:
            payload[key] = event[key]
    out["payload"] = {k: jsonable(v) for k, v in payload.items() if v is not None}
    return out


def monitor(app, *, stop: Optional[threading.Event] = None, ready: Optional[threading.Event] = None,
            names: int = 50_000, **install_options) -> None:
    """Consume ``app``'s event stream and report task events, until ``stop`` is set.

    Blocks; run it in a process of its own (``python -m brain_client.celery monitor``)
    or a thread. Its agent is ``monitor@<host>`` unless ``agent=`` says otherwise; the
    other options are ``install``'s. Reconnects to the broker after errors.
    """
    from . import adapter_for, install

    install_options.setdefault("agent", "monitor@{hostname}")
    adapter = install(app, **install_options) if install_options else adapter_for(app)
    adapter.role = "monitor"

    def no_retry(command: Command) -> CommandOutcome:
        return CommandOutcome(False, "this agent follows Celery's event stream, which carries only repr strings "
                                     "of the arguments: it cannot re-send the original task (install the adapter "
                                     "in the worker with brain_client.celery.install(app) for retries)")

    adapter.add_command_handler("retry_task", no_retry)
    client = adapter.session("monitor")
    if client is None:
        raise RuntimeError("brain_client.celery monitor: the brain is not reachable")
    task_names: "Dict[str, str]" = {}
    stop = stop or threading.Event()

    def on_event(event):
        try:
            uuid = event.get("uuid")
            if uuid and event.get("name"):
                task_names[uuid] = event["name"]
                while len(task_names) > names:
                    task_names.pop(next(iter(task_names)))
            fields = task_event_from_celery_event(event, task_names.get(uuid or "", ""))
            if fields is not None:
                client.task_event(**fields)
        except Exception:
            log.exception("brain_client.celery: event %s not reported", event.get("type"))

    while not stop.is_set():
        try:
            with app.connection_for_read() as conn:
                receiver = app.events.Receiver(conn, handlers={"*": on_event})
                if ready is not None:
                    ready.set()
                for _ in receiver.itercapture(limit=None, timeout=1.0, wakeup=True):
                    if stop.is_set():
                        break
        except (TimeoutError, OSError) as exc:  # socket.timeout is a TimeoutError
            if stop.is_set():
                break
            if not isinstance(exc, TimeoutError):
                log.warning("brain_client.celery: event stream interrupted (%s); reconnecting", exc)
                stop.wait(1.0)
        except Exception as exc:
            log.warning("brain_client.celery: event stream interrupted (%s); reconnecting", exc)
            stop.wait(1.0)
