/* cmd_cache_policy.c - CACHE.POLICY and what policies do to plain writes.
 *
 *   CACHE.POLICY SET pattern [TTL s] [SWR s] [MAXTTL s] [LEASE ms] [BYPASS]
 *   CACHE.POLICY GET pattern | DEL pattern | MATCH key | LIST | SAVE | HELP
 *
 * SET and DEL propagate as received (their arguments are absolute), so
 * the AOF and replicas hold the same table. With
 * cache-policy-plain-commands yes, a plain write (SET, HSET, ZADD, ...)
 * to a key governed by a policy with TTL or MAXTTL leaves the key with a
 * deadline: the policy's TTL when it has none, clamped to MAXTTL; the
 * change propagates as PEXPIREAT after the command.
 */
#include <errno.h>
#include <string.h>

#include "server/cache_policy.h"
#include "server/cmd.h"
#include "server/cmd_cache.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/propagate.h"
#include "server/server.h"

/* TTL, SWR, MAXTTL, LEASE (cache_policy_opts order), then BYPASS. */
static const struct cmd_opt policy_words[] = {
    {"ttl", 0, 0, true}, {"swr", 0, 0, true}, {"maxttl", 0, 0, true}, {"lease", 0, 0, true},
    {"bypass", 1, 0, false},
};

static int policy_args_or_reply(struct client *c, struct cache_policy *p)
{
    int at[CACHE_POLICY_NOPTS + 1] = {0};
    unsigned flags = 0;
    if (cmd_opts_parse_or_reply(c, 3, policy_words, CACHE_POLICY_NOPTS + 1, &flags, at) < 0) {
        return -EINVAL;
    }
    p->bypass = flags != 0;
    for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
        long long v;
        if (at[k] == 0) {
            continue;
        }
        if (arg_ll_or_reply(c, at[k], &v) < 0) {
            return -EINVAL;
        }
        if (cache_policy_opt_set(p, k, v) < 0) {
            reply_errorf(REPLY(c), "ERR invalid %s in 'cache.policy|set' command",
                         cache_policy_opts[k].name);
            return -EINVAL;
        }
    }
    if (p->maxttl_ms >= 0 && p->ttl_ms > p->maxttl_ms) {
        reply_error(REPLY(c), "ERR TTL is above MAXTTL");
        return -EINVAL;
    }
    return 0;
}

void cmd_cache_policy_set(struct client *c)
{
    struct cache_policy p = {c->argv[2].ptr, c->argv[2].len, -1, -1, -1, -1, false};
    if (p.plen == 0 || p.plen > CACHE_POLICY_PATTERN_MAX) {
        reply_errorf(REPLY(c), "ERR pattern must be 1 to %d bytes", CACHE_POLICY_PATTERN_MAX);
        return;
    }
    if (policy_args_or_reply(c, &p) < 0) {
        return;
    }
    if (cache_policy_set(&p) < 0) {
        reply_errorf(REPLY(c), "ERR too many cache policies (at most %d)", CACHE_POLICY_MAX);
        return;
    }
    prop_verbatim_without(c, c->argc, 0); /* as received: the options are absolute */
    reply_ok(REPLY(c));
}

void cmd_cache_policy_del(struct client *c)
{
    bool gone = cache_policy_del(c->argv[2].ptr, c->argv[2].len);
    if (gone) {
        prop_verbatim_without(c, c->argc, 0);
    }
    reply_int(REPLY(c), gone);
}

static void reply_policy(struct client *c, const struct cache_policy *p)
{
    if (p == NULL) {
        reply_null(REPLY(c));
        return;
    }
    reply_map_len(REPLY(c), 2 + CACHE_POLICY_NOPTS);
    reply_bulk_cstr(REPLY(c), "pattern");
    reply_bulk(REPLY(c), p->pattern, p->plen);
    for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
        reply_bulk_cstr(REPLY(c), cache_policy_opts[k].name);
        reply_int(REPLY(c), cache_policy_opt_get(p, k));
    }
    reply_bulk_cstr(REPLY(c), "bypass");
    reply_int(REPLY(c), p->bypass);
}

