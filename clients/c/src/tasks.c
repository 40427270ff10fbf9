/* Publishing task events and schedules: the task-worker half of the agent API. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The brain keeps at most this many schedules per listing frame anyway (a frame is
 * bounded by max_frame_bytes); the check only catches a nonsense n early. */
#define MAX_LISTING_ITEMS 1000000

static int check_all(const char *const *values, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = brain__check_str(values[i], names[i]);
        if (rc)
            return rc;
    }
    return BRAIN_OK;
}

int brain_task_event_report(brain_client *c, const brain_task_event *e, uint64_t *seq_out)
{
    if (!c || !e || !e->task_id || !*e->task_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client, event and task_id are required");
    if (e->kind < BRAIN_TASK_SENT || e->kind > BRAIN_TASK_EXPIRED)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "bad task event kind %d (BRAIN_TASK_SENT .. BRAIN_TASK_EXPIRED)", (int)e->kind);
    const char *values[] = {e->task_id, e->engine, e->name, e->queue, e->group_id,
                            e->retried_as, e->args_json, e->kwargs_json, e->exc_type,
                            e->exc_message, e->traceback, e->payload_json};
    const char *names[] = {"task_id", "engine", "name", "queue", "group_id", "retried_as",
                           "args_json", "kwargs_json", "exc_type", "exc_message",
                           "traceback", "payload_json"};
    int rc = check_all(values, names, sizeof values / sizeof *values);
    if (rc)
        return rc;
    Brain__V1__TaskEventReported t = BRAIN__V1__TASK_EVENT_REPORTED__INIT;
    t.task_id = S(e->task_id);
    t.engine = S(e->engine);
    t.kind = (Brain__V1__TaskEventKind)e->kind; /* the same numbers as the proto enum */
    t.ts = e->ts_ns ? e->ts_ns : brain__wall_ns();
    t.attempt = e->attempt ? e->attempt : 1;
    t.name = S(e->name);
    t.queue = S(e->queue);
    t.group_id = S(e->group_id);
    t.retried_as = S(e->retried_as);
    t.args_json = S(e->args_json);
    t.kwargs_json = S(e->kwargs_json);
    t.exc_type = S(e->exc_type);
    t.exc_message = S(e->exc_message);
    t.traceback = S(e->traceback);
    t.payload_json = S(e->payload_json);
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_TASK_EVENT;
    ev.task_event = &t;
    return brain__publish(c, &ev, seq_out);
}

/* Fills *r from *s (pointers into s); scheduler_default names the listing's scheduler. */
static int fill_schedule(const brain_schedule *s, const char *scheduler_default,
                         Brain__V1__ScheduleReport *r)
{
    const char *scheduler = s->scheduler && *s->scheduler ? s->scheduler : scheduler_default;
    if (!scheduler || !*scheduler || !s->name || !*s->name)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "a schedule needs a scheduler and a name");
    if (scheduler_default && strcmp(scheduler, scheduler_default) != 0)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "schedule %s belongs to scheduler %s, not to the listing's %s", s->name,
                           scheduler, scheduler_default);
    if (s->type < BRAIN_SCHEDULE_CRON || s->type > BRAIN_SCHEDULE_UNSUPPORTED)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "schedule %s: bad type %d (BRAIN_SCHEDULE_CRON .. BRAIN_SCHEDULE_UNSUPPORTED)",
                           s->name, (int)s->type);
    if (s->dialect != BRAIN_CRON_VIXIE && s->dialect != BRAIN_CRON_CELERY)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "schedule %s: bad cron dialect %d",
                           s->name, (int)s->dialect);
    const char *values[] = {scheduler, s->name, s->task, s->expression, s->args_json,
                            s->kwargs_json, s->metadata_json};
    const char *names[] = {"scheduler", "schedule name", "task", "expression", "args_json",
                           "kwargs_json", "metadata_json"};
    int rc = check_all(values, names, sizeof values / sizeof *values);
    if (rc)
        return rc;
    brain__v1__schedule_report__init(r);
    r->scheduler = S(scheduler);
    r->name = S(s->name);
    r->task = S(s->task);
    r->type = (Brain__V1__ScheduleType)s->type;
    r->expression = S(s->expression);
    r->dialect = (Brain__V1__CronDialect)s->dialect;
    r->args_json = S(s->args_json);
    r->kwargs_json = S(s->kwargs_json);
    r->enabled = s->enabled ? 1 : 0;
    r->metadata_json = S(s->metadata_json);
    r->last_run_at = s->last_run_at_ns;
    return BRAIN_OK;
}

