/* log.h - Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm c msg".
 * The level is checked before any formatting. */
#ifndef SURGE_SERVER_LOG_H
#define SURGE_SERVER_LOG_H

#include "server/config.h"

extern int log_level_current;

void log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reopen the log file after logfile/loglevel changed (CONFIG SET). */
void log_configure(int level, const char *path);

#define LOG_AT(level, ...)                                                    \
    do {                                                                      \
        if ((level) >= log_level_current) {                                   \
            log_write((level), __VA_ARGS__);                                  \
        }                                                                     \
    } while (0)
#define log_debug(...) LOG_AT(LL_DEBUG, __VA_ARGS__)
#define log_verbose(...) LOG_AT(LL_VERBOSE, __VA_ARGS__)
#define log_notice(...) LOG_AT(LL_NOTICE, __VA_ARGS__)
#define log_warning(...) LOG_AT(LL_WARNING, __VA_ARGS__)

#endif