void cmd_cache_policy_get(struct client *c)
{
    reply_policy(c, cache_policy_get(c->argv[2].ptr, c->argv[2].len));
}

void cmd_cache_policy_match(struct client *c)
{
    reply_policy(c, cache_policy_match(c->argv[2].ptr, c->argv[2].len));
}

void cmd_cache_policy_list(struct client *c)
{
    size_t n = cache_policy_count();
    reply_array_len(REPLY(c), (long long)n);
    for (size_t i = 0; i < n; i++) {
        reply_policy(c, cache_policy_at(i));
    }
}

void cmd_cache_policy_save(struct client *c)
{
    const char *path = server.cfg->cache_policy_file;
    if (path[0] == '\0') {
        reply_error(REPLY(c), "ERR cache-policy-file is not set");
        return;
    }
    int rc = cache_policy_save_file(path);
    if (rc < 0) {
        reply_errorf(REPLY(c), "ERR Saving the cache policies to %s: %s", path, strerror(-rc));
        return;
    }
    reply_ok(REPLY(c));
}

void cmd_cache_policy_help(struct client *c)
{
    static const char *const lines[] = {
        "SET <pattern> [TTL <s>] [SWR <s>] [MAXTTL <s>] [LEASE <ms>] [BYPASS]",
        "    Add or replace the policy for keys matching the glob-style <pattern>.",
        "GET <pattern>",
        "    Return the policy with exactly this pattern.",
        "DEL <pattern>",
        "    Remove the policy with exactly this pattern.",
        "MATCH <key>",
        "    Return the policy governing <key> (the longest matching pattern).",
        "LIST",
        "    Return every policy, longest pattern first.",
        "SAVE",
        "    Write the policies to cache-policy-file.",
        "HELP",
        "    Print this help.",
        NULL,
    };
    cmd_reply_help(c, lines);
}

/* ---- CACHE.* and plain writes ---- */

const struct cache_policy *cache_policy_or_reply(struct client *c, bool *refused)
{
    const struct cache_policy *p = cache_policy_match(c->argv[1].ptr, c->argv[1].len);
    *refused = p != NULL && p->bypass;
    if (*refused) {
        reply_errorf(REPLY(c), "BYPASS key '%.*s' matches the never-cache policy '%.*s'",
                     (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len), c->argv[1].ptr,
                     (int)p->plen, p->pattern);
    }
    return p;
}

static void policy_bound_key(struct client *c, const char *key, size_t len)
{
    const struct cache_policy *p = cache_policy_match(key, len);
    struct entry *e;
    if (p == NULL || (p->ttl_ms < 0 && p->maxttl_ms < 0) ||
        (e = db_lookup(c->db, key, len, DB_LOOKUP_NOSTATS | DB_LOOKUP_NOTOUCH)) == NULL) {
        return;
    }
    int64_t cur = entry_has_expire(e) ? entry_expire(e) : -1;
    int64_t want = cur;
    if (want < 0) {
        want = server.now_ms + (p->ttl_ms >= 0 ? p->ttl_ms : p->maxttl_ms);
    }
    if (p->maxttl_ms >= 0 && want > server.now_ms + p->maxttl_ms) {
        want = server.now_ms + p->maxttl_ms;
    }
    if (want != cur) {
        db_set_expire(c->db, e, want);
        prop_cmd_begin(c->db_id, 3);
        prop_arg_str("PEXPIREAT");
        prop_arg(key, len);
        prop_arg_ll(want);
        prop_cmd_end(false);
    }
}

void cache_policy_after_write(struct client *c, const struct command *cmd)
{
    if (cmd->first_key <= 0 || cmd->group == GROUP_SURGE) {
        return;
    }
    int last = cmd->last_key < 0 ? c->argc + cmd->last_key : cmd->last_key;
    int step = cmd->key_step > 0 ? cmd->key_step : 1;
    for (int i = cmd->first_key; i <= last && i < c->argc; i += step) {
        policy_bound_key(c, c->argv[i].ptr, c->argv[i].len);
    }
}
