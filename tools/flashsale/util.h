/* util.h - clock, random numbers and small helpers of the flash-sale tool. */
#ifndef FLASHSALE_UTIL_H
#define FLASHSALE_UTIL_H

#include <stdbool.h>
#include <stdint.h>

/* Monotonic microseconds. */
int64_t fs_now_us(void);
/* Sleep for us microseconds (restarts after signals). */
void fs_sleep_us(int64_t us);

/* xorshift64* generator: one per thread, seeded differently. */
struct fs_rng {
    uint64_t s;
};

void fs_rng_seed(struct fs_rng *r, uint64_t seed);
uint64_t fs_rng_next(struct fs_rng *r);
/* Uniform in [0, 1). */
double fs_rng_unit(struct fs_rng *r);
/* Uniform integer in [0, n). */
uint32_t fs_rng_below(struct fs_rng *r, uint32_t n);
/* Exponentially distributed with this mean. */
double fs_rng_exp(struct fs_rng *r, double mean);

/* A directory and its parents (mkdir -p); 0 or a negative errno. */
int fs_mkdirs(const char *path);

#endif
