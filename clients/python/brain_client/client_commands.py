"""Commands from the brain (retry, cancel, enable/disable a schedule): BrainClient's
handlers for them, and the thread that runs each one once and answers it."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Optional, Sequence, Union

from . import brain_pb2 as pb
from .errors import BrainError
from .tasks import VALUE_LIMIT, Command, CommandOutcome, clip_text

log = logging.getLogger("brain_client")


class CommandHandlingMixin:
    """BrainClient's command handling. A base class of BrainClient, whose ``__init__`` sets
    up the handlers, the commands seen and the command queue used here."""

    def on_command(self, handler: Optional[Callable[[Command], Any]] = None, *,
                   kinds: Union[None, str, Sequence[str]] = None):
        """Register the handler of commands the brain sends this agent (usable as a decorator).

        ``handler(command)`` gets a ``Command`` and returns None (done), a str (done, with
        that message), a bool, a dict or a ``CommandOutcome`` (``new_task_id`` for a
        retry); an exception makes the command failed with ``"Type: message"``. ``kinds``
        limits it to some kinds (``"retry_task"``, ``"cancel_task"``, ``"enable_schedule"``,
        ``"disable_schedule"``); without it the handler takes every kind no other handler
        claims. Handlers run one at a time on a thread of the client's own. For each
        command the client publishes ``command_received``, runs the handler, then
        publishes ``command_result``; a command id seen before (the brain delivering it
        again after a reconnect) is acknowledged again and never run twice.
        """

        def register(fn):
            names = [None] if kinds is None else [kinds] if isinstance(kinds, str) else list(kinds)
            with self._cond:
                for kind in names:
                    self._command_handlers[kind] = fn
                self._cond.notify_all()
            return fn

        return register if handler is None else register(handler)

    def remove_command_handler(self, kinds: Union[None, str, Sequence[str]] = None) -> None:
        names = [None] if kinds is None else [kinds] if isinstance(kinds, str) else list(kinds)
        with self._cond:
            for kind in names:
                self._command_handlers.pop(kind, None)

    def _receive_command(self, msg: "pb.AgentCommand") -> None:
        """On the reader thread: note the command and hand it to the command thread."""
        command = Command.from_proto(msg)
        if not command.command_id:
            log.warning("brain_client: the brain sent a command without an id; ignored")
            return
        with self._cond:
            if self._closing:
                return
            seen = command.command_id in self._commands_seen
            outcome = self._commands_seen.get(command.command_id)
            if not seen:
                self._commands_seen[command.command_id] = None
                while len(self._commands_seen) > self.remembered_commands:
                    self._commands_seen.popitem(last=False)
            if self._command_thread is None:
                self._command_thread = threading.Thread(target=self._command_loop, name="brain-commands",
                                                        daemon=True)
                self._command_thread.start()
        self._command_queue.put((command, seen, outcome))

    def _command_loop(self) -> None:
        self._session_ready.wait()
        while True:
            item = self._command_queue.get()
            if item is None:
                return
            command, seen, outcome = item
            try:
                self._publish_command_event(command_received=pb.CommandReceived(command_id=command.command_id))
                if seen:
                    # Delivered again (after a reconnect): answered again, never run again.
                    if outcome is not None:
                        self._publish_result(command, outcome)
                    continue
                outcome = self._run_command(command)
                with self._cond:
                    if command.command_id in self._commands_seen:
                        self._commands_seen[command.command_id] = outcome
                self._publish_result(command, outcome)
            except Exception:
                log.exception("brain_client: error while answering command %s", command.command_id)

    def _run_command(self, command: Command) -> CommandOutcome:
        deadline = time.monotonic() + self.command_handler_wait
        with self._cond:
            # Waiting commands may arrive right after the welcome, before the application
            # has registered its handlers: give it a moment.
            while True:
                handler = self._command_handlers.get(command.kind) or self._command_handlers.get(None)
                remaining = deadline - time.monotonic()
                if handler is not None or remaining <= 0 or self._closing:
                    break
                self._cond.wait(min(remaining, 0.5))
        if handler is None:
            return CommandOutcome(False, f"agent {self.agent!r} has no handler for {command.kind} commands")
        if command.expired:
            return CommandOutcome(False, "not run: the command's deadline passed before the agent could run it")
        try:
            return CommandOutcome.of(handler(command))
        except Exception as exc:
            log.warning("brain_client: command %s (%s) failed: %s: %s", command.command_id, command.kind,
                        type(exc).__name__, exc)
            return CommandOutcome(False, f"{type(exc).__name__}: {exc}")

    def _publish_result(self, command: Command, outcome: CommandOutcome) -> None:
        self._publish_command_event(command_result=pb.CommandResult(
            command_id=command.command_id, ok=bool(outcome.ok), message=clip_text(str(outcome.message or ""),
                                                                                 VALUE_LIMIT),
            new_task_id=str(outcome.new_task_id or "")))

    def _publish_command_event(self, **event) -> None:
        try:
            self.publish(pb.AgentEvent(**event))
        except BrainError as exc:
            log.error("brain_client: could not answer a command (%s): %s", next(iter(event)), exc)
