/* Task events, schedules and commands against the fake brain: what goes on the wire, and
 * that a command is acknowledged every time it arrives but handed over once. */
#include <string.h>

#include "harness.h"
#include "internal.h"

/* Decodes the fake brain's latest event; the caller frees it. */
static Brain__V1__AgentEvent *last_event(fake_brain *f)
{
    pthread_mutex_lock(&f->mu);
    Brain__V1__AgentEvent *e = brain__v1__agent_event__unpack(NULL, f->last_event_len, f->last_event);
    pthread_mutex_unlock(&f->mu);
    return e;
}

int test_task_event_wire(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    brain_options o;
    base_opts(&o, f.path, "worker");
    brain_client *c;
    if (brain_connect(&o, &c) != BRAIN_OK) {
        fake_stop(&f);
        CHECK(0, "connect");
    }
    brain_task_event bad = {.task_id = "t-1", .kind = 99};
    int bad_kind = brain_task_event_report(c, &bad, NULL);
    brain_task_event no_id = {.kind = BRAIN_TASK_STARTED};
    int missing_id = brain_task_event_report(c, &no_id, NULL);
    brain_task_event e = {.task_id = "t-1", .kind = BRAIN_TASK_FAILED, .name = "app.add",
                          .queue = "celery", .args_json = "[1, 2]",
                          .kwargs_json = "{\"password\": \"hunter2\"}", .exc_type = "ValueError",
                          .exc_message = "bad", .traceback = "Traceback ...\nValueError: bad"};
    uint64_t seq = 0;
    int rc = brain_task_event_report(c, &e, &seq);
    int waited = rc == BRAIN_OK && brain_wait_acked(c, 5000) == BRAIN_OK;
    brain_close(c);
    Brain__V1__AgentEvent *got = last_event(&f);
    fake_stop(&f);
    CHECK(bad_kind == BRAIN_E_INVALID, "kind 99 accepted");
    CHECK(missing_id == BRAIN_E_INVALID, "an event without task_id accepted");
    CHECK(waited && seq == 1, "publish/ack failed (rc %d, seq %llu)", rc, (unsigned long long)seq);
    CHECK(got && got->event_case == BRAIN__V1__AGENT_EVENT__EVENT_TASK_EVENT, "not a task event");
    Brain__V1__TaskEventReported *t = got->task_event;
    int ok = strcmp(t->task_id, "t-1") == 0 && t->kind == BRAIN__V1__TASK_EVENT_KIND__TASK_EVENT_FAILED &&
             t->attempt == 1 && t->ts > 0 && strcmp(t->exc_type, "ValueError") == 0 &&
             strcmp(t->kwargs_json, "{\"password\": \"hunter2\"}") == 0 && strcmp(t->engine, "") == 0;
    brain__v1__agent_event__free_unpacked(got, NULL);
    CHECK(ok, "the task event's fields differ from what was published");
    return PASS;
}

