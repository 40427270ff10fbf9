"""Length-prefixed framing: a 4-byte big-endian length, then one protobuf message."""
from __future__ import annotations

import os
import struct
from typing import Iterator, List

from .errors import BrainError, SocketPathTooLong

HEADER = struct.Struct(">I")
#: The brain's default --max-frame-bytes.
DEFAULT_MAX_FRAME = 4 * 1024 * 1024
#: sockaddr_un.sun_path is 104 bytes on macOS (108 on Linux), including the NUL.
SUN_PATH_LIMIT = 104


def encode_frame(message) -> bytes:
    """Serialize a protobuf message (or raw bytes) into one frame."""
    body = message if isinstance(message, (bytes, bytearray)) else message.SerializeToString()
    if len(body) > 0xFFFFFFFF:
        raise BrainError("RESOURCE_EXHAUSTED", f"message of {len(body)} bytes cannot be framed")
    return HEADER.pack(len(body)) + bytes(body)


class FrameDecoder:
    """Incremental decoder: feed it bytes as they arrive, get complete frame bodies.

    Frames may be split across reads or coalesced; both are handled.
    """

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._buf = bytearray()
        self.max_frame = max_frame

    def feed(self, data: bytes) -> List[bytes]:
        self._buf += data
        return list(self._drain())

    def _drain(self) -> Iterator[bytes]:
        buf = self._buf
        pos = 0
        while len(buf) - pos >= HEADER.size:
            (length,) = HEADER.unpack_from(buf, pos)
            if length > self.max_frame:
                raise BrainError(
                    "RESOURCE_EXHAUSTED", f"incoming frame of {length} bytes exceeds {self.max_frame}"
                )
            end = pos + HEADER.size + length
            if len(buf) < end:
                break
            yield bytes(buf[pos + HEADER.size:end])
            pos = end
        if pos:
            del buf[:pos]

    @property
    def pending(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)


def check_socket_path(path) -> str:
    """Return ``path`` as a str, or raise SocketPathTooLong when it cannot be bound."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if len(os.fsencode(path)) >= SUN_PATH_LIMIT:
        raise SocketPathTooLong(path, SUN_PATH_LIMIT)
    return path
