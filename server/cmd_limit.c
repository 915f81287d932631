/* cmd_limit.c - CL.THROTTLE: GCRA rate limiting with redis-cell's
 * arguments and five-integer reply (server/gcra.h has the arithmetic).
 *
 * The key is a string holding the theoretical arrival time in nanoseconds
 * (as redis-cell stores it), with a deadline when it stops mattering. An
 * allowed call propagates as SET key <tat> PXAT <deadline>, so the AOF and
 * replicas hold the same state; a limited call changes nothing.
 */
#include <errno.h>

#include "server/cmd.h"
#include "server/errors.h"
#include "server/gcra.h"
#include "server/handlers.h"
#include "server/propagate.h"
#include "server/util.h"

static int throttle_args_or_reply(struct client *c, long long v[4])
{
    static const char *const what[] = {"max_burst", "count per period", "period", "quantity"};
    v[3] = 1;
    for (int i = 0; i < 4 && i + 2 < c->argc; i++) {
        if (arg_ll_or_reply(c, i + 2, &v[i]) < 0) {
            return -EINVAL;
        }
        if (v[i] < (i == 1 || i == 2 ? 1 : 0)) {
            reply_errorf(REPLY(c), "ERR %s must be %s", what[i],
                         i == 1 || i == 2 ? "greater than 0" : "0 or more");
            return -EINVAL;
        }
    }
    if (c->argc > 6) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    if (v[2] > 100LL * 365 * 24 * 3600 || v[0] > 1000000000LL) {
        reply_error(REPLY(c), "ERR value is not an integer or out of range");
        return -EINVAL;
    }
    return 0;
}

void cmd_cl_throttle(struct client *c)
{
    long long v[4];
    if (throttle_args_or_reply(c, v) < 0) {
        return;
    }
    const char *key = c->argv[1].ptr;
    size_t klen = c->argv[1].len;
    struct entry *e = db_lookup_write(c->db, key, klen);
    long long tat = -1;
    if (e != NULL) {
        if (entry_type(e) != ENTRY_STRING) {
            reply_error(REPLY(c), ERR_WRONGTYPE);
            return;
        }
        struct entry_str s;
        entry_str(e, &s);
        if (util_parse_ll(s.p, s.len, &tat) < 0) {
            reply_error(REPLY(c), "ERR value is not an integer or out of range");
            return;
        }
    }
    int64_t now_ns = server_ustime() * 1000;
    struct gcra_result r;
    gcra_apply(now_ns, tat, v[0], v[1], v[2], v[3], &r);
    if (!r.limited && v[3] > 0 && r.ttl_ns > 0) {
        int64_t deadline_ms = (now_ns + r.ttl_ns + 999999) / 1000000;
        db_set(c->db, entry_new_int(key, klen, r.new_tat_ns, deadline_ms));
        prop_cmd_begin(c->db_id, 5);
        prop_arg_str("SET");
        prop_arg(key, klen);
        prop_arg_ll(r.new_tat_ns);
        prop_arg_str("PXAT");
        prop_arg_ll(deadline_ms);
        prop_cmd_end(true);
    }
    reply_array_len(REPLY(c), 5);
    reply_int(REPLY(c), r.limited ? 1 : 0);
    reply_int(REPLY(c), r.limit);
    reply_int(REPLY(c), r.remaining);
    reply_int(REPLY(c), r.retry_after_s);
    reply_int(REPLY(c), r.reset_after_s);
}
