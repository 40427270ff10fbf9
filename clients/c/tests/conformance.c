/* The cross-client conformance suite, C runner (build/conformance, run by `make test`).
 *
 * Executes every case of conformance/cases.json through libbrain against a real brain
 * ($BRAIN_BIN, default the repository's .build/debug/brain) started in a temp dir, and checks
 * the golden messages of conformance/golden/ against protobuf-c: each <name>.json
 * description is built into a protobuf-c message (generically, through the message
 * descriptors) and packed, which must give exactly <name>.pb; each <name>.pb unpacked
 * must hold exactly the described field values. The Swift (Tests/ConformanceTests) and
 * Python (clients/python/tests/test_conformance.py) runners do the same.
 *
 * Agent-side actions go through the library (brain.h). The library has no read side, so
 * read-backs (GetRun, ListPersistenceErrors, Watch) and the raw oversized frame use
 * protobuf-c and the library's internal socket helpers directly.
 *
 * A case id in cases.json without an implementation here fails. Without the brain
 * binary the cases print SKIP and are not counted (the golden tests always run).
 * Ends with "N passed, M failed"; exits nonzero on any failure.
 * $BRAIN_CONFORMANCE_DIR overrides where cases.json and golden/ are read from. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "brain_process.h"
#include "harness.h"
#include "internal.h"

#ifndef CONFORMANCE_DIR
#define CONFORMANCE_DIR "../../conformance"
#endif

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* ================================================================= a small JSON reader */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct json {
    jtype t;
    char *s;        /* J_STR: the string (UTF-8); J_NUM: the number's text */
    int b;          /* J_BOOL */
    size_t n;       /* J_ARR / J_OBJ: item count */
    char **keys;    /* J_OBJ */
    struct json *items;
} json;

typedef struct { const char *p, *end; const char *err; } jparser;

static void jskip(jparser *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\n' || *P->p == '\r' || *P->p == '\t'))
        P->p++;
}

static int jfail(jparser *P, const char *msg)
{
    if (!P->err)
        P->err = msg;
    return -1;
}

static void put_utf8(char **o, unsigned cp)
{
    unsigned char *q = (unsigned char *)*o;
    if (cp < 0x80) {
        *q++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *q++ = (unsigned char)(0xC0 | cp >> 6);
        *q++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *q++ = (unsigned char)(0xE0 | cp >> 12);
        *q++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *q++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *q++ = (unsigned char)(0xF0 | cp >> 18);
        *q++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *q++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *q++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)q;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static int jstring(jparser *P, char **out)
{
    if (P->p >= P->end || *P->p != '"')
        return jfail(P, "expected a string");
    P->p++;
    char *buf = malloc((size_t)(P->end - P->p) + 1), *o = buf;
    while (P->p < P->end && *P->p != '"') {
        char c = *P->p++;
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        if (P->p >= P->end)
            break;
        c = *P->p++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned cp, lo;
            if (P->end - P->p < 4 || hex4(P->p, &cp)) {
                free(buf);
                return jfail(P, "bad \\u escape");
            }
            P->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && P->end - P->p >= 6 && P->p[0] == '\\' &&
                P->p[1] == 'u' && !hex4(P->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                P->p += 6;
            }
            put_utf8(&o, cp);
            break;
        }
        default: *o++ = c; break; /* \" \\ \/ */
        }
    }
    if (P->p >= P->end) {
        free(buf);
        return jfail(P, "unterminated string");
    }
    P->p++;
    *o = '\0';
    *out = buf;
    return 0;
}

static int jvalue(jparser *P, json *v);

