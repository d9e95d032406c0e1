/* event: interning of event names to small integers.
 *
 * The checker never sees CSPM values: an event is a small integer, and its
 * name (CSPM text such as "c.1.true") comes back only for reports. Event 0 is
 * tau, named "τ", event 1 is tick, named "✓", everywhere (text, JSON,
 * pictures): names no CSPM event can have, so a user's channel tau or tick
 * is an event like any other. The front end interns every event it produces
 * here, in a table that lives as long as the loaded model.
 *
 * Thread safety: event_intern and event_name may be called from several
 * threads at once (the explored-term fallback interns during a check); names
 * are stable for the life of the table.
 *
 * An EventSet is a sorted array of distinct ids; the functions below that
 * build one allocate through mem.h and the caller owns the result.
 */
#ifndef LOCKSTEP_EVENT_H
#define LOCKSTEP_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum { EVENT_TAU = 0, EVENT_TICK = 1, EVENT_NONE = UINT32_MAX };

typedef struct EventTable EventTable;

/* A table holding tau and tick; NULL when out of memory. */
EventTable *event_table_new(void);
void event_table_free(EventTable *table);

/* The id of `name`, added if new; EVENT_NONE when out of memory. */
uint32_t event_intern(EventTable *table, const char *name);
/* The id of `name`, or EVENT_NONE when it was never interned. */
uint32_t event_lookup(EventTable *table, const char *name);
/* The name of `id` ("τ", "✓", or the interned text); NULL if unknown. */
const char *event_name(EventTable *table, uint32_t id);
/* Number of ids handed out so far (tau and tick included). */
uint32_t event_count(EventTable *table);

typedef struct EventSet {
    size_t count;
    uint32_t *ids; /* sorted ascending, distinct */
} EventSet;

/* 1 when `id` is in `set` (binary search). */
int event_set_has(const EventSet *set, uint32_t id);
/* 1 when sorted distinct ids a[0..na) are all among sorted b[0..nb). */
int event_ids_subset(const uint32_t *a, size_t na, const uint32_t *b,
                     size_t nb);
/* Sorts and deduplicates ids[0..count-1] in place; returns the new count. */
size_t event_set_normalise(uint32_t *ids, size_t count);

#endif
