/* main.c - surge-server: a Redis-protocol cache server. */
#include "server/server.h"

int main(int argc, char **argv)
{
    if (server_init(argc, argv) < 0) {
        return 1;
    }
    int rc = server_run();
    server_teardown();
    return rc;
}
