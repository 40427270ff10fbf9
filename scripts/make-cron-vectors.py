#!/usr/bin/env python3
"""Writes Tests/BrainCoreTests/Fixtures/cron-vectors.json: golden next runs for Brain's cron engine.

The oracle is cronsim (PyPI), which copies Debian cron, including its daylight-saving rules,
and takes its time zones from zoneinfo (the system tz database). The Swift tests read the
committed file, so they need no Python.

    python3 -m pip install 'cronsim==2.8'
    python3 scripts/make-cron-vectors.py           # (re)write the fixture
    python3 scripts/make-cron-vectors.py --check   # fail if the committed fixture differs

The output is deterministic for a given cronsim and tz database: the random choices are
seeded, and the header records both versions. Each case is one line:

    [expression, zone, start (Unix seconds), next runs (Unix seconds) or cronsim's error]

Expressions are Vixie/Debian ones (cronsim's semantics): ranges, lists, steps, month and
weekday names, weekday 7, nicknames (expanded here, since cronsim has none), both day-field
combinations. Start instants sit around every UTC-offset change from 2020 to 2030 in each
zone (with expressions aimed at the hours the change touches), plus random ones.
"""
import argparse
import json
import os
import random
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from importlib import metadata

from cronsim import CronSim, CronSimError

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "BrainCoreTests", "Fixtures", "cron-vectors.json")
SEED = 20260514
RUNS = 5

ZONES = [
    "UTC",
    "Europe/Riga", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham",
    "Europe/London", "Europe/Dublin", "Europe/Berlin", "America/Los_Angeles", "America/Chicago",
    "America/St_Johns", "America/Havana", "America/Santiago", "America/Asuncion", "America/Sao_Paulo",
    "America/Nuuk", "America/Mexico_City", "Atlantic/Azores", "Africa/Cairo", "Africa/Casablanca",
    "Asia/Tehran", "Asia/Beirut", "Asia/Gaza", "Asia/Kolkata", "Asia/Tokyo", "Asia/Almaty",
    "Australia/Adelaide", "Australia/Sydney", "Pacific/Auckland", "Pacific/Apia", "Antarctica/Troll",
]

NICKNAMES = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@hourly": "0 * * * *",
}
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
DAYS = "SUN MON TUE WED THU FRI SAT".split()

# Field bounds as cronsim has them (day of week 0-7, both ends Sunday).
BOUNDS = {"minute": (0, 59), "hour": (0, 23), "dom": (1, 31), "month": (1, 12), "dow": (0, 7)}


def tz_version():
    try:
        with open("/usr/share/zoneinfo/tzdata.zi") as f:
            return f.readline().strip().removeprefix("# version ")
    except OSError:
        return "unknown"


