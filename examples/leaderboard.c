/* leaderboard.c - a top-10 leaderboard: scores live in a sorted set
 * (ZINCRBY per event); the rendered top 10 is micro-cached for 2 s with
 * get_or_load, so a page viewed thousands of times a second asks the
 * sorted set at most once per 2 s.
 *
 *   build/examples/leaderboard [host port]
 */
#include <hiredis.h>
#include <string.h>

#include "example.h"

#define BOARD "leaderboard:weekly"

static int renders;

/* The loader: ZREVRANGE 0 9 WITHSCORES, rendered as lines "rank name score". */
static int render_top10(void *arg, const char *key, struct surge_load *ld)
{
    struct surge *s = arg;
    (void)key;
    redisReply *r;
    int rc = surge_command(s, &r, "ZREVRANGE %s 0 9 WITHSCORES", BOARD);
    if (rc < 0) {
        return rc;
    }
    char text[1024];
    size_t n = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%2zu. %-8s %s\n", i / 2 + 1,
                              r->element[i]->str, r->element[i + 1]->str);
    }
    surge_reply_free(r);
    renders++;
    return surge_load_set(ld, text, n);
}

int main(int argc, char **argv)
{
    struct surge *s = example_connect(argc, argv, 2);
    static const char *const players[] = {"ada", "bo", "cy", "dee", "eli", "fay", "gus",
                                          "hal", "ivy", "jo", "kit", "lu", "max", "ned"};
    for (int i = 0; i < 14; i++) {
        for (int k = 0; k <= i % 5; k++) { /* a few events each */
            redisReply *r;
            example_check(surge_command(s, &r, "ZINCRBY %s %d %s", BOARD, 10 + i, players[i]),
                          "ZINCRBY");
            surge_reply_free(r);
        }
    }
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.ttl_s = 2;
    struct surge_result res;
    for (int view = 0; view < 3; view++) {
        example_check(surge_get_or_load(s, "page:" BOARD, render_top10, s, &o, &res), "top10");
        if (view == 0) {
            printf("%s", res.value);
        }
        surge_result_free(&res);
    }
    printf("3 views, %d render\n", renders);
    surge_free(&s);
    return 0;
}
