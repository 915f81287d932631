/* cmd_inv.c - inventory holds for flash sales: INV.SET, INV.RESERVE,
 * INV.CONFIRM, INV.RELEASE, INV.GET.
 *
 * A SKU is a hash: `stock` (units on hand, held ones included), `sold`,
 * and one field `hold:<id>` per reservation, holding its units, with a
 * per-field deadline (HEXPIRE's machinery). Available = stock - live
 * holds, so a hold that is not confirmed in time gives its units back by
 * expiring - actively, or at the next look. The sum and count of holds are
 * kept in `held` / `holds`; when the count of hold fields no longer
 * matches (some expired) they are recomputed once, so a reservation costs
 * O(1) however many holds are open. Reservations are atomic (one
 * loop thread), never take available below zero, and are idempotent per
 * id. Everything propagates as plain hash commands (HSET, HPEXPIREAT,
 * HINCRBY, HDEL), so the AOF and replicas need nothing special.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server/cmd.h"
#include "server/cmd_hash.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/propagate.h"
#include "server/util.h"

#define HOLD_PREFIX "hold:"
#define HOLD_PREFIX_LEN 5
#define INV_ID_MAX 256

struct inv_counts {
    long long stock, sold, held, holds;
    bool recounted; /* held/holds were recomputed: store them */
};

static const char *const inv_fixed[] = {"stock", "sold", "held", "holds"};

static long long inv_field(const struct hash_obj *h, const char *name)
{
    const char *v;
    size_t vlen;
    long long n = 0;
    if (h != NULL && hash_get(h, name, strlen(name), &v, &vlen)) {
        util_parse_ll(v, vlen, &n);
    }
    return n;
}

static void inv_sum_hold(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct inv_counts *k = arg;
    long long n;
    if (flen > HOLD_PREFIX_LEN && memcmp(f, HOLD_PREFIX, HOLD_PREFIX_LEN) == 0 &&
        util_parse_ll(v, vlen, &n) == 0) {
        k->held += n;
        k->holds++;
    }
}

static void inv_counts(const struct hash_obj *h, struct inv_counts *k)
{
    memset(k, 0, sizeof(*k));
    if (h == NULL) {
        return;
    }
    k->stock = inv_field(h, "stock");
    k->sold = inv_field(h, "sold");
    k->held = inv_field(h, "held");
    k->holds = inv_field(h, "holds");
    long long fixed = 0;
    for (size_t i = 0; i < sizeof(inv_fixed) / sizeof(inv_fixed[0]); i++) {
        const char *v;
        size_t vlen;
        fixed += hash_get(h, inv_fixed[i], strlen(inv_fixed[i]), &v, &vlen);
    }
    if ((long long)hash_len(h) - fixed != k->holds) { /* holds expired: count again */
        k->held = k->holds = 0;
        hash_foreach(h, inv_sum_hold, k);
        k->recounted = true;
    }
}

/* Store held/holds (and propagate them) after a change of the holds. */
static void inv_store_totals(struct client *c, struct hash_obj *h, long long held,
                             long long holds)
{
    struct hash_limits lim = hash_limits_now();
    char a[32], b[32];
    int al = snprintf(a, sizeof(a), "%lld", held), bl = snprintf(b, sizeof(b), "%lld", holds);
    hash_set(h, "held", 4, a, (size_t)al, &lim);
    hash_set(h, "holds", 5, b, (size_t)bl, &lim);
    prop_cmd_begin(c->db_id, 6);
    prop_arg_str("HSET");
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    prop_arg_str("held");
    prop_arg(a, (size_t)al);
    prop_arg_str("holds");
    prop_arg(b, (size_t)bl);
}

/* "hold:<id>" for argv[i]; false (error replied) when the id is too long. */
static bool inv_hold_name_or_reply(struct client *c, int i, char *out, size_t *len)
{
    if (c->argv[i].len == 0 || c->argv[i].len > INV_ID_MAX) {
        reply_errorf(REPLY(c), "ERR hold id must be 1 to %d bytes", INV_ID_MAX);
        return false;
    }
    memcpy(out, HOLD_PREFIX, HOLD_PREFIX_LEN);
    memcpy(out + HOLD_PREFIX_LEN, c->argv[i].ptr, c->argv[i].len);
    *len = HOLD_PREFIX_LEN + c->argv[i].len;
    return true;
}

static void prop_hash_field(struct client *c, const char *cmd, const char *f, size_t flen,
                            long long v, bool with_value)
{
    prop_cmd_begin(c->db_id, with_value ? 4 : 3);
    prop_arg_str(cmd);
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    prop_arg(f, flen);
    if (with_value) {
        prop_arg_ll(v);
    }
}

/* INV.SET sku qty */
void cmd_inv_set(struct client *c)
{
    long long qty;
    if (arg_ll_or_reply(c, 2, &qty) < 0) {
        return;
    }
    if (qty < 0) {
        reply_error(REPLY(c), "ERR quantity must be 0 or more");
        return;
    }
    struct hash_obj *h = hash_write_or_reply(c);
    if (h == NULL) {
        return;
    }
    char num[32];
    struct hash_limits lim = hash_limits_now();
    hash_set(h, "stock", 5, num, (size_t)snprintf(num, sizeof(num), "%lld", qty), &lim);
    db_modified(c->db, c->argv[1].ptr, c->argv[1].len);
    prop_hash_field(c, "HSET", "stock", 5, qty, true);
    prop_cmd_end(true);
    reply_ok(REPLY(c));
}

