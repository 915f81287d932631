/* lazyfree.c - see lazyfree.h. */
#include "server/lazyfree.h"

#include <pthread.h>
#include <stdbool.h>

#include "server/entry.h"
#include "server/mem.h"

struct lazyfree_job {
    struct dict dict;
    struct lazyfree_job *next;
};

static pthread_t lazyfree_thread;
static pthread_mutex_t lazyfree_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lazyfree_cond = PTHREAD_COND_INITIALIZER;
static struct lazyfree_job *lazyfree_queue;
static size_t lazyfree_count;
static bool lazyfree_running;
static bool lazyfree_exit;

static void lazyfree_node(struct dict_node *n, void *arg)
{
    (void)arg;
    entry_free((struct entry *)n);
}

static void *lazyfree_main(void *arg)
{
    (void)arg;
    mem_thread_register();
    pthread_mutex_lock(&lazyfree_lock);
    for (;;) {
        while (lazyfree_queue == NULL && !lazyfree_exit) {
            pthread_cond_wait(&lazyfree_cond, &lazyfree_lock);
        }
        struct lazyfree_job *job = lazyfree_queue;
        if (job == NULL) {
            break;
        }
        lazyfree_queue = job->next;
        pthread_mutex_unlock(&lazyfree_lock);
        size_t n = dict_size(&job->dict);
        dict_deinit(&job->dict, lazyfree_node, NULL);
        mem_free(job);
        pthread_mutex_lock(&lazyfree_lock);
        lazyfree_count -= n;
    }
    pthread_mutex_unlock(&lazyfree_lock);
    return NULL;
}

int lazyfree_start(void)
{
    int rc = pthread_create(&lazyfree_thread, NULL, lazyfree_main, NULL);
    lazyfree_running = rc == 0;
    return -rc;
}

void lazyfree_dict(struct dict *d)
{
    if (!lazyfree_running) {
        dict_deinit(d, lazyfree_node, NULL);
        return;
    }
    struct lazyfree_job *job = mem_alloc(sizeof(*job));
    job->dict = *d;
    pthread_mutex_lock(&lazyfree_lock);
    job->next = lazyfree_queue;
    lazyfree_queue = job;
    lazyfree_count += dict_size(d);
    pthread_cond_signal(&lazyfree_cond);
    pthread_mutex_unlock(&lazyfree_lock);
}

size_t lazyfree_pending(void)
{
    pthread_mutex_lock(&lazyfree_lock);
    size_t n = lazyfree_count;
    pthread_mutex_unlock(&lazyfree_lock);
    return n;
}

void lazyfree_stop(void)
{
    if (!lazyfree_running) {
        return;
    }
    pthread_mutex_lock(&lazyfree_lock);
    lazyfree_exit = true;
    pthread_cond_signal(&lazyfree_cond);
    pthread_mutex_unlock(&lazyfree_lock);
    pthread_join(lazyfree_thread, NULL);
    lazyfree_running = false;
}
