"""convert.encode_json (the C encoder called directly) writes what json.dumps writes."""
import datetime
import json
import math

import pytest

from brain_client.convert import _encode_json_slow, dumps, encode_json
from brain_client.errors import InvalidJSONValue


class Obj:
    def __init__(self):
        self.a = 1
        self._hidden = 2


SAME = [
    None, True, 0, -7, 2**70, 1.5, 1e300, "", "é\n\"\\\u2028", [], {}, [1, [2, [3]]],
    {"a": 1, "b": [1, 2.5, None, True], "c": "é"}, {1: 2, 2.5: "x", None: 0, True: 1},
    {"t": (1, 2), "s": {3}, "d": datetime.datetime(2024, 1, 1, 12, 0, 1, 5)}, Obj(), {"o": [Obj()]},
]


@pytest.mark.parametrize("value", SAME, ids=range(len(SAME)))
def test_same_text_as_json_dumps(value):
    assert encode_json(value) == _encode_json_slow(value)


@pytest.mark.parametrize("bad", [math.nan, [math.inf], {"x": {"y": -math.inf}}])
def test_non_finite_still_refused(bad):
    with pytest.raises(ValueError):
        encode_json(bad)
    with pytest.raises(InvalidJSONValue):
        dumps(bad, "f")


def test_cycle_still_refused():
    cyc = []
    cyc.append(cyc)
    with pytest.raises(ValueError):
        encode_json(cyc)
    with pytest.raises(InvalidJSONValue):
        dumps(cyc, "f")
    assert encode_json([1]) == "[1]"  # nothing left behind by the failed call


def _wide(depth):
    return 0 if depth == 0 else [_wide(depth - 1)] * 4  # 4**depth leaves: too many even shrunk


BOUNDED = [{"a": "é\x01\x7f/\u2028", "n": [1.0, 1e16, -0.0]}, ["x" * 20_000, "é"], {"k": "é" * 9_000}, _wide(8)]


@pytest.mark.parametrize("value", BOUNDED, ids=range(len(BOUNDED)))
def test_bounded_json_is_compact_with_raw_utf8(value):
    # The brain's redactor keeps such text as it is (no \u escapes of printable characters,
    # no spaces): its fast path fires for events with nothing to redact.
    from brain_client.tasks import bounded_json
    text = bounded_json(value, "schédule args")
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    if text.startswith('"[not sent'):
        assert "schédule" in text
