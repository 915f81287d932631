/* pubsub.c - see pubsub.h. */
#include "server/pubsub.h"

#include <string.h>

#include "server/cmd.h"
#include "server/conn.h"
#include "server/dict.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/util.h"

struct pubsub_channel {
    struct dict_node node;
    struct client **subs;
    int nsubs, cap;
    size_t len;
    char name[];
};

struct pubsub_pattern {
    struct client *c;
    char *pat;
    size_t len;
};

static struct dict pubsub_channels;
static bool pubsub_ready;
static struct pubsub_pattern *pubsub_patterns;
static int pubsub_npatterns, pubsub_patterns_cap;

static void channel_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct pubsub_channel *ch = (const struct pubsub_channel *)n;
    *key = ch->name;
    *len = ch->len;
}

static struct pubsub_channel *channel_find(const char *name, size_t len, bool create)
{
    if (!pubsub_ready) {
        dict_init(&pubsub_channels, channel_key);
        pubsub_ready = true;
    }
    uint64_t h = dict_hash(name, len);
    struct pubsub_channel *ch = (struct pubsub_channel *)dict_find(&pubsub_channels, name, len, h);
    if (ch == NULL && create) {
        ch = mem_calloc(sizeof(*ch) + len + 1);
        memcpy(ch->name, name, len);
        ch->len = len;
        dict_add(&pubsub_channels, &ch->node, h);
    }
    return ch;
}

static int client_count(const struct client *c)
{
    return c->nchannels + c->npatterns;
}

bool pubsub_is_subscribed(const struct client *c)
{
    return client_count(c) > 0;
}

/* ["subscribe", channel, count] and friends; a NULL name is a nil. */
static void reply_sub_event(struct client *c, const char *kind, const char *name, size_t len)
{
    reply_push_len(REPLY(c), 3);
    reply_bulk_cstr(REPLY(c), kind);
    if (name != NULL) {
        reply_bulk(REPLY(c), name, len);
    } else {
        reply_null(REPLY(c));
    }
    reply_int(REPLY(c), client_count(c));
}

static void grow(void **arr, int *cap, int need, size_t elem)
{
    if (need > *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *arr = mem_realloc(*arr, elem * (size_t)*cap);
    }
}

static void subscribe_one(struct client *c, const char *name, size_t len)
{
    struct pubsub_channel *ch = channel_find(name, len, true);
    bool already = false;
    for (int i = 0; i < c->nchannels; i++) {
        already |= c->channels[i] == ch;
    }
    if (!already) {
        grow((void **)&ch->subs, &ch->cap, ch->nsubs + 1, sizeof(*ch->subs));
        ch->subs[ch->nsubs++] = c;
        grow((void **)&c->channels, &c->channels_cap, c->nchannels + 1, sizeof(*c->channels));
        c->channels[c->nchannels++] = ch;
    }
    reply_sub_event(c, "subscribe", name, len);
}

/* Remove c from channel index i of its list; frees an empty channel. */
static void unsubscribe_at(struct client *c, int i, bool notify)
{
    struct pubsub_channel *ch = c->channels[i];
    c->channels[i] = c->channels[--c->nchannels];
    for (int k = 0; k < ch->nsubs; k++) {
        if (ch->subs[k] == c) {
            ch->subs[k] = ch->subs[--ch->nsubs];
            break;
        }
    }
    if (notify) {
        reply_sub_event(c, "unsubscribe", ch->name, ch->len);
    }
    if (ch->nsubs == 0) {
        dict_unlink(&pubsub_channels, ch->name, ch->len, dict_hash(ch->name, ch->len));
        mem_free(ch->subs);
        mem_free(ch);
    }
}

static void unsubscribe_one(struct client *c, const char *name, size_t len)
{
    for (int i = 0; i < c->nchannels; i++) {
        if (c->channels[i]->len == len && memcmp(c->channels[i]->name, name, len) == 0) {
            unsubscribe_at(c, i, true);
            return;
        }
    }
    reply_sub_event(c, "unsubscribe", name, len);
}

