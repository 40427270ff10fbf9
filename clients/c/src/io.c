/* Blocking-with-deadline socket helpers and the hello/welcome handshake. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

int brain__sock_connect(const char *path, int *fd_out)
{
    struct sockaddr_un sa;
    size_t n = strlen(path);
    if (n >= BRAIN_MAX_SOCKET_PATH || n >= sizeof sa.sun_path)
        return brain__fail(BRAIN_E_PATH_TOO_LONG, BRAIN_STATUS_OK,
                           "socket path is %zu bytes; Unix socket paths must be shorter "
                           "than %d bytes: %s", n, BRAIN_MAX_SOCKET_PATH, path);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brain__fail(BRAIN_E_CONNECT, BRAIN_STATUS_OK, "socket(): %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        return brain__fail(BRAIN_E_CONNECT, BRAIN_STATUS_OK,
                           "cannot connect to the brain at %s: %s", path, strerror(e));
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    *fd_out = fd;
    return BRAIN_OK;
}

static int wait_fd(int fd, short events, int64_t deadline_ms, const char *what)
{
    for (;;) {
        int64_t left = deadline_ms - brain__now_ms();
        if (left <= 0)
            return brain__fail(BRAIN_E_TIMEOUT, BRAIN_STATUS_OK, "timed out %s", what);
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > 1000 ? 1000 : (int)left);
        if (r > 0)
            return BRAIN_OK;
        if (r < 0 && errno != EINTR)
            return brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "poll(): %s", strerror(errno));
    }
}

int brain__write_all(int fd, const uint8_t *p, size_t n, int64_t deadline_ms)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(fd, POLLOUT, deadline_ms, "writing to the brain");
            if (rc)
                return rc;
            continue;
        }
        return brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "writing to the brain: %s",
                           strerror(errno));
    }
    return BRAIN_OK;
}

int brain__read_response(int fd, brain__rxbuf *rx, int64_t deadline_ms,
                         Brain__V1__Response **out)
{
    for (;;) {
        const uint8_t *body;
        size_t len;
        int r = brain__rx_next(rx, BRAIN__MAX_RESPONSE_BYTES, &body, &len);
        if (r < 0)
            return r;
        if (r == 1) {
            *out = brain__v1__response__unpack(NULL, len, body);
            if (!*out)
                return brain__fail(BRAIN_E_PROTOCOL, BRAIN_STATUS_OK,
                                   "the brain sent a frame that is not a Response");
            return BRAIN_OK;
        }
        if (brain__rx_reserve(rx, 4096))
            return BRAIN_E_NOMEM;
        ssize_t n = read(fd, rx->data + rx->len, rx->cap - rx->len);
        if (n > 0) {
            rx->len += (size_t)n;
            continue;
        }
        if (n == 0)
            return brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK,
                               "the brain closed the connection");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return brain__fail(BRAIN_E_IO, BRAIN_STATUS_OK, "reading from the brain: %s",
                               strerror(errno));
        int rc = wait_fd(fd, POLLIN, deadline_ms, "waiting for the brain's reply");
        if (rc)
            return rc;
    }
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int brain__handshake(const char *path, const uint8_t *hello, size_t hello_len,
                     uint32_t timeout_ms, brain__rxbuf *rx, int *fd_out, brain_welcome *w)
{
    int64_t deadline = brain__now_ms() + timeout_ms;
    int fd = -1;
    Brain__V1__Response *resp = NULL;
    brain__rx_clear(rx);
    int rc = brain__sock_connect(path, &fd);
    if (rc == BRAIN_OK)
        rc = brain__write_all(fd, hello, hello_len, deadline);
    if (rc == BRAIN_OK)
        rc = brain__read_response(fd, rx, deadline, &resp);
    if (rc == BRAIN_OK) {
        if (resp->status && resp->status->code != BRAIN__V1__STATUS_CODE__OK) {
            brain_status st = (brain_status)resp->status->code;
            rc = brain__fail(BRAIN_E_REFUSED, st, "the brain refused the hello: %s: %s",
                             brain_status_name(st), resp->status->message);
        } else if (resp->result_case != BRAIN__V1__RESPONSE__RESULT_WELCOME) {
            rc = brain__fail(BRAIN_E_PROTOCOL, BRAIN_STATUS_OK,
                             "the brain answered the hello without a welcome (result %d)",
                             (int)resp->result_case);
        } else {
            const Brain__V1__Welcome *wm = resp->welcome;
            memset(w, 0, sizeof *w);
            copy_str(w->agent_id, sizeof w->agent_id, wm->agent_id);
            copy_str(w->project, sizeof w->project, wm->project);
            w->heartbeat_interval_ms = wm->heartbeat_interval_ms;
            w->heartbeat_timeout_ms = wm->heartbeat_timeout_ms;
            w->last_seq = wm->last_seq;
            w->registered = wm->registered ? 1 : 0;
            w->protocol_version = wm->protocol_version;
        }
        brain__v1__response__free_unpacked(resp, NULL);
    }
    if (rc != BRAIN_OK) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *fd_out = fd;
    return BRAIN_OK;
}
