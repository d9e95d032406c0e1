/* event: interning event names. See event.h.
 *
 * An open-addressing hash table from name to id, plus an array from id to
 * name. One mutex guards both: interning happens while models are loaded
 * and, for the explored-term fallback, while states are expanded; lookups by
 * id are for reports only. Neither is on the hot path of the explorer. */
#include "event.h"

#include "hash.h"
#include "mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct EventTable {
    pthread_mutex_t lock;
    char **names;       /* id -> name, owned */
    uint32_t count;
    size_t names_cap;
    uint32_t *slots;    /* hash slot -> id + 1, 0 = empty */
    size_t slot_count;  /* power of two */
};

static int event_rehash(EventTable *t, size_t slot_count)
{
    uint32_t *slots = mem_calloc(slot_count, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < t->count; id++) {
        size_t i = hash_string(t->names[id]) & (slot_count - 1);
        while (slots[i])
            i = (i + 1) & (slot_count - 1);
        slots[i] = id + 1;
    }
    mem_free(t->slots);
    t->slots = slots;
    t->slot_count = slot_count;
    return 0;
}

/* Returns the slot where `name` is or would go. Caller holds the lock. */
static size_t event_find_slot(const EventTable *t, const char *name)
{
    size_t i = hash_string(name) & (t->slot_count - 1);
    while (t->slots[i] && strcmp(t->names[t->slots[i] - 1], name) != 0)
        i = (i + 1) & (t->slot_count - 1);
    return i;
}

static uint32_t event_add_locked(EventTable *t, const char *name)
{
    if ((size_t)(t->count + 1) * 2 > t->slot_count &&
        event_rehash(t, t->slot_count * 2) != 0)
        return EVENT_NONE;
    size_t slot = event_find_slot(t, name);
    if (t->slots[slot])
        return t->slots[slot] - 1;
    if (mem_grow((void **)&t->names, &t->names_cap, t->count + 1,
                 sizeof *t->names) != 0)
        return EVENT_NONE;
    char *copy = mem_strdup(name);
    if (!copy)
        return EVENT_NONE;
    t->names[t->count] = copy;
    t->slots[slot] = t->count + 1;
    return t->count++;
}

EventTable *event_table_new(void)
{
    EventTable *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    /* No CSPM event's text can be "τ" or "✓" (it starts with a channel's
     * ASCII identifier), so a channel named tau or tick gets an id of its
     * own and the internal events cannot be forged by name. */
    if (event_rehash(t, 64) != 0 || event_add_locked(t, "τ") != EVENT_TAU ||
        event_add_locked(t, "✓") != EVENT_TICK) {
        event_table_free(t);
        return NULL;
    }
    return t;
}

void event_table_free(EventTable *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->count; i++)
        mem_free(t->names[i]);
    mem_free(t->names);
    mem_free(t->slots);
    pthread_mutex_destroy(&t->lock);
    mem_free(t);
}

uint32_t event_intern(EventTable *t, const char *name)
{
    pthread_mutex_lock(&t->lock);
    uint32_t id = event_add_locked(t, name);
    pthread_mutex_unlock(&t->lock);
    return id;
}

uint32_t event_lookup(EventTable *t, const char *name)
{
    pthread_mutex_lock(&t->lock);
    size_t slot = event_find_slot(t, name);
    uint32_t id = t->slots[slot] ? t->slots[slot] - 1 : EVENT_NONE;
    pthread_mutex_unlock(&t->lock);
    return id;
}

const char *event_name(EventTable *t, uint32_t id)
{
    pthread_mutex_lock(&t->lock);
    const char *name = id < t->count ? t->names[id] : NULL;
    pthread_mutex_unlock(&t->lock);
    return name;
}

uint32_t event_count(EventTable *t)
{
    pthread_mutex_lock(&t->lock);
    uint32_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int event_ids_subset(const uint32_t *a, size_t na, const uint32_t *b,
                     size_t nb)
{
    size_t j = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && b[j] < a[i])
            j++;
        if (j == nb || b[j] != a[i])
            return 0;
    }
    return 1;
}

int event_set_has(const EventSet *set, uint32_t id)
{
    size_t lo = 0, hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->ids[mid] == id)
            return 1;
        if (set->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int event_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t event_set_normalise(uint32_t *ids, size_t count)
{
    if (count == 0)
        return 0;
    qsort(ids, count, sizeof *ids, event_cmp);
    size_t out = 1;
    for (size_t i = 1; i < count; i++)
        if (ids[i] != ids[out - 1])
            ids[out++] = ids[i];
    return out;
}
