/* stack: remaining-stack checks and a thread with a big stack. See stack.h.
 *
 * The bounds of a thread's stack come from pthread_getattr_np (glibc), once
 * per thread; for the main thread glibc reports the rlimit-sized region.
 * The stack grows down on every target we build for. */
#define _GNU_SOURCE
#include "stack.h"

#include <pthread.h>
#include <stdint.h>

enum { STACK_MARGIN = 256 * 1024 };

static __thread uintptr_t stack_floor; /* lowest usable address + margin */
static __thread int stack_known;       /* 1 measured, -1 cannot be */

static void stack_measure(void)
{
    pthread_attr_t attr;
    void *base;
    size_t size;
    stack_known = -1;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    if (pthread_attr_getstack(&attr, &base, &size) == 0 &&
        size > 2 * STACK_MARGIN) {
        stack_floor = (uintptr_t)base + STACK_MARGIN;
        stack_known = 1;
    }
    pthread_attr_destroy(&attr);
}

int stack_low(void)
{
    if (!stack_known)
        stack_measure();
    char here;
    /* the address of a local is where this frame is: below the floor, the
     * margin is being eaten */
    return stack_known > 0 && (uintptr_t)&here < stack_floor;
}

typedef struct Call {
    int (*fn)(void *);
    void *arg;
    int result;
} Call;

static void *stack_trampoline(void *p)
{
    Call *c = p;
    c->result = c->fn(c->arg);
    return NULL;
}

int stack_run(size_t bytes, int (*fn)(void *), void *arg)
{
    Call c = {fn, arg, 0};
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) != 0)
        return fn(arg);
    int made = pthread_attr_setstacksize(&attr, bytes) == 0 &&
               pthread_create(&thread, &attr, stack_trampoline, &c) == 0;
    pthread_attr_destroy(&attr);
    if (!made)
        return fn(arg);
    pthread_join(thread, NULL);
    return c.result;
}
