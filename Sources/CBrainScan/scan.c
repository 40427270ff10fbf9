#include "CBrainScan.h"

#include <pthread.h>
#include <string.h>

// The value scanner's first test, vectorised: its byte-pair table costs about two cycles a
// byte, most of a secret check on an ordinary string; nibble shuffles over 32 bytes at once
// answer the same question (may a secret start here?) in a fraction of a cycle a byte.
//
// Each pair class is a bucket: a set of first bytes and the set of bytes that may follow
// them. A byte's buckets are found as the AND of two 16-entry lookups, one by its low nibble
// and one by its high nibble, so a bucket's set is the product of the nibbles its members
// use: exact when the set is such a product (all but one bucket here), a superset otherwise.
// Sixteen buckets take two 8-bit lookups. The list mirrors WakingPairs.wakes in BrainCore;
// a test holds every one of the 65,536 pairs to it (nothing the table wakes on may be missed).

typedef struct {
    const char *first;
    const char *next; // NULL: any byte, the end of the text included
} bucket;

static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static const bucket buckets[16] = {
    {"e", "y"},              // JWT: eyJ...
    {"Bb", "EeAa"},          // Bearer, Basic
    {"A", upper},            // AWS access keys (AKIA..., ASIA...): the nibbles add @[\]^_
    {"A", "i"},              // Google API keys: AIza...
    {"g", "hil"},            // GitHub, GitLab tokens
    {"x", "oa"},             // Slack tokens
    {"spr", "k"},            // Stripe, OpenAI keys
    {"w", "h"},              // Stripe webhook secrets: whsec_
    {"S", "GK"},             // SendGrid, Twilio keys
    {"y", "a"},              // other tokens
    {"n", "p"},              // npm tokens
    {"h", "fo"},             // Hugging Face tokens, ...
    {"-", "-"},              // PEM blocks
    {":=", NULL},            // a credential URI's or an assignment's middle
    {"@", NULL},             // an email's middle
    {"", ""},                // unused
};

// [set][nibble]: set 0 = first byte low nibble, 1 = first byte high nibble, 2 = next byte low,
// 3 = next byte high; buckets 0-7 in lookups[0], 8-15 in lookups[1].
static uint8_t lookups[2][4][16] __attribute__((aligned(32)));

static void add(uint8_t table_low[16], uint8_t table_high[16], const char *bytes, uint8_t bit) {
    if (bytes == NULL) {
        for (int nibble = 0; nibble < 16; nibble++) {
            table_low[nibble] |= bit;
            table_high[nibble] |= bit;
        }
        return;
    }
    for (const unsigned char *byte = (const unsigned char *)bytes; *byte != 0; byte++) {
        table_low[*byte & 0x0F] |= bit;
        table_high[*byte >> 4] |= bit;
    }
}

static void build_lookups(void) {
    for (int index = 0; index < 16; index++) {
        uint8_t(*set)[16] = lookups[index / 8];
        uint8_t bit = (uint8_t)(1u << (index % 8));
        add(set[0], set[1], buckets[index].first, bit);
        add(set[2], set[3], buckets[index].next, bit);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2"))) static inline __m256i broadcast(const uint8_t table[16]) {
    return _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)table));
}

// The 32 pairs at `at`: a bit per position, set where a bucket holds the pair.
__attribute__((target("avx2"))) static inline uint32_t wakes32(const uint8_t *at, const __m256i tables[2][4]) {
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    __m256i first = _mm256_loadu_si256((const __m256i *)at);
    __m256i next = _mm256_loadu_si256((const __m256i *)(at + 1));
    __m256i first_low = _mm256_and_si256(first, low_nibbles);
    __m256i first_high = _mm256_and_si256(_mm256_srli_epi16(first, 4), low_nibbles);
    __m256i next_low = _mm256_and_si256(next, low_nibbles);
    __m256i next_high = _mm256_and_si256(_mm256_srli_epi16(next, 4), low_nibbles);
    __m256i any = _mm256_setzero_si256();
    for (int set = 0; set < 2; set++) {
        __m256i buckets_first = _mm256_and_si256(_mm256_shuffle_epi8(tables[set][0], first_low), _mm256_shuffle_epi8(tables[set][1], first_high));
        __m256i buckets_next = _mm256_and_si256(_mm256_shuffle_epi8(tables[set][2], next_low), _mm256_shuffle_epi8(tables[set][3], next_high));
        any = _mm256_or_si256(any, _mm256_and_si256(buckets_first, buckets_next));
    }
    return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(any, _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static uint64_t wakes64_avx2(const uint8_t *text, size_t count, size_t from) {
    __m256i tables[2][4];
    for (int set = 0; set < 2; set++) {
        for (int kind = 0; kind < 4; kind++) tables[set][kind] = broadcast(lookups[set][kind]);
    }
    // 64 positions read 65 bytes; near the end they are read from a zero-padded copy (the
    // byte after the last is 0, as the scanner's table loop has it).
    if (count - from >= 65) {
        return (uint64_t)wakes32(text + from, tables) | (uint64_t)wakes32(text + from + 32, tables) << 32;
    }
    uint8_t padded[96] = {0};
    size_t left = count - from;
    memcpy(padded, text + from, left);
    uint64_t mask = (uint64_t)wakes32(padded, tables) | (uint64_t)wakes32(padded + 32, tables) << 32;
    return left >= 64 ? mask : mask & ((UINT64_C(1) << left) - 1);
}
#endif

static int available;
static pthread_once_t prepared = PTHREAD_ONCE_INIT;

static void prepare(void) {
    build_lookups();
#if defined(__x86_64__)
    available = __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
}

int cbrain_scan_available(void) {
    pthread_once(&prepared, prepare);
    return available;
}

uint64_t cbrain_scan_wakes64(const uint8_t *text, size_t count, size_t from) {
#if defined(__x86_64__)
    if (from < count) return wakes64_avx2(text, count, from);
#else
    (void)text;
    (void)count;
    (void)from;
#endif
    return 0;
}
