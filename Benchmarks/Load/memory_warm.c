/* memory-warm: what a fresh page of memory costs on this machine, and a way to make the
 * next ones cheap.
 *
 * Maps --mib MiB of anonymous memory, writes one byte per 4 KiB page, reports the cost per
 * page, and unmaps it. On bare metal a fresh page costs well under a microsecond. On a VM
 * whose free memory is handed back to the host (virtio-balloon free page reporting), a page
 * the guest takes from reported memory costs a host fault as well: ~20 us was measured here,
 * once a process had grown by more than the ~0.6-1 GiB the guest keeps unreported. Pages
 * this program frees go back to the guest's free lists, where the next process to grow
 * (the brain, Redis) finds them without a host fault. bench-snapshot runs it before each
 * pair of loads so that both loads of a pair pay the same price for memory, and the pair
 * compares the snapshot, not the host.
 *
 * usage: memory-warm [--mib N (256)] [--json]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"

int main(int argc, char **argv)
{
    uint64_t mib = 256;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mib")) {
            mib = parse_u64(a, v);
            i++;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else {
            fprintf(stderr, "usage: memory-warm [--mib N (256)] [--json]\n"
                            "  maps N MiB, writes each 4 KiB page once, prints the cost per page, unmaps.\n");
            return strcmp(a, "--help") && strcmp(a, "-h") ? 2 : 0;
        }
    }
    if (mib == 0 || mib > (1u << 20))
        die("--mib must be between 1 and 1048576");
    size_t bytes = (size_t)mib << 20, page = 4096, pages = bytes / page;
    uint8_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("cannot map %llu MiB: %s", (unsigned long long)mib, strerror(errno));
    uint64_t t0 = now_ns();
    for (size_t o = 0; o < bytes; o += page)
        p[o] = 1;
    uint64_t t1 = now_ns();
    munmap(p, bytes);
    double us_per_page = (double)(t1 - t0) / 1e3 / (double)pages;
    if (json)
        printf("{\"mib\":%llu,\"pages\":%zu,\"us_per_page\":%.2f,\"seconds\":%.3f}\n", (unsigned long long)mib, pages,
               us_per_page, (double)(t1 - t0) / 1e9);
    else
        printf("%llu MiB: %zu pages, %.2f us per fresh page (%.3f s)\n", (unsigned long long)mib, pages, us_per_page,
               (double)(t1 - t0) / 1e9);
    return 0;
}