static int jitems(jparser *P, json *v, int object)
{
    char close = object ? '}' : ']';
    P->p++;
    size_t cap = 0;
    v->n = 0;
    jskip(P);
    if (P->p < P->end && *P->p == close) {
        P->p++;
        return 0;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = realloc(v->items, cap * sizeof *v->items);
            if (object)
                v->keys = realloc(v->keys, cap * sizeof *v->keys);
        }
        jskip(P);
        if (object) {
            if (jstring(P, &v->keys[v->n]))
                return -1;
            jskip(P);
            if (P->p >= P->end || *P->p++ != ':')
                return jfail(P, "expected ':'");
        }
        memset(&v->items[v->n], 0, sizeof v->items[0]);
        v->n++;
        if (jvalue(P, &v->items[v->n - 1]))
            return -1;
        jskip(P);
        if (P->p < P->end && *P->p == ',') {
            P->p++;
            continue;
        }
        if (P->p < P->end && *P->p == close) {
            P->p++;
            return 0;
        }
        return jfail(P, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int jvalue(jparser *P, json *v)
{
    jskip(P);
    memset(v, 0, sizeof *v);
    if (P->p >= P->end)
        return jfail(P, "unexpected end");
    char c = *P->p;
    if (c == '{') {
        v->t = J_OBJ;
        return jitems(P, v, 1);
    }
    if (c == '[') {
        v->t = J_ARR;
        return jitems(P, v, 0);
    }
    if (c == '"') {
        v->t = J_STR;
        return jstring(P, &v->s);
    }
    if (!strncmp(P->p, "true", 4) || !strncmp(P->p, "false", 5)) {
        v->t = J_BOOL;
        v->b = c == 't';
        P->p += v->b ? 4 : 5;
        return 0;
    }
    if (!strncmp(P->p, "null", 4)) {
        P->p += 4;
        return 0;
    }
    const char *start = P->p;
    while (P->p < P->end && strchr("+-0123456789.eE", *P->p))
        P->p++;
    if (P->p == start)
        return jfail(P, "unexpected character");
    v->t = J_NUM;
    v->s = strndup(start, (size_t)(P->p - start));
    return 0;
}

static void jfree(json *v)
{
    if (!v)
        return;
    free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Parses a file into *out; 0 on success. */
static int jload(const char *path, json *out)
{
    size_t len;
    char *text = (char *)read_file(path, &len);
    if (!text) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    jparser P = {text, text + len, NULL};
    int rc = jvalue(&P, out);
    if (rc == 0) {
        jskip(&P);
        if (P.p != P.end)
            rc = jfail(&P, "trailing characters");
    }
    if (rc)
        fprintf(stderr, "%s: bad JSON at byte %ld: %s\n", path, (long)(P.p - text), P.err);
    free(text);
    return rc;
}

static const json *jget(const json *o, const char *key)
{
    if (!o || o->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return &o->items[i];
    return NULL;
}

static const char *jstr(const json *o, const char *key)
{
    const json *v = jget(o, key);
    return v && v->t == J_STR ? v->s : NULL;
}

/* An integer given as a JSON number or (64-bit, proto3 JSON style) a string. */
static long long jnum(const json *v)
{
    return v && (v->t == J_NUM || v->t == J_STR) && v->s ? strtoll(v->s, NULL, 10) : 0;
}

static long long jint(const json *o, const char *key) { return jnum(jget(o, key)); }

static int jbool(const json *o, const char *key)
{
    const json *v = jget(o, key);
    return v && v->t == J_BOOL && v->b;
}

/* ================================================================= the brain process */

static brain_process brain = {.pid = -1};
static char brain_dir[64];
static char max_frame_arg[32];

static int brain_start(void) { return brain_process_start(&brain); }
static void brain_stop(int sig) { brain_process_stop(&brain, sig); }

/* ================================================================= raw client-side calls */

/* One request on a fresh connection; returns the reply (free it) or NULL. */
static Brain__V1__Response *rpc(Brain__V1__Request *q)
{
    int fd;
    if (brain__sock_connect(brain.sock, &fd))
        return NULL;
    Brain__V1__Response *resp = NULL;
    uint8_t *f;
    size_t n;
    brain__rxbuf rx = {0};
    int64_t deadline = brain__now_ms() + 5000;
    q->call_id = 77;
    if (brain__frame_pack(q, 1 << 20, &f, &n) == BRAIN_OK) {
        if (brain__write_all(fd, f, n, deadline) == BRAIN_OK)
            brain__read_response(fd, &rx, deadline, &resp);
        free(f);
    }
    brain__rx_free(&rx);
    close(fd);
    if (resp && resp->status && resp->status->code != BRAIN__V1__STATUS_CODE__OK)
        fprintf(stderr, "    call %d: %s: %s\n", (int)q->method_case,
                brain_status_name((brain_status)resp->status->code), resp->status->message);
    return resp;
}

/* rpc, keeping the reply only when it carries the result `want` (else NULL). */
static Brain__V1__Response *rpc_result(Brain__V1__Request *q, Brain__V1__Response__ResultCase want)
{
    Brain__V1__Response *r = rpc(q);
    if (r && r->result_case != want) {
        brain__v1__response__free_unpacked(r, NULL);
        return NULL;
    }
    return r;
}

static Brain__V1__Response *get_run(const char *run_id)
{
    Brain__V1__GetRunRequest g = BRAIN__V1__GET_RUN_REQUEST__INIT;
    g.run_id = (char *)run_id;
    Brain__V1__Request q = BRAIN__V1__REQUEST__INIT;
    q.method_case = BRAIN__V1__REQUEST__METHOD_GET_RUN;
    q.get_run = &g;
    return rpc_result(&q, BRAIN__V1__RESPONSE__RESULT_RUN);
}

static Brain__V1__Response *list_errors(const char *run_id)
{
    Brain__V1__ListPersistenceErrorsRequest l = BRAIN__V1__LIST_PERSISTENCE_ERRORS_REQUEST__INIT;
    l.run_id = (char *)run_id;
    Brain__V1__Request q = BRAIN__V1__REQUEST__INIT;
    q.method_case = BRAIN__V1__REQUEST__METHOD_LIST_PERSISTENCE_ERRORS;
    q.list_persistence_errors = &l;
    return rpc_result(&q, BRAIN__V1__RESPONSE__RESULT_PERSISTENCE_ERRORS);
}

static const char *run_status_name(int v)
{
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(&brain__v1__run_status__descriptor, v);
    return e ? e->name : "?";
}

static const char *step_status_name(int v)
{
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value(&brain__v1__step_status__descriptor, v);
    return e ? e->name : "?";
}

static brain_step_status step_status_value(const char *name)
{
    const ProtobufCEnumValue *e = protobuf_c_enum_descriptor_get_value_by_name(&brain__v1__step_status__descriptor, name);
    return e ? (brain_step_status)e->value : BRAIN_STEP_OK;
}

/* ================================================================= cases */

static void agent_opts(brain_options *o, const json *c)
{
    brain_options_init(o);
    o->socket_path = brain.sock;
    o->agent_name = jstr(c, "agent");
    o->project = jstr(c, "project");
    o->token = jstr(c, "token");
    o->connect_timeout_ms = 5000;
}

static int count_rejections(brain_client *c, brain_rejection *first)
{
    brain_rejection r;
    int n = 0;
    while (brain_next_rejection(c, &r)) {
        if (n == 0 && first)
            *first = r;
        else
            fprintf(stderr, "    rejection of seq %llu: %s: %s\n", (unsigned long long)r.seq,
                    brain_status_name(r.code), r.message);
        n++;
    }
    return n;
}

static int case_hello(const json *c)
{
    const json *e = jget(c, "expect"), *first = jget(e, "first"), *second = jget(e, "second");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    int rc = brain_connect(&o, &cl);
    CHECK(rc == BRAIN_OK, "connect: %s", brain_err_name(rc));
    brain_welcome w1, w2;
    brain_get_welcome(cl, &w1);
    brain_close(cl);
    rc = brain_connect(&o, &cl);
    CHECK(rc == BRAIN_OK, "second connect: %s", brain_err_name(rc));
    brain_get_welcome(cl, &w2);
    brain_close(cl);
    CHECK(w1.registered == jbool(first, "registered"), "first registered %d", w1.registered);
    CHECK((long long)w1.last_seq == jint(first, "last_seq"), "first last_seq %llu", (unsigned long long)w1.last_seq);
    CHECK((long long)w1.protocol_version == jint(first, "protocol_version"), "protocol_version %u", w1.protocol_version);
    CHECK(!strcmp(w1.project, jstr(first, "project")), "project %s", w1.project);
    CHECK(w2.registered == jbool(second, "registered"), "second registered %d", w2.registered);
    CHECK((long long)w2.last_seq == jint(second, "last_seq"), "second last_seq %llu", (unsigned long long)w2.last_seq);
    CHECK((strcmp(w1.agent_id, w2.agent_id) == 0) == jbool(second, "same_agent_id"), "agent ids %s / %s", w1.agent_id, w2.agent_id);
    CHECK((w1.agent_id[0] != '\0') == jbool(e, "agent_id_nonempty"), "agent id '%s'", w1.agent_id);
    CHECK((w1.heartbeat_interval_ms > 0) == jbool(e, "heartbeat_interval_ms_positive"), "interval %u", w1.heartbeat_interval_ms);
    CHECK((w1.heartbeat_timeout_ms >= w1.heartbeat_interval_ms) == jbool(e, "heartbeat_timeout_ms_at_least_interval"),
          "timeout %u interval %u", w1.heartbeat_timeout_ms, w1.heartbeat_interval_ms);
    return PASS;
}

static int case_wrong_token(const json *c)
{
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "first connect");
    brain_close(cl);
    o.token = jstr(c, "wrong_token");
    cl = NULL;
    int rc = brain_connect(&o, &cl);
    CHECK(rc == BRAIN_E_REFUSED && cl == NULL, "got %s", brain_err_name(rc));
    CHECK(!strcmp(brain_status_name(brain_last_status()), jstr(jget(c, "expect"), "code")), "status %s",
          brain_status_name(brain_last_status()));
    return PASS;
}

static int case_protocol_version_mismatch(const json *c)
{
    const json *e = jget(c, "expect");
    brain_options o;
    agent_opts(&o, c);
    o.protocol_version = (uint32_t)jint(c, "protocol_version");
    brain_client *cl = NULL;
    int rc = brain_connect(&o, &cl);
    CHECK(rc == BRAIN_E_REFUSED && cl == NULL, "got %s", brain_err_name(rc));
    CHECK(!strcmp(brain_status_name(brain_last_status()), jstr(e, "code")), "status %s",
          brain_status_name(brain_last_status()));
    CHECK(strstr(brain_last_error(), jstr(e, "message_contains")) != NULL, "message: %s", brain_last_error());
    return PASS;
}

static int case_steps(const json *c)
{
    const json *e = jget(c, "expect"), *steps = jget(c, "steps");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(cl, &(brain_run_options){.goal = "conformance steps"}, run, NULL) == BRAIN_OK, "start");
    for (size_t i = 0; i < steps->n; i++) {
        const json *s = &steps->items[i];
        brain_step st = {.run_id = run, .seq = (uint32_t)i + 1, .name = jstr(s, "name"),
                         .status = step_status_value(jstr(s, "status")), .error = jstr(s, "error")};
        CHECK(brain_step_report(cl, &st, NULL) == BRAIN_OK, "step %zu", i + 1);
    }
    CHECK(brain_run_complete(cl, run, jstr(c, "result_json"), NULL) == BRAIN_OK, "complete");
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "not acked");
    brain_stats st;
    brain_get_stats(cl, &st);
    nap_ms(100);
    int rej = count_rejections(cl, NULL);
    brain_close(cl);
    CHECK((long long)st.acked_seq == jint(e, "acked_seq") && st.last_seq == st.acked_seq, "acked %llu last %llu",
          (unsigned long long)st.acked_seq, (unsigned long long)st.last_seq);
    CHECK(rej == jint(e, "rejections"), "%d rejections", rej);
    Brain__V1__Response *r = get_run(run);
    CHECK(r, "GetRun %s failed", run);
    Brain__V1__RunDetail *d = r->run;
    const json *seqs = jget(e, "step_seqs"), *names = jget(e, "step_names"), *stats = jget(e, "step_statuses");
    int ok = !strcmp(run_status_name(d->run->status), jstr(e, "run_status")) &&
             d->run->step_count == jint(e, "step_count") && d->n_steps == (size_t)jint(e, "step_count") &&
             !strcmp(d->run->result_json, jstr(e, "result_json"));
    for (size_t i = 0; ok && i < d->n_steps && i < seqs->n; i++)
        ok = d->steps[i]->seq == jnum(&seqs->items[i]) && !strcmp(d->steps[i]->step_name, names->items[i].s) &&
             !strcmp(step_status_name(d->steps[i]->status), stats->items[i].s);
    if (!ok)
        fprintf(stderr, "    run %s: %s, step_count %u, %zu steps, result %s\n", run, run_status_name(d->run->status),
                d->run->step_count, d->n_steps, d->run->result_json);
    brain__v1__response__free_unpacked(r, NULL);
    CHECK(ok, "the run read back does not match");
    return PASS;
}

static brain_step case_step(const json *c, const char *run)
{
    const json *s = jget(c, "step");
    return (brain_step){.run_id = run, .seq = (uint32_t)jint(s, "seq"), .name = jstr(s, "name"),
                        .input_json = jstr(s, "input_json"), .output_json = jstr(s, "output_json"),
                        .duration_ms = (uint64_t)jint(s, "duration_ms"), .started_at_ns = jint(s, "started_at")};
}

static int case_duplicate_resend(const json *c)
{
    const json *e = jget(c, "expect");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(cl, NULL, run, NULL) == BRAIN_OK, "start");
    brain_step st = case_step(c, run);
    CHECK(brain_step_report(cl, &st, NULL) == BRAIN_OK, "step");
    CHECK(brain_step_report(cl, &st, NULL) == BRAIN_OK, "identical resend");
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "not acked");
    brain_stats stats;
    brain_get_stats(cl, &stats);
    nap_ms(100);
    int rej = count_rejections(cl, NULL);
    brain_close(cl);
    CHECK((long long)stats.acked_seq == jint(e, "acked_seq"), "acked %llu", (unsigned long long)stats.acked_seq);
    CHECK(rej == jint(e, "rejections"), "%d rejections", rej);
    Brain__V1__Response *r = get_run(run);
    CHECK(r, "GetRun %s failed", run);
    int ok = r->run->run->step_count == jint(e, "step_count") && r->run->n_steps == (size_t)jint(e, "step_count");
    brain__v1__response__free_unpacked(r, NULL);
    CHECK(ok, "step count changed");
    return PASS;
}