static void psubscribe_one(struct client *c, const char *pat, size_t len)
{
    bool already = false;
    for (int i = 0; i < c->npatterns; i++) {
        already |= strlen(c->patterns[i]) == len && memcmp(c->patterns[i], pat, len) == 0;
    }
    if (!already) {
        grow((void **)&c->patterns, &c->patterns_cap, c->npatterns + 1, sizeof(*c->patterns));
        char *copy = mem_strndup(pat, len);
        c->patterns[c->npatterns++] = copy;
        grow((void **)&pubsub_patterns, &pubsub_patterns_cap, pubsub_npatterns + 1,
             sizeof(*pubsub_patterns));
        pubsub_patterns[pubsub_npatterns++] = (struct pubsub_pattern){c, copy, len};
    }
    reply_sub_event(c, "psubscribe", pat, len);
}

static void punsubscribe_at(struct client *c, int i, bool notify)
{
    char *pat = c->patterns[i];
    c->patterns[i] = c->patterns[--c->npatterns];
    for (int k = 0; k < pubsub_npatterns; k++) {
        if (pubsub_patterns[k].pat == pat) {
            pubsub_patterns[k] = pubsub_patterns[--pubsub_npatterns];
            break;
        }
    }
    if (notify) {
        reply_sub_event(c, "punsubscribe", pat, strlen(pat));
    }
    mem_free(pat);
}

static void punsubscribe_one(struct client *c, const char *pat, size_t len)
{
    for (int i = 0; i < c->npatterns; i++) {
        if (strlen(c->patterns[i]) == len && memcmp(c->patterns[i], pat, len) == 0) {
            punsubscribe_at(c, i, true);
            return;
        }
    }
    reply_sub_event(c, "punsubscribe", pat, len);
}

void pubsub_reset_client(struct client *c)
{
    while (c->nchannels > 0) {
        unsubscribe_at(c, c->nchannels - 1, false);
    }
    while (c->npatterns > 0) {
        punsubscribe_at(c, c->npatterns - 1, false);
    }
    mem_free(c->channels);
    mem_free(c->patterns);
    c->channels = NULL;
    c->patterns = NULL;
    c->channels_cap = c->patterns_cap = 0;
}

bool pubsub_allowed_or_reply(struct client *c, const struct command *cmd)
{
    if (c->resp > 2 || !pubsub_is_subscribed(c)) {
        return true;
    }
    cmd_fn fn = cmd->fn;
    if (fn == cmd_subscribe || fn == cmd_unsubscribe || fn == cmd_psubscribe ||
        fn == cmd_punsubscribe || fn == cmd_ping || fn == cmd_quit || fn == cmd_reset) {
        return true;
    }
    reply_errorf(REPLY(c),
                 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT "
                 "/ RESET are allowed in this context",
                 cmd->name);
    return false;
}

void cmd_subscribe(struct client *c)
{
    for (int i = 1; i < c->argc; i++) {
        subscribe_one(c, c->argv[i].ptr, c->argv[i].len);
    }
}

void cmd_psubscribe(struct client *c)
{
    for (int i = 1; i < c->argc; i++) {
        psubscribe_one(c, c->argv[i].ptr, c->argv[i].len);
    }
}

/* UNSUBSCRIBE / PUNSUBSCRIBE: the named ones, or all (a nil event when
 * there were none). */
static void unsubscribe_generic(struct client *c, const char *kind, const int *count,
                                void (*drop_first)(struct client *c),
                                void (*drop_one)(struct client *c, const char *n, size_t len))
{
    if (c->argc == 1 && *count == 0) {
        reply_sub_event(c, kind, NULL, 0);
    }
    while (c->argc == 1 && *count > 0) {
        drop_first(c);
    }
    for (int i = 1; i < c->argc; i++) {
        drop_one(c, c->argv[i].ptr, c->argv[i].len);
    }
}