def transitions(zone, start_year=2020, end_year=2031):
    """UTC instants (seconds) where the zone's offset changes, with the offsets either side."""
    tz = ZoneInfo(zone)
    t = int(datetime(start_year, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(end_year, 1, 1, tzinfo=timezone.utc).timestamp())

    def off(s):
        return datetime.fromtimestamp(s, tz).utcoffset().total_seconds()

    found = []
    prev = off(t)
    while t < end:
        nxt = t + 3600
        if off(nxt) != prev:
            lo, hi = t, nxt  # offset(lo) == prev, offset(hi) != prev
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if off(mid) == prev:
                    lo = mid
                else:
                    hi = mid
            found.append((hi, int(prev), int(off(hi))))
            prev = off(hi)
        t = nxt
    return found


class Gen:
    def __init__(self, rng):
        self.r = rng

    def value(self, field, v):
        """A value as a number or, sometimes, a name in any case."""
        r = self.r
        if field == "month" and r.random() < 0.3:
            return self.case(MONTHS[v - 1])
        if field == "dow" and v < 7 and r.random() < 0.3:
            return self.case(DAYS[v])  # 7 stays a number: "FRI-SUN" is a backwards range (5-0)
        return str(v)

    def case(self, name):
        return self.r.choice([name, name.lower(), name.capitalize()])

    def atom(self, field, focus=None):
        """One list item: a value, a range, a step over `*`, a range or a start."""
        r = self.r
        lo, hi = BOUNDS[field]
        span = hi - lo + 1
        pool = focus if focus else list(range(lo, hi + 1))
        kind = r.choices(["one", "range", "star_step", "range_step", "start_step"], [5, 3, 2, 2, 1])[0]
        if kind == "one":
            return self.value(field, r.choice(pool))
        if kind == "star_step":
            return "*/" + str(r.choice([1, 2, 3, 4, 5, 6, 7, 10, 12, 15, 20, 30, 45, 90][: 6 + r.randrange(9)]))
        a = r.choice(pool)
        b = r.randrange(a, min(hi, a + max(2, span // 3)) + 1)
        if kind == "range":
            return f"{self.value(field, a)}-{self.value(field, b)}"
        step = r.randrange(1, max(2, span // 2))
        if kind == "range_step":
            return f"{self.value(field, a)}-{self.value(field, b)}/{step}"
        return f"{self.value(field, a)}/{step}"

    def field(self, field, star_weight, focus=None):
        r = self.r
        if r.random() < star_weight:
            return "*"
        n = r.choices([1, 2, 3], [6, 3, 1])[0]
        items = [self.atom(field, focus) for _ in range(n)]
        if n > 1 and r.random() < 0.05:
            items[0] = "*"  # "*,5": still starts with "*", so still a wildcard to Debian's rules
        return ",".join(items)

    def expression(self, focus=None):
        """A random 5-field expression; with a focus, aimed at the hours and day of an offset change."""
        r = self.r
        if focus is None and r.random() < 0.04:
            return r.choice(sorted(NICKNAMES))
        hours = focus["hours"] if focus else None
        minute = self.field("minute", 0.25)
        hour = self.field("hour", 0.3 if focus else 0.25, hours)
        if focus and r.random() < 0.5:
            # A fixed time inside the hours the change touches: the DST special case.
            minute = str(r.choice([0, 0, 15, 30, 45, r.randrange(60)]))
            hour = str(r.choice(hours))
        dom_star = 0.85 if focus else 0.65
        dom = self.field("dom", dom_star, [focus["day"]] if focus and r.random() < 0.5 else None)
        month = self.field("month", 0.8 if focus else 0.7, [focus["month"]] if focus and r.random() < 0.5 else None)
        dow = self.field("dow", 0.8 if focus else 0.65, [focus["dow"], (focus["dow"] + 1) % 7] if focus and r.random() < 0.5 else None)
        if r.random() < 0.08:
            dom = "*/" + str(r.choice([2, 3, 5, 10]))  # Debian: a day field starting with "*" makes it AND
        if r.random() < 0.04:
            dow = "*/" + str(r.choice([2, 3]))
        if r.random() < 0.03:
            dow = r.choice(["7", "0", "5-7", "SUN,7", "1-7"])
        return " ".join([minute, hour, dom, month, dow])


def run(expr, zone, start):
    text = NICKNAMES.get(expr, expr)
    tz = ZoneInfo(zone)
    try:
        it = CronSim(text, datetime.fromtimestamp(start, tz))
    except CronSimError as e:
        return str(e)
    out = []
    for _ in range(RUNS):
        try:
            out.append(int(next(it).timestamp()))
        except StopIteration:  # cronsim gives up after 50 years without a match
            break
    return out


def cases():
    rng = random.Random(SEED)
    gen = Gen(rng)
    result = []
    for zone in ZONES:
        tz = ZoneInfo(zone)
        for at, before, after in transitions(zone):
            wall = datetime.fromtimestamp(at, tz)
            # The local hours within two hours either side of the change, on both offsets.
            hours = sorted({datetime.fromtimestamp(at + d, tz).hour for d in range(-7200, 7201, 900)})
            focus = {"hours": hours, "day": wall.day, "month": wall.month, "dow": (wall.weekday() + 1) % 7}
            for i in range(14):
                expr = gen.expression(focus if i < 11 else None)
                delta = rng.choice([
                    -3 * 86400, -86400, -10800, -7200, -3600, -2700, -1800, -900, -60, -1, 0, 1, 59, 60,
                    900, 1800, 2700, 3600, 5400, 7200, rng.randrange(-21600, 21600),
                ])
                start = at + delta
                result.append([expr, zone, start, run(expr, zone, start)])
    lo = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
    hi = int(datetime(2031, 1, 1, tzinfo=timezone.utc).timestamp())
    for _ in range(4000):
        zone = rng.choice(ZONES)
        expr = gen.expression()
        start = rng.randrange(lo, hi)
        result.append([expr, zone, start, run(expr, zone, start)])
    # Forms cronsim refuses: Brain must refuse them too.
    bad = [
        "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *", "60 * * * *", "* 24 * * *", "* * 0 * *",
        "* * 32 * *", "* * * 13 *", "* * * 0 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "1,,2 * * * *",
        "a * * * *", "* * * FOO *", "MON * * * *", "* * * * JAN", "1-2-3 * * * *", "*/ * * * *",
        "*/2/3 * * * *", "-5 * * * *", "5- * * * *", "1, * * * *", "* * * * FRI-MON", "0 0 * * 9",
        "+5 * * * *", "0 0 1 1", "** * * * *", "*-5 * * * *", "0 0 31 2 *",
    ]
    for expr in bad:
        zone = rng.choice(ZONES)
        start = rng.randrange(lo, hi)
        result.append([expr, zone, start, run(expr, zone, start)])
    return result


def render(all_cases):
    header = {
        "generator": "scripts/make-cron-vectors.py",
        "cronsim": metadata.version("cronsim"),
        "tzdata": tz_version(),
        "seed": SEED,
        "format": "[expression, zone, start (Unix s), next runs (Unix s) or cronsim's error]",
    }
    lines = [json.dumps(c, separators=(",", ":")) for c in all_cases]
    head = json.dumps(header, separators=(",", ":"))[:-1]
    return head + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed fixture differs")
    args = parser.parse_args()
    text = render(cases())
    if args.check:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit(f"{OUT} differs from what this script writes: regenerate it")
        print("cron vectors up to date")
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    data = json.loads(text)["cases"]
    errors = sum(1 for c in data if isinstance(c[3], str))
    print(f"wrote {len(data)} cases ({errors} refused) to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