int test_schedule_wire(void)
{
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    brain_options o;
    base_opts(&o, f.path, "beat");
    brain_client *c;
    if (brain_connect(&o, &c) != BRAIN_OK) {
        fake_stop(&f);
        CHECK(0, "connect");
    }
    brain_schedule items[] = {
        {.name = "nightly", .task = "app.report", .type = BRAIN_SCHEDULE_CRON,
         .expression = "0 3 * * mon-fri", .dialect = BRAIN_CRON_CELERY, .enabled = 1},
        {.scheduler = "beat", .name = "every-30s", .task = "app.ping",
         .type = BRAIN_SCHEDULE_INTERVAL, .expression = "30", .enabled = 0},
    };
    brain_schedule stranger = {.scheduler = "cron", .name = "x", .type = BRAIN_SCHEDULE_CRON};
    int wrong = brain_schedule_listing(c, "beat", &stranger, 1, 1, NULL);
    brain_schedule typeless = {.scheduler = "beat", .name = "x"};
    int no_type = brain_schedule_upsert(c, &typeless, NULL);
    int rc = brain_schedule_listing(c, "beat", items, 2, 1, NULL);
    int acked = rc == BRAIN_OK && brain_wait_acked(c, 5000) == BRAIN_OK;
    Brain__V1__AgentEvent *listing = last_event(&f);
    int fired = brain_schedule_fired(c, "beat", "nightly", 0, "t-9", NULL);
    int deleted = brain_schedule_delete(c, "beat", "every-30s", NULL);
    acked = acked && fired == BRAIN_OK && deleted == BRAIN_OK && brain_wait_acked(c, 5000) == BRAIN_OK;
    brain_close(c);
    pthread_mutex_lock(&f.mu);
    int cases_ok = f.n_seen == 3 && f.cases[1] == BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_FIRED &&
                   f.cases[2] == BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_DELETE;
    pthread_mutex_unlock(&f.mu);
    fake_stop(&f);
    CHECK(wrong == BRAIN_E_INVALID, "a schedule of another scheduler went into the listing");
    CHECK(no_type == BRAIN_E_INVALID, "a schedule without a type was accepted");
    CHECK(acked && cases_ok, "listing, fired and delete not all sent and acked");
    CHECK(listing && listing->event_case == BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_LISTING, "no listing");
    Brain__V1__ScheduleListing *l = listing->schedule_listing;
    int ok = l->complete && l->n_schedules == 2 && strcmp(l->schedules[0]->scheduler, "beat") == 0 &&
             l->schedules[0]->dialect == BRAIN__V1__CRON_DIALECT__CRON_DIALECT_CELERY &&
             l->schedules[0]->enabled && !l->schedules[1]->enabled &&
             l->schedules[1]->type == BRAIN__V1__SCHEDULE_TYPE__SCHEDULE_TYPE_INTERVAL &&
             strcmp(l->schedules[0]->expression, "0 3 * * mon-fri") == 0;
    brain__v1__agent_event__free_unpacked(listing, NULL);
    CHECK(ok, "the listing's fields differ from what was published");
    return PASS;
}

typedef struct command_log {
    pthread_mutex_t mu;
    int calls;
    brain_command last;
    brain_client *client;
} command_log;

static void on_command(void *user, const brain_command *cmd)
{
    command_log *l = user;
    brain_client *c = NULL;
    /* The command can arrive with the welcome, before brain_connect has returned the
     * client to the test: wait for it (the callback may block briefly; tests only). */
    for (int i = 0; i < 500 && !c; i++) {
        pthread_mutex_lock(&l->mu);
        c = l->client;
        pthread_mutex_unlock(&l->mu);
        if (!c)
            sleep_ms(10);
    }
    pthread_mutex_lock(&l->mu);
    l->calls++;
    l->last = *cmd;
    pthread_mutex_unlock(&l->mu);
    if (c)
        brain_command_result(c, cmd->command_id, 1, "re-sent", "t-2", NULL);
}

/* Counts the fake's events of one kind. */
static int count_cases(fake_brain *f, int event_case)
{
    int n = 0;
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < f->n_seen; i++)
        n += f->cases[i] == event_case;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* Waits until the fake saw n events of one kind. */
static int wait_cases(fake_brain *f, int event_case, int n)
{
    for (int i = 0; i < 250; i++) {
        if (count_cases(f, event_case) >= n)
            return 1;
        sleep_ms(20);
    }
    return 0;
}

