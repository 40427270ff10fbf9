"""Where the brain listens unless told otherwise: the same rule as `brain serve` and brainctl."""
from __future__ import annotations

import os
from typing import Optional, Union

from .framing import check_socket_path


def default_socket_path() -> str:
    """The brain's default socket, read from the environment at each call.

    ``$BRAIN_SOCKET`` if set and non-empty, else ``$XDG_RUNTIME_DIR/brain/brain.sock`` if
    XDG_RUNTIME_DIR is set and non-empty, else ``/tmp/brain-<uid>/brain.sock``.
    """
    explicit = os.environ.get("BRAIN_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return f"{runtime}/brain/brain.sock"
    return f"/tmp/brain-{os.getuid()}/brain.sock"


def resolve_socket_path(path: Optional[Union[str, bytes, "os.PathLike"]] = None) -> str:
    """``path`` as a checked str; None (or "") means ``default_socket_path()``.

    Raises SocketPathTooLong when the path cannot be bound.
    """
    if path is None or (isinstance(path, (str, bytes)) and not path):
        path = default_socket_path()
    return check_socket_path(path)
