import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package, when run from a checkout
sys.path.insert(0, HERE)  # fake_brain

from brain_process import BRAIN_BIN, BrainProcess, short_tmpdir  # noqa: E402


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


@pytest.fixture(autouse=True)
def _pure_python_unless_native(request, monkeypatch):
    """Every test runs the pure-Python client (whatever libbrain is installed), except
    those collected in tests/test_native*.py, which pick the native path themselves."""
    if not request.module.__name__.startswith("test_native"):
        monkeypatch.setenv("BRAIN_PURE_PYTHON", "1")
