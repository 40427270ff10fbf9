/* Brain wire helpers shared by brain-load and pingpong (protobuf-c, committed code). */
#ifndef BENCH_WIRE_H
#define BENCH_WIRE_H

#include "brain.pb-c.h"
#include "common.h"

/* Append one length-prefixed Request frame to b; returns the frame size. */
size_t wire_append_request(buf_t *b, const Brain__V1__Request *req);

/* Blocking: send hello, wait for the welcome (call id 1). Dies on refusal.
   Returns welcome.last_seq. */
uint64_t wire_hello(int fd, const char *agent, const char *token);

/* Blocking: read one Response frame (body into *rx), unpack it. Caller frees with
   brain__v1__response__free_unpacked(r, NULL). Returns NULL on EOF. `frame_len` gets the
   body size. */
Brain__V1__Response *wire_read_response(int fd, buf_t *rx, size_t *frame_len);

/* Append a publish of a RunCreated / StepReported / RunStatusChanged event. */
size_t wire_publish_run_created(buf_t *b, uint64_t seq, const char *run_id, const char *goal,
                                int64_t at);
size_t wire_publish_step(buf_t *b, uint64_t seq, const char *run_id, uint32_t step_seq,
                         const char *name, const char *output_json, int64_t at);
size_t wire_publish_completed(buf_t *b, uint64_t seq, const char *run_id, int64_t at);

const char *status_name(int code);

#endif
