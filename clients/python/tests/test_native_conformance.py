"""The cross-client conformance cases (test_conformance.py) through the native path:
BrainClient on libbrain. Skipped, with the reason, when libbrain.so is not built."""
import pytest

from test_native import LIBBRAIN, native_backend  # noqa: F401 (skips this module too without libbrain)
from test_conformance import *  # noqa: F401,F403
from test_conformance import brain  # noqa: F401 (the module-scoped brain with the suite's frame limit)
