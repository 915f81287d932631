/* flash_sale.c - a flash sale with inventory holds: 5 units, 8 shoppers
 * each hold one at checkout; 3 are told it sold out (with what is left);
 * 4 pay (confirm), 1 abandons the cart (release), and a retried checkout
 * holds nothing more.
 *
 *   build/examples/flash_sale [host port]
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "example.h"

#define SKU "sku:LIMITED-SNEAKER"
#define SHOPPERS 8

static atomic_int held, soldout;
static bool got[SHOPPERS];

struct shopper {
    struct surge *s;
    int n;
};

static void *checkout(void *arg)
{
    struct shopper *sh = arg;
    char order[32];
    snprintf(order, sizeof(order), "order:%d", sh->n);
    struct surge_reservation r;
    /* Hold one unit for 10 minutes while the shopper pays. */
    example_check(surge_inv_reserve(sh->s, SKU, 1, order, 600, &r), "reserve");
    got[sh->n] = r.reserved;
    atomic_fetch_add(r.reserved ? &held : &soldout, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    struct surge *s = example_connect(argc, argv, 4);
    example_check(surge_inv_set(s, SKU, 5), "inv set");
    pthread_t t[SHOPPERS];
    struct shopper sh[SHOPPERS];
    for (int i = 0; i < SHOPPERS; i++) {
        sh[i] = (struct shopper){s, i};
        pthread_create(&t[i], NULL, checkout, &sh[i]);
    }
    for (int i = 0; i < SHOPPERS; i++) {
        pthread_join(t[i], NULL);
    }
    printf("held %d, sold out for %d\n", atomic_load(&held), atomic_load(&soldout));
    struct surge_reservation late;
    example_check(surge_inv_reserve(s, SKU, 1, "order:late", 600, &late), "reserve");
    printf("late shopper: %s, %lld left\n", late.soldout ? "sold out" : "held", late.available);
    int paid = 0, abandoned = 0;
    for (int i = 0; i < SHOPPERS; i++) {
        if (!got[i]) {
            continue;
        }
        char order[32];
        snprintf(order, sizeof(order), "order:%d", i);
        if (paid < 4) {
            long long sold;
            example_check(surge_inv_confirm(s, SKU, order, &sold), "confirm");
            paid += (int)sold;
            /* A payment callback delivered twice: the hold is already gone. */
            int again = surge_inv_confirm(s, SKU, order, &sold);
            if (again != -ENOENT) {
                printf("second confirm of %s: %s\n", order, surge_strerror(again));
            }
        } else {
            bool released;
            example_check(surge_inv_release(s, SKU, order, &released), "release");
            abandoned += released;
        }
    }
    printf("paid %d, abandoned %d\n", paid, abandoned);
    struct surge_inventory inv;
    example_check(surge_inv_get(s, SKU, &inv), "inv get");
    printf("available %lld, held %lld, sold %lld\n", inv.available, inv.held, inv.sold);
    surge_free(&s);
    return 0;
}
