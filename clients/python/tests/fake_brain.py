"""A tiny in-process stand-in for the brain, for client unit tests without the binary.

It speaks the framing and the agent half of the contract (hello, publish, cumulative
acks, rejections of conflicting steps, get_run, get_status) and nothing more. It is
NOT the brain: the real contract tests are in test_brain.py.

For failure tests it can drop connections while still listening (``drop_connections``)
and close a connection right after sending the welcome (``drop_after_welcome``).
"""
from __future__ import annotations

import os
import pickle
import socket
import threading
from typing import Dict, List, Optional

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
        self._lock = threading.Lock()
        self._listener: Optional[socket.socket] = None
        self._conns: List[socket.socket] = []

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
                    else:
                        out.append(_err(req.call_id, pb.UNIMPLEMENTED, f"fake brain: {kind}"))
                if published and not self.hold_acks:
                    with self._lock:
                        self._save()
                        out.append(pb.Response(ack=pb.Ack(acked_seq=self.agents[agent]["last_seq"])))
                if out:
                    conn.sendall(b"".join(encode_frame(r) for r in out))
                if drop:
                    conn.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            return
        finally:
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
