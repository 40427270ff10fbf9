"""convert.encode_json (the C encoder called directly) writes what json.dumps writes."""
import datetime
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
