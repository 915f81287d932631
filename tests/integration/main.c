/* main.c - the integration runner: one server, a fresh connection and an
 * empty dataset per case. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define TEST_IMPLEMENTATION
#include "tests/integration/harness.h"

static void setup(void)
{
    T = h_connect(h_main.port);
    if (T == NULL) {
        fprintf(stderr, "  cannot connect to the server\n");
        test_failures_in_case++;
        return;
    }
    freeReplyObject(redisCommand(T, "FLUSHALL"));
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
    int status = h_server_stop(&h_main);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void stop_main(void)
{
    h_server_stop(&h_main);
}

static void on_signal(int sig)
{
    stop_main();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    static const struct {
        const struct test_case *cases;
        const int *n;
    } groups[] = {
        {protocol_cases, &protocol_cases_n}, {string_cases, &string_cases_n},
        {keys_cases, &keys_cases_n},         {admin_cases, &admin_cases_n},
        {resp3_cases, &resp3_cases_n},       {multi_cases, &multi_cases_n},
        {pubsub_cases, &pubsub_cases_n},     {hash_cases, &hash_cases_n},
        {set_cases, &set_cases_n},           {zset_cases, &zset_cases_n},
        {list_cases, &list_cases_n},         {zset2_cases, &zset2_cases_n},
    };
    struct test_case all[512];
    int n = 0;
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        for (int i = 0; i < *groups[g].n && n < 511; i++) {
            all[n++] = groups[g].cases[i];
        }
    }
    all[n++] = (struct test_case)TEST(test_server_exits_cleanly);
    signal(SIGPIPE, SIG_IGN);
    if (h_server_start(&h_main, NULL) < 0) {
        printf("cannot start the server under test\n0 passed, 1 failed\n");
        return 1;
    }
    atexit(stop_main);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    return test_run_with(all, n, argc, argv, setup, teardown);
}
