"""A tiny in-process stand-in for the brain, for client unit tests without the binary.

It speaks the framing and the agent half of the contract (hello, publish, cumulative
acks, rejections of conflicting steps, get_run, get_status), and a simplified version
of the task half: task events (state by a reduced merge rule, no redaction), schedule
reports, projects, and commands to agents (RetryTask, CancelTask, SetScheduleEnabled
delivered as ``agent_command`` on the agent's connection, at once or after its next
hello; ``send_command`` pushes a raw one). It is NOT the brain: the real contract tests
are in test_brain.py and test_tasks_brain.py.

For failure tests it can drop connections while still listening (``drop_connections``)
and close a connection right after sending the welcome (``drop_after_welcome``).
"""
from __future__ import annotations

import itertools
import os
import pickle
import socket
import threading
import time
import uuid
from typing import Dict, List, Optional, Tuple

from brain_client import brain_pb2 as pb
from brain_client.framing import FrameDecoder, encode_frame


class FakeBrain:
    def __init__(self, path: str, heartbeat_interval_ms: int = 200, state_file: Optional[str] = None) -> None:
        self.path = path
        self.state_file = state_file
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.agents: Dict[str, dict] = {}  # name -> {"token", "last_seq"}
        self.runs: Dict[str, dict] = {}
        self.steps: Dict[tuple, pb.StepReported] = {}
        self.received: List[pb.AgentEvent] = []
        self.hold_acks = False  # when True, events are applied but not acknowledged
        self.drop_after_welcome = 0  # the next N hellos get their welcome, then the connection closes
        self.welcomes = 0  # welcomes sent
        self.dropped_after_welcome = 0
        self._lock = threading.RLock()
        self._listener: Optional[socket.socket] = None
        self._conns: List[socket.socket] = []
        # The task half.
        self.projects: Dict[str, pb.ProjectInfo] = {"default": _project("default")}
        self.tasks: Dict[str, dict] = {}  # task id -> {"info": TaskInfo, "events": [TaskEventInfo]}
        self.schedules: Dict[Tuple[str, str], pb.ScheduleInfo] = {}  # (scheduler, name) -> info
        self.fires: List[pb.ScheduleFired] = []
        self.commands: Dict[str, pb.CommandInfo] = {}
        self.command_events: List[Tuple[str, str]] = []  # ("received" | "result", command id)
        self.results: Dict[str, pb.CommandResult] = {}  # the first result of each command
        self._agent_conns: Dict[str, "_Sender"] = {}
        self._agent_projects: Dict[str, str] = {}
        self._seq = itertools.count(1)

    # -- lifecycle
    def start(self) -> "FakeBrain":
        if os.path.exists(self.path):
            os.unlink(self.path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(self.path)
        s.listen(16)
        self._listener = s
        threading.Thread(target=self._accept_loop, args=(s,), daemon=True).start()
        return self

    def crash(self) -> None:
        """Close the listener and every connection (state is kept, like a durable brain)."""
        if os.path.exists(self.path):
            os.unlink(self.path)  # first: no new connection may reach the old listener
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() in progress
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        self.drop_connections()

    stop = crash

    def drop_connections(self) -> None:
        """Close every open connection but keep listening (a brief network fault)."""
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    # -- protocol
    def _serve(self, conn: socket.socket) -> None:
        dec = FrameDecoder()
        agent: Optional[str] = None
        sender = _Sender(conn)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                out: List[pb.Response] = []
                published = False
                drop = False
                for body in dec.feed(data):
                    req = pb.Request.FromString(body)
                    kind = req.WhichOneof("method")
                    if kind == "hello":
                        agent, resp = self._hello(req)
                        out.append(resp)
                        if agent is not None:
                            with self._lock:
                                self._agent_conns[agent] = sender
                                self._agent_projects[agent] = req.hello.project or "default"
                                out.extend(self._undelivered(agent))
                        with self._lock:
                            drop = agent is not None and self.drop_after_welcome > 0
                            if drop:
                                self.drop_after_welcome -= 1
                                self.dropped_after_welcome += 1
                        if drop:
                            break  # the welcome goes out, then the connection closes
                    elif kind == "publish":
                        if agent is None:
                            out.append(_err(req.call_id, pb.FAILED_PRECONDITION, "hello first"))
                            continue
                        published = True
                        r = self._publish(agent, req)
                        if r is not None:
                            out.append(r)
                    elif kind == "heartbeat":
                        out.append(pb.Response(call_id=req.call_id, heartbeat=pb.HeartbeatReply()))
                    elif kind == "get_run":
                        out.append(self._get_run(req))
                    elif kind == "get_status":
                        out.append(pb.Response(call_id=req.call_id, status_reply=pb.StatusReply(version="fake")))
                    elif kind in _RPCS:
                        with self._lock:
                            out.append(getattr(self, "_rpc_" + kind)(req.call_id, getattr(req, kind)))
                    else:
                        out.append(_err(req.call_id, pb.UNIMPLEMENTED, f"fake brain: {kind}"))
                if published and not self.hold_acks:
                    with self._lock:
                        self._save()
                        out.append(pb.Response(ack=pb.Ack(acked_seq=self.agents[agent]["last_seq"])))
                if out:
                    sender.send(out)
                if drop:
                    conn.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            return
        finally:
            with self._lock:
                if agent is not None and self._agent_conns.get(agent) is sender:
                    del self._agent_conns[agent]
            conn.close()

    def _hello(self, req):
        h = req.hello
        with self._lock:
            a = self.agents.get(h.agent_name)
            registered = a is None
            if a is None:
                a = self.agents[h.agent_name] = {"token": h.token, "last_seq": 0}
            elif a["token"] != h.token:
                return None, _err(req.call_id, pb.UNAUTHENTICATED, "wrong token")
            w = pb.Welcome(agent_id="agent-" + h.agent_name, heartbeat_interval_ms=self.heartbeat_interval_ms,
                           heartbeat_timeout_ms=5 * self.heartbeat_interval_ms, last_seq=a["last_seq"],
                           registered=registered, protocol_version=1, project=h.project or "default")
            self.welcomes += 1
        return h.agent_name, pb.Response(call_id=req.call_id, welcome=w)

    def _publish(self, agent: str, req):
        ev = req.publish
        with self._lock:
            a = self.agents[agent]
            if ev.seq <= a["last_seq"]:
                return None
            a["last_seq"] = ev.seq
            self.received.append(ev)
            which = ev.WhichOneof("event")
            if which in _TASK_HALF:
                return getattr(self, "_apply_" + which)(agent, ev, req.call_id)
            if which == "run_created":
                rc = ev.run_created
                self.runs.setdefault(rc.run_id, {"info": pb.RunInfo(run_id=rc.run_id, goal=rc.goal,
                                                                    status=rc.initial_status or 1)})
                return None
            body = getattr(ev, which)
            run = self.runs.get(body.run_id)
            if run is None:
                return _reject(req.call_id, ev.seq, pb.NOT_FOUND, f"unknown run {body.run_id}")
            if which == "step":
                key = (body.run_id, body.seq)
                old = self.steps.get(key)
                if old is not None and old != body:
                    return _reject(req.call_id, ev.seq, pb.ALREADY_EXISTS, "step differs")
                self.steps[key] = body
                run["info"].step_count = sum(1 for k in self.steps if k[0] == body.run_id)
            else:
                info = run["info"]
                if info.status in (pb.RUN_STATUS_COMPLETED, pb.RUN_STATUS_FAILED):
                    return _reject(req.call_id, ev.seq, pb.FAILED_PRECONDITION, "run already finished")
                info.status = body.status
                info.error_type = body.error_type
                info.error_message = body.error_message
                info.result_json = body.result_json
                info.error_context_json = body.error_context_json
            return None

    def _get_run(self, req):
        rid = req.get_run.run_id
        with self._lock:
            run = self.runs.get(rid)
            if run is None:
                return _err(req.call_id, pb.NOT_FOUND, f"no run {rid}")
            steps = [pb.StepInfo(run_id=s.run_id, seq=s.seq, step_name=s.step_name, status=s.status,
                                 input_json=s.input_json, output_json=s.output_json, error=s.error,
                                 duration_ms=s.duration_ms)
                     for k, s in sorted(self.steps.items()) if k[0] == rid]
            return pb.Response(call_id=req.call_id, run=pb.RunDetail(run=run["info"], steps=steps))


    # -- the task half: events
    def _apply_task_event(self, agent, ev, call_id):
        te = ev.task_event
        project = self._agent_projects.get(agent, "default")
        now = time.time_ns()
        entry = self.tasks.get(te.task_id)
        if entry is None:
            entry = self.tasks[te.task_id] = {"info": pb.TaskInfo(task_id=te.task_id, project=project,
                                                                  engine=te.engine or "celery", created_at=now),
                                              "events": []}
        info = entry["info"]
        state = _KIND_STATE[te.kind]
        moves, rule = _moves(info, te, state)
        entry["events"].append(pb.TaskEventInfo(kind=te.kind, attempt=te.attempt, ts=te.ts, created_at=now,
                                                agent_id="agent-" + agent, agent_seq=ev.seq, rule=rule,
                                                payload_json=te.payload_json,
                                                error=_error(te) if te.exc_type or te.traceback else None))
        info.event_count += 1
        info.updated_at = now
        info.agent_id = "agent-" + agent
        for f in ("name", "queue", "group_id", "args_json", "kwargs_json", "retried_as"):
            if getattr(te, f) and (moves or not getattr(info, f)):
                setattr(info, f, getattr(te, f))
        if moves:
            if te.attempt > info.attempt:
                info.started_at = info.finished_at = 0
                info.ClearField("error")
                info.attempt = te.attempt
            info.state = state
            if state == pb.TASK_STATE_PENDING:
                info.enqueued_at = te.ts
            elif state == pb.TASK_STATE_STARTED:
                info.started_at = te.ts
            elif state in _TERMINAL:
                info.finished_at = te.ts
            if te.exc_type:
                info.error.CopyFrom(_error(te))
        return None

    def _apply_schedule_upsert(self, agent, ev, call_id):
        self._upsert(agent, ev.schedule_upsert)

    def _upsert(self, agent, r):
        now = time.time_ns()
        old = self.schedules.get((r.scheduler, r.name))
        info = pb.ScheduleInfo(project=self._agent_projects.get(agent, "default"), agent_id="agent-" + agent,
                               scheduler=r.scheduler, name=r.name, task=r.task, type=r.type, expression=r.expression,
                               dialect=r.dialect, args_json=r.args_json, kwargs_json=r.kwargs_json, enabled=r.enabled,
                               metadata_json=r.metadata_json, last_run_at=r.last_run_at,
                               created_at=old.created_at if old else now, updated_at=now)
        if old is not None and old.last_run_at > info.last_run_at:
            info.last_run_at = old.last_run_at
        if r.type == pb.SCHEDULE_TYPE_UNSUPPORTED:
            info.problem = "the fake brain cannot predict this schedule"
        self.schedules[(r.scheduler, r.name)] = info

    def _apply_schedule_listing(self, agent, ev, call_id):
        listing = ev.schedule_listing
        for r in listing.schedules:
            self._upsert(agent, r)
        if listing.complete:
            named = {r.name for r in listing.schedules}
            for key in [k for k, v in self.schedules.items()
                        if k[0] == listing.scheduler and v.agent_id == "agent-" + agent and k[1] not in named]:
                del self.schedules[key]

    def _apply_schedule_delete(self, agent, ev, call_id):
        self.schedules.pop((ev.schedule_delete.scheduler, ev.schedule_delete.name), None)

    def _apply_schedule_fired(self, agent, ev, call_id):
        f = ev.schedule_fired
        self.fires.append(f)
        info = self.schedules.get((f.scheduler, f.name))
        if info is None:
            return _reject(call_id, ev.seq, pb.NOT_FOUND, f"no schedule {f.scheduler}/{f.name}")
        info.last_run_at = max(info.last_run_at, f.at)

    def _apply_command_received(self, agent, ev, call_id):
        cid = ev.command_received.command_id
        self.command_events.append(("received", cid))
        info = self.commands.get(cid)
        if info is not None and info.state in (pb.COMMAND_STATE_PENDING, pb.COMMAND_STATE_DELIVERED):
            info.state = pb.COMMAND_STATE_ACKNOWLEDGED
            info.received_at = time.time_ns()

    def _apply_command_result(self, agent, ev, call_id):
        res = ev.command_result
        self.command_events.append(("result", res.command_id))
        if res.command_id in self.results:
            return None  # only the first result counts
        self.results[res.command_id] = res
        info = self.commands.get(res.command_id)
        if info is None:
            return None
        info.state = pb.COMMAND_STATE_SUCCEEDED if res.ok else pb.COMMAND_STATE_FAILED
        info.finished_at = time.time_ns()
        info.result_message = res.message
        info.new_task_id = res.new_task_id
        if res.ok and res.new_task_id and info.kind == pb.COMMAND_RETRY_TASK and info.task_id in self.tasks:
            self.tasks[info.task_id]["info"].retried_as = res.new_task_id
        elif res.ok and info.kind in (pb.COMMAND_ENABLE_SCHEDULE, pb.COMMAND_DISABLE_SCHEDULE):
            sched = self.schedules.get((info.scheduler, info.schedule_name))
            if sched is not None:
                sched.enabled = info.kind == pb.COMMAND_ENABLE_SCHEDULE
        return None

    # -- the task half: commands to agents
    def is_online(self, agent: str) -> bool:
        """Whether the agent has a connection this fake brain still serves."""
        with self._lock:
            return agent in self._agent_conns

    def send_command(self, agent: str, command: "pb.AgentCommand") -> bool:
        """Write an agent_command frame on the agent's connection; False when it is offline."""
        with self._lock:
            sender = self._agent_conns.get(agent)
        if sender is None:
            return False
        try:
            sender.send([pb.Response(agent_command=command)])
        except OSError:
            return False
        return True

    def _command(self, kind, agent, deadline_ms, **fields):
        now = time.time_ns()
        info = pb.CommandInfo(command_id=str(uuid.uuid4()), kind=kind, state=pb.COMMAND_STATE_PENDING,
                              agent_id="agent-" + agent, project=self._agent_projects.get(agent, "default"),
                              created_at=now, deadline=now + (deadline_ms or 60_000) * 1_000_000, **fields)
        self.commands[info.command_id] = info
        reply = pb.CommandInfo()
        reply.CopyFrom(info)
        frames = self._undelivered(agent)
        if frames:
            sender = self._agent_conns.get(agent)
            threading.Thread(target=_send_quietly, args=(sender, frames), daemon=True).start()
        return reply

    def _undelivered(self, agent):
        """agent_command frames for the agent's PENDING commands (marked DELIVERED). Lock held."""
        if agent not in self._agent_conns:
            return []
        out = []
        for info in self.commands.values():
            if info.agent_id == "agent-" + agent and info.state == pb.COMMAND_STATE_PENDING:
                info.state = pb.COMMAND_STATE_DELIVERED
                info.delivered_at = time.time_ns()
                out.append(pb.Response(agent_command=pb.AgentCommand(
                    command_id=info.command_id, kind=info.kind, task_id=info.task_id, engine=info.engine,
                    task_name=self.tasks[info.task_id]["info"].name if info.task_id in self.tasks else "",
                    scheduler=info.scheduler, schedule_name=info.schedule_name, deadline=info.deadline)))
        return out

    # -- the task half: RPCs (lock held)
    def _rpc_list_projects(self, call_id, req):
        return pb.Response(call_id=call_id, projects=pb.ProjectList(projects=list(self.projects.values())))

    def _rpc_get_project(self, call_id, req):
        if req.name not in self.projects:
            return _err(call_id, pb.NOT_FOUND, f"no project {req.name!r}")
        return pb.Response(call_id=call_id, project_info=self.projects[req.name])

    def _rpc_create_project(self, call_id, req):
        if not req.name:
            return _err(call_id, pb.INVALID_ARGUMENT, "a project needs a name")
        if req.name in self.projects:
            return _err(call_id, pb.ALREADY_EXISTS, f"project {req.name!r} exists")
        self.projects[req.name] = _project(req.name, req.settings)
        return pb.Response(call_id=call_id, project_info=self.projects[req.name])

    def _rpc_update_project(self, call_id, req):
        info = self.projects.get(req.name)
        if info is None:
            return _err(call_id, pb.NOT_FOUND, f"no project {req.name!r}")
        info.settings.CopyFrom(req.settings)
        info.updated_at = time.time_ns()
        return pb.Response(call_id=call_id, project_info=info)

    def _rpc_list_tasks(self, call_id, req):
        rows = [t["info"] for t in self.tasks.values()
                if (not req.project or t["info"].project == req.project)
                and (not req.states or t["info"].state in req.states)
                and (not req.name or t["info"].name == req.name)
                and (not req.queue or t["info"].queue == req.queue)
                and (not req.engine or t["info"].engine == req.engine)
                and (not req.search or req.search.lower() in (t["info"].args_json + t["info"].kwargs_json).lower())]
        start = int(req.cursor or 0)
        limit = req.limit or 100
        page = rows[start:start + limit]
        nxt = str(start + limit) if start + limit < len(rows) else ""
        return pb.Response(call_id=call_id, tasks=pb.TaskList(tasks=page, next_cursor=nxt))

    def _rpc_get_task(self, call_id, req):
        t = self.tasks.get(req.task_id)
        if t is None:
            return _err(call_id, pb.NOT_FOUND, f"no task {req.task_id}")
        return pb.Response(call_id=call_id, task=pb.TaskDetail(task=t["info"], events=t["events"]))

    def _rpc_get_task_stats(self, call_id, req):
        by_name: Dict[str, pb.TaskNameStats] = {}
        names = {pb.TASK_STATE_PENDING: "pending", pb.TASK_STATE_STARTED: "started",
                 pb.TASK_STATE_SUCCEEDED: "succeeded", pb.TASK_STATE_FAILED: "failed",
                 pb.TASK_STATE_CANCELLED: "cancelled", pb.TASK_STATE_RETRIED: "retried", pb.TASK_STATE_LOST: "lost"}
        for t in self.tasks.values():
            info = t["info"]
            if req.name and info.name != req.name:
                continue
            st = by_name.setdefault(info.name, pb.TaskNameStats(name=info.name))
            field = names.get(info.state)
            if field:
                setattr(st.counts, field, getattr(st.counts, field) + 1)
        for st in by_name.values():
            done = st.counts.succeeded + st.counts.failed
            if done:
                st.failure_rate = st.counts.failed / done
                st.has_failure_rate = True
        return pb.Response(call_id=call_id, task_stats=pb.TaskStatsReply(names=sorted(by_name.values(),
                                                                                      key=lambda s: s.name)))

    def _task_command(self, call_id, req, kind):
        t = self.tasks.get(req.task_id)
        if t is None:
            return _err(call_id, pb.NOT_FOUND, f"no task {req.task_id}")
        agent = t["info"].agent_id[len("agent-"):]
        info = self._command(kind, agent, req.deadline_ms, task_id=req.task_id, engine=t["info"].engine)
        return pb.Response(call_id=call_id, command_info=info)

    def _rpc_retry_task(self, call_id, req):
        return self._task_command(call_id, req, pb.COMMAND_RETRY_TASK)

    def _rpc_cancel_task(self, call_id, req):
        return self._task_command(call_id, req, pb.COMMAND_CANCEL_TASK)

    def _rpc_set_schedule_enabled(self, call_id, req):
        s = self.schedules.get((req.scheduler, req.name))
        if s is None:
            return _err(call_id, pb.NOT_FOUND, f"no schedule {req.scheduler}/{req.name}")
        kind = pb.COMMAND_ENABLE_SCHEDULE if req.enabled else pb.COMMAND_DISABLE_SCHEDULE
        info = self._command(kind, s.agent_id[len("agent-"):], req.deadline_ms, scheduler=req.scheduler,
                             schedule_name=req.name)
        return pb.Response(call_id=call_id, command_info=info)

    def _rpc_get_command(self, call_id, req):
        info = self.commands.get(req.command_id)
        if info is None:
            return _err(call_id, pb.NOT_FOUND, f"no command {req.command_id}")
        return pb.Response(call_id=call_id, command_info=info)

    def _rpc_list_commands(self, call_id, req):
        rows = [c for c in self.commands.values() if not req.states or c.state in req.states]
        return pb.Response(call_id=call_id, commands=pb.CommandList(commands=rows))

    def _rpc_list_schedules(self, call_id, req):
        rows = [s for s in self.schedules.values()
                if (not req.project or s.project == req.project)
                and (req.enabled_filter == 0 or s.enabled == (req.enabled_filter == 1))]
        return pb.Response(call_id=call_id, schedules=pb.ScheduleList(schedules=rows))

    def _rpc_get_schedule(self, call_id, req):
        s = self.schedules.get((req.scheduler, req.name))
        if s is None:
            return _err(call_id, pb.NOT_FOUND, f"no schedule {req.scheduler}/{req.name}")
        runs = []
        if s.type == pb.SCHEDULE_TYPE_INTERVAL and s.enabled:
            step = int(float(s.expression) * 1e9)
            base = s.last_run_at or time.time_ns()
            runs = [base + step * (i + 1) for i in range(req.next_runs or 5)]
        return pb.Response(call_id=call_id, schedule=pb.ScheduleDetail(schedule=s, next_runs=runs))

    # -- durability, for running it as a process (python fake_brain.py serve ...)
    def _save(self) -> None:
        if not self.state_file:
            return
        state = {
            "agents": self.agents,
            "runs": {k: v["info"].SerializeToString() for k, v in self.runs.items()},
            "steps": {k: v.SerializeToString() for k, v in self.steps.items()},
        }
        tmp = self.state_file + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(state, f)
        os.replace(tmp, self.state_file)

    def load(self) -> "FakeBrain":
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file, "rb") as f:
                state = pickle.load(f)
            self.agents = state["agents"]
            self.runs = {k: {"info": pb.RunInfo.FromString(v)} for k, v in state["runs"].items()}
            self.steps = {k: pb.StepReported.FromString(v) for k, v in state["steps"].items()}
        return self


