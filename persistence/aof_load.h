/* aof_load.h - replay AOF files through the real command handlers.
 *
 * Files are read in chunks and parsed with the RESP parser; every command
 * runs on a fake client (no replies kept, nothing propagated). MULTI ...
 * EXEC is applied as a whole: a transaction cut off by the end of the last
 * file is dropped. A torn tail of the last file is truncated away when
 * allowed (aof-load-truncated); anything else malformed is fatal, and the
 * log names the file, the offset and the fix command.
 */
#ifndef SURGE_PERSISTENCE_AOF_LOAD_H
#define SURGE_PERSISTENCE_AOF_LOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Start loading paths in order (the last may be truncated when
 * allow_truncated); manifest names the manifest for messages. */
int aof_loader_start(char *const *paths, int n, bool allow_truncated, const char *manifest);
/* Run until deadline_us (server_ustime()); 1 done, 0 more, -EINVAL fatal. */
int aof_loader_step(int64_t deadline_us);
/* Bytes loaded and in all files, for INFO and the progress log. */
void aof_loader_progress(uint64_t *loaded, uint64_t *total);
/* Release what the loader holds (after done or fatal). */
void aof_loader_end(void);

#endif