int test_commands_queue_and_callback(void)
{
    /* Queue mode: the same command delivered twice is acknowledged twice, queued once. */
    fake_brain f;
    CHECK(fake_start(&f, tmpdir) == 0, "fake brain");
    pthread_mutex_lock(&f.mu);
    f.send_command = 2;
    snprintf(f.command_id, sizeof f.command_id, "cmd-1");
    f.command_kind = BRAIN_COMMAND_CANCEL_TASK;
    pthread_mutex_unlock(&f.mu);
    brain_options o;
    base_opts(&o, f.path, "worker");
    brain_client *c;
    if (brain_connect(&o, &c) != BRAIN_OK) {
        fake_stop(&f);
        CHECK(0, "connect");
    }
    /* The fake sends the command after each read of a connection that said hello:
     * heartbeats drive the second delivery. */
    int received = wait_cases(&f, BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RECEIVED, 2);
    /* A rejection queued while the command waits: the two queues are separate memory
     * (under ASan this caught the rejection queue's growth freeing the command queue). */
    brain_stats before;
    brain_get_stats(c, &before);
    pthread_mutex_lock(&f.mu);
    f.reject_seq = before.last_seq + 1;
    pthread_mutex_unlock(&f.mu);
    brain_task_event rejected = {.task_id = "t-9", .kind = BRAIN_TASK_STARTED};
    int published = brain_task_event_report(c, &rejected, NULL) == BRAIN_OK && brain_wait_acked(c, 5000) == BRAIN_OK;
    brain_rejection rej;
    int got_rejection = brain_next_rejection(c, &rej);
    brain_command cmd, extra;
    int got = brain_next_command(c, &cmd);
    int again = brain_next_command(c, &extra);
    int result = got ? brain_command_result(c, cmd.command_id, 0, "no such task here", NULL, NULL) : -1;
    int results = result == BRAIN_OK && wait_cases(&f, BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT, 1);
    Brain__V1__AgentEvent *r = last_event(&f);
    brain_close(c);
    fake_stop(&f);
    CHECK(received, "the client did not acknowledge both deliveries");
    CHECK(published && got_rejection && rej.seq == before.last_seq + 1, "the rejected task event was not reported");
    CHECK(got && !again, "the command was handed over %d times, want once", got + again);
    CHECK(strcmp(cmd.command_id, "cmd-1") == 0 && cmd.kind == BRAIN_COMMAND_CANCEL_TASK &&
              strcmp(cmd.task_id, "t-1") == 0 && strcmp(cmd.task_name, "app.add") == 0 && cmd.deadline_ns == 123,
          "the command's fields differ from what the brain sent");
    CHECK(results && r && r->event_case == BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT, "no result sent");
    int ok = !r->command_result->ok && strcmp(r->command_result->message, "no such task here") == 0;
    brain__v1__agent_event__free_unpacked(r, NULL);
    CHECK(ok, "the result's fields differ");

    /* Callback mode: the handler runs once and can answer from the I/O thread. */
    fake_brain g;
    CHECK(fake_start(&g, tmpdir) == 0, "fake brain");
    pthread_mutex_lock(&g.mu);
    g.send_command = 1;
    snprintf(g.command_id, sizeof g.command_id, "cmd-2");
    g.command_kind = BRAIN_COMMAND_RETRY_TASK;
    pthread_mutex_unlock(&g.mu);
    command_log log = {.calls = 0};
    pthread_mutex_init(&log.mu, NULL);
    base_opts(&o, g.path, "worker");
    o.on_command = on_command;
    o.user = &log;
    if (brain_connect(&o, &c) != BRAIN_OK) {
        fake_stop(&g);
        CHECK(0, "connect");
    }
    pthread_mutex_lock(&log.mu);
    log.client = c;
    pthread_mutex_unlock(&log.mu);
    int answered = wait_cases(&g, BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT, 1);
    Brain__V1__AgentEvent *rr = last_event(&g);
    brain_command none;
    int queued = brain_next_command(c, &none);
    brain_close(c);
    fake_stop(&g);
    pthread_mutex_lock(&log.mu);
    int calls = log.calls;
    pthread_mutex_unlock(&log.mu);
    pthread_mutex_destroy(&log.mu);
    CHECK(answered && calls == 1 && !queued, "callback ran %d times (queued %d), want once", calls, queued);
    ok = rr && rr->command_result->ok && strcmp(rr->command_result->new_task_id, "t-2") == 0;
    if (rr)
        brain__v1__agent_event__free_unpacked(rr, NULL);
    CHECK(ok, "the retry's result does not carry the new task id");
    return PASS;
}
