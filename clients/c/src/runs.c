/* Publishing run and step events: the run half of the agent API. */
#include <string.h>

#include "internal.h"

int brain_run_start(brain_client *c, const brain_run_options *o,
                    char run_id_out[BRAIN_RUN_ID_LEN], uint64_t *seq_out)
{
    static const brain_run_options none;
    if (!c)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client is NULL");
    if (!o)
        o = &none;
    char id[BRAIN_RUN_ID_LEN];
    int rc;
    if (o->run_id) {
        if (strlen(o->run_id) >= BRAIN_RUN_ID_LEN || !*o->run_id)
            return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                               "run_id must be 1 to %d characters (a UUID)", BRAIN_RUN_ID_LEN - 1);
        strcpy(id, o->run_id);
    } else if ((rc = brain__uuid4(id))) {
        return rc;
    }
    if ((rc = brain__check_str(id, "run_id")) || (rc = brain__check_str(o->goal, "goal")) ||
        (rc = brain__check_str(o->target_url, "target_url")) ||
        (rc = brain__check_str(o->initiated_by, "initiated_by")) ||
        (rc = brain__check_str(o->run_type, "run_type")) ||
        (rc = brain__check_str(o->workflow_json, "workflow_json")) ||
        (rc = brain__check_str(o->input_json, "input_json")) ||
        (rc = brain__check_str(o->metadata_json, "metadata_json")) ||
        (rc = brain__check_str(o->parent_run_id, "parent_run_id")))
        return rc;
    Brain__V1__RunCreated rcv = BRAIN__V1__RUN_CREATED__INIT;
    rcv.run_id = id;
    rcv.goal = S(o->goal);
    rcv.target_url = S(o->target_url);
    rcv.initiated_by = S(o->initiated_by);
    rcv.run_type = S(o->run_type);
    rcv.workflow_json = S(o->workflow_json);
    rcv.input_json = S(o->input_json);
    rcv.metadata_json = S(o->metadata_json);
    rcv.parent_run_id = S(o->parent_run_id);
    rcv.timeout_ms = o->timeout_ms;
    rcv.initial_status = o->queued ? BRAIN__V1__RUN_STATUS__RUN_STATUS_QUEUED
                                   : BRAIN__V1__RUN_STATUS__RUN_STATUS_RUNNING;
    rcv.created_at = brain__wall_ns();
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_CREATED;
    ev.run_created = &rcv;
    rc = brain__publish(c, &ev, seq_out);
    if (rc == BRAIN_OK && run_id_out)
        memcpy(run_id_out, id, strlen(id) + 1);
    return rc;
}

int brain_step_report(brain_client *c, const brain_step *s, uint64_t *seq_out)
{
    if (!c || !s || !s->run_id || !*s->run_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client, step and run_id are required");
    if (s->status < 0 || s->status > BRAIN_STEP_ERROR)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "bad step status %d", (int)s->status);
    int rc;
    if ((rc = brain__check_str(s->run_id, "run_id")) || (rc = brain__check_str(s->name, "step name")) ||
        (rc = brain__check_str(s->input_json, "input_json")) ||
        (rc = brain__check_str(s->output_json, "output_json")) || (rc = brain__check_str(s->error, "error")))
        return rc;
    Brain__V1__StepReported st = BRAIN__V1__STEP_REPORTED__INIT;
    st.run_id = S(s->run_id);
    st.seq = s->seq;
    st.step_name = S(s->name);
    st.status = s->status ? (Brain__V1__StepStatus)s->status : BRAIN__V1__STEP_STATUS__STEP_STATUS_OK;
    st.input_json = S(s->input_json);
    st.output_json = S(s->output_json);
    st.error = S(s->error);
    st.duration_ms = s->duration_ms;
    st.started_at = s->started_at_ns;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_STEP;
    ev.step = &st;
    return brain__publish(c, &ev, seq_out);
}

static int run_status(brain_client *c, Brain__V1__RunStatusChanged *rs, uint64_t *seq_out)
{
    int rc;
    if (!c || !rs->run_id || !*rs->run_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and run_id are required");
    if ((rc = brain__check_str(rs->run_id, "run_id")) || (rc = brain__check_str(rs->result_json, "result_json")) ||
        (rc = brain__check_str(rs->error_type, "error_type")) ||
        (rc = brain__check_str(rs->error_message, "error_message")) ||
        (rc = brain__check_str(rs->error_context_json, "error_context_json")))
        return rc;
    rs->at = brain__wall_ns();
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_STATUS;
    ev.run_status = rs;
    return brain__publish(c, &ev, seq_out);
}

int brain_run_complete(brain_client *c, const char *run_id, const char *result_json,
                       uint64_t *seq_out)
{
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED;
    rs.result_json = S(result_json);
    return run_status(c, &rs, seq_out);
}

int brain_run_fail(brain_client *c, const char *run_id, const char *error_type,
                   const char *error_message, uint32_t failed_at_step,
                   const char *error_context_json, uint64_t *seq_out)
{
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = BRAIN__V1__RUN_STATUS__RUN_STATUS_FAILED;
    rs.error_type = S(error_type);
    rs.error_message = S(error_message);
    rs.failed_at_step = failed_at_step;
    rs.error_context_json = S(error_context_json);
    return run_status(c, &rs, seq_out);
}

_Static_assert((int)BRAIN_RUN_QUEUED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_QUEUED &&
                   (int)BRAIN_RUN_RUNNING == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_RUNNING &&
                   (int)BRAIN_RUN_PERSISTING == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_PERSISTING &&
                   (int)BRAIN_RUN_COMPLETED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_COMPLETED &&
                   (int)BRAIN_RUN_FAILED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_FAILED &&
                   (int)BRAIN_RUN_ABANDONED == (int)BRAIN__V1__RUN_STATUS__RUN_STATUS_ABANDONED,
               "brain_run_status must match RunStatus in brain.proto");

int brain_run_set_status(brain_client *c, const char *run_id, brain_run_status status,
                         uint64_t *seq_out)
{
    if (status != BRAIN_RUN_RUNNING && status != BRAIN_RUN_PERSISTING)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "brain_run_set_status takes BRAIN_RUN_RUNNING or BRAIN_RUN_PERSISTING, "
                           "not %d (use brain_run_complete or brain_run_fail to finish a run)",
                           (int)status);
    Brain__V1__RunStatusChanged rs = BRAIN__V1__RUN_STATUS_CHANGED__INIT;
    rs.run_id = (char *)run_id;
    rs.status = (Brain__V1__RunStatus)status;
    return run_status(c, &rs, seq_out);
}
