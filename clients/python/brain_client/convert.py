"""Protobuf messages to plain dicts, and Python values to the wire's conventions.

- Keys are the proto field names (snake_case).
- ``*_json`` fields are parsed and lose the suffix: ``input_json`` -> ``input``
  (None when unset).
- Times (int64 Unix nanoseconds, fields ending in ``_at``) become RFC 3339 UTC
  strings with nanosecond precision, e.g. ``"2024-05-01T12:00:00.123456789Z"``
  (None when unset); so do ``ts`` and ``deadline``. Durations (``*_ns``) stay ints.
- Enums become lower-case names without their prefix: ``RUN_STATUS_COMPLETED`` ->
  ``"completed"``, ``STEP_STATUS_OK`` -> ``"ok"``, ``AGENT_STATE_ONLINE`` -> ``"online"``,
  ``TASK_STATE_RETRIED`` -> ``"retried"``, ``TASK_EVENT_SENT`` -> ``"sent"``,
  ``COMMAND_RETRY_TASK`` -> ``"retry_task"``, ``SCHEDULE_TYPE_CRON`` -> ``"cron"``,
  ``CRON_DIALECT_CELERY`` -> ``"celery"``; every ``*_UNSPECIFIED`` -> ``"unspecified"``.
"""
from __future__ import annotations

import json
import json.encoder
import math
import threading
import time
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from google.protobuf.descriptor import FieldDescriptor

from . import brain_pb2 as pb
from .errors import InvalidJSONValue

_ENUM_PREFIX = {
    "RunStatus": "RUN_STATUS_",
    "StepStatus": "STEP_STATUS_",
    "AgentState": "AGENT_STATE_",
    "TaskState": "TASK_STATE_",
    "TaskEventKind": "TASK_EVENT_",
    "CommandKind": "COMMAND_",
    "CommandState": "COMMAND_STATE_",
    "ScheduleType": "SCHEDULE_TYPE_",
    "CronDialect": "CRON_DIALECT_",
}
#: int64 fields holding Unix nanoseconds whose names do not end in ``_at``.
_TIME_FIELDS = {"since", "until", "ts", "deadline", "at"}


def now_ns() -> int:
    return time.time_ns()


