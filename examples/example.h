/* example.h - what every example shares: connect a pool to the server
 * named on the command line ("host port", default 127.0.0.1 6379) and
 * report failures. Header-only so each example stays one file plus this. */
#ifndef SURGE_EXAMPLE_H
#define SURGE_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include <surge.h>

static inline struct surge *example_connect(int argc, char **argv, int pool_size)
{
    struct surge_options o;
    surge_options_init(&o);
    o.host = argc > 1 ? argv[1] : "127.0.0.1";
    o.port = argc > 2 ? atoi(argv[2]) : 6379;
    o.pool_size = pool_size;
    struct surge *s;
    int rc = surge_new(&o, &s);
    if (rc < 0) {
        fprintf(stderr, "surge_new: %s\n", surge_strerror(rc));
        exit(1);
    }
    return s;
}

/* Exit with a message when a call failed. */
static inline void example_check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s (%s)\n", what, surge_strerror(rc), surge_last_error());
        exit(1);
    }
}

#endif
