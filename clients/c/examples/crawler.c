/* crawler.c: a complete agent. It connects to the brain's default socket as "crawler"
 * (token "s3cret"), reports a run of one step and completes it. */
#include <stdio.h>
#include <brain.h>

int main(void)
{
    brain_options o;
    brain_options_init(&o); /* socket_path NULL: $BRAIN_SOCKET or the default socket */
    o.agent_name = "crawler";
    o.token = "s3cret";
    brain_client *c;
    if (brain_connect(&o, &c) != BRAIN_OK) {
        fprintf(stderr, "crawler: %s\n", brain_last_error());
        return 1;
    }
    char run[BRAIN_RUN_ID_LEN];
    brain_run_options ro = {.goal = "fetch https://example.com"};
    int rc = brain_run_start(c, &ro, run, NULL);
    if (rc == BRAIN_OK) {
        brain_step step = {.run_id = run, .seq = 1, .name = "get",
                           .output_json = "{\"status\":200}", .duration_ms = 12};
        rc = brain_step_report(c, &step, NULL);
    }
    if (rc == BRAIN_OK)
        rc = brain_run_complete(c, run, "{\"pages\":1}", NULL);
    if (rc == BRAIN_OK)
        rc = brain_wait_acked(c, 10000); /* until the brain has it all */
    if (rc != BRAIN_OK)
        fprintf(stderr, "crawler: %s\n", brain_last_error());
    brain_rejection r;
    while (brain_next_rejection(c, &r)) { /* events the brain refused */
        fprintf(stderr, "crawler: event %llu refused: %s\n", (unsigned long long)r.seq, r.message);
        rc = BRAIN_E_REFUSED;
    }
    if (rc == BRAIN_OK)
        printf("run %s completed\n", run);
    brain_close(c);
    return rc == BRAIN_OK ? 0 : 1;
}
