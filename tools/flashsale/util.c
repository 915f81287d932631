/* util.c - clock, random numbers, directories. */
#include "tools/flashsale/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int64_t fs_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void fs_sleep_us(int64_t us)
{
    if (us <= 0) {
        return;
    }
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

void fs_rng_seed(struct fs_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (r->s == 0) {
        r->s = 1;
    }
}

uint64_t fs_rng_next(struct fs_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

double fs_rng_unit(struct fs_rng *r)
{
    return (double)(fs_rng_next(r) >> 11) / 9007199254740992.0;
}

uint32_t fs_rng_below(struct fs_rng *r, uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)((fs_rng_next(r) >> 32) % n);
}

double fs_rng_exp(struct fs_rng *r, double mean)
{
    return -mean * log(1.0 - fs_rng_unit(r));
}

int fs_mkdirs(const char *path)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof(buf)) {
        return -EINVAL;
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') {
            continue;
        }
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
            return -errno;
        }
        buf[i] = saved;
    }
    return 0;
}
