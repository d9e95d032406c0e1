/* test_rt_payload.c — messages of any C type: a struct, a string in a
 * fixed array, a pointer whose ownership passes to the receiver; each
 * arrives byte for byte and is recorded through its channel's projection;
 * in an alt; through a buffer process; a projection out of its field's type, or refusing, fails the
 * send with LKS_ERANGE naming the channel and records nothing; misuse is
 * refused with LKS_EINVAL / LKS_ESTATE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rt_util.h"

typedef struct Order {
    int id;
    char item[24];
    double price;
    int quantity;
} Order;

typedef struct World {
    LksRuntime *rt;
    LksChannel *order, *note, *gift, *plain, *shelf;
    int delivered;
    Order got;
    char note_got[32];
    char *gift_got;
    int fields[2];
    int status;
    char path[256];
} World;

/* order.id.{small, large} */
static int project_order(const void *msg, int *fields, void *ud)
{
    (void)ud;
    const Order *o = msg;
    fields[0] = o->id;
    fields[1] = o->quantity > 100;
    return 0;
}

/* note.length (a string in a char[32]) */
static int project_note(const void *msg, int *fields, void *ud)
{
    (void)ud;
    fields[0] = (int)strlen(msg);
    return 0;
}

/* gift.first letter's code, from a pointer: the message is the pointer */
static int project_gift(const void *msg, int *fields, void *ud)
{
    (void)ud;
    const char *s = *(char *const *)msg;
    if (!s)
        return -1; /* a null gift cannot be recorded */
    fields[0] = s[0] - 'a';
    return 0;
}

static World *world_new(const char *tag)
{
    World *w = calloc(1, sizeof *w);
    w->rt = rt_traced(w->path, sizeof w->path, tag, NULL);
    assert_non_null(w->rt);
    assert_int_equal(lks_channel_declare(w->rt, "order",
                                         "{0..9}.{small, large}", 0), LKS_OK);
    assert_int_equal(lks_channel_declare(w->rt, "note", "{0..31}", 0), LKS_OK);
    assert_int_equal(lks_channel_declare(w->rt, "gift", "{0..25}", 0), LKS_OK);
    assert_int_equal(lks_channel_declare(w->rt, "plain", "{0..9}", 0), LKS_OK);
    assert_int_equal(lks_channel_declare(w->rt, "shelf",
                                         "{0..9}.{small, large}", 0), LKS_OK);
    assert_int_equal(lks_channel_payload(w->rt, "shelf", sizeof(Order),
                                         project_order, NULL), LKS_OK);
    assert_int_equal(lks_channel_payload(w->rt, "order", sizeof(Order),
                                         project_order, NULL), LKS_OK);
    assert_int_equal(lks_channel_payload(w->rt, "note", 32, project_note,
                                         NULL), LKS_OK);
    assert_int_equal(lks_channel_payload(w->rt, "gift", sizeof(char *),
                                         project_gift, NULL), LKS_OK);
    w->order = lks_channel_new(w->rt, "order", 0, NULL);
    w->note = lks_channel_new(w->rt, "note", 0, NULL);
    w->gift = lks_channel_new(w->rt, "gift", 0, NULL);
    w->plain = lks_channel_new(w->rt, "plain", 0, NULL);
    w->shelf = lks_channel_new(w->rt, "shelf", 0, NULL);
    return w;
}

static TraceLines world_end(World *w)
{
    int status;
    TraceLines t = rt_finish(w->rt, w->path, &status);
    assert_int_equal(status, LKS_OK);
    free(w);
    return t;
}

static int sender(LksProc *self, void *arg)
{
    World *w = arg;
    Order o = {7, "teapot", 19.5, 250};
    char note[32] = "thank you";
    char *gift = strdup("a kite");
    int rc = lks_send_msg(self, w->order, &o);
    if (rc == LKS_OK)
        rc = lks_send_msg(self, w->note, note);
    if (rc == LKS_OK)
        rc = lks_send_msg(self, w->gift, &gift); /* ownership passes */
    return rc;
}

static int receiver(LksProc *self, void *arg)
{
    World *w = arg;
    int rc = lks_recv_msg(self, w->order, &w->got, w->fields);
    if (rc == LKS_OK)
        rc = lks_recv_msg(self, w->note, w->note_got, NULL);
    if (rc == LKS_OK)
        rc = lks_recv_msg(self, w->gift, &w->gift_got, NULL);
    return rc;
}

static void test_round_trips(void **state)
{
    (void)state;
    World *w = world_new("payload");
    LksProcSpec ps[2] = {{"SENDER", sender, w, 0}, {"RECEIVER", receiver, w, 0}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    Order want = {7, "teapot", 19.5, 250};
    assert_int_equal(w->got.id, 7);
    assert_string_equal(w->got.item, "teapot");
    assert_true(w->got.price == 19.5);
    assert_int_equal(w->got.quantity, 250);
    assert_memory_equal(&w->got, &want, offsetof(Order, item) + 7);
    assert_int_equal(w->fields[0], 7);   /* the projection, received too */
    assert_int_equal(w->fields[1], 1);
    assert_string_equal(w->note_got, "thank you");
    assert_non_null(w->gift_got);
    assert_string_equal(w->gift_got, "a kite");
    free(w->gift_got);                   /* the receiver owns it now */
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "order.7.large"));
    assert_true(rt_has_line(&t, "note.9"));
    assert_true(rt_has_line(&t, "gift.0"));
    rt_free_lines(&t);
}

