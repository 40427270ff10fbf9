"""The read side: queries and watches on a connection without hello."""
from __future__ import annotations

import queue
from typing import Any, Dict, List, Optional, Sequence, Union

from . import brain_pb2 as pb
from .connection import CLOSED, Connection, status_error
from .convert import enum_value, message_to_dict, ns_to_rfc3339, run_status_value, to_ns
from .errors import BrainError


def _names(value) -> list:
    return [] if value is None else [value] if isinstance(value, (str, int)) else list(value)


def _project_settings(settings) -> "pb.ProjectSettings":
    """A ProjectSettings from a dict of its fields (proto names; ``retention`` a dict of
    ``runs_ns``, ``tasks_ns``, ``task_events_ns``, ``sink_rows_ns``), or a message."""
    if isinstance(settings, pb.ProjectSettings):
        return settings
    from google.protobuf import json_format

    return json_format.ParseDict(dict(settings or {}), pb.ProjectSettings())


def _ms(seconds) -> int:
    return 0 if not seconds else max(1, int(round(float(seconds) * 1000)))


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

    # ------------------------------------------------------------------ projects

    def list_projects(self) -> List[Dict[str, Any]]:
        return [message_to_dict(p) for p in self._call(list_projects=pb.ListProjectsRequest()).projects.projects]

    def get_project(self, name: str) -> Dict[str, Any]:
        return message_to_dict(self._call(get_project=pb.GetProjectRequest(name=name)).project_info)

    def create_project(self, name: str, settings=None) -> Dict[str, Any]:
        """Create a project; ``settings`` is a dict of ProjectSettings fields (None = defaults)."""
        req = pb.CreateProjectRequest(name=name)
        if settings is not None:
            req.settings.CopyFrom(_project_settings(settings))
        return message_to_dict(self._call(create_project=req).project_info)

    def update_project(self, name: str, settings=None, **changes) -> Dict[str, Any]:
        """Replace a project's settings as a whole.

        With ``settings`` None the current settings are read first and ``changes`` (field
        names: ``time_zone="Europe/Riga"``, ``allowed_keys=[...]``, ``retention={...}``)
        are applied to them; a setting not named keeps its value.
        """
        if settings is None:
            base = self._call(get_project=pb.GetProjectRequest(name=name)).project_info.settings
        else:
            base = _project_settings(settings)
        merged = pb.ProjectSettings()
        merged.CopyFrom(base)
        if changes:
            update = _project_settings(changes)  # raises ParseError for an unknown setting
            for field in changes:
                merged.ClearField(field)
            merged.MergeFrom(update)
        return message_to_dict(self._call(update_project=pb.UpdateProjectRequest(name=name, settings=merged))
                               .project_info)

    # ------------------------------------------------------------------ tasks

    def tasks_page(
        self,
        state: Union[None, str, Sequence[str]] = None,
        *,
        project: str = "",
        engine: str = "",
        name: str = "",
        queue: str = "",
        agent: str = "",
        since=None,
        until=None,
        search: str = "",
        stuck_only: bool = False,
        limit: int = 0,
        cursor: str = "",
    ) -> "tuple[List[Dict[str, Any]], str]":
        """One page of tasks and the cursor of the next ("" at the end)."""
        req = pb.ListTasksRequest(
            project=project or "",
            states=[enum_value(pb.TaskState, "TASK_STATE_", s) for s in _names(state)],
            engine=engine or "",
            name=name or "",
            queue=queue or "",
            agent=agent or "",
            created_since=to_ns(since),
            created_until=to_ns(until),
            search=search or "",
            cursor=cursor or "",
            limit=int(limit or 0),
            stuck_only=bool(stuck_only),
        )
        resp = self._call(list_tasks=req).tasks
        return [message_to_dict(t) for t in resp.tasks], resp.next_cursor

    def list_tasks(self, state=None, limit: int = 50, **kw) -> List[Dict[str, Any]]:
        """Tasks (follows cursors up to ``limit``; 0 = all). ``state`` is a name
        ("pending", "started", "succeeded", "failed", "cancelled", "retried", "lost") or a
        list of them; filters: ``project``, ``engine``, ``name``, ``queue``, ``agent``,
        ``since``/``until`` (created), ``search`` (the redacted args and kwargs),
        ``stuck_only``."""
        return _follow(lambda n, c: self.tasks_page(state, limit=n, cursor=c, **kw), limit, kw.pop("cursor", ""))

    def get_task(self, task_id: str, *, project: str = "", engine: str = "") -> Dict[str, Any]:
        """A task's fields plus ``events``, in the order the brain applied them."""
        detail = self._call(get_task=pb.GetTaskRequest(task_id=task_id, project=project or "",
                                                       engine=engine or "")).task
        out = message_to_dict(detail.task)
        out["events"] = [message_to_dict(e) for e in detail.events]
        return out

    def get_task_stats(self, *, project: str = "", engine: str = "", name: str = "", since=None,
                       until=None) -> List[Dict[str, Any]]:
        """Per task name: ``counts`` by state, ``runtime_p50_ns``/``runtime_p99_ns``,
        ``failure_rate`` (None unless the brain could compute it)."""
        resp = self._call(get_task_stats=pb.GetTaskStatsRequest(project=project or "", engine=engine or "",
                                                                 name=name or "", created_since=to_ns(since),
                                                                 created_until=to_ns(until))).task_stats
        out = []
        for n in resp.names:
            d = message_to_dict(n)
            if not d.pop("has_failure_rate"):
                d["failure_rate"] = None
            out.append(d)
        return out

    # ------------------------------------------------------------------ commands

    def retry_task(self, task_id: str, *, project: str = "", engine: str = "", deadline: float = 0) -> Dict[str, Any]:
        """Ask the agent that ran the task to run it again (by reference); returns the
        command, ``pending``. ``deadline`` is seconds to wait for the agent (0 = the
        brain's default); follow it with ``get_command`` or ``wait_command``."""
        return message_to_dict(self._call(retry_task=pb.RetryTaskRequest(
            task_id=task_id, project=project or "", engine=engine or "", deadline_ms=_ms(deadline))).command_info)

    def cancel_task(self, task_id: str, *, project: str = "", engine: str = "", deadline: float = 0) -> Dict[str, Any]:
        return message_to_dict(self._call(cancel_task=pb.CancelTaskRequest(
            task_id=task_id, project=project or "", engine=engine or "", deadline_ms=_ms(deadline))).command_info)

    def set_schedule_enabled(self, scheduler: str, name: str, enabled: bool, *, project: str = "",
                             deadline: float = 0) -> Dict[str, Any]:
        """Ask the schedule's agent to enable or disable it; it changes when the agent confirms."""
        return message_to_dict(self._call(set_schedule_enabled=pb.SetScheduleEnabledRequest(
            project=project or "", scheduler=scheduler, name=name, enabled=bool(enabled),
            deadline_ms=_ms(deadline))).command_info)

    def get_command(self, command_id: str) -> Dict[str, Any]:
        return message_to_dict(self._call(get_command=pb.GetCommandRequest(command_id=command_id)).command_info)

    def wait_command(self, command_id: str, timeout: float = 30.0, interval: float = 0.05) -> Dict[str, Any]:
        """Poll ``get_command`` until the command is succeeded, failed or timed_out (or
        ``timeout`` seconds pass: the last state read is returned)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            info = self.get_command(command_id)
            if info["state"] in ("succeeded", "failed", "timed_out") or time.monotonic() >= deadline:
                return info
            time.sleep(interval)

    def commands_page(self, state=None, *, project: str = "", agent: str = "", limit: int = 0,
                      cursor: str = "") -> "tuple[List[Dict[str, Any]], str]":
        req = pb.ListCommandsRequest(project=project or "", agent=agent or "",
                                     states=[enum_value(pb.CommandState, "COMMAND_STATE_", s) for s in _names(state)],
                                     limit=int(limit or 0), cursor=cursor or "")
        resp = self._call(list_commands=req).commands
        return [message_to_dict(c) for c in resp.commands], resp.next_cursor

    def list_commands(self, state=None, limit: int = 50, **kw) -> List[Dict[str, Any]]:
        """Commands (follows cursors up to ``limit``); ``state`` is a name ("pending",
        "delivered", "acknowledged", "succeeded", "failed", "timed_out") or a list."""
        return _follow(lambda n, c: self.commands_page(state, limit=n, cursor=c, **kw), limit, kw.pop("cursor", ""))

    # ------------------------------------------------------------------ schedules

    def schedules_page(self, *, project: str = "", agent: str = "", enabled: Optional[bool] = None,
                       due_before=None, scheduler: str = "", name: str = "", limit: int = 0,
                       cursor: str = "") -> "tuple[List[Dict[str, Any]], str]":
        req = pb.ListSchedulesRequest(project=project or "", agent=agent or "",
                                      enabled_filter=0 if enabled is None else 1 if enabled else 2,
                                      due_before=to_ns(due_before), scheduler=scheduler or "", name=name or "",
                                      limit=int(limit or 0), cursor=cursor or "")
        resp = self._call(list_schedules=req).schedules
        return [message_to_dict(s) for s in resp.schedules], resp.next_cursor

    def list_schedules(self, limit: int = 0, **kw) -> List[Dict[str, Any]]:
        """Schedules (follows cursors; ``limit`` 0 = all). Filters: ``project``, ``agent``,
        ``enabled`` (None = any), ``due_before`` (a time: next run at or before it),
        ``scheduler`` and ``name`` (exact)."""
        return _follow(lambda n, c: self.schedules_page(limit=n, cursor=c, **kw), limit, kw.pop("cursor", ""))

    def get_schedule(self, scheduler: str, name: str, *, project: str = "", next_runs: int = 0) -> Dict[str, Any]:
        """A schedule's fields plus ``next_runs`` (RFC 3339 times; 0 asks for the brain's 5)."""
        detail = self._call(get_schedule=pb.GetScheduleRequest(project=project or "", scheduler=scheduler,
                                                               name=name, next_runs=int(next_runs or 0))).schedule
        out = message_to_dict(detail.schedule)
        out["next_runs"] = [ns_to_rfc3339(t) for t in detail.next_runs]
        return out

    # ------------------------------------------------------------------ watch

    def watch(self, run_id: Optional[str] = None, project: Optional[str] = None, *, agents: bool = False,
              tasks: bool = False, schedules: bool = False, commands: bool = False, runs: bool = True,
              idle_timeout: Optional[float] = None) -> "Watch":
        """Start watching now; iterate the result for ``{"type": "run"|"step"|"agent"|"task"|
        "schedule"|"command", ...}`` dicts.

        Follows one run, or every run of ``project`` (every project when both are None);
        ``tasks``, ``schedules`` and ``commands`` add those changes (of ``project``, or of
        every project), and ``runs=False`` leaves runs out. Iteration ends when the brain
        ends the stream, the connection closes, or nothing arrives for ``idle_timeout``
        seconds. ``close()`` (or leaving a ``with`` block) cancels the stream.
        """
        req = pb.Request(watch=pb.WatchRequest(run_id=run_id or "", project=project or "", agents=agents,
                                               tasks=tasks, schedules=schedules, commands=commands,
                                               runs_off=not runs))
        call_id, q = self._conn.open_stream(req)
        return Watch(self._conn, call_id, q, idle_timeout)


def _follow(fetch, limit: int, cursor: str) -> List[Dict[str, Any]]:
    """Pages of ``fetch(page_limit, cursor)`` until the end or ``limit`` items (0 = no limit)."""
    out: List[Dict[str, Any]] = []
    while True:
        page, cursor = fetch(min(1000, limit - len(out)) if limit else 0, cursor)
        out.extend(page)
        if not cursor or not page or (limit and len(out) >= limit):
            return out[:limit] if limit else out


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
