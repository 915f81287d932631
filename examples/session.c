/* session.c - a session as a hash with a sliding TTL: every request reads
 * the session and pushes its expiry out again, so an active
 * user stays signed in and an idle one is signed out after 30 minutes.
 *
 *   build/examples/session [host port]
 */
#include <hiredis.h>
#include <string.h>

#include "example.h"

#define SESSION_TTL_S 1800

static void check_reply(int rc, redisReply *r, const char *what)
{
    example_check(rc, what);
    if (r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "%s: %s\n", what, r->str);
        exit(1);
    }
}

static void run(struct surge *s, const char *fmt, const char *id)
{
    redisReply *r;
    int rc = surge_command(s, &r, fmt, id);
    check_reply(rc, r, fmt);
    surge_reply_free(r);
}

static void sign_in(struct surge *s, const char *id, const char *user)
{
    redisReply *r;
    int rc = surge_command(s, &r, "HSET session:%s user %s views 0", id, user);
    check_reply(rc, r, "HSET");
    surge_reply_free(r);
    run(s, "EXPIRE session:%s 60", id); /* a short TTL, slid on the first request */
}

/* One request: count the view, read the session, slide the TTL. Three
 * commands, each atomic; none depends on another's result, so they need no
 * transaction (the pool may run them on different connections). */
static void request(struct surge *s, const char *id)
{
    redisReply *r;
    run(s, "HINCRBY session:%s views 1", id);
    int rc = surge_command(s, &r, "HGETALL session:%s", id);
    check_reply(rc, r, "HGETALL");
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        printf("request: signed out\n");
        surge_reply_free(r);
        return;
    }
    printf("request:");
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        printf(" %s=%s", r->element[i]->str, r->element[i + 1]->str);
    }
    printf("\n");
    surge_reply_free(r);
    rc = surge_command(s, &r, "EXPIRE session:%s %d", id, SESSION_TTL_S);
    check_reply(rc, r, "EXPIRE");
    surge_reply_free(r);
}

int main(int argc, char **argv)
{
    struct surge *s = example_connect(argc, argv, 2);
    const char *id = "f3a9c2";
    sign_in(s, id, "alice");
    for (int i = 0; i < 3; i++) {
        request(s, id);
    }
    redisReply *r;
    int rc = surge_command(s, &r, "TTL session:%s", id);
    check_reply(rc, r, "TTL");
    printf("ttl slid to %s\n", r->integer > 60 && r->integer <= SESSION_TTL_S ? "1800" : "?");
    surge_reply_free(r);
    surge_free(&s);
    return 0;
}
