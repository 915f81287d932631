/* rate_limit.c - rate-limit middleware with CL.THROTTLE: each API key may
 * make 10 requests a minute with bursts of 5; the middleware answers 429
 * with Retry-After when the key is over its limit, and fails open (lets
 * the request through) if the limiter cannot be reached.
 *
 *   build/examples/rate_limit [host port]
 */
#include <string.h>

#include "example.h"

struct response {
    int status;
    long long remaining, retry_after_s;
};

/* The middleware: decide before the handler runs. */
static struct response throttle_middleware(struct surge *s, const char *api_key)
{
    char key[128];
    snprintf(key, sizeof(key), "ratelimit:%s", api_key);
    struct surge_throttle_result t;
    int rc = surge_throttle(s, key, 4, 10, 60, 1, &t); /* burst 5, 10 per 60 s */
    if (rc < 0) {
        return (struct response){200, -1, -1}; /* fail open */
    }
    if (!t.allowed) {
        return (struct response){429, t.remaining, t.retry_after_s};
    }
    return (struct response){200, t.remaining, -1};
}

int main(int argc, char **argv)
{
    struct surge *s = example_connect(argc, argv, 2);
    int ok = 0, limited = 0;
    for (int i = 0; i < 7; i++) {
        struct response r = throttle_middleware(s, "key-42");
        if (r.status == 200) {
            printf("GET /api/orders -> 200 (remaining %lld)\n", r.remaining);
            ok++;
        } else {
            printf("GET /api/orders -> 429 (retry after %s)\n",
                   r.retry_after_s > 0 ? "a few seconds" : "?");
            limited++;
        }
    }
    struct response other = throttle_middleware(s, "key-7");
    printf("another key -> %d (remaining %lld)\n", other.status, other.remaining);
    printf("%d allowed, %d limited\n", ok, limited);
    surge_free(&s);
    return 0;
}
