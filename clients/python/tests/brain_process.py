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