static int case_conflicting_resend(const json *c)
{
    const json *e = jget(c, "expect");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(cl, NULL, run, NULL) == BRAIN_OK, "start");
    brain_step st = case_step(c, run);
    CHECK(brain_step_report(cl, &st, NULL) == BRAIN_OK, "step");
    st.output_json = jstr(c, "conflicting_output_json");
    uint64_t conflict;
    CHECK(brain_step_report(cl, &st, &conflict) == BRAIN_OK, "conflicting resend");
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "not acked (a rejection counts as handled)");
    brain_stats stats;
    brain_get_stats(cl, &stats);
    brain_rejection first = {0};
    int rej = 0;
    for (int i = 0; i < 100 && rej == 0; i++) {
        rej = count_rejections(cl, &first);
        if (!rej)
            nap_ms(20);
    }
    nap_ms(100);
    rej += count_rejections(cl, NULL);
    brain_close(cl);
    CHECK((long long)stats.acked_seq == jint(e, "acked_seq"), "acked %llu", (unsigned long long)stats.acked_seq);
    CHECK(rej == jint(e, "rejections"), "%d rejections", rej);
    CHECK(!strcmp(brain_status_name(first.code), jstr(e, "rejected_code")), "code %s", brain_status_name(first.code));
    CHECK(first.seq == conflict && (long long)first.seq == jint(e, "rejected_seq"), "rejected seq %llu (conflict %llu)",
          (unsigned long long)first.seq, (unsigned long long)conflict);
    CHECK(first.message[0], "rejection without a message");
    Brain__V1__Response *r = get_run(run);
    CHECK(r, "GetRun %s failed", run);
    int ok = r->run->run->step_count == jint(e, "step_count") && r->run->n_steps == 1 &&
             !strcmp(r->run->steps[0]->output_json, jstr(e, "stored_output_json"));
    brain__v1__response__free_unpacked(r, NULL);
    CHECK(ok, "the stored step changed");
    r = list_errors(run);
    CHECK(r, "ListPersistenceErrors failed");
    int found = 0;
    for (size_t i = 0; i < r->persistence_errors->n_errors; i++) {
        Brain__V1__PersistenceErrorInfo *pe = r->persistence_errors->errors[i];
        if (!strcmp(pe->phase, jstr(e, "persistence_error_phase")) && !strcmp(pe->run_id, run) &&
            !strcmp(pe->agent_name, jstr(e, "persistence_error_agent")))
            found = 1;
    }
    size_t n = r->persistence_errors->n_errors;
    brain__v1__response__free_unpacked(r, NULL);
    CHECK(found, "no persistence error row with phase %s among %zu", jstr(e, "persistence_error_phase"), n);
    return PASS;
}

