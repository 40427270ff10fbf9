"""Celery adapter: task events, retry and cancel commands, and the beat schedule.

One line in the Celery app::

    import brain_client.celery
    brain_client.celery.install(app)

and, for beat, ``celery -A proj beat -S brain_client.celery:BrainScheduler``.

How events are captured (``install``, the default and recommended mode): Celery's
signals. Under the prefork pool the task signals (``task_prerun``, ``task_success``,
``task_failure``, ``task_retry``) run in the pool's child processes, while the agent
session (one connection, one sequence of events) must live in one process: the worker's
main process. So each child sends its events to the main process over a Unix datagram
socket (one datagram per event, created when the worker starts, in a private temporary
directory), and the main process publishes them with the session's seq/ack/resend
guarantees. Under the solo, threads, gevent and eventlet pools the signals run in the
main process and are published directly. Signals give the real exception class, the
real args and kwargs (kept in a bounded cache for retry commands), and need no broker
events.

The alternative for workers you cannot modify is ``monitor(app)`` (or
``python -m brain_client.celery monitor --app proj.celery:app``): it consumes Celery's
event stream like Flower does (``app.events.Receiver``). It needs the workers to send
events (``celery worker -E``, and ``task_send_sent_event`` for ``task-sent``), sees args
only as Celery's truncated ``repr`` strings, an exception only as its ``repr``, and the
attempt only on ``task-received``; it can cancel tasks but not retry them (it never
holds the original arguments).
"""
from __future__ import annotations

# What was defined or imported here before the adapter moved to its own modules stays
# importable from here.
from .. import brain_pb2 as pb  # noqa: F401
from ..client import BrainClient  # noqa: F401
from ..errors import BrainError  # noqa: F401
from ..tasks import Command, CommandOutcome, build_task_event, jsonable  # noqa: F401
from .adapter import AGENT_NAMES, ENGINE, CeleryAdapter, adapter_for, install, log  # noqa: F401
from .beat import BrainScheduler, BrainSchedulerMixin, schedule_of
from .events import monitor, task_event_from_celery_event
from .originals import OriginalsCache


__all__ = ["AGENT_NAMES", "BrainScheduler", "BrainSchedulerMixin", "CeleryAdapter", "OriginalsCache", "adapter_for",
           "install", "monitor", "schedule_of", "task_event_from_celery_event"]
