import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package, when run from a checkout
sys.path.insert(0, HERE)  # fake_brain

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BRAIN_BIN = os.environ.get("BRAIN_BIN", os.path.join(REPO, ".build", "debug", "brain"))


def short_tmpdir(prefix: str) -> str:
    """A directory with a short path: socket paths must stay under 104 bytes."""
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


class BrainProcess:
    """`$BRAIN_BIN serve --socket SOCK --data-dir DIR`, restartable on the same data."""

    def __init__(self, binary: str, workdir: str) -> None:
        self.binary = binary
        self.workdir = workdir
        self.socket = os.path.join(workdir, "brain.sock")
        self.data_dir = os.path.join(workdir, "data")
        self.log_path = os.path.join(workdir, "brain.log")
        self.proc = None
        os.makedirs(self.data_dir, exist_ok=True)

    def start(self, timeout: float = 30.0) -> "BrainProcess":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--socket", self.socket, "--data-dir", self.data_dir],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
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

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

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


@pytest.fixture
def brain():
    if not os.path.exists(BRAIN_BIN):
        pytest.skip(f"brain binary not found at {BRAIN_BIN} (set BRAIN_BIN, or build it with `swift build`)")
    workdir = short_tmpdir("brain-")
    proc = BrainProcess(BRAIN_BIN, workdir).start()
    try:
        yield proc
    finally:
        proc.stop()
        log = proc.log()
        shutil.rmtree(workdir, ignore_errors=True)
        if log.strip():
            print(f"--- brain log ---\n{log}")


@pytest.fixture
def fake_brain():
    from fake_brain import FakeBrain

    workdir = short_tmpdir("fbrain-")
    fb = FakeBrain(os.path.join(workdir, "b.sock")).start()
    try:
        yield fb
    finally:
        fb.stop()
        shutil.rmtree(workdir, ignore_errors=True)