static int case_oversized_frame(const json *c)
{
    const json *e = jget(c, "expect");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    /* A raw frame whose length prefix exceeds --max-frame-bytes. */
    int fd;
    CHECK(brain__sock_connect(brain.sock, &fd) == BRAIN_OK, "raw connect");
    long frame = (long)jint(c, "frame_bytes");
    size_t body = (size_t)jint(c, "body_bytes_sent");
    uint8_t *raw = calloc(1, 4 + body);
    raw[0] = (uint8_t)(frame >> 24);
    raw[1] = (uint8_t)(frame >> 16);
    raw[2] = (uint8_t)(frame >> 8);
    raw[3] = (uint8_t)frame;
    int64_t deadline = brain__now_ms() + 5000;
    int wrc = brain__write_all(fd, raw, 4 + body, deadline);
    free(raw);
    brain__rxbuf rx = {0};
    Brain__V1__Response *r = NULL;
    int rrc = brain__read_response(fd, &rx, deadline, &r);
    char code[64] = "", message[256] = "";
    if (r) {
        snprintf(code, sizeof code, "%s", r->status ? brain_status_name((brain_status)r->status->code) : "OK");
        snprintf(message, sizeof message, "%s", r->status ? r->status->message : "");
        brain__v1__response__free_unpacked(r, NULL);
        r = NULL;
    }
    int closed_rc = brain__read_response(fd, &rx, brain__now_ms() + 5000, &r);
    if (r)
        brain__v1__response__free_unpacked(r, NULL);
    brain__rx_free(&rx);
    close(fd);
    CHECK(wrc == BRAIN_OK && rrc == BRAIN_OK, "write %s read %s", brain_err_name(wrc), brain_err_name(rrc));
    CHECK(!strcmp(code, jstr(e, "code")) && message[0], "reply %s: %s", code, message);
    CHECK((closed_rc == BRAIN_E_IO) == jbool(e, "closed"), "after the reply: %s (want the connection closed)",
          brain_err_name(closed_rc));
    /* The client's agent connection is unaffected. */
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(cl, NULL, run, NULL) == BRAIN_OK, "start");
    for (uint32_t s = 1; s <= (uint32_t)jint(c, "steps_after"); s++)
        CHECK(brain_step_report(cl, &(brain_step){.run_id = run, .seq = s, .name = "after"}, NULL) == BRAIN_OK, "step");
    CHECK(brain_run_complete(cl, run, NULL, NULL) == BRAIN_OK, "complete");
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "not acked");
    brain_stats st;
    brain_get_stats(cl, &st);
    int rej = count_rejections(cl, NULL);
    brain_close(cl);
    CHECK((long long)st.acked_seq == jint(e, "healthy_acked_seq") && st.reconnects == 0 && rej == 0,
          "acked %llu reconnects %llu rejections %d", (unsigned long long)st.acked_seq,
          (unsigned long long)st.reconnects, rej);
    Brain__V1__Response *g = get_run(run);
    CHECK(g, "GetRun %s failed", run);
    int ok = g->run->run->step_count == jint(e, "healthy_step_count");
    brain__v1__response__free_unpacked(g, NULL);
    CHECK(ok, "steps after the oversized frame are missing");
    return PASS;
}

