/* mem.c - see mem.h. */
#include "server/mem.h"

#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <uv.h>
#if defined(__SANITIZE_ADDRESS__)
/* From the AddressSanitizer runtime (its allocator serves malloc then). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define MEM_MAX_THREADS 16

struct mem_counters {
    uint64_t *allocated;
    uint64_t *deallocated;
};

static struct mem_counters mem_threads[MEM_MAX_THREADS];
static int mem_nthreads;
static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;

static void mem_oom(size_t size)
{
    fprintf(stderr, "surge: out of memory allocating %zu bytes\n", size);
    fflush(stderr);
    abort();
}

void *mem_alloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL && size > 0) {
        mem_oom(size);
    }
    return p;
}

void *mem_calloc(size_t size)
{
    void *p = calloc(1, size);
    if (p == NULL && size > 0) {
        mem_oom(size);
    }
    return p;
}

void *mem_realloc(void *ptr, size_t size)
{
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p == NULL) {
        mem_oom(size);
    }
    return p;
}

void mem_free(void *ptr)
{
    free(ptr);
}

char *mem_strndup(const char *s, size_t len)
{
    char *p = mem_alloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

size_t mem_usable_size(const void *ptr)
{
    return ptr == NULL ? 0 : malloc_usable_size((void *)ptr);
}

void mem_thread_register(void)
{
    struct mem_counters c;
    size_t sz = sizeof(c.allocated);
    if (mallctl("thread.allocatedp", &c.allocated, &sz, NULL, 0) != 0 ||
        mallctl("thread.deallocatedp", &c.deallocated, &sz, NULL, 0) != 0) {
        return;
    }
    pthread_mutex_lock(&mem_lock);
    if (mem_nthreads < MEM_MAX_THREADS) {
        mem_threads[mem_nthreads++] = c;
    }
    pthread_mutex_unlock(&mem_lock);
}

size_t mem_used(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return __sanitizer_get_current_allocated_bytes();
#else
    /* Frees done by a background thread count there, so the sum over
     * threads is what is live; a single thread's difference may be < 0. */
    int64_t total = 0;
    for (int i = 0; i < mem_nthreads; i++) {
        total += (int64_t)(*mem_threads[i].allocated - *mem_threads[i].deallocated);
    }
    return total > 0 ? (size_t)total : 0;
#endif
}

size_t mem_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) {
        resident = 0;
    }
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

void mem_allocator_stats(size_t *allocated, size_t *active, size_t *resident)
{
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    sz = sizeof(size_t);
    *allocated = *active = *resident = 0;
    mallctl("stats.allocated", allocated, &sz, NULL, 0);
    mallctl("stats.active", active, &sz, NULL, 0);
    mallctl("stats.resident", resident, &sz, NULL, 0);
}

void mem_purge(void)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "arena.%u.purge", 4096u); /* MALLCTL_ARENAS_ALL */
    mallctl(cmd, NULL, NULL, NULL, 0);
}

static void *mem_uv_calloc(size_t count, size_t size)
{
    return mem_calloc(count * size);
}

void mem_hook_libraries(void)
{
    uv_replace_allocator(mem_alloc, mem_realloc, mem_uv_calloc, mem_free);
    cJSON_Hooks hooks = {mem_alloc, mem_free};
    cJSON_InitHooks(&hooks);
}
