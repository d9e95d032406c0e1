/* intern: a thread-safe table that gives each distinct byte string (blob) a
 * dense id from 0, and gives the blob back by id without locking.
 *
 * Used by term.c for terms, event sets and relations. Blobs live in the
 * table's arena until intern_free. Lookups by id are lock-free: blobs sit in
 * fixed-size chunks whose pointers never move once published.
 */
#ifndef LOCKSTEP_INTERN_H
#define LOCKSTEP_INTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct Intern Intern;

Intern *intern_new(void);
void intern_free(Intern *in);

/* The id of the blob, added (copied) if new; UINT32_MAX when out of
 * memory or when 2^32-1 blobs exist. */
uint32_t intern_add(Intern *in, const void *blob, size_t size);
/* The stored copy of blob `id` (16-byte aligned); its size into *size. */
const void *intern_get(const Intern *in, uint32_t id, size_t *size);
uint32_t intern_count(const Intern *in);
/* Bytes held (for statistics). */
size_t intern_bytes(const Intern *in);

#endif
