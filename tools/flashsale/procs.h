/* procs.h - the cache servers of a run: redis-server or surge-server on a
 * free loopback port, without persistence, stopped by PID. */
#ifndef FLASHSALE_PROCS_H
#define FLASHSALE_PROCS_H

#include <stdbool.h>
#include <sys/types.h>

struct server_proc {
    pid_t pid;
    int port;
};

/* Start binary (a path, or a name looked up in PATH) on a free 127.0.0.1
 * port with dir as its working directory and logfile as its log (is_redis:
 * also --save ""), and wait (up to 10 s) until it answers PING.
 * 0 or a negative errno (-ETIMEDOUT when it never answered; then it has
 * been stopped). */
int server_proc_start(struct server_proc *p, const char *binary, const char *dir,
                      const char *logfile, bool is_redis);
/* SIGTERM, wait up to 5 s, then SIGKILL; reaps it. No-op when pid is 0. */
void server_proc_stop(struct server_proc *p);

#endif
