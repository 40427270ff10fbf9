"""``python -m brain_client.celery monitor --app proj.celery:app``: event-stream mode."""
from __future__ import annotations

import argparse
import importlib
import logging
import signal
import threading


def load_app(spec: str):
    module, _, attr = spec.partition(":")
    mod = importlib.import_module(module)
    if attr:
        return getattr(mod, attr)
    for name in ("app", "celery"):
        if hasattr(mod, name):
            return getattr(mod, name)
    raise SystemExit(f"no Celery app in {module}: name it, e.g. {module}:app")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m brain_client.celery",
                                description="Report a Celery app's tasks to the brain from its event stream.")
    p.add_argument("command", choices=["monitor"])
    p.add_argument("--app", "-A", required=True, help="module:attribute of the Celery app")
    p.add_argument("--agent", default=None, help='agent name (default "monitor@<host>")')
    p.add_argument("--project", default=None)
    p.add_argument("--socket", default=None, help="the brain's socket (default: $BRAIN_SOCKET, then the brain's)")
    p.add_argument("--token", default=None, help="default: $BRAIN_TOKEN")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from . import monitor

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    options = {k: v for k, v in (("agent", a.agent), ("project", a.project), ("socket_path", a.socket),
                                 ("token", a.token)) if v is not None}
    monitor(load_app(a.app), stop=stop, **options)


if __name__ == "__main__":
    main()
