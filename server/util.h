/* util.h - small string helpers shared by the server modules. */
#ifndef SURGE_SERVER_UTIL_H
#define SURGE_SERVER_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Redis's glob matching (stringmatchlen): * ? [abc] [^a-z] and \ escapes. */
bool util_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool nocase);
/* Strict integer parse (Redis's string2ll); 0 or -EINVAL. */
int util_parse_ll(const char *s, size_t len, long long *out);
/* Strict double parse (Redis's string2d / strtod with no spaces, no NaN). */
int util_parse_double(const char *s, size_t len, double *out);
int util_parse_long_double(const char *s, size_t len, long double *out);
/* Case-insensitive compare of a slice against a lower-case C string. */
bool util_eq_nocase(const char *a, size_t alen, const char *lower);
/* Split s in place on spaces; returns the number of words (at most max). */
int util_split_words(char *s, char **words, int max);
/* Join words with single spaces into dst; -ENOSPC if it doesn't fit. */
int util_join_words(char *dst, size_t cap, int n, char **words);
/* Append ' "s"' with C escapes to dst (room for 4*strlen(s)+4 bytes);
 * returns the bytes written. */
size_t util_quote(char *dst, const char *s);
/* n random bytes (/dev/urandom, else a clock-seeded fallback), written as
 * 2n lower-case hex digits and a NUL into hex (raw may be NULL). */
void util_random_hex(char *hex, unsigned char *raw, size_t n);
/* The whole of a file ("-": standard input) in *text, NUL-terminated
 * (caller frees with mem_free), its length in *len. 0, or -errno; -EFBIG
 * when it is longer than max bytes (max 0: no limit). */
int util_read_file(const char *path, size_t max, char **text, size_t *len);
/* fsync a directory (after a rename in it). 0, or -errno. */
int util_fsync_dir(const char *dir);
/* Replace path with content atomically: write tmp_path, fsync, rename over
 * path, fsync the directory holding path. 0, or -errno (tmp_path removed). */
int util_write_file_atomic(const char *path, const char *tmp_path, const char *content,
                           size_t len);
/* "1.23M"-style human size, as Redis's bytesToHuman. */
void util_bytes_human(char *dst, size_t cap, unsigned long long n);

#endif
