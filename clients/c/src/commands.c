/* Commands from the brain: acknowledged on arrival, handed to the agent once, answered
 * with brain_command_result(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_QUEUED_COMMANDS 4096

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int publish_received(brain_client *c, const char *command_id)
{
    Brain__V1__CommandReceived r = BRAIN__V1__COMMAND_RECEIVED__INIT;
    r.command_id = S(command_id);
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RECEIVED;
    ev.command_received = &r;
    return brain__publish(c, &ev, NULL);
}

/* 1 when the id was handed over already (recently); otherwise remembers it. I/O thread only. */
static int seen_before(brain_client *c, const char *id)
{
    size_t slots = sizeof c->seen_cmds / sizeof *c->seen_cmds;
    for (size_t i = 0; i < slots; i++)
        if (c->seen_cmds[i][0] && strcmp(c->seen_cmds[i], id) == 0)
            return 1;
    copy(c->seen_cmds[c->seen_next], sizeof *c->seen_cmds, id);
    c->seen_next = (c->seen_next + 1) % slots;
    return 0;
}

/* Queues *cmd for brain_next_command; 0 when the queue is full. */
static int enqueue(brain_client *c, const brain_command *cmd)
{
    int queued = 0;
    pthread_mutex_lock(&c->mu);
    if (c->cmd_count == c->cmd_cap && c->cmd_cap < MAX_QUEUED_COMMANDS) {
        size_t cap = c->cmd_cap ? c->cmd_cap * 2 : 8;
        brain_command *n = malloc(cap * sizeof *n);
        if (n) {
            for (size_t i = 0; i < c->cmd_count; i++)
                n[i] = c->cmds[(c->cmd_head + i) % c->cmd_cap];
            free(c->cmds);
            c->cmds = n;
            c->cmd_cap = cap;
            c->cmd_head = 0;
        }
    }
    if (c->cmd_count < c->cmd_cap) {
        c->cmds[(c->cmd_head + c->cmd_count) % c->cmd_cap] = *cmd;
        c->cmd_count++;
        queued = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return queued;
}

void brain__handle_command(brain_client *c, const Brain__V1__AgentCommand *m)
{
    if (!m->command_id || !*m->command_id)
        return; /* nothing to answer to */
    /* Receipt first, every time: a command delivered again means the brain did not get
     * (or keep) the last receipt; it ignores repeats. */
    publish_received(c, m->command_id);
    if (seen_before(c, m->command_id))
        return;
    brain_command cmd;
    memset(&cmd, 0, sizeof cmd);
    copy(cmd.command_id, sizeof cmd.command_id, m->command_id);
    cmd.kind = (brain_command_kind)m->kind;
    copy(cmd.task_id, sizeof cmd.task_id, m->task_id);
    copy(cmd.engine, sizeof cmd.engine, m->engine);
    copy(cmd.task_name, sizeof cmd.task_name, m->task_name);
    copy(cmd.scheduler, sizeof cmd.scheduler, m->scheduler);
    copy(cmd.schedule_name, sizeof cmd.schedule_name, m->schedule_name);
    cmd.deadline_ns = m->deadline;
    if (c->on_command) {
        c->on_command(c->user, &cmd);
    } else if (!enqueue(c, &cmd)) {
        brain_command_result(c, cmd.command_id, 0,
                             "the agent's command queue is full (4096 commands wait for "
                             "brain_next_command)", NULL, NULL);
    }
}

int brain_next_command(brain_client *c, brain_command *out)
{
    if (!c || !out)
        return 0;
    int got = 0;
    pthread_mutex_lock(&c->mu);
    if (c->cmd_count > 0) {
        *out = c->cmds[c->cmd_head];
        c->cmd_head = (c->cmd_head + 1) % c->cmd_cap;
        c->cmd_count--;
        got = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return got;
}

int brain_command_result(brain_client *c, const char *command_id, int ok, const char *message,
                         const char *new_task_id, uint64_t *seq_out)
{
    if (!c || !command_id || !*command_id)
        return brain__fail(BRAIN_E_INVALID, BRAIN_STATUS_OK, "client and command_id are required");
    int rc;
    if ((rc = brain__check_str(command_id, "command_id")) || (rc = brain__check_str(message, "message")) ||
        (rc = brain__check_str(new_task_id, "new_task_id")))
        return rc;
    Brain__V1__CommandResult r = BRAIN__V1__COMMAND_RESULT__INIT;
    r.command_id = S(command_id);
    r.ok = ok ? 1 : 0;
    r.message = S(message);
    r.new_task_id = S(new_task_id);
    Brain__V1__AgentEvent ev = BRAIN__V1__AGENT_EVENT__INIT;
    ev.event_case = BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT;
    ev.command_result = &r;
    return brain__publish(c, &ev, seq_out);
}