/* An alt over a plain input and a message input: the message wins. */
static int alt_receiver(LksProc *self, void *arg)
{
    World *w = arg;
    int v;
    LksGuard g[2] = {{LKS_GUARD_RECV, 1, w->plain, &v, 0, NULL},
                     {LKS_GUARD_RECV, 1, w->order, NULL, 0, &w->got}};
    return lks_alt_pri(self, g, 2) == 1 ? 0 : 1;
}

static int order_sender(LksProc *self, void *arg)
{
    World *w = arg;
    Order o = {3, "cups", 2.0, 6};
    return lks_send_msg(self, w->order, &o);
}

static void test_alt(void **state)
{
    (void)state;
    World *w = world_new("payload_alt");
    LksProcSpec ps[2] = {{"R", alt_receiver, w, 0}, {"S", order_sender, w, 0}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_string_equal(w->got.item, "cups");
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "order.3.small"));
    rt_free_lines(&t);
}

static int bad_sender(LksProc *self, void *arg)
{
    World *w = arg;
    Order o = {12, "too far", 1.0, 1};    /* id 12 is outside {0..9} */
    w->status = lks_send_msg(self, w->order, &o);
    char *none = NULL;                    /* the projection refuses it */
    int refused = lks_send_msg(self, w->gift, &none);
    lks_poison(self, w->order);
    return refused == LKS_ERANGE ? 0 : 1;
}

static int drain(LksProc *self, void *arg)
{
    World *w = arg;
    Order o;
    while (lks_recv_msg(self, w->order, &o, NULL) == LKS_OK)
        ;
    return 0;
}

static void test_bad_projection(void **state)
{
    (void)state;
    World *w = world_new("payload_bad");
    LksProcSpec ps[2] = {{"S", bad_sender, w, 0}, {"D", drain, w, 0}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 2), LKS_OK);
    assert_int_equal(w->status, LKS_ERANGE);
    const char *err = lks_runtime_error(w->rt);
    assert_non_null(strstr(err, "gift")); /* the last error: the refusal */
    TraceLines t = world_end(w);
    for (int i = 0; i < t.count; i++) /* nothing but metadata */
        assert_true(t.lines[i][0] == '#');
    rt_free_lines(&t);
}

static int range_sender(LksProc *self, void *arg)
{
    World *w = arg;
    Order o = {12, "x", 1.0, 1};
    w->status = lks_send_msg(self, w->order, &o);
    return 0;
}

static void test_range_message(void **state)
{
    (void)state;
    World *w = world_new("payload_range");
    LksProcSpec ps[1] = {{"S", range_sender, w, 0}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 1), LKS_OK);
    assert_int_equal(w->status, LKS_ERANGE);
    assert_string_equal(lks_runtime_error(w->rt),
                        "send on order: the message's projection gave 12 "
                        "outside field 1's type");
    rt_free_lines((TraceLines[]){world_end(w)});
}

/* Four orders into a buffer of three messages, then poison. */
static int stocker(LksProc *self, void *arg)
{
    World *w = arg;
    for (int i = 0; i < 4; i++) {
        Order o = {i, "", 1.0, 50 + 50 * i};
        snprintf(o.item, sizeof o.item, "box %d", i);
        if (lks_send_msg(self, w->order, &o) != LKS_OK)
            return 1;
    }
    lks_poison(self, w->order);
    return 0;
}

static int buyer(LksProc *self, void *arg)
{
    World *w = arg;
    Order o;
    while (lks_recv_msg(self, w->shelf, &o, NULL) == LKS_OK) {
        char want[24];
        snprintf(want, sizeof want, "box %d", w->delivered);
        if (o.id != w->delivered || strcmp(o.item, want) != 0)
            return 1;
        w->delivered++;
    }
    return 0;
}

static void test_buffered_messages(void **state)
{
    (void)state;
    World *w = world_new("payload_buffer");
    LksBufferSpec spec = {w->order, w->shelf, 3};
    LksProcSpec ps[3] = {{"STOCKER", stocker, w, 0},
                         {"BUFFER", lks_buffer, &spec, 0},
                         {"BUYER", buyer, w, 0}};
    assert_int_equal(lks_par(w->rt, NULL, ps, 3), LKS_OK);
    assert_int_equal(w->delivered, 4);
    TraceLines t = world_end(w);
    assert_true(rt_has_line(&t, "order.0.small"));
    assert_true(rt_has_line(&t, "shelf.3.large"));
    assert_int_equal(rt_count_prefix(&t, "shelf."), 4);
    rt_free_lines(&t);
}

static void test_misuse(void **state)
{
    (void)state;
    World *w = world_new("payload_misuse");
    assert_int_equal(lks_channel_payload(w->rt, "nosuch", 4, NULL, NULL),
                     LKS_EINVAL);
    assert_int_equal(lks_channel_payload(w->rt, "plain", 0, NULL, NULL),
                     LKS_EINVAL);
    /* fields but no projection: nothing to record them from */
    assert_int_equal(lks_channel_payload(w->rt, "plain", 4, NULL, NULL),
                     LKS_EINVAL);
    assert_non_null(strstr(lks_runtime_error(w->rt), "projection"));
    rt_free_lines((TraceLines[]){world_end(w)});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_alt),
        cmocka_unit_test(test_bad_projection),
        cmocka_unit_test(test_range_message),
        cmocka_unit_test(test_buffered_messages),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
