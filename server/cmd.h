/* cmd.h - the command table and what handlers use.
 *
 * server/commands.def has one row per command (and per subcommand). The
 * rows drive dispatch (lookup, arity and flag checks happen here, never in
 * handlers), COMMAND / COMMAND INFO / COMMAND DOCS, and redis-compat.md.
 */
#ifndef SURGE_SERVER_CMD_H
#define SURGE_SERVER_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "server/server.h"

/* Command flags (Redis's names, as COMMAND INFO lists them). */
#define CMD_WRITE 0x0001u
#define CMD_READONLY 0x0002u
#define CMD_DENYOOM 0x0004u
#define CMD_ADMIN 0x0008u
#define CMD_PUBSUB 0x0010u
#define CMD_NOSCRIPT 0x0020u
#define CMD_BLOCKING 0x0040u
#define CMD_LOADING 0x0080u
#define CMD_STALE 0x0100u
#define CMD_FAST 0x0200u
#define CMD_NO_AUTH 0x0400u
#define CMD_MAY_REPLICATE 0x0800u
#define CMD_SENTINEL 0x1000u
#define CMD_NO_MULTI 0x2000u
#define CMD_ALLOW_BUSY 0x4000u
#define CMD_SKIP_SLOWLOG 0x8000u
#define CMD_CONTAINER 0x10000u
#define CMD_MOVABLEKEYS 0x20000u /* has subcommands; never runs itself */

enum cmd_group {
    GROUP_GENERIC,
    GROUP_STRING,
    GROUP_CONNECTION,
    GROUP_SERVER,
    GROUP_TRANSACTIONS,
    GROUP_PUBSUB,
    GROUP_HASH,
    GROUP_SET,
    GROUP_SORTED_SET,
    GROUP_LIST,
    GROUP_SURGE, /* Surge's own: micro-caching, rate limits, inventory */
};

typedef void (*cmd_fn)(struct client *c);

struct command {
    const char *name;      /* lower case; "config|get" for subcommands */
    const char *subname;   /* "get" for subcommands, NULL otherwise */
    cmd_fn fn;
    int arity;             /* Redis's convention: -N means at least N */
    uint32_t flags;
    int first_key, last_key, key_step;
    enum cmd_group group;
    const char *since;
    const char *summary;
    const struct command *parent;
    const struct command **subs; /* NULL-terminated, for containers */
    uint64_t calls;              /* INFO commandstats */
    uint64_t usec_ticks;         /* time spent, in cmd_usec()'s ticks */
    uint64_t rejected_calls;     /* refused before running (arity, auth...) */
    uint64_t failed_calls;       /* ran and replied an error */
    size_t name_len;             /* strlen(name), set at start-up */
    uint64_t name_words[2];      /* cmd_lookup's view of the name (set at start-up) */
    uint64_t fold_words[2];      /* 0x20 where the name has a letter */
};

/* Build the lookup tables; call once at start-up. */
void cmd_table_init(void);
/* Find a top-level command by name (any case); NULL if unknown. */
struct command *cmd_lookup(const char *name, size_t len);
/* Find a subcommand of a container (any case); NULL if unknown. */
const struct command *cmd_lookup_sub(const struct command *parent, const char *name, size_t len);
/* Every top-level command, for COMMAND and the compat generator. */
int cmd_count(void);
struct command *cmd_at(int i);
const char *cmd_group_name(enum cmd_group g);

/* Microseconds spent in a command (INFO commandstats). */
uint64_t cmd_usec(const struct command *cmd);

/* Run cmd's handler on the client's argv and propagate what it wrote
 * (server/propagate.h). Every execution goes through here. */
void cmd_call(struct client *c, const struct command *cmd);
/* Run the client's current argv: lookup, checks, handler, stats. */
void cmd_dispatch(struct client *c);

