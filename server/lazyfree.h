/* lazyfree.h - free large structures on a background thread (FLUSHALL
 * ASYNC, UNLINK of big values), so the loop never pays for it. The thread
 * only frees what it is handed; it never touches the keyspace. */
#ifndef SURGE_SERVER_LAZYFREE_H
#define SURGE_SERVER_LAZYFREE_H

#include <stddef.h>

#include "server/dict.h"

int lazyfree_start(void);
/* Takes the dict's contents (nodes are keyspace entries); the caller
 * re-initialises its dict. */
void lazyfree_dict(struct dict *d);
/* Entries queued and not yet freed (INFO lazyfree_pending_objects). */
size_t lazyfree_pending(void);
/* Finish pending work and join the thread. */
void lazyfree_stop(void);

#endif
