"""Rejection: an event the brain refused, as BrainClient reports it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Rejection:
    """An event the brain refused (it still counts as handled; resending is harmless).

    ``seq`` is the agent event seq (what ``publish()`` returned); ``step_seq`` is the
    step's own seq within its run (what ``Run.step()`` returned), None when the event is
    not a step.
    """

    seq: int
    code: str
    message: str
    kind: Optional[str]  # the AgentEvent case ("step", "task_event", ...); None if no longer buffered
    run_id: Optional[str]
    step_seq: Optional[int] = None
    task_id: Optional[str] = None  # set when the event is a task event


__all__ = ["Rejection"]
