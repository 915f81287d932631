/* cmd_command.c - COMMAND, COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/HELP, all
 * answered from the command table. */
#include <string.h>

#include "server/cmd.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/util.h"

static const struct {
    uint32_t flag;
    const char *name;
} command_flag_names[] = {
    {CMD_WRITE, "write"},       {CMD_READONLY, "readonly"},   {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},       {CMD_PUBSUB, "pubsub"},       {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"}, {CMD_LOADING, "loading"},     {CMD_STALE, "stale"},
    {CMD_FAST, "fast"},         {CMD_NO_AUTH, "no_auth"},     {CMD_MAY_REPLICATE, "may_replicate"},
    {CMD_NO_MULTI, "no_multi"}, {CMD_ALLOW_BUSY, "allow_busy"}, {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_MOVABLEKEYS, "movablekeys"},
};

#define NFLAGS (sizeof(command_flag_names) / sizeof(command_flag_names[0]))

/* ACL categories in Redis's table order, derived as Redis derives them. */
static int command_categories(const struct command *cmd, const char **out)
{
    int n = 0;
    uint32_t f = cmd->flags;
    if (cmd->group == GROUP_GENERIC) {
        out[n++] = "@keyspace";
    }
    if (f & CMD_READONLY) {
        out[n++] = "@read";
    }
    if (f & CMD_WRITE) {
        out[n++] = "@write";
    }
    if (cmd->group == GROUP_LIST) {
        out[n++] = "@list";
    }
    if (cmd->group == GROUP_SORTED_SET) {
        out[n++] = "@sortedset";
    }
    if (cmd->group == GROUP_SET) {
        out[n++] = "@set";
    }
    if (cmd->group == GROUP_HASH) {
        out[n++] = "@hash";
    }
    if (cmd->group == GROUP_STRING) {
        out[n++] = "@string";
    }
    if (f & CMD_PUBSUB) {
        out[n++] = "@pubsub";
    }
    if (f & CMD_ADMIN) {
        out[n++] = "@admin";
    }
    out[n++] = (f & CMD_FAST) ? "@fast" : "@slow";
    if (f & CMD_BLOCKING) {
        out[n++] = "@blocking";
    }
    if (f & CMD_ADMIN) {
        out[n++] = "@dangerous";
    }
    if (cmd->group == GROUP_CONNECTION) {
        out[n++] = "@connection";
    }
    if (cmd->group == GROUP_TRANSACTIONS) {
        out[n++] = "@transaction";
    }
    return n;
}

static void command_reply_key_specs(struct client *c, const struct command *cmd)
{
    if (cmd->first_key == 0) {
        reply_array_len(REPLY(c), 0);
        return;
    }
    struct reply_buf *b = REPLY(c);
    bool write = cmd->flags & CMD_WRITE;
    reply_array_len(b, 1);
    reply_map_len(b, 3);
    reply_bulk_cstr(b, "flags");
    reply_set_len(b, 2);
    reply_status(b, write ? "RW" : "RO");
    reply_status(b, write ? "UPDATE" : "ACCESS");
    reply_bulk_cstr(b, "begin_search");
    reply_map_len(b, 2);
    reply_bulk_cstr(b, "type");
    reply_bulk_cstr(b, "index");
    reply_bulk_cstr(b, "spec");
    reply_map_len(b, 1);
    reply_bulk_cstr(b, "index");
    reply_int(b, cmd->first_key);
    reply_bulk_cstr(b, "find_keys");
    reply_map_len(b, 2);
    reply_bulk_cstr(b, "type");
    reply_bulk_cstr(b, "range");
    reply_bulk_cstr(b, "spec");
    reply_map_len(b, 3);
    reply_bulk_cstr(b, "lastkey");
    reply_int(b, cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key);
    reply_bulk_cstr(b, "keystep");
    reply_int(b, cmd->key_step);
    reply_bulk_cstr(b, "limit");
    reply_int(b, 0);
}

static void command_reply_info(struct client *c, const struct command *cmd)
{
    struct reply_buf *b = REPLY(c);
    const char *cats[16];
    int ncats = command_categories(cmd, cats);
    int nflags = 0;
    for (size_t i = 0; i < NFLAGS; i++) {
        nflags += (cmd->flags & command_flag_names[i].flag) != 0;
    }
    reply_array_len(b, 10);
    reply_bulk_cstr(b, cmd->name);
    reply_int(b, cmd->arity);
    reply_set_len(b, nflags);
    for (size_t i = 0; i < NFLAGS; i++) {
        if (cmd->flags & command_flag_names[i].flag) {
            reply_status(b, command_flag_names[i].name);
        }
    }
    reply_int(b, cmd->first_key);
    reply_int(b, cmd->last_key);
    reply_int(b, cmd->key_step);
    reply_set_len(b, ncats);
    for (int i = 0; i < ncats; i++) {
        reply_status(b, cats[i]);
    }
    reply_set_len(b, 0);
    command_reply_key_specs(c, cmd);
    int nsubs = 0;
    while (cmd->subs != NULL && cmd->subs[nsubs] != NULL) {
        nsubs++;
    }
    reply_array_len(b, nsubs);
    for (int i = 0; i < nsubs; i++) {
        command_reply_info(c, cmd->subs[i]);
    }
}

void cmd_command(struct client *c)
{
    reply_array_len(REPLY(c), cmd_count());
    for (int i = 0; i < cmd_count(); i++) {
        command_reply_info(c, cmd_at(i));
    }
}

void cmd_command_count(struct client *c)
{
    reply_int(REPLY(c), cmd_count());
}

/* "config|get" or "get": the command for a name, or NULL. */
static const struct command *command_by_fullname(const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (bar == NULL) {
        return cmd_lookup(name, len);
    }
    const struct command *parent = cmd_lookup(name, (size_t)(bar - name));
    if (parent == NULL) {
        return NULL;
    }
    return cmd_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
}

void cmd_command_info(struct client *c)
{
    if (c->argc == 2) {
        cmd_command(c);
        return;
    }
    reply_array_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        const struct command *cmd = command_by_fullname(c->argv[i].ptr, c->argv[i].len);
        if (cmd != NULL) {
            command_reply_info(c, cmd);
        } else {
            reply_null_array(REPLY(c));
        }
    }
}

