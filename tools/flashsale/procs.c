/* procs.c - start and stop the cache servers (see procs.h). */
#include "tools/flashsale/procs.h"

#include <errno.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/flashsale/util.h"

/* A port nobody listens on right now (the kernel's pick for port 0). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

static bool answers_ping(int port)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    bool ok = false;
    if (c != NULL && !c->err) {
        redisSetTimeout(c, tv);
        redisReply *r = redisCommand(c, "PING");
        ok = r != NULL && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
    }
    redisFree(c);
    return ok;
}

/* Both servers take the same arguments; redis-server also needs its RDB
 * snapshots turned off (Surge has none). */
static pid_t spawn(const char *binary, const char *dir, const char *logfile, int port,
                   bool is_redis)
{
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    const char *argv[] = {binary,  "--port",       portstr, "--bind", "127.0.0.1",
                          "--dir", dir,            "--logfile", logfile, "--appendonly",
                          "no",    "--maxclients", "10000", is_redis ? "--save" : NULL,
                          "",      NULL};
    execvp(binary, (char *const *)argv);
    _exit(127);
}

int server_proc_start(struct server_proc *p, const char *binary, const char *dir,
                      const char *logfile, bool is_redis)
{
    p->pid = 0;
    p->port = free_port();
    if (p->port < 0) {
        return -EADDRNOTAVAIL;
    }
    p->pid = spawn(binary, dir, logfile, p->port, is_redis);
    if (p->pid < 0) {
        p->pid = 0;
        return -errno;
    }
    for (int i = 0; i < 200; i++) {
        if (answers_ping(p->port)) {
            return 0;
        }
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            return -ECHILD;
        }
        fs_sleep_us(50000);
    }
    server_proc_stop(p);
    return -ETIMEDOUT;
}

void server_proc_stop(struct server_proc *p)
{
    if (p->pid <= 0) {
        return;
    }
    kill(p->pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
            p->pid = 0;
            return;
        }
        fs_sleep_us(50000);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
}