static void unsubscribe_first(struct client *c)
{
    unsubscribe_at(c, 0, true);
}

static void punsubscribe_first(struct client *c)
{
    punsubscribe_at(c, 0, true);
}

void cmd_unsubscribe(struct client *c)
{
    unsubscribe_generic(c, "unsubscribe", &c->nchannels, unsubscribe_first, unsubscribe_one);
}

void cmd_punsubscribe(struct client *c)
{
    unsubscribe_generic(c, "punsubscribe", &c->npatterns, punsubscribe_first, punsubscribe_one);
}

static void deliver(struct client *to, const char *pat, size_t plen, const struct client *from)
{
    const struct resp_arg *ch = &from->argv[1], *msg = &from->argv[2];
    struct reply_buf *b = REPLY(to);
    reply_push_len(b, pat != NULL ? 4 : 3);
    reply_bulk_cstr(b, pat != NULL ? "pmessage" : "message");
    if (pat != NULL) {
        reply_bulk(b, pat, plen);
    }
    reply_bulk(b, ch->ptr, ch->len);
    reply_bulk(b, msg->ptr, msg->len);
    conn_wake(to);
}

void cmd_publish(struct client *c)
{
    long long receivers = 0;
    struct pubsub_channel *ch = channel_find(c->argv[1].ptr, c->argv[1].len, false);
    for (int i = 0; ch != NULL && i < ch->nsubs; i++) {
        deliver(ch->subs[i], NULL, 0, c);
        receivers++;
    }
    for (int i = 0; i < pubsub_npatterns; i++) {
        struct pubsub_pattern *p = &pubsub_patterns[i];
        if (util_glob_match(p->pat, p->len, c->argv[1].ptr, c->argv[1].len, false)) {
            deliver(p->c, p->pat, p->len, c);
            receivers++;
        }
    }
    reply_int(REPLY(c), receivers);
}

struct channels_ctx {
    struct client *c;
    const struct resp_arg *pat;
    long long n;
};

static void channels_one(struct dict_node *n, void *arg)
{
    struct channels_ctx *ctx = arg;
    struct pubsub_channel *ch = (struct pubsub_channel *)n;
    if (ctx->pat == NULL || util_glob_match(ctx->pat->ptr, ctx->pat->len, ch->name, ch->len, false)) {
        reply_bulk(REPLY(ctx->c), ch->name, ch->len);
        ctx->n++;
    }
}

void cmd_pubsub_channels(struct client *c)
{
    if (c->argc > 3) {
        reply_errorf(REPLY(c), "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    struct channels_ctx ctx = {c, c->argc == 3 ? &c->argv[2] : NULL, 0};
    size_t handle = reply_defer_len(REPLY(c));
    if (pubsub_ready) {
        dict_foreach(&pubsub_channels, channels_one, &ctx);
    }
    reply_set_array_len(REPLY(c), handle, ctx.n);
}

void cmd_pubsub_numsub(struct client *c)
{
    reply_map_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct pubsub_channel *ch = channel_find(c->argv[i].ptr, c->argv[i].len, false);
        reply_bulk(REPLY(c), c->argv[i].ptr, c->argv[i].len);
        reply_int(REPLY(c), ch != NULL ? ch->nsubs : 0);
    }
}

void cmd_pubsub_numpat(struct client *c)
{
    /* Unique patterns, as Redis counts them. */
    long long n = 0;
    for (int i = 0; i < pubsub_npatterns; i++) {
        bool seen = false;
        for (int k = 0; k < i && !seen; k++) {
            seen = pubsub_patterns[k].len == pubsub_patterns[i].len &&
                   memcmp(pubsub_patterns[k].pat, pubsub_patterns[i].pat,
                          pubsub_patterns[i].len) == 0;
        }
        n += !seen;
    }
    reply_int(REPLY(c), n);
}

void cmd_pubsub_help(struct client *c)
{
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        NULL,
    };
    cmd_reply_help(c, lines);
}
