"""Exceptions raised by the Brain client."""
from __future__ import annotations

from typing import Optional


class BrainError(Exception):
    """A failure reported by the brain, or one the client detected itself.

    ``code`` is the name of a ``brain.v1.StatusCode`` (``"UNAUTHENTICATED"``,
    ``"ALREADY_EXISTS"``, ``"UNAVAILABLE"``, ...) and ``message`` the sentence that
    explains it.
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SocketPathTooLong(BrainError, ValueError):
    """The socket path does not fit in ``sockaddr_un`` (104 bytes on macOS)."""

    def __init__(self, path: str, limit: int) -> None:
        size = len(path.encode("utf-8", "surrogateescape"))
        super().__init__(
            "INVALID_ARGUMENT",
            f"socket path is {size} bytes, the limit is {limit - 1}: {path!r}; "
            "use a shorter path (e.g. under /tmp)",
        )
        self.path = path


class InvalidJSONValue(ValueError):
    """A value the client was to send as JSON is not JSON (NaN, Infinity, a cycle, ...).

    Raised by the call that was given the value, before anything is published: no agent
    seq and no step seq is used. ``field`` names the argument (with the path inside it
    when the culprit is nested), e.g. ``step 'fetch' output['scores'][2]``.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class BufferFullError(BrainError):
    """Publishing would exceed the buffer of unacknowledged events.

    Nothing was dropped: the event was not accepted. Wait for acknowledgements
    (``BrainClient.flush``) or raise ``max_buffered_events``.
    """

    def __init__(self, limit: int, acked_seq: int, next_seq: int) -> None:
        super().__init__(
            "RESOURCE_EXHAUSTED",
            f"{limit} events are waiting for the brain's acknowledgement "
            f"(acked up to seq {acked_seq}, next seq {next_seq}); the event was not "
            "published. Call flush(), or raise max_buffered_events",
        )
        self.limit = limit


class BrainTimeout(BrainError, TimeoutError):
    """A call or flush did not finish in time."""

    def __init__(self, message: str) -> None:
        super().__init__("DEADLINE_EXCEEDED", message)


class ConnectionClosed(BrainError, ConnectionError):
    """The connection to the brain closed while a call was in flight."""

    def __init__(self, message: str = "connection to the brain closed", cause: Optional[BaseException] = None) -> None:
        super().__init__("UNAVAILABLE", message if cause is None else f"{message}: {cause}")
