"""The real brain for the tests: `$BRAIN_BIN serve` in a short /tmp directory."""

import os
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BRAIN_BIN = os.environ.get("BRAIN_BIN", os.path.join(REPO, ".build", "debug", "brain"))


def short_tmpdir(prefix: str) -> str:
    """A directory with a short path: socket paths must stay under 104 bytes."""
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


class BrainProcess:
    """`$BRAIN_BIN serve --socket SOCK --data-dir DIR`, restartable on the same data.

    With ``default_socket`` no --socket is passed: the brain picks its default socket
    from ``env`` (BRAIN_SOCKET, XDG_RUNTIME_DIR), and ``default_socket`` says where
    that is expected to be.
    """

    def __init__(self, binary: str, workdir: str, extra_args=(), env=None, default_socket=None) -> None:
        self.binary = binary
        self.workdir = workdir
        self.extra_args = list(extra_args)
        self.env = env
        self.default_socket = default_socket
        self.socket = default_socket or os.path.join(workdir, "brain.sock")
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "brain.log")
        self.proc = None
        os.makedirs(self.data_dir, exist_ok=True)

    def start(self, timeout: float = 30.0) -> "BrainProcess":
        log = open(self.log_path, "ab")
        socket_args = [] if self.default_socket else ["--socket", self.socket]
        self.proc = subprocess.Popen(
            [self.binary, "serve", *socket_args, "--data-dir", self.data_dir, *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir, env=self.env,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"brain exited with {self.proc.returncode}:\n{self.log()}")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.socket)
                return self
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        self.kill()
        raise RuntimeError(f"brain did not accept connections on {self.socket} within {timeout} s:\n{self.log()}")

    def kill(self, sig=signal.SIGKILL, wait: float = 10.0) -> None:
        """SIGKILL by default: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(wait)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------- what the brain implements

#: What a test needs -> how to ask the brain about it without changing anything that matters.
FEATURES = ("projects", "tasks", "task_events", "commands", "schedules", "schedule_events")


def unimplemented(socket_path: str, feature: str):
    """The brain's UNIMPLEMENTED message for ``feature`` (one of FEATURES), None when it
    implements it. Any other answer (NOT_FOUND for a probe id, ...) means implemented."""
    import uuid

    from brain_client import BrainClient, BrainError, BrainReader

    try:
        if feature in ("task_events", "schedule_events"):
            with BrainClient(socket_path, agent="probe-" + uuid.uuid4().hex[:8]) as c:
                if feature == "task_events":
                    c.task_event("probe-" + uuid.uuid4().hex, "sent", name="probe")
                else:
                    c.schedule_upsert("probe", {"name": "probe", "task": "probe", "type": "interval",
                                                "expression": "60"})
                    c.schedule_delete("probe", "probe")
                c.flush(10)
                deadline = time.monotonic() + 1.0
                while time.monotonic() < deadline and not c.rejections:
                    time.sleep(0.05)
                for rej in c.rejections:
                    if rej.code == "UNIMPLEMENTED":
                        return f"{rej.kind} event: {rej.message}"
            return None
        with BrainReader(socket_path) as r:
            probe = {
                "projects": r.list_projects,
                "tasks": lambda: r.tasks_page(limit=1),
                "commands": lambda: r.get_command("probe-" + uuid.uuid4().hex),
                "schedules": lambda: r.schedules_page(limit=1),
            }[feature]
            probe()
    except BrainError as exc:
        if exc.code == "UNIMPLEMENTED":
            return exc.message
    return None


def require(brain_socket: str, *features: str) -> None:
    """Skip the calling test, saying why, when the brain answers UNIMPLEMENTED for one of
    ``features``; anything else (implemented, or failing some other way) runs the test."""
    import pytest

    for feature in features:
        message = unimplemented(brain_socket, feature)
        if message is not None:
            pytest.skip(f"the brain at {BRAIN_BIN} answers UNIMPLEMENTED for {feature} "
                        f"({message!r}): the server does not implement it yet")