/* Reply helpers bound to the client's buffer. */
#define REPLY(c) (&(c)->out)
static inline bool arg_is(const struct client *c, int i, const char *lower)
{
    extern bool util_eq_nocase(const char *a, size_t alen, const char *lower);
    return util_eq_nocase(c->argv[i].ptr, c->argv[i].len, lower);
}

/* Parse argv[i] as an integer; on failure reply Redis's error and return
 * -EINVAL. */
int arg_ll_or_reply(struct client *c, int i, long long *out);
/* Same, with a custom error text. */
int arg_ll_msg_or_reply(struct client *c, int i, long long *out, const char *msg);
/* Parse argv[i] as a double ("ERR value is not a valid float"). */
int arg_double_or_reply(struct client *c, int i, double *out);
/* Parse argv[i] as a long double ("ERR value is not a valid float"). */
int arg_long_double_or_reply(struct client *c, int i, long double *out);

/* One option of a command's option list (SET, GETEX, INCREX). */
struct cmd_opt {
    const char *name;   /* lower case */
    unsigned flag;
    unsigned conflicts; /* flags it can't follow; its own flag forbids a repeat */
    bool takes_value;
};
/* Parse argv[first..] against the n options: the flags given are or-ed
 * into *flags and the argv index of option k's value goes to value_at[k]
 * (the last one given wins; untouched for options not given). An unknown
 * option, a conflict or a missing value replies ERR syntax error. */
int cmd_opts_parse_or_reply(struct client *c, int first, const struct cmd_opt *opts, size_t n,
                            unsigned *flags, int *value_at);

/* Client names: printable ASCII without spaces, as Redis requires. */
bool client_name_is_valid(const char *p, size_t len);
/* Set (or clear, when empty) the client's name; replies Redis's error if
 * the name is invalid. Used by CLIENT SETNAME and HELLO SETNAME. */
int client_set_name_or_reply(struct client *c, const struct resp_arg *name);

/* The collection at argv[i] when its key holds type: NULL when absent;
 * NULL with *wrong set (WRONGTYPE replied) for another type. A write lookup
 * also reports the change, for WATCH. */
void *cmd_obj_or_reply(struct client *c, int i, enum entry_type type, bool write, bool *wrong);

/* SCAN-family arguments: "<cursor> [MATCH p] [COUNT n] [TYPE t]". */
struct scan_args {
    uint64_t cursor;
    long long count;
    const char *pat;      /* NULL: match everything */
    size_t patlen;
    const struct resp_arg *type; /* SCAN only; NULL when absent */
};
/* Parse from argv[cursor_at]; TYPE is accepted only when allow_type. */
int scan_args_or_reply(struct client *c, int cursor_at, bool allow_type, struct scan_args *a);
/* Reply [cursor, array of n items] where items holds the n elements. */
void scan_reply(struct client *c, uint64_t cursor, long long n, const struct reply_buf *items);

/* Collection scans (HSCAN, SSCAN, ZSCAN): a step visits some buckets of
 * obj from cursor, appending matching items to out, and returns the next
 * cursor; scan_collection drives the steps and replies. */
struct scan_out {
    struct reply_buf items;
    const char *pat;
    size_t patlen;
    long long n; /* items appended (each may be several bulks) */
};
typedef uint64_t (*scan_step_fn)(const void *obj, uint64_t cursor, struct scan_out *out);
bool scan_out_matches(const struct scan_out *o, const char *s, size_t len);
void scan_collection(struct client *c, const struct scan_args *sa, const void *obj,
                     scan_step_fn step, int bulks_per_item);

/* LMPOP/ZMPOP-style arguments from argv[at]: "numkeys key... <a|b>
 * [COUNT n]"; *is_a tells which direction word was given. */
int mpop_args_or_reply(struct client *c, int at, const char *a, const char *b, int *nkeys,
                       bool *is_a, long long *count);

/* Redis's HELP reply: a header naming the command, the lines, then HELP. */
void cmd_reply_help(struct client *c, const char *const *lines);

#endif
