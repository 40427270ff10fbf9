"""libbrain through ctypes: its structs and functions, and finding the library to load.

Where it is looked for (first hit wins) and when it is not used: see native.py.
"""
from __future__ import annotations

import ctypes
import logging
import os
import sys
from typing import Any, Dict, Optional

log = logging.getLogger("brain_client")

ENV_LIBRARY = "BRAIN_LIBBRAIN"
ENV_PURE = "BRAIN_PURE_PYTHON"

# brain_err
_OK, _E_INVALID, _E_PATH, _E_CONNECT, _E_IO, _E_PROTOCOL, _E_REFUSED, _E_FULL, _E_TIMEOUT, _E_FAILED, _E_NOMEM = (
    0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10)
# brain_conn_event
_CONNECTED, _LOST, _RETRYING, _GAVE_UP = 1, 2, 3, 4


class _Options(ctypes.Structure):  # brain_options
    _fields_ = [
        ("socket_path", ctypes.c_char_p),
        ("agent_name", ctypes.c_char_p),
        ("project", ctypes.c_char_p),
        ("token", ctypes.c_char_p),
        ("framework_adapter", ctypes.c_char_p),
        ("engine_adapters", ctypes.c_void_p),
        ("n_engine_adapters", ctypes.c_size_t),
        ("scheduler_adapters", ctypes.c_void_p),
        ("n_scheduler_adapters", ctypes.c_size_t),
        ("capabilities_json", ctypes.c_char_p),
        ("metadata_json", ctypes.c_char_p),
        ("heartbeat_interval_ms", ctypes.c_uint32),
        ("max_unacked", ctypes.c_size_t),
        ("reconnect_timeout_ms", ctypes.c_int64),
        ("connect_timeout_ms", ctypes.c_uint32),
        ("max_frame_bytes", ctypes.c_uint32),
        ("protocol_version", ctypes.c_uint32),
        ("on_rejection", ctypes.c_void_p),
        ("user", ctypes.c_void_p),
        ("on_connection", ctypes.c_void_p),
        ("wait_for_brain", ctypes.c_int),
        ("on_command", ctypes.c_void_p),
        ("_room", ctypes.c_char * 512),  # zeroed room for fields a newer libbrain appends
    ]


class _Welcome(ctypes.Structure):  # brain_welcome
    _fields_ = [
        ("agent_id", ctypes.c_char * 64),
        ("project", ctypes.c_char * 128),
        ("heartbeat_interval_ms", ctypes.c_uint32),
        ("heartbeat_timeout_ms", ctypes.c_uint32),
        ("last_seq", ctypes.c_uint64),
        ("registered", ctypes.c_int),
        ("protocol_version", ctypes.c_uint32),
    ]


class _Stats(ctypes.Structure):  # brain_stats
    _fields_ = [
        ("last_seq", ctypes.c_uint64),
        ("acked_seq", ctypes.c_uint64),
        ("unacked", ctypes.c_uint64),
        ("published", ctypes.c_uint64),
        ("rejections", ctypes.c_uint64),
        ("rejections_dropped", ctypes.c_uint64),
        ("reconnects", ctypes.c_uint64),
        ("resent", ctypes.c_uint64),
        ("connected", ctypes.c_int),
        ("failed", ctypes.c_int),
    ]


class _Step(ctypes.Structure):  # brain_step
    _fields_ = [
        ("run_id", ctypes.c_char_p),
        ("seq", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("status", ctypes.c_int),
        ("input_json", ctypes.c_char_p),
        ("output_json", ctypes.c_char_p),
        ("error", ctypes.c_char_p),
        ("duration_ms", ctypes.c_uint64),
        ("started_at_ns", ctypes.c_int64),
    ]


class _Rejection(ctypes.Structure):  # brain_rejection
    _fields_ = [("seq", ctypes.c_uint64), ("code", ctypes.c_int), ("message", ctypes.c_char * 512)]


class _ConnInfo(ctypes.Structure):  # brain_conn_info
    _fields_ = [
        ("event", ctypes.c_int),
        ("socket_path", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("attempt", ctypes.c_int),
        ("waited_ms", ctypes.c_int64),
        ("timeout_ms", ctypes.c_int64),
    ]


_REJECTION_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_Rejection))
_CONNECTION_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_ConnInfo))