/* INV.RESERVE sku qty id HOLD seconds */
void cmd_inv_reserve(struct client *c)
{
    long long qty, secs;
    if (!arg_is(c, 4, "hold")) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (arg_ll_or_reply(c, 2, &qty) < 0 || arg_ll_or_reply(c, 5, &secs) < 0) {
        return;
    }
    if (qty <= 0 || secs <= 0 || secs > 100LL * 365 * 24 * 3600) {
        reply_error(REPLY(c), qty <= 0 ? "ERR quantity must be greater than 0"
                                       : "ERR invalid hold time");
        return;
    }
    char f[HOLD_PREFIX_LEN + INV_ID_MAX];
    size_t flen;
    bool wrong;
    if (!inv_hold_name_or_reply(c, 3, f, &flen)) {
        return;
    }
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    struct inv_counts k;
    inv_counts(h, &k);
    const char *v;
    size_t vlen;
    if (h != NULL && hash_get(h, f, flen, &v, &vlen)) {
        reply_int(REPLY(c), k.stock - k.held); /* a retry: already held */
        return;
    }
    if (k.stock - k.held < qty) {
        reply_errorf(REPLY(c), "SOLDOUT only %lld left", k.stock - k.held > 0 ? k.stock - k.held
                                                                            : 0);
        return;
    }
    h = hash_write_or_reply(c);
    char num[32];
    struct hash_limits lim = hash_limits_now();
    hash_set(h, f, flen, num, (size_t)snprintf(num, sizeof(num), "%lld", qty), &lim);
    int64_t when = server.now_ms + secs * 1000;
    hash_set_field_expire(h, f, flen, when);
    db_index_deadline(c->db, c->argv[1].ptr, c->argv[1].len, when);
    db_modified(c->db, c->argv[1].ptr, c->argv[1].len);
    prop_multi_begin();
    prop_hash_field(c, "HSET", f, flen, qty, true);
    prop_cmd_begin(c->db_id, 6);
    prop_arg_str("HPEXPIREAT");
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    prop_arg_ll(when);
    prop_arg_str("FIELDS");
    prop_arg_ll(1);
    prop_arg(f, flen);
    inv_store_totals(c, h, k.held + qty, k.holds + 1);
    prop_multi_end();
    prop_cmd_end(true);
    reply_int(REPLY(c), k.stock - k.held - qty);
}

/* The live hold of argv[2] in the hash at argv[1]; its units in *qty. */
static struct hash_obj *inv_hold_or_reply(struct client *c, char *f, size_t *flen,
                                          long long *qty, bool quiet)
{
    bool wrong;
    if (!inv_hold_name_or_reply(c, 2, f, flen)) {
        return NULL;
    }
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return NULL;
    }
    const char *v;
    size_t vlen;
    if (h == NULL || !hash_get(h, f, *flen, &v, &vlen) || util_parse_ll(v, vlen, qty) < 0) {
        if (!quiet) {
            reply_error(REPLY(c), "NOHOLD no such hold (never made, released or expired)");
        } else {
            reply_int(REPLY(c), 0);
        }
        return NULL;
    }
    return h;
}

/* A hold ends: confirmed (its units are sold; replies them, an unknown
 * hold is an error) or released (available again; replies 1, or 0 for an
 * unknown hold). */
static void inv_end_hold(struct client *c, bool sold)
{
    char f[HOLD_PREFIX_LEN + INV_ID_MAX];
    size_t flen;
    long long qty;
    struct hash_obj *h = inv_hold_or_reply(c, f, &flen, &qty, !sold);
    if (h == NULL) {
        return;
    }
    struct inv_counts k;
    inv_counts(h, &k);
    hash_del(h, f, flen);
    if (sold) {
        char num[32];
        struct hash_limits lim = hash_limits_now();
        hash_set(h, "stock", 5, num, (size_t)snprintf(num, sizeof(num), "%lld", k.stock - qty),
                 &lim);
        hash_set(h, "sold", 4, num, (size_t)snprintf(num, sizeof(num), "%lld", k.sold + qty),
                 &lim);
    }
    db_modified(c->db, c->argv[1].ptr, c->argv[1].len);
    prop_multi_begin();
    if (sold) {
        prop_hash_field(c, "HINCRBY", "stock", 5, -qty, true);
        prop_hash_field(c, "HINCRBY", "sold", 4, qty, true);
    }
    prop_hash_field(c, "HDEL", f, flen, 0, false);
    inv_store_totals(c, h, k.held - qty, k.holds - 1);
    prop_multi_end();
    prop_cmd_end(true);
    reply_int(REPLY(c), sold ? qty : 1);
}

/* INV.CONFIRM sku id: the held units are sold. */
void cmd_inv_confirm(struct client *c)
{
    inv_end_hold(c, true);
}

/* INV.RELEASE sku id: the held units are available again. */
void cmd_inv_release(struct client *c)
{
    inv_end_hold(c, false);
}

/* INV.GET sku: [available, held, sold]. */
void cmd_inv_get(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    struct inv_counts k;
    inv_counts(h, &k);
    reply_array_len(REPLY(c), 3);
    reply_int(REPLY(c), k.stock - k.held);
    reply_int(REPLY(c), k.held);
    reply_int(REPLY(c), k.sold);
}
