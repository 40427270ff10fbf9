"""Python client for the Brain daemon.

    from brain_client import BrainClient

    with BrainClient("/tmp/brain.sock", agent="crawler") as brain:
        with brain.start_run(goal="fetch the front page") as run:
            run.step("fetch", input={"url": "https://example.com"}, output={"status": 200})
"""
from .client import BrainClient, Rejection
from .errors import BrainError, BrainTimeout, BufferFullError, ConnectionClosed, SocketPathTooLong
from .reader import BrainReader
from .run import Run

__version__ = "0.1.0"

__all__ = [
    "BrainClient",
    "BrainError",
    "BrainReader",
    "BrainTimeout",
    "BufferFullError",
    "ConnectionClosed",
    "Rejection",
    "Run",
    "SocketPathTooLong",
]