class _Lib:
    """libbrain's functions. Blocking ones through CDLL (the GIL is released while they
    run); the short, never-blocking publish through PyDLL (no GIL round trip per event)."""

    def __init__(self, path: str) -> None:
        self.path = path
        c = ctypes.CDLL(path)
        py = ctypes.PyDLL(path)
        P, I, S, U64, I64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint64, ctypes.c_int64

        def fn(lib, name, restype, *argtypes):
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self.connect = fn(c, "brain_connect", I, ctypes.POINTER(_Options), ctypes.POINTER(P))
        self.close = fn(c, "brain_close", None, P)
        self.publish_encoded = fn(py, "brain_publish_encoded", I, P, ctypes.c_char_p, S, ctypes.POINTER(U64))
        self.step_report = fn(py, "brain_step_report", I, P, ctypes.POINTER(_Step), ctypes.POINTER(U64))
        self.wait_acked = fn(c, "brain_wait_acked", I, P, I64)
        self.wait_space = fn(c, "brain_wait_space", I, P, I64)
        self.get_stats = fn(py, "brain_get_stats", None, P, ctypes.POINTER(_Stats))
        self.get_welcome = fn(py, "brain_get_welcome", None, P, ctypes.POINTER(_Welcome))
        self.last_error = fn(py, "brain_last_error", ctypes.c_char_p)
        self.last_status = fn(py, "brain_last_status", I)

    def error(self) -> "tuple[int, str]":
        return self.last_status(), (self.last_error() or b"").decode("utf-8", "replace")


_loaded: Dict[str, Any] = {}  # path -> _Lib, or the reason it is not usable
_status = "not looked for yet"


def _candidates():
    explicit = os.environ.get(ENV_LIBRARY)
    if explicit:
        return [explicit]
    here = os.path.dirname(os.path.abspath(__file__))
    found = [os.path.join(here, n) for n in ("libbrain.so", "libbrain.so.1", "libbrain.dylib")
             if os.path.exists(os.path.join(here, n))]
    # By name: the dynamic loader searches LD_LIBRARY_PATH, its cache and the default
    # directories (no ldconfig or compiler subprocess, as ctypes.util.find_library runs).
    found += ["libbrain.dylib"] if sys.platform == "darwin" else ["libbrain.so.1", "libbrain.so"]
    return found


def library() -> Optional[_Lib]:
    """The libbrain to use now, or None (then ``status()`` says why)."""
    global _status
    if os.environ.get(ENV_PURE, "") not in ("", "0"):
        _status = f"pure Python: {ENV_PURE} is set"
        return None
    reasons = []
    for path in _candidates():
        lib = _loaded.get(path)
        if lib is None:
            try:
                lib = _Lib(path)
            except (OSError, AttributeError) as exc:
                lib = f"{path}: {exc}"
                if os.environ.get(ENV_LIBRARY):
                    log.warning("brain_client: not using %s=%s: %s", ENV_LIBRARY, path, exc)
            _loaded[path] = lib
        if isinstance(lib, _Lib):
            _status = f"native: {lib.path}"
            return lib
        reasons.append(lib)
    if os.environ.get(ENV_LIBRARY):
        _status = "pure Python: " + "; ".join(reasons)
    else:
        _status = (f"pure Python: no libbrain found (${ENV_LIBRARY}, next to the package, the system's "
                   f"library path): {'; '.join(reasons)}")
    return None


def status() -> str:
    """Which path the next BrainClient takes, and why."""
    library()
    return _status


__all__ = ["ENV_LIBRARY", "ENV_PURE", "library", "status"]
