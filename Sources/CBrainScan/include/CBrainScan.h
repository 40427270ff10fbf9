#ifndef CBRAIN_SCAN_H
#define CBRAIN_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU runs `cbrain_scan_wakes64` (x86-64 with AVX2; checked once). Without
/// it the value scanner keeps its byte-pair table loop.
int cbrain_scan_available(void);

/// The byte pairs that may start a secret, 64 at a time: bit k of the result is set when
/// the pair at `from + k` (the byte and the one after it, 0 after the last) is in one of the
/// buckets the value scanner wakes on (its WakingPairs). A superset: a set bit is checked
/// again against the exact table; a pair the table holds always has its bit. Positions at
/// or past `count` have no bit. Reads no byte at or past `count`. Only call it where
/// `cbrain_scan_available()` says so.
uint64_t cbrain_scan_wakes64(const uint8_t *text, size_t count, size_t from);

#endif
