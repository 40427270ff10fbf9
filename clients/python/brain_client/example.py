"""Stream runs to the brain and wait until all are acknowledged.

    python3 -m brain_client.example --runs 10 --steps 5 --agent crawler --token s3cret

Each run is created, gets --steps steps (with --payload-bytes of output each) and is
completed. The client keeps unacknowledged events and resends them when the brain
restarts; the program exits 0 once the brain has acknowledged every event, printing
``acked N events``.

--socket defaults to $BRAIN_SOCKET, else the brain's own default socket
($XDG_RUNTIME_DIR/brain/brain.sock, else /tmp/brain-<uid>/brain.sock). The first hello
of an agent name registers it with --token (trust on first use); later ones must give
the same token.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from . import BrainClient, BrainError, default_socket_path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m brain_client.example", description=__doc__.split("\n")[0])
    p.add_argument("--socket", default=None,
                   help="the brain's Unix socket (default: $BRAIN_SOCKET, else the brain's default "
                        "$XDG_RUNTIME_DIR/brain/brain.sock, else /tmp/brain-<uid>/brain.sock; "
                        f"here: {default_socket_path().replace('%', '%%')})")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--payload-bytes", type=int, default=0, help="size of each step's output payload")
    p.add_argument("--agent", default=f"example-{os.getpid()}", help="the agent's name (default: example-<pid>)")
    p.add_argument("--token", default=os.environ.get("BRAIN_TOKEN") or None,
                   help="the agent's token (default: $BRAIN_TOKEN, else none); the first hello of an agent "
                        "registers it with this token (trust on first use), later ones must give the same")
    p.add_argument("--project", default="default")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the final acknowledgement")
    p.add_argument("--reconnect-timeout", type=float, default=60.0)
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")

    payload = "x" * args.payload_bytes
    started = time.monotonic()
    try:
        with BrainClient(args.socket, agent=args.agent, token=args.token, project=args.project,
                         reconnect_timeout=args.reconnect_timeout, buffer_wait=args.timeout) as brain:
            first = brain.last_seq + 1
            for r in range(args.runs):
                run = brain.start_run(goal=f"example run {r + 1} of {args.runs}", run_type="example",
                                      input={"run": r + 1, "steps": args.steps})
                for s in range(args.steps):
                    run.step(f"step-{s + 1}", input={"i": s + 1}, output={"payload": payload}, duration_ms=1)
                run.complete(result={"steps": args.steps})
            brain.flush(timeout=args.timeout)
            count = brain.acked_seq - first + 1
            rejected = len(brain.rejections)
    except BrainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"acked {count} events")
    if args.verbose:
        print(f"{count / elapsed:.0f} events/s, {rejected} rejected", file=sys.stderr)
    if rejected:
        print(f"warning: the brain rejected {rejected} events", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