_TASK_HALF = {"task_event", "schedule_upsert", "schedule_delete", "schedule_fired", "schedule_listing",
              "command_received", "command_result"}
_RPCS = {"list_projects", "get_project", "create_project", "update_project", "list_tasks", "get_task",
         "get_task_stats", "retry_task", "cancel_task", "set_schedule_enabled", "get_command", "list_commands",
         "list_schedules", "get_schedule"}
_KIND_STATE = {pb.TASK_EVENT_SENT: pb.TASK_STATE_PENDING, pb.TASK_EVENT_STARTED: pb.TASK_STATE_STARTED,
               pb.TASK_EVENT_SUCCEEDED: pb.TASK_STATE_SUCCEEDED, pb.TASK_EVENT_FAILED: pb.TASK_STATE_FAILED,
               pb.TASK_EVENT_RETRY: pb.TASK_STATE_RETRIED, pb.TASK_EVENT_CANCELLED: pb.TASK_STATE_CANCELLED,
               pb.TASK_EVENT_EXPIRED: pb.TASK_STATE_CANCELLED}
_TERMINAL = {pb.TASK_STATE_SUCCEEDED, pb.TASK_STATE_FAILED, pb.TASK_STATE_CANCELLED}
_ORDER = {pb.TASK_STATE_UNSPECIFIED: 0, pb.TASK_STATE_PENDING: 1, pb.TASK_STATE_STARTED: 2}


