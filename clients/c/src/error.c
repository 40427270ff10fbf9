/* Thread-local last error and the names of codes. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static __thread char last_error[512];
static __thread brain_status last_status;

int brain__fail(int err, brain_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_status = status;
    return err;
}

const char *brain_last_error(void) { return last_error; }

brain_status brain_last_status(void) { return last_status; }

const char *brain_err_name(int err)
{
    switch (err) {
    case BRAIN_OK: return "BRAIN_OK";
    case BRAIN_E_INVALID: return "BRAIN_E_INVALID";
    case BRAIN_E_PATH_TOO_LONG: return "BRAIN_E_PATH_TOO_LONG";
    case BRAIN_E_CONNECT: return "BRAIN_E_CONNECT";
    case BRAIN_E_IO: return "BRAIN_E_IO";
    case BRAIN_E_PROTOCOL: return "BRAIN_E_PROTOCOL";
    case BRAIN_E_REFUSED: return "BRAIN_E_REFUSED";
    case BRAIN_E_BUFFER_FULL: return "BRAIN_E_BUFFER_FULL";
    case BRAIN_E_TIMEOUT: return "BRAIN_E_TIMEOUT";
    case BRAIN_E_FAILED: return "BRAIN_E_FAILED";
    case BRAIN_E_NOMEM: return "BRAIN_E_NOMEM";
    default: return "BRAIN_E_UNKNOWN";
    }
}

const char *brain_status_name(brain_status code)
{
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
        "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    };
    if ((unsigned)code < sizeof names / sizeof names[0])
        return names[code];
    return "UNKNOWN_STATUS";
}
