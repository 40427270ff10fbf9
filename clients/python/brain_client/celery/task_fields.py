"""Celery's requests, message bodies and exceptions to the fields of a task event."""
from __future__ import annotations

from typing import Any, Dict

from ..tasks import jsonable


def _attempt(request) -> int:
    """Celery's ``retries`` + 1 (1 for the first run), 0 when not known."""
    retries = getattr(request, "retries", None) if request is not None else None
    try:
        return int(retries) + 1 if retries is not None else 0
    except (TypeError, ValueError):
        return 0


def _queue(request) -> str:
    info = getattr(request, "delivery_info", None) if request is not None else None
    if not isinstance(info, dict):
        return ""
    return str(info.get("routing_key") or info.get("queue") or "")


def _delivery(exchange, routing_key) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if routing_key:
        out["routing_key"] = routing_key
        out["exchange"] = exchange or ""
    return out


def _body_args(body):
    """(args, kwargs) of a message body: protocol 2 ``(args, kwargs, embed)``, or protocol 1."""
    if isinstance(body, (tuple, list)) and len(body) >= 2:
        return list(body[0] or ()), dict(body[1] or {})
    if isinstance(body, dict):
        return list(body.get("args") or ()), dict(body.get("kwargs") or {})
    return [], {}


def _exc_type(exc) -> str:
    if exc is None:
        return ""
    cls = exc if isinstance(exc, type) else type(exc)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", None) or cls.__name__
    return name if module in ("builtins", "__main__", "") else f"{module}.{name}"


def _exc_message(exc) -> str:
    if exc is None:
        return ""
    try:
        return str(exc)
    except Exception:
        return f"<{type(exc).__name__}: str() failed>"


def _traceback(einfo, tb) -> str:
    text = getattr(einfo, "traceback", None)
    if isinstance(text, str) and text:
        return text
    if tb is not None:
        import traceback as tbmod

        try:
            return "".join(tbmod.format_tb(tb))
        except Exception:
            return ""
    return ""


def _clean(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: jsonable(v) for k, v in d.items() if v is not None}


def _saferepr(fn, value, limit) -> str:
    try:
        return fn(value, limit)
    except Exception:
        return ""
