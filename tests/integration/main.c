/* main.c - the integration runner: one server, and per case a fresh
 * connection, the restored config, an empty dataset and db 0, so no case
 * depends on another or on their order. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define TEST_IMPLEMENTATION
#include "tests/integration/harness.h"

/* Times the shared server was found dead between cases (and restarted). */
static int server_deaths;

/* A case that crashes the server fails itself; the next set-up reports the
 * exit, restarts the server so the other cases still run, and the last case
 * fails the run. */
static void restart_if_dead(void)
{
    int status;
    if (h_main.pid <= 0 || waitpid(h_main.pid, &status, WNOHANG) != h_main.pid) {
        return;
    }
    server_deaths++;
    fprintf(stderr, "  the server died (%s %d) after the previous case; restarting it\n",
            WIFSIGNALED(status) ? "signal" : "exit status",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    h_main.pid = 0;
    h_server_stop(&h_main);
    if (h_server_start(&h_main, NULL) < 0) {
        fprintf(stderr, "  cannot restart the server\n");
    }
}

static void setup(void)
{
    restart_if_dead();
    T = h_connect(h_main.port);
    if (T == NULL) {
        fprintf(stderr, "  cannot connect to the server\n");
        test_failures_in_case++;
        return;
    }
    h_config_restore(T);
    freeReplyObject(redisCommand(T, "FLUSHALL"));
    freeReplyObject(redisCommand(T, "SELECT 0"));
}

static void teardown(void)
{
    if (T != NULL) {
        redisFree(T);
        T = NULL;
    }
}

/* Last case: SIGTERM stops the server with exit status 0, which under the
 * sanitizers also means no leak and no error report at exit. */
static void test_server_exits_cleanly(void)
{
    teardown();
    CHECK_INT(server_deaths, 0);
    int status = h_server_stop(&h_main);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void on_signal(int sig)
{
    h_stop_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

struct group {
    const struct test_case *cases;
    const int *n;
};

static int append_group(struct test_case *all, int n, int cap, const struct group *g)
{
    for (int i = 0; i < *g->n && n < cap; i++) {
        all[n++] = g->cases[i];
    }
    return n;
}

int main(int argc, char **argv)
{
    static const struct group groups[] = {
        {protocol_cases, &protocol_cases_n}, {admin_cases, &admin_cases_n},
        {keys_cases, &keys_cases_n},         {string_cases, &string_cases_n},
        {expire_cases, &expire_cases_n},     {resp3_cases, &resp3_cases_n},
        {client_cases, &client_cases_n},     {config_cases, &config_cases_n},
        {info_cases, &info_cases_n},         {command_cases, &command_cases_n},
        {multi_cases, &multi_cases_n},       {pubsub_cases, &pubsub_cases_n},
        {hash_cases, &hash_cases_n},         {set_cases, &set_cases_n},
        {zset_cases, &zset_cases_n},         {zset2_cases, &zset2_cases_n},
        {list_cases, &list_cases_n},
    };
    static const struct group surge_only[] = {
        {surge_only_cases, &surge_only_cases_n},
        {string_redis8_cases, &string_redis8_cases_n},
    };
    enum { CAP = 1024 };
    static struct test_case all[CAP];
    int n = 0;
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        n = append_group(all, n, CAP - 1, &groups[g]);
    }
    if (h_is_reference()) {
        printf("skipping %d Surge-only cases (Redis 7.2+ behaviour; the reference is 7.0)\n",
               surge_only_cases_n + string_redis8_cases_n);
    } else {
        for (size_t g = 0; g < sizeof(surge_only) / sizeof(surge_only[0]); g++) {
            n = append_group(all, n, CAP - 1, &surge_only[g]);
        }
    }
    all[n++] = (struct test_case)TEST(test_server_exits_cleanly);

    signal(SIGPIPE, SIG_IGN);
    atexit(h_stop_all);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGQUIT, on_signal);
    if (h_server_start(&h_main, NULL) < 0) {
        printf("cannot start the server under test\n0 passed, 1 failed\n");
        return 1;
    }
    h_config_snapshot();
    return test_run_with(all, n, argc, argv, setup, teardown);
}
