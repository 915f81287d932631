/* gcra.c - see gcra.h. */
#include "server/gcra.h"

#define NS_PER_S 1000000000LL

/* Whole seconds, rounded up: a client waits a little too long rather than
 * too short (as redis-cell reports them). */
static long long ceil_seconds(int64_t ns)
{
    return (long long)((ns + NS_PER_S - 1) / NS_PER_S);
}

void gcra_apply(int64_t now_ns, int64_t tat_ns, long long max_burst, long long count,
                long long period_s, long long quantity, struct gcra_result *r)
{
    int64_t emission = (int64_t)((__int128)period_s * NS_PER_S / count);
    r->limit = max_burst + 1;
    int64_t tolerance = emission * r->limit;
    int64_t increment = emission * quantity;
    int64_t tat = tat_ns < 0 || tat_ns < now_ns ? now_ns : tat_ns;
    int64_t new_tat = tat + increment;
    int64_t allow_at = new_tat - tolerance;
    int64_t diff = now_ns - allow_at;
    int64_t ttl;
    r->retry_after_s = -1;
    if (diff < 0) {
        r->limited = true;
        if (increment <= tolerance) {
            r->retry_after_s = ceil_seconds(-diff);
        }
        ttl = tat - now_ns;
        r->new_tat_ns = tat;
    } else {
        r->limited = false;
        ttl = new_tat - now_ns;
        r->new_tat_ns = new_tat;
    }
    int64_t next = tolerance - ttl;
    r->remaining = next > -emission ? (long long)(next / emission) : 0;
    r->reset_after_s = ceil_seconds(ttl);
    r->ttl_ns = ttl;
}
