"""Celery beat: report the schedule to the brain, each time an entry fires, and obey
enable/disable commands.

    celery -A proj beat -S brain_client.celery:BrainScheduler

(or ``beat_scheduler = "brain_client.celery:BrainScheduler"`` in the app's config).
``BrainScheduler`` is Celery's default ``PersistentScheduler`` plus the reports;
``BrainSchedulerMixin`` adds them to another scheduler class.

Mapping: a ``crontab`` entry is ``cron`` with the ``celery`` dialect (day-of-month AND
day-of-week), its expression the five fields ``minute hour day_of_month month_of_year
day_of_week`` as written in the crontab; a ``schedule`` (a timedelta or a number of
seconds) is ``interval`` in seconds; a ``solar`` entry, or any other schedule class, is
``unsupported`` (listed; the brain computes no next run). The beat schedule's time zone
goes into each schedule's metadata (the brain computes next runs in the project's).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Dict, Optional

from celery.beat import PersistentScheduler

from ..tasks import Command, CommandOutcome, Schedule, jsonable

log = logging.getLogger("brain_client.celery")

DEFAULT_SCHEDULER = "celery-beat"
_STORE_KEY = "brain_disabled"


def _field(value) -> str:
    """One crontab field as written (``_orig_*``): a str, an int, or a collection of them."""
    if value is None:
        return "*"
    if isinstance(value, (list, tuple, set, frozenset, range)):
        items = sorted(value, key=lambda v: (not isinstance(v, int), v if isinstance(v, int) else str(v)))
        return ",".join(str(v) for v in items) or "*"
    return str(value).strip() or "*"


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def schedule_of(entry, *, enabled: bool = True, timezone: Optional[str] = None) -> Schedule:
    """A beat ``ScheduleEntry`` as a brain ``Schedule``."""
    from celery.schedules import crontab, schedule, solar

    sched = entry.schedule
    metadata: Dict[str, Any] = {}
    if isinstance(sched, crontab):
        kind = "cron"
        expression = " ".join(_field(getattr(sched, f"_orig_{f}", "*")) for f in
                              ("minute", "hour", "day_of_month", "month_of_year", "day_of_week"))
    elif isinstance(sched, solar):
        kind = "unsupported"
        expression = f"solar {sched.event} {sched.lat} {sched.lon}"
        metadata["unsupported"] = "solar schedules depend on the sun; the brain does not predict them"
    elif isinstance(sched, schedule):
        kind = "interval"
        expression = _seconds(sched.run_every.total_seconds())
    else:
        kind = "unsupported"
        expression = type(sched).__name__
        metadata["unsupported"] = f"schedule class {type(sched).__module__}.{type(sched).__qualname__}"
    if timezone:
        metadata["timezone"] = timezone
    options = getattr(entry, "options", None) or {}
    if options:
        metadata["options"] = jsonable(options)
    metadata["total_run_count"] = int(getattr(entry, "total_run_count", 0) or 0)
    ran = getattr(entry, "total_run_count", 0) and getattr(entry, "last_run_at", None)
    return Schedule(name=entry.name, task=entry.task, type=kind, expression=expression,
                    dialect="celery" if kind == "cron" else "vixie", args=jsonable(list(entry.args or ())),
                    kwargs=jsonable(dict(entry.kwargs or {})), enabled=enabled, metadata=metadata,
                    last_run_at=ran or None)


class BrainSchedulerMixin:
    """Reports the schedule when beat starts (a complete listing), each entry sent
    (``schedule_fired`` with the task id), and enables or disables entries when the
    brain says so (a disabled entry is skipped when due, and reported with
    ``enabled=False``). The disabled names are kept in the beat schedule file when the
    scheduler has one (``PersistentScheduler``), so they survive a beat restart.

    ``brain_scheduler`` is the scheduler's name in the brain (``beat_brain_scheduler``
    in the app's config, default ``"celery-beat"``).
    """

    def setup_schedule(self):
        super().setup_schedule()
        self._brain_lock = threading.Lock()
        store = getattr(self, "_store", None)
        try:
            disabled = set(store.get(_STORE_KEY, ())) if store is not None else set()
        except Exception:
            disabled = set()
        self._brain_disabled = disabled
        self.brain_scheduler = getattr(self.app.conf, "beat_brain_scheduler", None) or DEFAULT_SCHEDULER
        from . import adapter_for

        self._brain_adapter = adapter_for(self.app)
        self._brain_adapter.add_command_handler(["enable_schedule", "disable_schedule"], self._brain_on_command)
        self.brain_report_all()

    def _brain_session(self):
        return self._brain_adapter.session("beat")

    def _brain_timezone(self) -> str:
        tz = getattr(self.app.conf, "timezone", None)
        return str(tz) if tz else "UTC"

    def brain_report_all(self) -> None:
        """Publish the whole schedule as a complete listing."""
        client = self._brain_session()
        if client is None:
            return
        tz = self._brain_timezone()
        listing = []
        for name, entry in list(self.schedule.items()):
            try:
                listing.append(schedule_of(entry, enabled=name not in self._brain_disabled, timezone=tz))
            except Exception:
                log.exception("brain_client.celery: schedule entry %r not reported", name)
                return  # never send a complete listing that leaves one out: the brain would delete it
        try:
            client.report_schedules(self.brain_scheduler, listing, complete=True)
        except Exception as exc:
            log.error("brain_client.celery: the beat schedule was not reported: %s", exc)

    def apply_entry(self, entry, producer=None):
        if entry.name in self._brain_disabled:
            log.info("Scheduler: %s is disabled in the brain; not sent", entry.name)
            return
        return super().apply_entry(entry, producer=producer)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        client = self._brain_session()
        if client is not None:
            try:
                client.schedule_fired(self.brain_scheduler, entry.name, task_id=getattr(result, "id", "") or "")
            except Exception as exc:
                log.error("brain_client.celery: firing of %r not reported: %s", entry.name, exc)
        return result

    def sync(self):
        store = getattr(self, "_store", None)
        if store is not None and getattr(self, "_brain_dirty", False):
            # On beat's own thread (the shelf is not thread-safe), only after a change.
            self._brain_dirty = False
            try:
                store[_STORE_KEY] = sorted(self._brain_disabled)
            except Exception:  # e.g. the shelf is closed already
                getattr(store, "cache", {}).pop(_STORE_KEY, None)
                log.debug("brain_client.celery: could not keep the disabled entries", exc_info=True)
        return super().sync()

    def _brain_on_command(self, command: Command) -> CommandOutcome:
        if command.scheduler and command.scheduler != self.brain_scheduler:
            return CommandOutcome(False, f"this agent runs scheduler {self.brain_scheduler!r}, "
                                         f"not {command.scheduler!r}")
        entry = self.schedule.get(command.schedule_name)
        if entry is None:
            return CommandOutcome(False, f"no entry {command.schedule_name!r} in this beat schedule")
        enable = command.kind == "enable_schedule"
        with self._brain_lock:
            if enable:
                self._brain_disabled.discard(entry.name)
            else:
                self._brain_disabled.add(entry.name)
            self._brain_dirty = True
        client = self._brain_session()
        if client is not None:
            client.schedule_upsert(self.brain_scheduler,
                                   schedule_of(entry, enabled=enable, timezone=self._brain_timezone()))
        return CommandOutcome(True, f"{entry.name} {'enabled' if enable else 'disabled'}")


class BrainScheduler(BrainSchedulerMixin, PersistentScheduler):
    """Celery's default PersistentScheduler, reporting to the brain."""