def ns_to_rfc3339(ns: int) -> Optional[str]:
    """Unix nanoseconds -> RFC 3339 UTC (``...Z``); None for 0 (unset)."""
    if not ns:
        return None
    secs, frac = divmod(int(ns), 1_000_000_000)
    base = datetime.fromtimestamp(secs, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{frac:09d}Z"


def rfc3339_to_datetime(text: Optional[str]) -> Optional[datetime]:
    """Parse a time string produced here into an aware datetime (microseconds kept)."""
    if not text:
        return None
    base, _, frac = text.rstrip("Z").partition(".")
    dt = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return dt.replace(microsecond=int((frac + "000000")[:6])) if frac else dt


def to_ns(value) -> int:
    """A datetime, a float of Unix seconds or int nanoseconds -> int nanoseconds.

    NaN and infinite seconds raise ValueError.
    """
    if value is None:
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000
    if isinstance(value, float):
        return int(value * 1e9)
    return int(value)


def dumps(value: Any, field: str = "value") -> str:
    """A Python value -> JSON text for a ``*_json`` field ("" for None).

    NaN, Infinity and -Infinity are not JSON (the brain refuses them): they raise
    InvalidJSONValue naming ``field`` and where inside the value the number is.
    """
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    try:
        return encode_json(value)
    except ValueError as exc:
        found = _non_finite(value, field, set())
        if found is not None:
            where, number = found
            name = "NaN" if math.isnan(number) else "Infinity" if number > 0 else "-Infinity"
            raise InvalidJSONValue(where, f"{name} is not valid JSON") from None
        raise InvalidJSONValue(field, str(exc)) from None  # e.g. "Circular reference detected"


def _encode_json_slow(value: Any) -> str:
    return json.dumps(value, default=_fallback, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _encode_json_c(value: Any) -> str:
    # What json.dumps(value, default=_fallback, ensure_ascii=False, separators=(",", ":"),
    # allow_nan=False) returns, through a C encoder made once per thread (json.dumps
    # builds a JSONEncoder and a C encoder per call: 2-3x the time for a small dict);
    # tests/test_json_encoding.py checks the two agree. Its circular-reference markers
    # are empty again after every call that succeeds; after a failure it is remade.
    enc = getattr(_tls, "encoder", None)
    if enc is None:
        enc = _tls.encoder = _c_make_encoder({}, _fallback, _encode_basestring, None, ":", ",", False, False, False)
    try:
        return "".join(enc(value, 0))
    except BaseException:
        _tls.encoder = None
        raise


_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_basestring = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring
_tls = threading.local()
#: A Python value -> compact JSON text, NaN and Infinity refused (ValueError).
encode_json = _encode_json_c if _c_make_encoder is not None else _encode_json_slow


def _non_finite(value: Any, path: str, seen: set) -> "Optional[tuple]":
    """(path, number) of the first NaN or infinity in ``value``, walked as json.dumps walks it."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, value)
    if value is None or isinstance(value, (str, int)):
        return None
    if id(value) in seen:
        return None
    seen.add(id(value))
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, float) and not math.isfinite(key):
                return f"{path} (a key)", key
            found = _non_finite(item, f"{path}[{key!r}]", seen)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _non_finite(item, f"{path}[{i}]", seen)
            if found is not None:
                return found
        return None
    converted = _fallback(value)
    return None if converted is value else _non_finite(converted, path, seen)


def _fallback(obj: Any) -> Any:
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if hasattr(obj, "__dict__") and not callable(obj):
        try:
            return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
        except TypeError:
            pass
    return repr(obj)


def loads(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def enum_value(enum_type, prefix: str, name) -> int:
    """``"completed"`` / ``"COMPLETED"`` / ``"RUN_STATUS_COMPLETED"`` / int -> enum number."""
    if isinstance(name, int):
        return name
    key = str(name).upper()
    if not key.startswith(prefix):
        key = prefix + key
    try:
        return enum_type.Value(key)
    except ValueError:
        names = ", ".join(n[len(prefix):].lower() for n in enum_type.keys() if not n.endswith("UNSPECIFIED"))
        raise ValueError(f"unknown value {name!r}; expected one of {names}") from None


def run_status_value(name) -> int:
    return enum_value(pb.RunStatus, "RUN_STATUS_", name)


def step_status_value(name) -> int:
    return enum_value(pb.StepStatus, "STEP_STATUS_", name)


def message_to_dict(msg) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for field in msg.DESCRIPTOR.fields:
        value = getattr(msg, field.name)
        name = field.name
        if _is_repeated(field):
            out[name] = [_convert(field, v) for v in value]
            continue
        if name.endswith("_json") and field.type == FieldDescriptor.TYPE_STRING:
            out[name[: -len("_json")]] = loads(value)
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE and not msg.HasField(name):
            out[name] = None
            continue
        if field.type == FieldDescriptor.TYPE_INT64 and (name.endswith("_at") or name in _TIME_FIELDS):
            out[name] = ns_to_rfc3339(value)
            continue
        out[name] = _convert(field, value)
    return out


def _is_repeated(field) -> bool:
    # protobuf 6 deprecates FieldDescriptor.label (7 removes it) for is_repeated.
    rep = getattr(field, "is_repeated", None)
    if rep is not None:
        return rep() if callable(rep) else bool(rep)
    return field.label == FieldDescriptor.LABEL_REPEATED


def _convert(field, value):
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_to_dict(value)
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        try:
            full = enum.values_by_number[value].name
        except KeyError:
            return value
        if full.endswith("_UNSPECIFIED"):
            return "unspecified"
        prefix = _ENUM_PREFIX.get(enum.name, "")
        return full[len(prefix):].lower() if prefix and full.startswith(prefix) else full.lower()
    return value