static int case_reconnect_after_restart(const json *c)
{
    const json *e = jget(c, "expect");
    int runs = (int)jint(c, "runs"), steps = (int)jint(c, "steps_per_run");
    int kill_after = (int)jint(c, "kill_after_run"), restart_after = (int)jint(c, "restart_after_run");
    int flush_after = (int)jint(c, "flush_after_run");
    uint64_t acked_before_kill = 0;
    brain_options o;
    agent_opts(&o, c);
    o.reconnect_timeout_ms = 60000;
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    char (*ids)[BRAIN_RUN_ID_LEN] = calloc((size_t)runs, BRAIN_RUN_ID_LEN);
    int rc = BRAIN_OK, restarted = 1;
    for (int i = 0; i < runs && rc == BRAIN_OK; i++) {
        char goal[32];
        snprintf(goal, sizeof goal, "restart run %d", i);
        rc = brain_run_start(cl, &(brain_run_options){.goal = goal}, ids[i], NULL);
        for (int s = 1; s <= steps && rc == BRAIN_OK; s++) {
            char name[32], in[64];
            snprintf(name, sizeof name, "step-%d", s);
            snprintf(in, sizeof in, "{\"i\":%d,\"s\":%d}", i, s - 1);
            rc = brain_step_report(cl, &(brain_step){.run_id = ids[i], .seq = (uint32_t)s, .name = name, .input_json = in}, NULL);
        }
        if (rc == BRAIN_OK)
            rc = brain_run_complete(cl, ids[i], NULL, NULL);
        if (i == flush_after && rc == BRAIN_OK) {
            rc = brain_wait_acked(cl, 15000);
            brain_stats before;
            brain_get_stats(cl, &before);
            acked_before_kill = before.acked_seq;
        }
        if (i == kill_after)
            brain_stop(SIGKILL);
        if (i == restart_after)
            restarted = brain_start() == 0;
    }
    int wrc = rc == BRAIN_OK ? brain_wait_acked(cl, 60000) : rc;
    brain_stats st;
    brain_get_stats(cl, &st);
    brain_welcome w;
    brain_get_welcome(cl, &w);
    nap_ms(100);
    int rej = count_rejections(cl, NULL);
    brain_close(cl);
    int ok = 1;
    if (restarted && wrc == BRAIN_OK)
        for (int i = 0; i < runs && ok; i++) {
            Brain__V1__Response *r = get_run(ids[i]);
            ok = r && !strcmp(run_status_name(r->run->run->status), jstr(e, "run_status")) &&
                 r->run->run->step_count == jint(e, "step_count") && r->run->n_steps == (size_t)jint(e, "step_count");
            if (!ok)
                fprintf(stderr, "    run %d (%s): %s, step_count %u\n", i, ids[i],
                        r ? run_status_name(r->run->run->status) : "GetRun failed", r ? r->run->run->step_count : 0);
            if (r)
                brain__v1__response__free_unpacked(r, NULL);
        }
    free(ids);
    CHECK(restarted, "restart the brain");
    CHECK(wrc == BRAIN_OK, "publish/ack: %s; acked %llu of %llu", brain_err_name(wrc),
          (unsigned long long)st.acked_seq, (unsigned long long)st.last_seq);
    CHECK((long long)st.acked_seq == jint(e, "acked_seq") && st.last_seq == st.acked_seq && st.unacked == 0,
          "acked %llu last %llu", (unsigned long long)st.acked_seq, (unsigned long long)st.last_seq);
    CHECK(st.reconnects >= 1, "no reconnect");
    CHECK((w.last_seq >= acked_before_kill && acked_before_kill > 0) ==
              jbool(e, "welcome_last_seq_at_least_acked_before_kill"),
          "SERVER: welcome.last_seq %llu after the restart, but seq <= %llu was acked before the SIGKILL",
          (unsigned long long)w.last_seq, (unsigned long long)acked_before_kill);
    CHECK(rej == jint(e, "rejections"), "%d rejections", rej);
    CHECK(ok, "runs lost events across the restart");
    return PASS;
}

