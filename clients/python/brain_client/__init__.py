"""Python client for the Brain daemon.

    from brain_client import BrainClient

    with BrainClient(agent="crawler", token="s3cret") as brain:
        with brain.start_run(goal="fetch the front page") as run:
            run.step("fetch", input={"url": "https://example.com"}, output={"status": 200})

With no socket path the client connects to ``default_socket_path()``: ``$BRAIN_SOCKET``,
else the brain's own default.
"""
from .client import BrainClient, Rejection
from .errors import (BrainError, BrainTimeout, BufferFullError, ConnectionClosed, InvalidJSONValue,
                     SocketPathTooLong)
from .paths import default_socket_path
from .reader import BrainReader
from .run import Run
from .tasks import Command, CommandOutcome, Schedule

__version__ = "0.1.0"

__all__ = [
    "BrainClient",
    "BrainError",
    "BrainReader",
    "BrainTimeout",
    "Command",
    "CommandOutcome",
    "BufferFullError",
    "ConnectionClosed",
    "InvalidJSONValue",
    "Rejection",
    "Run",
    "Schedule",
    "SocketPathTooLong",
    "default_socket_path",
]
