#ifndef CBRAIN_CRC32C_H
#define CBRAIN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes, continuing from `crc` (0 to start).
/// Uses the SSE4.2 crc32 instruction when the CPU has it, else a table.
uint32_t cbrain_crc32c(uint32_t crc, const void *bytes, size_t length);

#endif
