"""The read side: queries and watches on a connection without hello."""
from __future__ import annotations

import queue
from typing import Any, Dict, List, Optional, Sequence, Union

from . import brain_pb2 as pb
from .connection import CLOSED, Connection, status_error
from .convert import message_to_dict, run_status_value, to_ns
from .errors import BrainError


class BrainReader:
    """Query the brain: runs, steps, errors, agents, status, and watch live changes.

    Results are plain dicts (see ``brain_client.convert`` for the conventions: snake_case
    keys, parsed JSON, RFC 3339 UTC times, lower-case enum names).

    ``socket_path`` None (the default) means ``default_socket_path()``: ``$BRAIN_SOCKET``,
    else the brain's own default.
    """

    def __init__(self, socket_path: Optional[str] = None, *, timeout: float = 30.0,
                 connect_timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._conn = Connection(socket_path, connect_timeout=connect_timeout)
        self.socket_path = self._conn.socket_path

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "BrainReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, **method) -> "pb.Response":
        return self._conn.call(pb.Request(**method), timeout=self.timeout)

    # ------------------------------------------------------------------ queries

    def status(self) -> Dict[str, Any]:
        return message_to_dict(self._call(get_status=pb.GetStatusRequest()).status_reply)

    def stats(self) -> Dict[str, Any]:
        return message_to_dict(self._call(get_stats=pb.GetStatsRequest()).stats)

    def agents(self, project: str = "") -> List[Dict[str, Any]]:
        resp = self._call(list_agents=pb.ListAgentsRequest(project=project or ""))
        return [message_to_dict(a) for a in resp.agents.agents]

    def create_agent(self, name: str, project: str = "") -> Dict[str, Any]:
        """Register an agent; the returned dict holds its token (shown once)."""
        return message_to_dict(self._call(create_agent=pb.CreateAgentRequest(name=name, project=project)).created_agent)

    def runs_page(
        self,
        status: Union[None, str, Sequence[str]] = None,
        agent: str = "",
        limit: int = 0,
        *,
        project: str = "",
        parent: str = "",
        run_type: str = "",
        since=None,
        until=None,
        include_deleted: bool = False,
        cursor: str = "",
    ) -> "tuple[List[Dict[str, Any]], str]":
        """One page of runs and the cursor of the next ("" at the end)."""
        statuses = [] if status is None else [status] if isinstance(status, (str, int)) else list(status)
        req = pb.ListRunsRequest(
            statuses=[run_status_value(s) for s in statuses],
            agent=agent or "",
            project=project or "",
            parent_run_id=parent or "",
            run_type=run_type or "",
            created_since=to_ns(since),
            created_until=to_ns(until),
            include_deleted=include_deleted,
            limit=int(limit or 0),
            cursor=cursor or "",
        )
        resp = self._call(list_runs=req).runs
        return [message_to_dict(r) for r in resp.runs], resp.next_cursor

    def runs(self, status=None, agent: str = "", limit: int = 50, **kw) -> List[Dict[str, Any]]:
        """Runs, newest first as the brain orders them; follows cursors up to ``limit``.

        ``status`` is a name ("running", "completed", "failed", ...) or a list of them.
        Deleted runs are left out unless ``include_deleted=True`` (their ``deleted_at`` is set).
        """
        out: List[Dict[str, Any]] = []
        cursor = kw.pop("cursor", "")
        while True:
            page, cursor = self.runs_page(status, agent, min(1000, limit - len(out)) if limit else 0,
                                          cursor=cursor, **kw)
            out.extend(page)
            if not cursor or not page or (limit and len(out) >= limit):
                return out[:limit] if limit else out

    def run(self, run_id: str, *, from_seq: int = 0, to_seq: int = 0, include_deleted: bool = False) -> Dict[str, Any]:
        """A run's fields plus ``steps`` (list of dicts) and ``child_run_ids``.

        A deleted run raises BrainError NOT_FOUND unless ``include_deleted`` is true; its
        ``deleted_at`` then holds when it was deleted (None for a run that is not deleted).
        """
        detail = self._call(get_run=pb.GetRunRequest(run_id=run_id, from_seq=from_seq, to_seq=to_seq,
                                                      include_deleted=include_deleted)).run
        out = message_to_dict(detail.run)
        out["steps"] = [message_to_dict(s) for s in detail.steps]
        out["child_run_ids"] = list(detail.child_run_ids)
        return out

    def steps(self, run_id: str, from_seq: int = 0, limit: int = 0) -> List[Dict[str, Any]]:
        """Every step of a run from ``from_seq`` on (follows next_seq); at most ``limit`` if set."""
        out: List[Dict[str, Any]] = []
        while True:
            resp = self._call(list_steps=pb.ListStepsRequest(run_id=run_id, from_seq=from_seq,
                                                             limit=max(0, limit - len(out)) if limit else 0)).steps
            out.extend(message_to_dict(s) for s in resp.steps)
            if not resp.next_seq or not resp.steps or (limit and len(out) >= limit):
                return out
            from_seq = resp.next_seq

    def errors(self, run_id: str = "", phase: str = "", since=None, limit: int = 0,
               cursor: str = "") -> List[Dict[str, Any]]:
        """Persistence errors (refused events and failed writes), one page."""
        resp = self._call(list_persistence_errors=pb.ListPersistenceErrorsRequest(
            run_id=run_id or "", phase=phase or "", since=to_ns(since), limit=int(limit or 0),
            cursor=cursor or "")).persistence_errors
        return [message_to_dict(e) for e in resp.errors]

    def cancel_run(self, run_id: str, reason: str = "") -> Dict[str, Any]:
        return message_to_dict(self._call(cancel_run=pb.CancelRunRequest(run_id=run_id, reason=reason)).run_info)

    def delete_run(self, run_id: str) -> Dict[str, Any]:
        return message_to_dict(self._call(delete_run=pb.DeleteRunRequest(run_id=run_id)).run_info)

    def snapshot(self) -> Dict[str, Any]:
        return message_to_dict(self._call(snapshot=pb.SnapshotRequest()).snapshot)

    # ------------------------------------------------------------------ watch

    def watch(self, run_id: Optional[str] = None, project: Optional[str] = None, *, agents: bool = False,
              idle_timeout: Optional[float] = None) -> "Watch":
        """Start watching now; iterate the result for ``{"type": "run"|"step"|"agent", ...}`` dicts.

        Follows one run, or every run of ``project`` (every project when both are None).
        Iteration ends when the brain ends the stream, the connection closes, or
        nothing arrives for ``idle_timeout`` seconds. ``close()`` (or leaving a
        ``with`` block) cancels the stream.
        """
        req = pb.Request(watch=pb.WatchRequest(run_id=run_id or "", project=project or "", agents=agents))
        call_id, q = self._conn.open_stream(req)
        return Watch(self._conn, call_id, q, idle_timeout)


class Watch:
    """An open Watch stream: an iterator of change dicts."""

    def __init__(self, conn: Connection, call_id: int, q: "queue.Queue", idle_timeout: Optional[float]) -> None:
        self._conn = conn
        self.call_id = call_id
        self._q = q
        self.idle_timeout = idle_timeout
        self._done = False

    def __iter__(self) -> "Watch":
        return self

    def __next__(self) -> Dict[str, Any]:
        while not self._done:
            try:
                item = self._q.get(timeout=self.idle_timeout)
            except queue.Empty:
                self.close()
                break
            if item is CLOSED:
                self._done = True
                break
            err = status_error(item)
            if err is not None:
                self.close()
                raise err
            if item.end_of_stream:
                self._done = True
            if item.WhichOneof("result") == "watch_event":
                change = item.watch_event.WhichOneof("change")
                if change is not None:
                    event = {"type": change}
                    event.update(message_to_dict(getattr(item.watch_event, change)))
                    return event
        raise StopIteration

    def close(self) -> None:
        """Cancel the stream (sends cancel_call unless it already ended)."""
        if self._done:
            return
        self._done = True
        self._conn.close_stream(self.call_id)
        if not self._conn.closed:
            try:
                self._conn.call(pb.Request(cancel_call=pb.CancelCallRequest(target_call_id=self.call_id)),
                                timeout=5.0)
            except BrainError:
                pass

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if not self._done:
                self._conn.close_stream(self.call_id)
        except Exception:
            pass