static int case_watch(const json *c)
{
    const json *e = jget(c, "expect");
    brain_options o;
    agent_opts(&o, c);
    brain_client *cl;
    CHECK(brain_connect(&o, &cl) == BRAIN_OK, "connect");
    char run[BRAIN_RUN_ID_LEN];
    CHECK(brain_run_start(cl, &(brain_run_options){.goal = "conformance watch"}, run, NULL) == BRAIN_OK, "start");
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "run not acked");
    /* The watch, raw (the library is agent-side only). */
    int fd;
    CHECK(brain__sock_connect(brain.sock, &fd) == BRAIN_OK, "watch connect");
    Brain__V1__WatchRequest w = BRAIN__V1__WATCH_REQUEST__INIT;
    w.run_id = run;
    Brain__V1__Request q = BRAIN__V1__REQUEST__INIT;
    q.call_id = 9;
    q.method_case = BRAIN__V1__REQUEST__METHOD_WATCH;
    q.watch = &w;
    uint8_t *f;
    size_t n;
    int64_t deadline = brain__now_ms() + 10000;
    brain__rxbuf rx = {0};
    Brain__V1__Response *r = NULL;
    int rc = brain__frame_pack(&q, 1 << 20, &f, &n);
    if (rc == BRAIN_OK) {
        rc = brain__write_all(fd, f, n, deadline);
        free(f);
    }
    if (rc == BRAIN_OK)
        rc = brain__read_response(fd, &rx, deadline, &r);
    int first_ok = rc == BRAIN_OK && r->call_id == 9 && r->result_case == BRAIN__V1__RESPONSE__RESULT_WATCH_EVENT &&
                   !strcmp(jstr(e, "first_event"), "run") &&
                   r->watch_event->change_case == BRAIN__V1__WATCH_EVENT__CHANGE_RUN &&
                   !strcmp(run_status_name(r->watch_event->run->status), jstr(e, "first_run_status"));
    if (r)
        brain__v1__response__free_unpacked(r, NULL);
    if (!first_ok) {
        brain__rx_free(&rx);
        close(fd);
        brain_close(cl);
        CHECK(first_ok, "the watch did not start with the run (%s)", brain_err_name(rc));
    }
    int nsteps = (int)jint(c, "steps");
    for (int s = 1; s <= nsteps; s++)
        brain_step_report(cl, &(brain_step){.run_id = run, .seq = (uint32_t)s, .name = "watched"}, NULL);
    brain_run_complete(cl, run, NULL, NULL);
    uint32_t seqs[64];
    size_t got = 0;
    int final = 0;
    while (!final && brain__read_response(fd, &rx, deadline, &r) == BRAIN_OK) {
        if (r->call_id == 9 && r->result_case == BRAIN__V1__RESPONSE__RESULT_WATCH_EVENT) {
            Brain__V1__WatchEvent *ev = r->watch_event;
            if (ev->change_case == BRAIN__V1__WATCH_EVENT__CHANGE_STEP && got < 64)
                seqs[got++] = ev->step->seq;
            if (ev->change_case == BRAIN__V1__WATCH_EVENT__CHANGE_RUN &&
                !strcmp(run_status_name(ev->run->status), jstr(e, "final_run_status")))
                final = 1;
        }
        brain__v1__response__free_unpacked(r, NULL);
    }
    brain__rx_free(&rx);
    close(fd);
    CHECK(brain_wait_acked(cl, 15000) == BRAIN_OK, "not acked");
    brain_close(cl);
    const json *want = jget(e, "step_seqs");
    int ok = got == want->n;
    for (size_t i = 0; ok && i < got; i++)
        ok = seqs[i] == jnum(&want->items[i]);
    CHECK(ok, "watched %zu steps (want %zu in order)", got, want->n);
    CHECK(final, "the watch never showed the run %s", jstr(e, "final_run_status"));
    return PASS;
}

static const struct {
    const char *id;
    int (*fn)(const json *);
} IMPLEMENTED[] = {
    {"hello", case_hello},
    {"wrong_token", case_wrong_token},
    {"protocol_version_mismatch", case_protocol_version_mismatch},
    {"steps", case_steps},
    {"duplicate_resend", case_duplicate_resend},
    {"conflicting_resend", case_conflicting_resend},
    {"oversized_frame", case_oversized_frame},
    {"reconnect_after_restart", case_reconnect_after_restart},
    {"watch", case_watch},
};

/* ================================================================= golden bytes */

/* Builds a protobuf-c message of descriptor d from its proto3-JSON description
 * (proto field names, 64-bit integers as strings, enums by name). NULL on error. */
static ProtobufCMessage *build_message(const ProtobufCMessageDescriptor *d, const json *obj, const char *path);

static int set_value(const ProtobufCFieldDescriptor *f, void *slot, const json *v, const char *path)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        *(int32_t *)slot = (int32_t)jnum(v);
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(uint32_t *)slot = (uint32_t)strtoul(v->s, NULL, 10);
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *(int64_t *)slot = (int64_t)strtoll(v->s, NULL, 10);
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(uint64_t *)slot = (uint64_t)strtoull(v->s, NULL, 10);
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)slot = v->b;
        return 0;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)slot = strtod(v->s, NULL);
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
        *(float *)slot = strtof(v->s, NULL);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev =
            v->t == J_STR ? protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, v->s) : NULL;
        if (!ev) {
            fprintf(stderr, "    %s.%s: unknown enum value\n", path, f->name);
            return -1;
        }
        *(int *)slot = ev->value;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING:
        *(char **)slot = strdup(v->s ? v->s : "");
        return 0;
    case PROTOBUF_C_TYPE_MESSAGE: {
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", path, f->name);
        ProtobufCMessage *m = build_message(f->descriptor, v, sub);
        *(ProtobufCMessage **)slot = m;
        return m ? 0 : -1;
    }
    default:
        fprintf(stderr, "    %s.%s: field type %d not supported here\n", path, f->name, (int)f->type);
        return -1;
    }
}

static size_t slot_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    default:
        return 4;
    }
}