def _moves(info, te, state):
    """A reduced version of the brain's merge rules (proto/README.md): (moves the task?, rule)."""
    if te.attempt > info.attempt:
        return True, "later-attempt"
    if te.attempt and te.attempt < info.attempt:
        return False, "earlier-attempt"
    if state == pb.TASK_STATE_RETRIED:
        return True, "retry"
    if info.state == pb.TASK_STATE_RETRIED:
        return True, "after-retry"
    if info.state in _TERMINAL:
        return False, "terminal"
    if state in _TERMINAL:
        return True, "terminal"
    return _ORDER[state] > _ORDER.get(info.state, 0), "order"


def _error(te):
    return pb.TaskErrorInfo(exc_type=te.exc_type, exc_msg=te.exc_message, traceback_redacted=te.traceback)


def _project(name, settings=None):
    now = time.time_ns()
    return pb.ProjectInfo(project_id=str(uuid.uuid4()), name=name, settings=settings or pb.ProjectSettings(),
                          created_at=now, updated_at=now)


class _Sender:
    """One connection's writes, from its serving thread and from command deliveries."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.lock = threading.Lock()

    def send(self, responses) -> None:
        with self.lock:
            self.conn.sendall(b"".join(encode_frame(r) for r in responses))


def _send_quietly(sender, frames) -> None:
    try:
        sender.send(frames)
    except OSError:
        pass


def _err(call_id, code, msg):
    return pb.Response(call_id=call_id, status=pb.Status(code=code, message=msg))


def _reject(call_id, seq, code, msg):
    return pb.Response(call_id=call_id, status=pb.Status(code=code, message=msg), rejected=pb.EventRejected(seq=seq))


def main() -> None:
    import argparse
    import time

    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["serve"])
    p.add_argument("--socket", required=True)
    p.add_argument("--data-dir", required=True)
    a = p.parse_args()
    FakeBrain(a.socket, state_file=os.path.join(a.data_dir, "state.pickle")).load().start()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
