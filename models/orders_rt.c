/* orders_rt.c — real C values on lockstep channels, next to their model
 * models/orders_rt.csp.
 *
 *   orders_rt TRACE
 *
 * A client sends five orders, each an Order struct copied to the shop at
 * the rendezvous; the shop answers each with a receipt, a string it
 * allocates and hands over by sending the pointer (the client frees it).
 * The trace records an order as order.ID.SIZE and a receipt as
 * receipt.ID, through the projections below. After the last receipt the
 * client poisons the order channel and the shop ends.
 *
 * Exit status: 0 the run completed and every message arrived intact, 1 a
 * message was wrong, 2 an error. */
#include "lockstep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Order {
    int id;
    char item[24];
    double price;
    int quantity;
} Order;

typedef struct Shop {
    LksChannel *order, *receipt;
    int wrong;
} Shop;

static const char *const items[5] = {"teapot", "cups", "saucers",
                                     "spoons", "tray"};

/* order.id.{small, large} */
static int project_order(const void *msg, int *fields, void *ud)
{
    (void)ud;
    const Order *o = msg;
    fields[0] = o->id;
    fields[1] = o->quantity > 100;
    return 0;
}

/* receipt.id, read back from the text "receipt ID: ..." */
static int project_receipt(const void *msg, int *fields, void *ud)
{
    (void)ud;
    const char *text = *(char *const *)msg;
    return text && sscanf(text, "receipt %d:", &fields[0]) == 1 ? 0 : -1;
}

static int client(LksProc *self, void *arg)
{
    Shop *s = arg;
    for (int i = 0; i < 5; i++) {
        Order o = {i, "", 2.5 * (i + 1), 60 * (i + 1)};
        snprintf(o.item, sizeof o.item, "%s", items[i]);
        char *receipt = NULL;
        int rc = lks_send_msg(self, s->order, &o);
        if (rc == LKS_OK)
            rc = lks_recv_msg(self, s->receipt, &receipt, NULL);
        if (rc != LKS_OK)
            return rc;
        char want[64];
        snprintf(want, sizeof want, "receipt %d: %d %s", i, o.quantity,
                 o.item);
        s->wrong |= strcmp(receipt, want) != 0;
        free(receipt); /* ownership came with the pointer */
    }
    lks_poison(self, s->order);
    return 0;
}

static int shop(LksProc *self, void *arg)
{
    Shop *s = arg;
    Order o;
    while (lks_recv_msg(self, s->order, &o, NULL) == LKS_OK) {
        char *receipt = malloc(64);
        if (!receipt)
            return LKS_ENOMEM;
        snprintf(receipt, 64, "receipt %d: %d %s", o.id, o.quantity, o.item);
        int rc = lks_send_msg(self, s->receipt, &receipt);
        if (rc != LKS_OK) {
            free(receipt);
            return rc;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: orders_rt TRACE\n");
        return 2;
    }
    LksConfig cfg = lks_config_default();
    cfg.trace_path = argv[1];
    LksRuntime *rt = lks_runtime_new(&cfg);
    Shop s = {0};
    if (!rt ||
        lks_channel_declare(rt, "order", "{0..9}.{small, large}", 0) ||
        lks_channel_declare(rt, "receipt", "{0..9}", 0) ||
        lks_channel_payload(rt, "order", sizeof(Order), project_order, 0) ||
        lks_channel_payload(rt, "receipt", sizeof(char *), project_receipt,
                            0) ||
        !(s.order = lks_channel_new(rt, "order", 0, NULL)) ||
        !(s.receipt = lks_channel_new(rt, "receipt", 0, NULL))) {
        fprintf(stderr, "orders_rt: %s\n",
                rt ? lks_runtime_error(rt) : "cannot open the trace");
        return 2;
    }
    LksProcSpec ps[2] = {{"CLIENT", client, &s, 0}, {"SHOP", shop, &s, 0}};
    int rc = lks_par(rt, NULL, ps, 2);
    printf("%s: %llu events%s\n", lks_strerror(rc),
           (unsigned long long)lks_event_count(rt),
           s.wrong ? ", a receipt was wrong" : "");
    if (lks_runtime_free(rt) != LKS_OK || rc != LKS_OK)
        return 2;
    return s.wrong ? 1 : 0;
}
