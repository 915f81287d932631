/* log.c - see log.h. */
#include "server/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_level_current = LL_NOTICE;
static FILE *log_file; /* NULL: stdout */

void log_configure(int level, const char *path)
{
    log_level_current = level;
    if (log_file != NULL) {
        fclose(log_file);
        log_file = NULL;
    }
    if (path != NULL && path[0] != '\0') {
        log_file = fopen(path, "a");
        if (log_file == NULL) {
            fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
        }
    }
}

void log_write(int level, const char *fmt, ...)
{
    static const char marks[] = ".-*#";
    char msg[1024], when[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));

    FILE *f = log_file != NULL ? log_file : stdout;
    fprintf(f, "%d:M %s %c %s\n", (int)getpid(), when, marks[level < 4 ? level : 3], msg);
    fflush(f);
}
