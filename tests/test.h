/* test.h - the minimal test framework shared by unit and integration runners.
 *
 * A runner lists its cases in one table and calls test_main():
 *
 *   static void test_split_points(void) { CHECK(x == 1); CHECK_STR(a, b); }
 *   static const struct test_case cases[] = {
 *       TEST(test_split_points),
 *       ...
 *   };
 *   int main(int argc, char **argv) { return test_run(cases, TEST_COUNT(cases), argc, argv); }
 *
 * test_run_with() also takes per-case setup and teardown functions.
 * A failed CHECK prints file:line and the expression, marks the case failed
 * and carries on (so one run shows every failure). Each case sets up its own
 * state. argv[1], when given, is a substring filter on case names.
 * The last line printed is "N passed, N failed"; the exit code is 1 if any
 * case failed.
 */
#ifndef SURGE_TESTS_TEST_H
#define SURGE_TESTS_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST(fn) { #fn, fn }
#define TEST_COUNT(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

extern int test_failures_in_case;

/* xorshift64: deterministic pseudo-random numbers for model tests; seed
 * test_rng_state (non-zero) in each case. */
extern uint64_t test_rng_state;
static inline uint64_t test_rng(void)
{
    test_rng_state ^= test_rng_state << 13;
    test_rng_state ^= test_rng_state >> 7;
    test_rng_state ^= test_rng_state << 17;
    return test_rng_state;
}

#define CHECK(expr)                                                           \
    do {                                                                      \
        if (!(expr)) {                                                        \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__,          \
                    __LINE__, #expr);                                         \
            test_failures_in_case++;                                          \
        }                                                                     \
    } while (0)

#define CHECK_INT(got, want)                                                  \
    do {                                                                      \
        long long g_ = (long long)(got), w_ = (long long)(want);              \
        if (g_ != w_) {                                                       \
            fprintf(stderr, "  %s:%d: %s == %lld, want %lld\n", __FILE__,     \
                    __LINE__, #got, g_, w_);                                  \
            test_failures_in_case++;                                          \
        }                                                                     \
    } while (0)

#define CHECK_STR(got, want)                                                  \
    do {                                                                      \
        const char *g_ = (got), *w_ = (want);                                 \
        if (g_ == NULL || w_ == NULL || strcmp(g_, w_) != 0) {                \
            fprintf(stderr, "  %s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");  \
            test_failures_in_case++;                                          \
        }                                                                     \
    } while (0)

#define CHECK_MEM(got, gotlen, want, wantlen)                                 \
    do {                                                                      \
        size_t gl_ = (gotlen), wl_ = (wantlen);                               \
        if (gl_ != wl_ || memcmp((got), (want), gl_) != 0) {                  \
            fprintf(stderr, "  %s:%d: %s (%zu bytes) != %s (%zu bytes)\n",    \
                    __FILE__, __LINE__, #got, gl_, #want, wl_);               \
            test_failures_in_case++;                                          \
        }                                                                     \
    } while (0)

#ifdef TEST_IMPLEMENTATION
int test_failures_in_case;
uint64_t test_rng_state = 1;

int test_run_with(const struct test_case *cases, int n, int argc, char **argv,
                  void (*setup)(void), void (*teardown)(void))
{
    int passed = 0, failed = 0;
    const char *filter = argc > 1 ? argv[1] : NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < n; i++) {
        if (filter != NULL && strstr(cases[i].name, filter) == NULL) {
            continue;
        }
        test_failures_in_case = 0;
        if (setup != NULL) {
            setup();
        }
        cases[i].fn();
        if (teardown != NULL) {
            teardown();
        }
        if (test_failures_in_case == 0) {
            passed++;
            printf("ok   %s\n", cases[i].name);
        } else {
            failed++;
            printf("FAIL %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

int test_run(const struct test_case *cases, int n, int argc, char **argv)
{
    return test_run_with(cases, n, argc, argv, NULL, NULL);
}
#else
int test_run(const struct test_case *cases, int n, int argc, char **argv);
int test_run_with(const struct test_case *cases, int n, int argc, char **argv,
                  void (*setup)(void), void (*teardown)(void));
#endif

#endif
