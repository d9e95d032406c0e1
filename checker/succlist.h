/* succlist: one state's successors held in emission order (events and
 * target vectors), for code that must see them all before it acts on any:
 * refusal testing's product (is the state stable?), the distributed
 * explorer (inspect, then send). The arrays are the list's; they grow and
 * are kept from one state to the next (succlist_free). */
#ifndef LOCKSTEP_SUCCLIST_H
#define LOCKSTEP_SUCCLIST_H

#include "machine.h"

#include <stddef.h>
#include <stdint.h>

typedef struct SuccList {
    uint32_t *event, *vec; /* count entries; vec: width words each */
    size_t count, cap, width;
    int failed;            /* an allocation failed */
} SuccList;

/* A MachineEmit (ctx: the SuccList): appends one successor. */
void succlist_push(void *ctx, uint32_t event, const uint32_t *target);
/* The successors of `state` (only the taus when taus_only) into l, after
 * emptying it: MACHINE_OK, the machine's error, or MACHINE_NOMEM. */
int succlist_fill(SuccList *l, const Machine *m, const uint32_t *state,
                  void *scratch, int taus_only);
void succlist_free(SuccList *l);

#endif
