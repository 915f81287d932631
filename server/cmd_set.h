/* cmd_set.h - what other handlers share with the set commands. */
#ifndef SURGE_SERVER_CMD_SET_H
#define SURGE_SERVER_CMD_SET_H

#include "server/t_set.h"

/* The set encodings' limits from the config (set-max-*). */
struct set_limits set_limits_now(void);

#endif
