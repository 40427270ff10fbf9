"""Task events, schedules and commands: what an agent sends about them, within the limits.

The brain redacts args, kwargs, error messages, tracebacks and payloads itself, then
cuts texts to 8 KiB per value, 16 KiB per traceback and 64 KiB per event
(``proto/README.md``). The client never sends more than those limits: a value over its
limit is shrunk here first (long strings cut, long lists and objects shortened, as JSON
that stays valid), and a text is cut at a whitespace boundary, so a token (a password,
an API key) is either sent whole, for the brain to recognise and redact, or not at all,
never in part.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from . import brain_pb2 as pb
from .convert import dumps, enum_value, now_ns, to_ns

#: The brain's limits (proto/README.md, "Redaction comes before any of this").
VALUE_LIMIT = 8 * 1024
TRACEBACK_LIMIT = 16 * 1024
EVENT_LIMIT = 64 * 1024

_KIND_ALIASES = {"TASK_SENT": "SENT", "RETRIED": "RETRY", "SUCCESS": "SUCCEEDED", "FAILURE": "FAILED",
                 "REVOKED": "CANCELLED", "CANCELED": "CANCELLED"}
_MARK = "[truncated by brain_client: {n} more bytes]"


def task_event_kind_value(kind) -> int:
    """``"sent"`` (or ``"task_sent"``), ``"started"``, ``"succeeded"``, ``"failed"``, ``"retry"``,
    ``"cancelled"``, ``"expired"``, or a ``TaskEventKind`` number -> the enum number."""
    given = kind
    if isinstance(kind, str):
        key = kind.upper()
        key = key[len("TASK_EVENT_"):] if key.startswith("TASK_EVENT_") else key
        kind = _KIND_ALIASES.get(key, key)
    try:
        value = enum_value(pb.TaskEventKind, "TASK_EVENT_", kind)
    except ValueError as exc:
        raise ValueError(str(exc).replace(repr(kind), repr(given), 1)) from None
    if value == pb.TASK_EVENT_KIND_UNSPECIFIED:
        raise ValueError("a task event needs a kind (sent, started, succeeded, failed, retry, cancelled, expired)")
    return value


def clip_text(text: str, limit: int, keep: str = "head") -> str:
    """``text`` in at most ``limit`` UTF-8 bytes.

    A longer text keeps its beginning (``keep="head"``) or its end (``"tail"``, for a
    traceback, whose last lines say what failed), cut at a whitespace boundary, and says
    how many bytes were left out: ``... [truncated by brain_client: N more bytes]``.
    """
    if not text:
        return ""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return text
    room = max(0, limit - len(_MARK.format(n=len(raw))) - 1)
    if keep == "tail":
        part = raw[len(raw) - room:].decode("utf-8", "ignore")
        cut = _first_space(part)
        part = part[cut:] if cut >= 0 else ""
        left = len(raw) - len(part.encode("utf-8", "surrogatepass"))
        return _MARK.format(n=left) + "\n" + part
    part = raw[:room].decode("utf-8", "ignore")
    if room < len(raw) and not raw[room:room + 1].isspace():
        cut = _last_space(part)  # never send a token in part
        part = part[:cut + 1] if cut >= 0 else ""
    left = len(raw) - len(part.encode("utf-8", "surrogatepass"))
    return part + _MARK.format(n=left)


def _last_space(s: str) -> int:
    for i in range(len(s) - 1, -1, -1):
        if s[i].isspace():
            return i
    return -1


def _first_space(s: str) -> int:
    for i, ch in enumerate(s):
        if ch.isspace():
            return i
    return -1


def bounded_json(value: Any, field_name: str, limit: int = VALUE_LIMIT) -> str:
    """``value`` as JSON text of at most ``limit`` bytes ("" for None).

    NaN or Infinity raise InvalidJSONValue (like every ``*_json`` value). JSON over the
    limit is shrunk, and stays valid JSON: strings are cut (see ``clip_text``), lists and
    objects keep their first items plus a note of how many were left out; when even
    that does not fit, the value becomes one JSON string saying it was not sent.

    Every text is compact with raw UTF-8 (``separators=(",", ":")``, ``ensure_ascii=False``):
    the form the brain writes back after redaction, so the brain keeps such a text as it
    is, without parsing and rewriting it, when it holds nothing to redact.
    """
    text = dumps(value, field_name)
    if len(text.encode("utf-8")) <= limit:
        return text
    parsed = json.loads(text)
    for leaf, items in ((1024, 64), (256, 16), (64, 4)):
        small = json.dumps(_shrink(parsed, leaf, items, 0), ensure_ascii=False, separators=(",", ":"))
        if len(small.encode("utf-8")) <= limit:
            return small
    return json.dumps(f"[not sent by brain_client: {field_name} is {len(text.encode('utf-8'))} bytes of JSON, "
                      f"over the {limit}-byte limit]", ensure_ascii=False)


def _shrink(value: Any, leaf: int, items: int, depth: int) -> Any:
    if isinstance(value, str):
        return clip_text(value, leaf)
    if depth > 16 and isinstance(value, (list, dict)):
        return "[nested too deep: left out by brain_client]"
    if isinstance(value, list):
        out = [_shrink(v, leaf, items, depth + 1) for v in value[:items]]
        if len(value) > items:
            out.append(f"[{len(value) - items} more items left out by brain_client]")
        return out
    if isinstance(value, dict):
        keys = list(value)[:items]
        out = {clip_text(k, leaf): _shrink(value[k], leaf, items, depth + 1) for k in keys}
        if len(value) > items:
            out["[brain_client]"] = f"{len(value) - items} more keys left out"
        return out
    return value


def jsonable(value: Any, *, repr_limit: int = 1024, _depth: int = 0, _seen: Optional[set] = None) -> Any:
    """A copy of ``value`` that is always valid JSON, for adapters that must never raise.

    Used on values the application chose (a task's args): NaN and infinities become
    the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; bytes, sets, tuples, dates and
    other objects become JSON lists or a safe ``repr`` of at most ``repr_limit`` bytes.
    """
    seen = _seen if _seen is not None else set()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if _depth > 32:
        return "[nested too deep]"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in seen:
            return "[circular reference]"
        seen.add(id(value))
        try:
            if isinstance(value, dict):
                return {k if isinstance(k, str) else _safe_repr(k, repr_limit):
                        jsonable(v, repr_limit=repr_limit, _depth=_depth + 1, _seen=seen) for k, v in value.items()}
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            return [jsonable(v, repr_limit=repr_limit, _depth=_depth + 1, _seen=seen) for v in items]
        finally:
            seen.discard(id(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _safe_repr(bytes(value), repr_limit)
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        try:
            return iso()
        except Exception:
            pass
    return _safe_repr(value, repr_limit)


def _safe_repr(value: Any, limit: int) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the task
        text = f"<{type(value).__name__} object: repr failed: {type(exc).__name__}>"
    return clip_text(text, limit)


def build_task_event(
    task_id: str,
    kind,
    *,
    engine: str = "celery",
    ts=None,
    attempt: int = 0,
    name: str = "",
    queue: str = "",
    group_id: str = "",
    retried_as: str = "",
    args: Any = None,
    kwargs: Any = None,
    exc_type: str = "",
    exc_message: str = "",
    traceback: str = "",
    payload: Any = None,
) -> "pb.TaskEventReported":
    """The TaskEventReported ``BrainClient.task_event`` publishes (see there)."""
    if not task_id:
        raise ValueError("a task event needs a task_id")
    code = task_event_kind_value(kind)
    if ts is None:
        ts_ns = now_ns()
    else:
        try:
            ts_ns = to_ns(ts)
        except ValueError as exc:
            raise ValueError(f"task_event ts: {exc}") from None
    if attempt is None or int(attempt) < 0:
        raise ValueError("task_event attempt must be 0 (unknown) or more")
    msg = pb.TaskEventReported(
        task_id=str(task_id),
        engine=engine or "",
        kind=code,
        ts=ts_ns,
        attempt=int(attempt),
        name=clip_text(name or "", 1024),
        queue=clip_text(queue or "", 1024),
        group_id=str(group_id or ""),
        retried_as=str(retried_as or ""),
        args_json=bounded_json(args, "task_event args"),
        kwargs_json=bounded_json(kwargs, "task_event kwargs"),
        exc_type=clip_text(exc_type or "", 1024),
        exc_message=clip_text(exc_message or "", VALUE_LIMIT),
        traceback=clip_text(traceback or "", TRACEBACK_LIMIT, keep="tail"),
        payload_json=bounded_json(payload, "task_event payload"),
    )
    if msg.ByteSize() > EVENT_LIMIT:  # only reachable with a huge task id or group id
        raise ValueError(f"task event of {msg.ByteSize()} bytes is over the brain's {EVENT_LIMIT}-byte limit")
    return msg


# ---------------------------------------------------------------- schedules


@dataclass
class Schedule:
    """One schedule as its scheduler holds it (``ScheduleReport``).

    ``type`` is ``"cron"`` (``expression``: five fields), ``"interval"`` (a duration in
    seconds, ``"30"``, ``"2.5"``), ``"date"`` (an RFC 3339 instant) or ``"unsupported"``
    (listed, no next run: Celery's solar). ``dialect`` says how a cron expression combines
    day-of-month and day-of-week: ``"vixie"`` (OR, AND when either starts with ``*``) or
    ``"celery"`` (AND). ``last_run_at`` is a datetime, Unix seconds or nanoseconds.
    """

    name: str
    task: str
    type: str
    expression: str
    dialect: str = "vixie"
    args: Any = None
    kwargs: Any = None
    enabled: bool = True
    metadata: Any = None
    last_run_at: Any = None

    def to_proto(self, scheduler: str) -> "pb.ScheduleReport":
        if not self.name:
            raise ValueError("a schedule needs a name")
        return pb.ScheduleReport(
            scheduler=scheduler,
            name=self.name,
            task=self.task or "",
            type=enum_value(pb.ScheduleType, "SCHEDULE_TYPE_", self.type),
            expression=self.expression or "",
            dialect=enum_value(pb.CronDialect, "CRON_DIALECT_", self.dialect),
            args_json=bounded_json(self.args, f"schedule {self.name!r} args"),
            kwargs_json=bounded_json(self.kwargs, f"schedule {self.name!r} kwargs"),
            enabled=bool(self.enabled),
            metadata_json=bounded_json(self.metadata, f"schedule {self.name!r} metadata"),
            last_run_at=to_ns(self.last_run_at) if self.last_run_at is not None else 0,
        )


# ---------------------------------------------------------------- commands


@dataclass(frozen=True)
class Command:
    """A command the brain sent to this agent (``AgentCommand``).

    ``kind`` is ``"retry_task"``, ``"cancel_task"``, ``"enable_schedule"`` or
    ``"disable_schedule"``; ``deadline`` is Unix nanoseconds (0 = none).
    """

    command_id: str
    kind: str
    task_id: str = ""
    engine: str = ""
    task_name: str = ""
    scheduler: str = ""
    schedule_name: str = ""
    deadline: int = 0

    @classmethod
    def from_proto(cls, msg: "pb.AgentCommand") -> "Command":
        try:
            full = pb.CommandKind.Name(msg.kind)
        except ValueError:
            full = f"COMMAND_{msg.kind}"
        kind = "unspecified" if full.endswith("_UNSPECIFIED") else full[len("COMMAND_"):].lower()
        return cls(command_id=msg.command_id, kind=kind, task_id=msg.task_id, engine=msg.engine,
                   task_name=msg.task_name, scheduler=msg.scheduler, schedule_name=msg.schedule_name,
                   deadline=msg.deadline)

    @property
    def expired(self) -> bool:
        """The deadline has passed (by this machine's clock)."""
        return bool(self.deadline) and time.time_ns() > self.deadline


@dataclass
class CommandOutcome:
    """What came of a command (``CommandResult``); a command handler may return one."""

    ok: bool = True
    message: str = ""
    new_task_id: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Any) -> "CommandOutcome":
        """A handler's return value as an outcome: None -> ok; a str -> ok with that message;
        a bool -> ok or not; a dict -> its ``ok``, ``message``, ``new_task_id``."""
        if isinstance(value, CommandOutcome):
            return value
        if value is None:
            return cls()
        if isinstance(value, bool):
            return cls(ok=value)
        if isinstance(value, str):
            return cls(message=value)
        if isinstance(value, dict):
            known = {k: value[k] for k in ("ok", "message", "new_task_id") if k in value}
            return cls(**known)
        raise TypeError(f"a command handler returned {type(value).__name__}; return None, a str, a bool, "
                        "a dict or a CommandOutcome")


__all__ = ["Command", "CommandOutcome", "EVENT_LIMIT", "Schedule", "TRACEBACK_LIMIT", "VALUE_LIMIT",
           "bounded_json", "build_task_event", "clip_text", "jsonable", "task_event_kind_value"]
