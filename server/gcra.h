/* gcra.h - the generic cell rate algorithm behind CL.THROTTLE, with the
 * arithmetic of the redis-cell module (so its clients get the same
 * answers). Pure code: times are nanoseconds given by the caller.
 *
 * A key allows max_burst + 1 actions at once and count actions per period
 * seconds on average. Its state is one number, the theoretical arrival
 * time (TAT) of the next action.
 */
#ifndef SURGE_SERVER_GCRA_H
#define SURGE_SERVER_GCRA_H

#include <stdbool.h>
#include <stdint.h>

struct gcra_result {
    bool limited;
    long long limit;          /* max_burst + 1 */
    long long remaining;
    long long retry_after_s;  /* -1 when allowed */
    long long reset_after_s;
    int64_t new_tat_ns;       /* store when !limited */
    int64_t ttl_ns;           /* how long the stored TAT matters */
};

/* tat_ns < 0: no state yet. Arguments must be max_burst >= 0, count > 0,
 * period_s > 0, quantity >= 0 (the caller checks). */
void gcra_apply(int64_t now_ns, int64_t tat_ns, long long max_burst, long long count,
                long long period_s, long long quantity, struct gcra_result *r);

#endif