static ProtobufCMessage *build_message(const ProtobufCMessageDescriptor *d, const json *obj, const char *path)
{
    if (!obj || obj->t != J_OBJ) {
        fprintf(stderr, "    %s: expected an object\n", path);
        return NULL;
    }
    ProtobufCMessage *m = calloc(1, d->sizeof_message);
    d->message_init(m);
    for (size_t i = 0; i < obj->n; i++) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, obj->keys[i]);
        const json *v = &obj->items[i];
        if (!f) {
            fprintf(stderr, "    %s: no field %s in %s\n", path, obj->keys[i], d->name);
            protobuf_c_message_free_unpacked(m, NULL);
            return NULL;
        }
        char *member = (char *)m + f->offset;
        int rc = 0;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t sz = slot_size(f);
            char *arr = calloc(v->n ? v->n : 1, sz);
            *(void **)member = arr;
            *(size_t *)((char *)m + f->quantifier_offset) = v->n;
            for (size_t k = 0; k < v->n && rc == 0; k++)
                rc = set_value(f, arr + k * sz, &v->items[k], path);
        } else {
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                *(uint32_t *)((char *)m + f->quantifier_offset) = f->id;
            rc = set_value(f, member, v, path);
        }
        if (rc) {
            protobuf_c_message_free_unpacked(m, NULL);
            return NULL;
        }
    }
    return m;
}

/* Compares one scalar/message value with its description; 0 when equal. */
static int check_message(const ProtobufCMessageDescriptor *d, const ProtobufCMessage *m, const json *obj, const char *path);

static int check_value(const ProtobufCFieldDescriptor *f, const void *slot, const json *v, const char *path)
{
    char buf[64];
    const char *want = v ? v->s : NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        snprintf(buf, sizeof buf, "%d", *(const int32_t *)slot);
        break;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        snprintf(buf, sizeof buf, "%u", *(const uint32_t *)slot);
        break;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(buf, sizeof buf, "%lld", (long long)*(const int64_t *)slot);
        break;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)slot);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        snprintf(buf, sizeof buf, "%s", *(const protobuf_c_boolean *)slot ? "true" : "false");
        want = v ? (v->b ? "true" : "false") : NULL;
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)slot);
        snprintf(buf, sizeof buf, "%s", ev ? ev->name : "?");
        break;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *got = *(char *const *)slot;
        if (v && got && !strcmp(got, want))
            return 0;
        fprintf(stderr, "    %s.%s: decoded \"%s\", described \"%s\"\n", path, f->name, got ? got : "(null)",
                want ? want : "(absent)");
        return 1;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", path, f->name);
        return check_message(f->descriptor, *(ProtobufCMessage *const *)slot, v, sub);
    }
    default:
        fprintf(stderr, "    %s.%s: field type %d not supported here\n", path, f->name, (int)f->type);
        return 1;
    }
    if (v && want && !strcmp(buf, want))
        return 0;
    fprintf(stderr, "    %s.%s: decoded %s, described %s\n", path, f->name, buf, want ? want : "(absent)");
    return 1;
}

static int is_zero(const ProtobufCFieldDescriptor *f, const void *slot)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)slot;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(void *const *)slot == NULL;
    default: {
        const unsigned char *p = slot;
        for (size_t i = 0; i < slot_size(f); i++)
            if (p[i])
                return 0;
        return 1;
    }
    }
}

/* Every field of m must equal its description, and fields not described must be unset. */
static int check_message(const ProtobufCMessageDescriptor *d, const ProtobufCMessage *m, const json *obj, const char *path)
{
    if (!m || !obj || obj->t != J_OBJ) {
        fprintf(stderr, "    %s: %s\n", path, m ? "described as absent but decoded" : "described but not decoded");
        return 1;
    }
    int bad = 0;
    for (size_t i = 0; i < obj->n; i++)
        if (!protobuf_c_message_descriptor_get_field_by_name(d, obj->keys[i])) {
            fprintf(stderr, "    %s: no field %s in %s\n", path, obj->keys[i], d->name);
            bad++;
        }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const json *v = jget(obj, f->name);
        const char *member = (const char *)m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
            size_t want = v ? v->n : 0;
            if (n != want) {
                fprintf(stderr, "    %s.%s: decoded %zu items, described %zu\n", path, f->name, n, want);
                bad++;
                continue;
            }
            const char *arr = *(char *const *)member;
            for (size_t k = 0; k < n; k++)
                bad += check_value(f, arr + k * slot_size(f), &v->items[k], path);
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)((const char *)m + f->quantifier_offset);
            if (which == f->id)
                bad += check_value(f, member, v, path);
            else if (v) {
                fprintf(stderr, "    %s.%s: described but another oneof case (%u) decoded\n", path, f->name, which);
                bad++;
            }
        } else if (v) {
            bad += check_value(f, member, v, path);
        } else if (!is_zero(f, member)) {
            fprintf(stderr, "    %s.%s: decoded a value, described as unset\n", path, f->name);
            bad++;
        }
    }
    return bad;
}

static char golden_names[32][64];
static int n_golden;

static int golden_load(const char *name, json *desc, const ProtobufCMessageDescriptor **d, uint8_t **pb, size_t *pb_len)
{
    const char *dir = getenv("BRAIN_CONFORMANCE_DIR") ? getenv("BRAIN_CONFORMANCE_DIR") : CONFORMANCE_DIR;
    char path[600];
    snprintf(path, sizeof path, "%s/golden/%s.json", dir, name);
    if (jload(path, desc))
        return -1;
    const char *kind = jstr(desc, "message");
    *d = kind && !strcmp(kind, "brain.v1.Request") ? &brain__v1__request__descriptor
       : kind && !strcmp(kind, "brain.v1.Response") ? &brain__v1__response__descriptor : NULL;
    snprintf(path, sizeof path, "%s/golden/%s.pb", dir, name);
    *pb = read_file(path, pb_len);
    if (!*d || !*pb) {
        fprintf(stderr, "    %s: unknown message kind or missing .pb\n", name);
        jfree(desc);
        free(*pb);
        return -1;
    }
    return 0;
}

