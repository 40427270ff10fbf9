#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t wire_append_request(buf_t *b, const Brain__V1__Request *req)
{
    size_t n = brain__v1__request__get_packed_size(req);
    buf_reserve(b, 4 + n);
    put_be32(b->data + b->len, (uint32_t)n);
    brain__v1__request__pack(req, b->data + b->len + 4);
    b->len += 4 + n;
    return 4 + n;
}

static size_t append_event(buf_t *b, Brain__V1__AgentEvent *ev)
{
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = 0;
    req.method_case = BRAIN__V1__REQUEST__METHOD_PUBLISH;
    req.publish = ev;
    return wire_append_request(b, &req);
}

size_t wire_publish_run_created(buf_t *b, uint64_t seq, const char *run_id, const char *goal,
                                int64_t at)
{
    Brain__V1__RunCreated rc = BRAIN__V1__RUN_CREATED__INIT;
    rc.run_id = (char *)run_id;
    rc.goal = (char *)goal;
    rc.run_type = "bench";
    rc.initial_status = BRAIN__V1__RUN_STATUS__RUN_STATUS_RUNNING;
    rc.created_at = at;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.seq = seq;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_CREATED;
    ev.run_created = &rc;
    return append_event(b, &ev);
}

size_t wire_publish_step(buf_t *b, uint64_t seq, const char *run_id, uint32_t step_seq,
                         const char *name, const char *output_json, int64_t at)
{
    Brain__V1__StepReported st = BRAIN__V1__STEP_REPORTED__INIT;
    st.run_id = (char *)run_id;
    st.seq = step_seq;
    st.step_name = (char *)name;
    st.status = BRAIN__V1__STEP_STATUS__STEP_STATUS_OK;
    st.output_json = (char *)output_json;
    st.duration_ms = 1;
    st.started_at = at;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.seq = seq;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_STEP;
    ev.step = &st;
    return append_event(b, &ev);
}

size_t wire_publish_completed(buf_t *b, uint64_t seq, const char *run_id, int64_t at)
{
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED;
    rs.result_json = "{\"ok\":true}";
    rs.at = at;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.seq = seq;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_STATUS;
    ev.run_status = &rs;
    return append_event(b, &ev);
}

Brain__V1__Response *wire_read_response(int fd, buf_t *rx, size_t *frame_len)
{
    uint8_t hdr[4];
    if (read_full(fd, hdr, 4) < 0)
        return NULL;
    uint32_t n = get_be32(hdr);
    rx->len = rx->off = 0;
    buf_reserve(rx, n ? n : 1);
    if (n && read_full(fd, rx->data, n) < 0)
        return NULL;
    if (frame_len)
        *frame_len = n;
    Brain__V1__Response *r = brain__v1__response__unpack(NULL, n, rx->data);
    if (!r)
        die("the brain sent a %u-byte frame that does not decode as a Response", n);
    return r;
}

uint64_t wire_hello(int fd, const char *agent, const char *token)
{
    Brain__V1__HelloRequest h = BRAIN__V1__HELLO_REQUEST__INIT;
    h.agent_name = (char *)agent;
    h.token = (char *)token;
    h.protocol_version = 1;
    h.framework_adapter = "bench";
    Brain__V1__Request req = BRAIN__V1__REQUEST__INIT;
    req.call_id = 1;
    req.method_case = BRAIN__V1__REQUEST__METHOD_HELLO;
    req.hello = &h;
    buf_t tx = {0}, rx = {0};
    wire_append_request(&tx, &req);
    if (write_all(fd, tx.data, tx.len) < 0)
        die("hello: write failed");
    buf_free(&tx);
    for (;;) {
        Brain__V1__Response *r = wire_read_response(fd, &rx, NULL);
        if (!r)
            die("hello %s: the brain closed the connection", agent);
        if (r->call_id != 1) {
            brain__v1__response__free_unpacked(r, NULL);
            continue;
        }
        if (r->status && r->status->code != 0)
            die("hello %s refused: %s: %s", agent, status_name(r->status->code),
                r->status->message);
        if (r->result_case != BRAIN__V1__RESPONSE__RESULT_WELCOME)
            die("hello %s: unexpected reply case %d", agent, r->result_case);
        uint64_t last = r->welcome->last_seq;
        brain__v1__response__free_unpacked(r, NULL);
        buf_free(&rx);
        return last;
    }
}

const char *status_name(int code)
{
    static const char *names[] = {"OK",
                                  "CANCELLED",
                                  "UNKNOWN",
                                  "INVALID_ARGUMENT",
                                  "DEADLINE_EXCEEDED",
                                  "NOT_FOUND",
                                  "ALREADY_EXISTS",
                                  "PERMISSION_DENIED",
                                  "RESOURCE_EXHAUSTED",
                                  "FAILED_PRECONDITION",
                                  "ABORTED",
                                  "OUT_OF_RANGE",
                                  "UNIMPLEMENTED",
                                  "INTERNAL",
                                  "UNAVAILABLE",
                                  "DATA_LOSS",
                                  "UNAUTHENTICATED"};
    return code >= 0 && code <= 16 ? names[code] : "?";
}
