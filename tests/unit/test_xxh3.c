/* test_xxh3.c - XXH3-64 (seed 0) against known digests: Redis's DIGEST
 * example, the empty input, and one input of every length class (values
 * from Debian's libxxhash; tests/digestcmd.py checks every length up to
 * 1200 against that library at run time). */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include "server/xxh3.h"

/* redis.io's DIGEST example: SET key1 "Hello world"; DIGEST key1. */
static void test_redis_example(void)
{
    char hex[XXH3_HEX_LEN + 1];
    xxh3_hex(xxh3_64("Hello world", 11), hex);
    CHECK_STR(hex, "b6acb9d84a38ff74");
}

static void test_empty(void)
{
    CHECK(xxh3_64(NULL, 0) == 0x2d06800538d394c2ULL);
    CHECK(xxh3_64("", 0) == 0x2d06800538d394c2ULL);
}

/* Input byte i is (i * 131 + 7) mod 256. The lengths cover 1-3, 4-8, 9-16,
 * 17-128, 129-240 and the long path: one partial block, exactly one block
 * (kept for the last round), one block and one byte, a last stripe that
 * reaches back into the previous block, and several blocks. */
static void test_length_classes(void)
{
    static const struct {
        size_t len;
        uint64_t want;
    } vec[] = {
        {1, 0x4c5cca45d0f4811fULL},    {2, 0x29c60963cbfa4e6eULL},
        {3, 0x6e3e2670e61106acULL},    {4, 0x5c4c63133443d03fULL},
        {5, 0x49f5eb3111280b63ULL},    {8, 0xf9fd4dd0b04d78f5ULL},
        {9, 0x7c20df9712c26edfULL},    {12, 0x16d2dff54dc2ee45ULL},
        {16, 0x86abf6baccea0858ULL},   {17, 0xb58bf5dc5022d071ULL},
        {32, 0xe3712ed84c04a66eULL},   {33, 0xa4dee99b093e1f73ULL},
        {64, 0x1291d2d4042330ddULL},   {96, 0x81296929fc063365ULL},
        {127, 0xed4cf62104020db5ULL},  {128, 0x10d17f72c0ccba41ULL},
        {129, 0x1648bdc3db49d1a2ULL},  {130, 0xc65f0f545fa96defULL},
        {200, 0xc0fbc0f4e181c826ULL},  {239, 0xf0d154819adb16cdULL},
        {240, 0xb6cfaf343fab81e6ULL},  {241, 0x956cae592c67279eULL},
        {255, 0x64a6073025eb7929ULL},  {256, 0xb15e550733c5dfacULL},
        {512, 0xa0e9790eb93990d7ULL},  {1023, 0xa94ffcd2254368e4ULL},
        {1024, 0x70bd377d9574f4bbULL}, {1025, 0x66c4487c41e127a7ULL},
        {1088, 0xf43dc77e28a9acbcULL}, {1089, 0x313bc7ee32bbfa2eULL},
        {2048, 0x8b46caa67dab3a30ULL}, {2049, 0x581cd184fd9b76c5ULL},
        {4109, 0x951d4110fa1de975ULL},
    };
    static uint8_t buf[4109];
    for (size_t i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)(i * 131 + 7);
    }
    for (size_t k = 0; k < sizeof(vec) / sizeof(vec[0]); k++) {
        uint64_t got = xxh3_64(buf, vec[k].len);
        if (got != vec[k].want) {
            fprintf(stderr, "  len %zu: got %016llx\n", vec[k].len, (unsigned long long)got);
        }
        CHECK(got == vec[k].want);
    }
}

/* The hash reads only the bytes it is given: an unaligned start and bytes
 * after the end change nothing. */
static void test_unaligned_and_bounded(void)
{
    uint8_t a[300], b[301];
    for (size_t i = 0; i < sizeof(a); i++) {
        a[i] = (uint8_t)(i * 131 + 7);
        b[i + 1] = a[i];
    }
    b[0] = 0x55;
    for (size_t n = 0; n <= 299; n++) {
        CHECK(xxh3_64(a, n) == xxh3_64(b + 1, n));
    }
    uint64_t h = xxh3_64(a, 100);
    a[100] ^= 0xff;
    CHECK(xxh3_64(a, 100) == h);
}

/* DIGEST prints 16 lower-case digits with leading zeros. */
static void test_hex_padding(void)
{
    char hex[XXH3_HEX_LEN + 1];
    xxh3_hex(0, hex);
    CHECK_STR(hex, "0000000000000000");
    xxh3_hex(0x00006c38adf31777ULL, hex);
    CHECK_STR(hex, "00006c38adf31777");
    xxh3_hex(0xFEDCBA9876543210ULL, hex);
    CHECK_STR(hex, "fedcba9876543210");
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        TEST(test_redis_example),         TEST(test_empty),        TEST(test_length_classes),
        TEST(test_unaligned_and_bounded), TEST(test_hex_padding),
    };
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