int brain_schedule_upsert(brain_client *c, const brain_schedule *s, uint64_t *seq_out)
{
    if (!c || !s)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and schedule are required");
    Brain__V1__ScheduleReport r;
    int rc = fill_schedule(s, NULL, &r);
    if (rc)
        return rc;
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_UPSERT;
    ev.schedule_upsert = &r;
    return brain__publish(c, &ev, seq_out);
}

int brain_schedule_delete(brain_client *c, const char *scheduler, const char *name,
                          uint64_t *seq_out)
{
    if (!c || !scheduler || !*scheduler || !name || !*name)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client, scheduler and name are required");
    int rc;
    if ((rc = brain__check_str(scheduler, "scheduler")) || (rc = brain__check_str(name, "name")))
        return rc;
    Brain__V1__ScheduleDeleted d = BRAIN__V1__SCHEDULE_DELETED__INIT;
    d.scheduler = S(scheduler);
    d.name = S(name);
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_DELETE;
    ev.schedule_delete = &d;
    return brain__publish(c, &ev, seq_out);
}

int brain_schedule_fired(brain_client *c, const char *scheduler, const char *name,
                         int64_t at_ns, const char *task_id, uint64_t *seq_out)
{
    if (!c || !scheduler || !*scheduler || !name || !*name)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client, scheduler and name are required");
    int rc;
    if ((rc = brain__check_str(scheduler, "scheduler")) || (rc = brain__check_str(name, "name")) ||
        (rc = brain__check_str(task_id, "task_id")))
        return rc;
    Brain__V1__ScheduleFired f = BRAIN__V1__SCHEDULE_FIRED__INIT;
    f.scheduler = S(scheduler);
    f.name = S(name);
    f.at = at_ns ? at_ns : brain__wall_ns();
    f.task_id = S(task_id);
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_FIRED;
    ev.schedule_fired = &f;
    return brain__publish(c, &ev, seq_out);
}

int brain_schedule_listing(brain_client *c, const char *scheduler, const brain_schedule *items,
                           size_t n, int complete, uint64_t *seq_out)
{
    if (!c || !scheduler || !*scheduler || (n && !items))
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK,
                           "client and scheduler are required (and items when n > 0)");
    if (n > MAX_LISTING_ITEMS)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "%zu schedules in one listing (at most %d)",
                           n, MAX_LISTING_ITEMS);
    int rc = brain__check_str(scheduler, "scheduler");
    if (rc)
        return rc;
    Brain__V1__ScheduleReport *reports = n ? calloc(n, sizeof *reports) : NULL;
    Brain__V1__ScheduleReport **ptrs = n ? calloc(n, sizeof *ptrs) : NULL;
    if (n && (!reports || !ptrs)) {
        free(reports);
        free(ptrs);
        return brain__fail(BRAIN_E_NOMEM, BRAIN_STATUS_OK, "out of memory for %zu schedules", n);
    }
    for (size_t i = 0; i < n && rc == BRAIN_OK; i++) {
        rc = fill_schedule(&items[i], scheduler, &reports[i]);
        ptrs[i] = &reports[i];
    }
    if (rc == BRAIN_OK) {
        Brain__V1__ScheduleListing l = BRAIN__V1__SCHEDULE_LISTING__INIT;
        l.scheduler = S(scheduler);
        l.n_schedules = n;
        l.schedules = ptrs;
        l.complete = complete ? 1 : 0;
        Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
        ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_LISTING;
        ev.schedule_listing = &l;
        rc = brain__publish(c, &ev, seq_out);
    }
    free(reports);
    free(ptrs);
    return rc;
}
