/* handlers.h - a prototype for every handler named in commands.def. */
#ifndef SURGE_SERVER_HANDLERS_H
#define SURGE_SERVER_HANDLERS_H

struct client;

#define CMD(name, fn, ...) void fn(struct client *c);
#define CONTAINER(...)
#define SUB(parent, name, fn, ...) void fn(struct client *c);
#include "server/commands.def"
#undef CMD
#undef CONTAINER
#undef SUB

#endif