static void command_reply_doc(struct client *c, const struct command *cmd)
{
    struct reply_buf *b = REPLY(c);
    int nsubs = 0;
    while (cmd->subs != NULL && cmd->subs[nsubs] != NULL) {
        nsubs++;
    }
    reply_bulk_cstr(b, cmd->name);
    reply_map_len(b, nsubs > 0 ? 4 : 3);
    reply_bulk_cstr(b, "summary");
    reply_bulk_cstr(b, cmd->summary);
    reply_bulk_cstr(b, "since");
    reply_bulk_cstr(b, cmd->since);
    reply_bulk_cstr(b, "group");
    reply_bulk_cstr(b, cmd_group_name(cmd->group));
    if (nsubs > 0) {
        reply_bulk_cstr(b, "subcommands");
        reply_map_len(b, nsubs);
        for (int i = 0; i < nsubs; i++) {
            command_reply_doc(c, cmd->subs[i]);
        }
    }
}

void cmd_command_docs(struct client *c)
{
    if (c->argc == 2) {
        reply_map_len(REPLY(c), cmd_count());
        for (int i = 0; i < cmd_count(); i++) {
            command_reply_doc(c, cmd_at(i));
        }
        return;
    }
    size_t handle = reply_defer_len(REPLY(c));
    long long n = 0;
    for (int i = 2; i < c->argc; i++) {
        const struct command *cmd = command_by_fullname(c->argv[i].ptr, c->argv[i].len);
        if (cmd != NULL) {
            command_reply_doc(c, cmd);
            n++;
        }
    }
    reply_set_map_len(REPLY(c), handle, n);
}

static bool command_list_match(struct client *c, const struct command *cmd)
{
    if (c->argc == 2) {
        return true;
    }
    if (arg_is(c, 3, "pattern")) {
        return util_glob_match(c->argv[4].ptr, c->argv[4].len, cmd->name, strlen(cmd->name),
                               true);
    }
    if (arg_is(c, 3, "aclcat")) {
        const char *cats[16];
        int n = command_categories(cmd, cats);
        for (int i = 0; i < n; i++) {
            if (util_eq_nocase(c->argv[4].ptr, c->argv[4].len, cats[i] + 1)) {
                return true;
            }
        }
        return false;
    }
    return false; /* MODULE: Surge has no modules */
}

void cmd_command_list(struct client *c)
{
    if (c->argc != 2 && (c->argc != 5 || !arg_is(c, 2, "filterby") ||
                         !(arg_is(c, 3, "module") || arg_is(c, 3, "aclcat") ||
                           arg_is(c, 3, "pattern")))) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    size_t handle = reply_defer_len(REPLY(c));
    long long n = 0;
    for (int i = 0; i < cmd_count(); i++) {
        const struct command *cmd = cmd_at(i);
        for (int s = -1; s < 0 || (cmd->subs != NULL && cmd->subs[s] != NULL); s++) {
            const struct command *x = s < 0 ? cmd : cmd->subs[s];
            if (command_list_match(c, x)) {
                reply_bulk_cstr(REPLY(c), x->name);
                n++;
            }
        }
    }
    reply_set_array_len(REPLY(c), handle, n);
}

void cmd_command_getkeys(struct client *c)
{
    const struct command *cmd = cmd_lookup(c->argv[2].ptr, c->argv[2].len);
    int argc = c->argc - 2;
    if (cmd != NULL && (cmd->flags & CMD_CONTAINER) && argc >= 2) {
        cmd = cmd_lookup_sub(cmd, c->argv[3].ptr, c->argv[3].len);
    }
    if (cmd == NULL) {
        reply_error(REPLY(c), "ERR Invalid command specified");
        return;
    }
    if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
        reply_error(REPLY(c), "ERR Invalid number of arguments specified for command");
        return;
    }
    if (cmd->first_key == 0) {
        reply_error(REPLY(c), "ERR The command has no key arguments");
        return;
    }
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    reply_array_len(REPLY(c), (last - cmd->first_key) / cmd->key_step + 1);
    for (int i = cmd->first_key; i <= last; i += cmd->key_step) {
        reply_bulk(REPLY(c), c->argv[2 + i].ptr, c->argv[2 + i].len);
    }
}

void cmd_command_help(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        NULL,
    };
    cmd_reply_help(c, lines);
}