static void hex_dump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "    %s (%zu bytes):", label, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s%02x", i % 32 ? "" : "\n      ", p[i]);
    fprintf(stderr, "\n");
}

static int golden_encode(const char *name)
{
    json desc;
    const ProtobufCMessageDescriptor *d;
    uint8_t *pb;
    size_t pb_len;
    if (golden_load(name, &desc, &d, &pb, &pb_len))
        return FAIL;
    ProtobufCMessage *m = build_message(d, jget(&desc, "value"), d->short_name);
    int ok = 0;
    if (m) {
        size_t n = protobuf_c_message_get_packed_size(m);
        uint8_t *out = malloc(n ? n : 1);
        protobuf_c_message_pack(m, out);
        ok = n == pb_len && memcmp(out, pb, n) == 0;
        if (!ok) {
            hex_dump("protobuf-c", out, n);
            hex_dump("golden .pb", pb, pb_len);
        }
        free(out);
        protobuf_c_message_free_unpacked(m, NULL);
    }
    jfree(&desc);
    free(pb);
    CHECK(ok, "protobuf-c's encoding of %s differs from golden/%s.pb", name, name);
    return PASS;
}

static int golden_decode(const char *name)
{
    json desc;
    const ProtobufCMessageDescriptor *d;
    uint8_t *pb;
    size_t pb_len;
    if (golden_load(name, &desc, &d, &pb, &pb_len))
        return FAIL;
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, pb_len, pb);
    int bad = m ? check_message(d, m, jget(&desc, "value"), d->short_name) : 1;
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    jfree(&desc);
    free(pb);
    CHECK(bad == 0, "golden/%s.pb does not decode to its description (%d differences)", name, bad);
    return PASS;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    const char *dir = getenv("BRAIN_CONFORMANCE_DIR") ? getenv("BRAIN_CONFORMANCE_DIR") : CONFORMANCE_DIR;
    char path[600];
    snprintf(path, sizeof path, "%s/cases.json", dir);
    json spec;
    if (jload(path, &spec))
        return 1;
    int passed = 0, failed = 0, skipped = 0;
#define REPORT(r, fmt, ...)                                                  \
    do {                                                                     \
        printf("%s " fmt "\n", (r) == PASS ? "PASS" : (r) == SKIP ? "SKIP" : "FAIL", __VA_ARGS__); \
        passed += (r) == PASS;                                               \
        failed += (r) == FAIL;                                               \
        skipped += (r) == SKIP;                                              \
    } while (0)

    /* Golden bytes: every <name>.json in golden/. */
    snprintf(path, sizeof path, "%s/golden", dir);
    DIR *gd = opendir(path);
    struct dirent *de;
    while (gd && (de = readdir(gd)) && n_golden < 32) {
        size_t l = strlen(de->d_name);
        if (l > 5 && l < 64 + 5 && !strcmp(de->d_name + l - 5, ".json"))
            snprintf(golden_names[n_golden++], 64, "%.*s", (int)(l - 5), de->d_name);
    }
    if (gd)
        closedir(gd);
    qsort(golden_names, (size_t)n_golden, sizeof golden_names[0], cmp_names);
    int r = n_golden >= 4 ? PASS : FAIL;
    REPORT(r, "golden: %d messages in %s", n_golden, path);
    for (int i = 0; i < n_golden; i++) {
        r = golden_encode(golden_names[i]);
        REPORT(r, "golden encode %s", golden_names[i]);
        r = golden_decode(golden_names[i]);
        REPORT(r, "golden decode %s", golden_names[i]);
    }

    /* The wire cases, against a real brain. */
    strcpy(brain_dir, "/tmp/bc-c-XXXXXX");
    if (!mkdtemp(brain_dir)) {
        perror("mkdtemp");
        return 1;
    }
    brain_process_init(&brain, brain_dir);
    snprintf(max_frame_arg, sizeof max_frame_arg, "%lld", jint(jget(&spec, "brain"), "max_frame_bytes"));
    brain.extra[0] = "--max-frame-bytes";
    brain.extra[1] = max_frame_arg;
    brain.extra[2] = NULL;
    int have_brain = access(brain.bin, X_OK) == 0;
    int started = have_brain && brain_start() == 0;
    if (!have_brain)
        printf("note: no brain binary at %s (set BRAIN_BIN); the cases are skipped\n", brain.bin);
    const json *cases = jget(&spec, "cases");
    for (size_t i = 0; cases && i < cases->n; i++) {
        const json *c = &cases->items[i];
        const char *id = jstr(c, "id");
        int (*fn)(const json *) = NULL;
        for (size_t k = 0; k < sizeof IMPLEMENTED / sizeof IMPLEMENTED[0]; k++)
            if (id && !strcmp(IMPLEMENTED[k].id, id))
                fn = IMPLEMENTED[k].fn;
        if (!fn) {
            fprintf(stderr, "    case %s of cases.json has no C implementation\n", id ? id : "(no id)");
            r = FAIL;
        } else if (!have_brain) {
            r = SKIP;
        } else if (brain.pid <= 0 && brain_start() != 0) {
            r = FAIL;
        } else {
            r = fn(c);
        }
        REPORT(r, "case %s", id ? id : "(no id)");
    }
    (void)started;
    brain_stop(SIGTERM);
    if (failed && have_brain) {
        printf("brain log kept in %s\n", brain.log);
    } else {
        nftw(brain_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    jfree(&spec);
    if (skipped)
        printf("%d skipped\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
