/* mem.h - the server's allocator wrapper over jemalloc.
 *
 * Every server allocation goes through these calls. They never return NULL:
 * out of memory aborts with a log line, as Redis's zmalloc does (maxmemory is
 * what keeps a server away from that). used_memory is read from jemalloc's
 * per-thread counters, so it counts libraries' allocations too.
 */
#ifndef SURGE_SERVER_MEM_H
#define SURGE_SERVER_MEM_H

#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t size);
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strndup(const char *s, size_t len);
char *mem_strdup(const char *s);
size_t mem_usable_size(const void *ptr);

/* Register the calling thread's allocation counters; call once per thread
 * that allocates (the loop thread and each background thread). */
void mem_thread_register(void);
/* Bytes allocated and not yet freed, over registered threads. Cheap. */
size_t mem_used(void);
/* Resident set size of the process, from /proc/self/statm. */
size_t mem_rss(void);
/* jemalloc's allocator-level figures (after a stats epoch refresh). */
void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident);
/* Return freed pages to the system now (after a burst of frees). */
void mem_purge(void);
/* Hook the libraries (libuv, hiredis when present) to these calls. */
void mem_hook_libraries(void);

#endif
