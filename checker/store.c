/* store: the concurrent state store. See store.h.
 *
 * The mapping: keys (capacity * key_bytes), the pending states' links
 * (capacity * 4), then the index of at most max_size slots. Parents are
 * kept apart, as the lineage of the numbering (lineage.h: about 2.3 bits
 * a state). The index grows in place (doubling, its last step perhaps
 * by half: grown_size): a
 * rehash reads the keys, never the old index, so the old slots are
 * cleared (memset, on pages already there) and the larger index is built
 * over them and the fresh part above. Only the final index's pages are
 * ever faulted in, and no more than one index is in memory at a time.
 *
 * A slot is 0 (empty) or (tag << idbits) | (id + 1), where the index has
 * at most 2^idbits slots and the tag is the top 32 - idbits bits of the
 * hash (the slot comes from its low half): a
 * probe compares keys only when the tags agree. An id field of all ones is
 * a tombstone (a dropped pending state). Ids stay below 3/4 of the slots,
 * so they always fit.
 *
 * During a level, link[p] holds the slot (+ 1) of pending position p, so
 * that a commit or a rehash finds it without probing; 0 for a position
 * that holds no state. Only a slice's links are ever touched (explore.c
 * numbers a level a slice at a time). */
#include "store.h"

#include "keypack.h"
#include "lineage.h"
#include "mem.h"
#include "nodeset.h"

#include <stdatomic.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

enum { MIN_SLOTS_LOG = 10, MAX_SLOTS_LOG = 31 };

/* The fields are read on every insert, by every worker, and written only
 * between levels: padding keeps them off the cache lines of whatever the
 * allocator puts next to the struct, which workers may write all the
 * time (one field read per insert on such a line made -j2 runs on
 * buffers 14 4-5% slower). */
enum { STORE_PAD = 64 };

struct Store {
    char pad_front[STORE_PAD];
    KeyPack kp;                 /* the key layout (width, key_words, ...) */
    NodeSet *nodes;             /* --store tree: the shared nodes; or NULL */
    uint8_t *cut;               /* the tree: cut[lo * (kw + 1) + hi], where
                                   node [lo, hi) of key words splits */
    size_t sw, sb;              /* words and bytes stored per state: the
                                   key's, or the tree root's 1 and 8 */
    uint64_t capacity, count;
    uint8_t *region;
    size_t region_bytes;
    uint8_t *keys;
    uint32_t *link;             /* per pending position: its slot + 1 */
    Lineage *lineage;           /* the committed states' parents */
    _Atomic uint32_t *index;    /* the index: size slots in use */
    uint64_t max_size;
    uint64_t size;
    unsigned idbits;
    uint64_t next_size, grow_used; /* a grow under way */
    unsigned next_bits;
    uint8_t *tmp;               /* commit: the pending keys */
    size_t tmp_bytes;
    const uint32_t *c_order, *c_parents; /* the commit under way */
    uint64_t c_n, c_used;
    int prefetchw;              /* the CPU has PREFETCHW (prefetch_w) */
    char pad_back[STORE_PAD];
};

/* ---------- layout and hashing ---------- */

static inline void pack(const Store *s, const uint32_t *vec, uint64_t *key)
{
    keypack_pack(&s->kp, vec, key);
}

void store_pack(const Store *s, const uint32_t *vec, uint64_t *key)
{
    pack(s, vec, key);
}

static void unpack(const Store *s, const uint64_t *key, uint32_t *vec)
{
    keypack_unpack(&s->kp, key, vec);
}

/* Word-wise multiply-rotate, then the MurmurHash3 finaliser: every input
 * bit reaches every output bit, so both the low bits (the slot) and the
 * high bits (the tag) are well mixed although state words are small. */
static inline uint64_t hash(const Store *s, const uint64_t *key)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ s->kp.key_words;
    for (size_t i = 0; i < s->kp.key_words; i++) {
        h = (h ^ key[i]) * 0x9e3779b97f4a7c15ull;
        h = (h << 29) | (h >> 35);
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

uint64_t store_hash(const Store *s, const uint64_t *key)
{
    return hash(s, key);
}

static const uint8_t *key_at(const Store *s, uint64_t id)
{
    return s->keys + id * s->sb;
}

/* Keys are a few bytes: copied and compared a word at a time, never by a
 * call to memcpy or memcmp of a variable size. A key is read and written
 * only inside its own bytes, by overlapping loads and stores when its size
 * is not a power of two: the next key may be another thread's. */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* The n bytes at p (1 <= n <= 8) as a number (little-endian; on a
 * big-endian machine keys are whole words, n is 8). */
static inline uint64_t load_small(const uint8_t *p, size_t n)
{
    if (n == 8)
        return load64(p);
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return lo | (uint64_t)hi << (8 * (n - 4));
    }
    if (n >= 2) {
        uint16_t lo, hi;
        memcpy(&lo, p, 2);
        memcpy(&hi, p + n - 2, 2);
        return lo | (uint64_t)hi << (8 * (n - 2));
    }
    return p[0];
}

/* The stored words of state id (its packed key, or its tree's root). */
static void load_key(const Store *s, uint64_t id, uint64_t *key)
{
    const uint8_t *p = key_at(s, id);
    size_t last = s->sw - 1;
    for (size_t i = 0; i < last; i++)
        key[i] = load64(p + 8 * i);
    key[last] = load_small(p + 8 * last, s->sb - 8 * last);
}

static inline int key_equal(const Store *s, uint64_t id,
                            const uint64_t *key)
{
    const uint8_t *p = key_at(s, id);
    if (s->sw == 1) /* the common case */
        return load_small(p, s->sb) == key[0];
    size_t last = s->sw - 1;
    for (size_t i = 0; i < last; i++)
        if (load64(p + 8 * i) != key[i])
            return 0;
    return load_small(p + 8 * last, s->sb - 8 * last) == key[last];
}

/* Writes the key's bytes: whole words, then the tail as two overlapping
 * stores of 4, 2 or 1 bytes (or one overlapping word). */
static void store_key(const Store *s, uint64_t id, const uint64_t *key)
{
    uint8_t *p = s->keys + id * s->sb;
    size_t kb = s->sb, whole = kb / 8;
    const uint8_t *src = (const uint8_t *)key;
    for (size_t i = 0; i < whole; i++)
        memcpy(p + 8 * i, src + 8 * i, 8);
    size_t rest = kb % 8, at = 8 * whole;
    if (!rest)
        return;
    if (whole)
        memcpy(p + kb - 8, src + kb - 8, 8);
    else if (rest >= 4) {
        memcpy(p, src, 4);
        memcpy(p + kb - 4, src + kb - 4, 4);
    } else if (rest >= 2) {
        memcpy(p, src, 2);
        memcpy(p + kb - 2, src + kb - 2, 2);
    } else
        p[at] = src[at];
}

/* ---------- the tree (--store tree) ----------
 *
 * The key's words [lo, hi) are a node: one word is a leaf, whose value is
 * the word; more are split in halves, the node's value the pair of their
 * ids (left << 32 | right). Nodes live in one NodeSet, shared by every
 * state and position. The stored key of a state is its root's pair
 * (8 bytes), never put in the set. The hash of a state stays that of its
 * packed key, so the index, the explorer's prefetching and its table of
 * recent successors are the same for both stores. */

/* Where node [lo, hi) splits (hi - lo > 1). */
static size_t cut_of(const Store *s, size_t lo, size_t hi)
{
    return s->cut[lo * (s->kp.key_words + 1) + hi];
}

/* The bits key word w holds. */
static size_t word_bits(const Store *s, size_t w)
{
    size_t bits = 0;
    for (size_t i = 0; i < s->kp.width; i++)
        if (s->kp.word_of[i] == w) {
            size_t end = s->kp.shift[i] +
                         (size_t)__builtin_popcount(s->kp.mask[i]);
            bits = end > bits ? end : bits;
        }
    return bits;
}

/* Cuts node [lo, hi) where its bits are halved (cf. keypack's leaves),
 * and its halves likewise. */
static void cut_tree(Store *s, const size_t *bits, size_t lo, size_t hi)
{
    if (hi - lo < 2)
        return;
    size_t total = 0, sum = bits[lo], mid = lo + 1;
    for (size_t w = lo; w < hi; w++)
        total += bits[w];
    while (mid + 1 < hi && 2 * (sum + bits[mid]) <= total)
        sum += bits[mid++];
    s->cut[lo * (s->kp.key_words + 1) + hi] = (uint8_t)mid;
    cut_tree(s, bits, lo, mid);
    cut_tree(s, bits, mid, hi);
}

static int tree_init(Store *s)
{
    size_t kw = s->kp.key_words;
    size_t *bits = mem_alloc(kw * sizeof *bits);
    s->cut = mem_calloc((kw + 1) * (kw + 1), 1);
    s->nodes = nodeset_new();
    if (!bits || !s->cut || !s->nodes) {
        mem_free(bits);
        return -1;
    }
    for (size_t w = 0; w < kw; w++)
        bits[w] = word_bits(s, w);
    cut_tree(s, bits, 0, kw);
    mem_free(bits);
    return 0;
}

/* The value of node [lo, hi) of key: the leaf's word, or the pair of its
 * halves' ids, which are put in the set (put) or only looked up; -1 when
 * one could not be put (the set is full) or found (absent). */
static int tree_value(const Store *s, const uint64_t *key, size_t lo,
                      size_t hi, int put, uint64_t *v)
{
    if (hi - lo == 1) {
        *v = key[lo];
        return 0;
    }
    size_t bound[3] = {lo, cut_of(s, lo, hi), hi};
    uint32_t id[2];
    for (int h = 0; h < 2; h++) {
        uint64_t half;
        if (tree_value(s, key, bound[h], bound[h + 1], put, &half) != 0)
            return -1;
        id[h] = put ? nodeset_put(s->nodes, half)
                    : nodeset_find(s->nodes, half);
        if (id[h] >= NODESET_NONE)
            return -1;
    }
    *v = (uint64_t)id[0] << 32 | id[1];
    return 0;
}

/* The stored words of key: the key itself, or its tree root's value in
 * *root (-1 when a node could not be put or found). */
static int stored_of(const Store *s, const uint64_t *key, int put,
                     uint64_t *root, const uint64_t **stored)
{
    *stored = s->nodes ? root : key;
    return s->nodes ? tree_value(s, key, 0, s->kp.key_words, put, root) : 0;
}

/* The key words [lo, hi) of the node whose value is v. */
static void tree_unfold(const Store *s, uint64_t v, size_t lo, size_t hi,
                        uint64_t *key)
{
    if (hi - lo == 1) {
        key[lo] = v;
        return;
    }
    size_t mid = cut_of(s, lo, hi);
    tree_unfold(s, nodeset_value(s->nodes, (uint32_t)(v >> 32)), lo, mid,
                key);
    tree_unfold(s, nodeset_value(s->nodes, (uint32_t)v), mid, hi, key);
}

/* The packed key of committed or pending state id. */
static void key_of(const Store *s, uint64_t id, uint64_t *key)
{
    if (!s->nodes) {
        load_key(s, id, key);
        return;
    }
    uint64_t root;
    load_key(s, id, &root);
    tree_unfold(s, root, 0, s->kp.key_words, key);
}

static uint32_t tag_of(uint64_t h, unsigned idbits)
{
    return (uint32_t)(h >> 32) >> idbits;
}

/* The home slot of hash h in an index of `size` slots: the low half of
 * the hash scaled to the size (a multiply, not a division: sizes are
 * powers of two and one and a half times them), so the tag (the high
 * half) says something the slot does not. */
static uint64_t home(uint64_t h, uint64_t size)
{
    return (h & 0xffffffffu) * size >> 32;
}

/* The sizes the budget may end the index at: 2^k and 1.5 x 2^k, so
 * that a budget between two powers of two is not wasted (an index of
 * 1.5 x 2^30 slots holds 1.2 G states in 6 GiB, where 2^31 would take 8). */
static uint64_t next_size(uint64_t size)
{
    return (size & (size - 1)) ? size / 3 * 4 : size / 2 * 3;
}

/* The size after `size` as the index fills: doubled, but no larger than
 * the budget's (max_size). Steps of half would keep it fuller, but cost
 * a rehash of every state each time (measured: 14 % slower on buffers
 * 14 at -j2). */
static uint64_t grown_size(const Store *s, uint64_t size)
{
    return 2 * size <= s->max_size ? 2 * size : s->max_size;
}

static uint32_t id_mask(unsigned idbits)
{
    return (UINT32_C(1) << idbits) - 1;
}

/* ---------- creation ---------- */

/* The largest capacity the budget holds: the key (or tree root) and the
 * lineage's 2.25 bits (3) per state, and the index at its final size.
 * The links, like the explorer's discovery words, are a slice's: the
 * explorer keeps them within the budget as it goes (explore.c,
 * within_budget). */
static void plan(Store *s, size_t memory)
{
    size_t per_bits = 8 * s->sb + 3;
    s->capacity = 0;
    s->max_size = (uint64_t)1 << MIN_SLOTS_LOG;
    for (uint64_t size = (uint64_t)1 << MIN_SLOTS_LOG;
         size <= (uint64_t)1 << MAX_SLOTS_LOG; size = next_size(size)) {
        uint64_t index_bytes = size * 4;
        if (index_bytes >= memory)
            break;
        uint64_t c = (memory - index_bytes) / per_bits * 8;
        if (c > size / 4 * 3)
            c = size / 4 * 3;
        if (c > s->capacity) {
            s->capacity = c;
            s->max_size = size;
        }
    }
}

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* 1 when the CPU has PREFETCHW (CPUID 0x80000001, ECX bit 8). */
static int cpu_has_prefetchw(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    return __get_cpuid(0x80000001u, &a, &b, &c, &d) && (c >> 8 & 1);
#else
    return 0;
#endif
}

int store_fits(size_t width, const uint32_t *word_max)
{
    KeyPack probe;
    int fits = keypack_init(&probe, width, word_max) != -2; /* -1: nomem */
    keypack_free(&probe);
    return fits;
}

Store *store_new(size_t width, const uint32_t *word_max, size_t memory)
{
    return store_new_tree(width, word_max, memory, 0);
}

Store *store_new_tree(size_t width, const uint32_t *word_max, size_t memory,
                      unsigned tree)
{
    Store *s = mem_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    int rc = tree ? keypack_init_leaves(&s->kp, width, word_max, tree) : -2;
    if (rc == -2) { /* plain, or leaves wider than a key may be */
        keypack_free(&s->kp);
        rc = keypack_init(&s->kp, width, word_max);
    }
    if (rc != 0 || (tree && s->kp.key_words > 1 && tree_init(s) != 0)) {
        store_free(s);
        return NULL;
    }
    s->sw = s->nodes ? 1 : s->kp.key_words;
    s->sb = s->nodes ? sizeof(uint64_t) : s->kp.key_bytes;
    plan(s, memory);
    size_t keys = round_up(s->capacity * s->sb + 8, 4096);
    size_t links = round_up(s->capacity * sizeof(uint32_t) + 4, 4096);
    s->region_bytes = keys + links + s->max_size * sizeof(uint32_t);
    s->region = mem_map(s->region_bytes);
    s->lineage = lineage_new(s->capacity);
    if (!s->region || !s->lineage) {
        store_free(s);
        return NULL;
    }
    s->keys = s->region;
    s->link = (uint32_t *)(void *)(s->region + keys);
    s->index = (_Atomic uint32_t *)(void *)(s->region + keys + links);
    s->size = (uint64_t)1 << MIN_SLOTS_LOG;
    s->idbits = MIN_SLOTS_LOG;
    s->prefetchw = cpu_has_prefetchw();
    return s;
}

void store_free(Store *s)
{
    if (!s)
        return;
    mem_unmap(s->region, s->region_bytes);
    lineage_free(s->lineage);
    nodeset_free(s->nodes);
    mem_free(s->cut);
    keypack_free(&s->kp);
    mem_free(s->tmp);
    mem_free(s);
}

size_t store_key_words(const Store *s) { return s->kp.key_words; }
size_t store_key_bytes(const Store *s) { return s->sb; }
uint64_t store_capacity(const Store *s) { return s->capacity; }
uint64_t store_count(const Store *s) { return s->count; }

size_t store_bytes(const Store *s)
{
    return s->count * s->sb + lineage_bytes(s->lineage) +
           s->size * sizeof(uint32_t) +
           (s->nodes ? nodeset_bytes(s->nodes) : 0);
}

size_t store_grow_bytes(const Store *s)
{
    return (s->next_size - s->size) * sizeof(uint32_t);
}

/* Bit j of the result: word at + j of vec differs from base's, for the
 * n <= 64 words from `at` on; compared four at a time (SSE2, on every
 * x86-64). */
static inline uint64_t words_changed(const uint32_t *base,
                                     const uint32_t *vec, size_t at,
                                     size_t n)
{
    uint64_t changed = 0;
    size_t j = 0;
#ifdef __SSE2__
    for (; j + 4 <= n; j += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(vec +
                                                                    at + j));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(base +
                                                                    at + j));
        unsigned same =
            (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, b)));
        changed |= (uint64_t)(~same & 0xFu) << j;
    }
#endif
    for (; j < n; j++)
        changed |= (uint64_t)(vec[at + j] != base[at + j]) << j;
    return changed;
}

/* key = the packed vec, from bkey = the packed base: each word of vec
 * that differs from base's is XORed into its field (both fit the field,
 * so the field becomes vec's). A successor differs from its state in a
 * few words, so only those are touched, found by words_changed. Measured
 * on philosophers 12 (36 words): packing every word took a fifth of the
 * run, this about a third less. */
static inline void pack_from(const Store *s, const uint32_t *base,
                             const uint64_t *bkey, const uint32_t *vec,
                             uint64_t *key)
{
    const uint8_t *word_of = s->kp.word_of, *shift = s->kp.shift;
    size_t w = s->kp.width, kw = s->kp.key_words;
    uint64_t acc = bkey[0]; /* key word 0 in a register (the common case:
                               the only word); the others in key */
    for (size_t k = 1; k < kw; k++)
        key[k] = bkey[k];
    for (size_t at = 0; at < w; at += 64) {
        uint64_t changed = words_changed(base, vec, at,
                                         w - at < 64 ? w - at : 64);
        for (; changed; changed &= changed - 1) {
            size_t j = at + (size_t)__builtin_ctzll(changed);
            uint64_t d = (uint64_t)(vec[j] ^ base[j]) << shift[j];
            if (word_of[j] == 0)
                acc ^= d;
            else
                key[word_of[j]] ^= d;
        }
    }
    key[0] = acc;
}

void store_prepare(const Store *s, const uint32_t *base, const uint32_t *vecs,
                   size_t n, uint64_t *keys, uint64_t *hashes)
{
    size_t kw = s->kp.key_words;
    uint64_t bkey[kw];
    if (base)
        pack(s, base, bkey);
    for (size_t k = 0; k < n; k++) {
        uint64_t *key = keys + k * kw;
        if (base)
            pack_from(s, base, bkey, vecs + k * s->kp.width, key);
        else
            pack(s, vecs + k * s->kp.width, key);
        hashes[k] = hash(s, key);
    }
}

/* Fetches the line at p for writing. An insert, a rehash and a commit
 * write the slots they fetch; a line fetched for reading arrives shared
 * when another core has touched it, and the compare-and-swap then waits
 * for a second round trip to own it. With two threads on this project's
 * machine the CAS after a read prefetch took two thirds of store_insert's
 * time, and store_insert 2.6 times its one-thread time (perf, buffers
 * 14). gcc's __builtin_prefetch(p, 1) emits PREFETCHW only with -mprfchw,
 * hence the asm, used only where CPUID says the CPU has it (s->prefetchw;
 * otherwise __builtin_prefetch(p, 1): a write prefetch on targets that
 * have one, a read prefetch on x86). */
static inline void prefetch_w(const Store *s, const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    if (s->prefetchw) {
        __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
        return;
    }
#endif
    __builtin_prefetch(p, 1);
}

void store_prefetch(const Store *s, uint64_t h)
{
    prefetch_w(s, (const void *)&s->index[home(h, s->size)]);
}

/* ---------- growing the index ---------- */

uint64_t store_room(const Store *s)
{
    uint64_t limit = s->size / 4 * 3;
    if (limit > s->capacity)
        limit = s->capacity;
    return limit > s->count ? limit - s->count : 0;
}

StoreStatus store_reserve(Store *s, uint64_t used, uint64_t want)
{
    if (want > s->capacity - s->count)
        return STORE_FULL;
    uint64_t need = s->count + want, size = s->size;
    while (size / 4 * 3 < need && size < s->max_size)
        size = grown_size(s, size);
    if (size == s->size)
        return STORE_OK;
    s->next_size = size;
    s->next_bits = s->idbits;
    while (((uint64_t)1 << s->next_bits) < size)
        s->next_bits++;
    s->grow_used = used;
    return STORE_GROW;
}

/* Puts value v (hash h) into the free slot of the index being rebuilt;
 * returns the slot. No key is there twice, so no comparison; when
 * other parts run at once (`shared`), slots are taken by compare-and-swap. */
static uint64_t grow_put(Store *s, uint64_t h, uint32_t v, int shared)
{
    uint64_t size = s->next_size;
    for (uint64_t i = home(h, size);; i = i + 1 == size ? 0 : i + 1) {
        uint32_t empty = 0;
        if (!shared) {
            if (atomic_load_explicit(&s->index[i], memory_order_relaxed))
                continue;
            atomic_store_explicit(&s->index[i], v, memory_order_relaxed);
            return i;
        }
        if (atomic_compare_exchange_strong_explicit(&s->index[i], &empty, v,
                                                    memory_order_relaxed,
                                                    memory_order_relaxed))
            return i;
    }
}

/* Puts id (hash h) into the index being rebuilt. */
static void grow_one(Store *s, uint64_t id, uint64_t h, int shared)
{
    uint32_t v = (tag_of(h, s->next_bits) << s->next_bits) |
                 (((uint32_t)id + 1) & id_mask(s->next_bits));
    uint64_t slot = grow_put(s, h, v, shared);
    if (id >= s->count)
        s->link[id - s->count] = (uint32_t)slot + 1;
}

/* Rehashes ids [lo, hi) (committed ones, or pending ones that are in the
 * index). A sliding window: the slot of the entry GROW_AHEAD places on is
 * fetched while this one is put, so that GROW_AHEAD cache misses are
 * always under way (batches of as many, fetched then put, left the
 * memory idle at each batch's end: 15-30% slower). */
enum { GROW_AHEAD = 32 };

static void grow_range(Store *s, uint64_t lo, uint64_t hi, int shared)
{
    uint64_t key[s->kp.key_words], hashes[GROW_AHEAD], ids[GROW_AHEAD];
    unsigned n = 0; /* entries in the window, ring[n % GROW_AHEAD] next */
    for (uint64_t at = lo; at < hi; at++) {
        if (at >= s->count && s->link[at - s->count] == 0)
            continue; /* a pending position never used */
        key_of(s, at, key);
        uint64_t h = hash(s, key);
        prefetch_w(s, (const void *)&s->index[home(h, s->next_size)]);
        unsigned i = n++ % GROW_AHEAD;
        if (n > GROW_AHEAD)
            grow_one(s, ids[i], hashes[i], shared);
        hashes[i] = h;
        ids[i] = at;
    }
    for (unsigned k = n > GROW_AHEAD ? n - GROW_AHEAD : 0; k < n; k++)
        grow_one(s, ids[k % GROW_AHEAD], hashes[k % GROW_AHEAD], shared);
}

void store_grow_clear(Store *s, unsigned part, unsigned parts)
{
    uint64_t lo = s->next_size * part / parts;
    uint64_t hi = s->next_size * (part + 1) / parts;
    uint64_t old = lo < s->size ? (hi < s->size ? hi : s->size) : lo;
    memset((void *)(s->index + lo), 0, (old - lo) * sizeof *s->index);
    mem_populate((void *)(s->index + old), (hi - old) * sizeof *s->index);
}

void store_grow_part(Store *s, unsigned part, unsigned parts)
{
    uint64_t total = s->count + s->grow_used;
    uint64_t lo = total * part / parts, hi = total * (part + 1) / parts;
    grow_range(s, lo, hi, parts > 1);
}

void store_grow_end(Store *s)
{
    s->size = s->next_size;
    s->idbits = s->next_bits;
}

/* ---------- insertion and lookup ---------- */

int store_insert(Store *s, const uint64_t *key, uint64_t h, uint64_t id,
                 uint64_t *found)
{
    uint64_t root;
    if (stored_of(s, key, 1, &root, &key) != 0)
        return -1; /* the tree's nodes are full */
    store_key(s, id, key);
    unsigned idbits = s->idbits;
    uint32_t tag = tag_of(h, idbits), mask = id_mask(idbits);
    uint32_t mine = (tag << idbits) | ((uint32_t)id + 1);
    uint64_t size = s->size;
    for (uint64_t i = home(h, size);; i = i + 1 == size ? 0 : i + 1) {
        uint32_t v = atomic_load_explicit(&s->index[i], memory_order_acquire);
        while (v == 0) {
            /* release: the key (and the caller's data about `id`) is
             * visible to whoever reads the slot */
            if (atomic_compare_exchange_weak_explicit(
                    &s->index[i], &v, mine, memory_order_release,
                    memory_order_acquire)) {
                s->link[id - s->count] = (uint32_t)i + 1;
                return 1;
            }
        }
        if (v >> idbits == tag && (v & mask) != mask &&
            key_equal(s, (v & mask) - 1, key)) {
            *found = (v & mask) - 1;
            return 0;
        }
    }
}

uint64_t store_find(const Store *s, const uint64_t *key, uint64_t h)
{
    uint64_t root;
    if (stored_of(s, key, 0, &root, &key) != 0)
        return UINT64_MAX; /* a node is absent: so is the state */
    uint64_t size = s->size;
    uint32_t tag = tag_of(h, s->idbits), mask = id_mask(s->idbits);
    for (uint64_t i = home(h, size);; i = i + 1 == size ? 0 : i + 1) {
        uint32_t v = atomic_load_explicit(&s->index[i], memory_order_acquire);
        if (v == 0)
            return UINT64_MAX;
        uint64_t id = (v & mask) - 1;
        if (v >> s->idbits == tag && (v & mask) != mask && id < s->count &&
            key_equal(s, id, key))
            return id;
    }
}

uint64_t store_lookup(const Store *s, const uint32_t *vec)
{
    uint64_t key[s->kp.key_words];
    store_pack(s, vec, key);
    return store_find(s, key, store_hash(s, key));
}

void store_lookup_many(const Store *s, const uint32_t *vecs, size_t n,
                       uint64_t *ids)
{
    size_t kw = s->kp.key_words, chunk = kw <= 8 ? 64 : 512 / kw + 1;
    uint64_t keys[chunk * kw], hashes[chunk];
    for (size_t at = 0; at < n; at += chunk) {
        size_t m = n - at < chunk ? n - at : chunk;
        store_prepare(s, NULL, vecs + at * s->kp.width, m, keys, hashes);
        for (size_t i = 0; i < m; i++)
            __builtin_prefetch( /* read only: lookups share lines */
                (const void *)&s->index[home(hashes[i], s->size)]);
        for (size_t i = 0; i < m; i++)
            ids[at + i] = store_find(s, keys + i * kw, hashes[i]);
    }
}

void store_state(const Store *s, uint64_t id, uint32_t *vec)
{
    uint64_t key[s->kp.key_words];
    key_of(s, id, key);
    unpack(s, key, vec);
}

StoreStatus store_tidy(Store *s, size_t left)
{
    if (!s->nodes || !nodeset_wants_grow(s->nodes))
        return STORE_OK;
    if (left && nodeset_grow_bytes(s->nodes) > left)
        return STORE_FULL;
    return nodeset_grow(s->nodes) == 0 ? STORE_OK : STORE_NOMEM;
}

int store_is_tree(const Store *s) { return s->nodes != NULL; }

uint32_t store_parent(const Store *s, uint64_t id)
{
    return lineage_parent(s->lineage, id);
}

/* ---------- the end of a level ---------- */

void store_drop(Store *s, const uint32_t *pos, uint64_t n)
{
    uint32_t mask = id_mask(s->idbits);
    for (uint64_t k = 0; k < n; k++) {
        uint32_t *link = &s->link[pos[k]];
        if (*link == 0)
            continue;
        _Atomic uint32_t *slot = &s->index[*link - 1];
        atomic_store_explicit(slot, atomic_load(slot) | mask,
                              memory_order_relaxed);
        *link = 0;
    }
}

/* The commit. Pending position order[r] becomes count + r: keys move
 * through a copy of the level's keys and each one's slot gets the new id
 * (in parallel parts); then the parents join the lineage and the links
 * are cleared for the next level (one thread: a few ns a state). */
int store_commit_begin(Store *s, const uint32_t *order,
                       const uint32_t *parents, uint64_t n, uint64_t used)
{
    s->c_order = order;
    s->c_parents = parents;
    s->c_n = n;
    s->c_used = used;
    if (!order)
        return 0;
    size_t bytes = used * s->sb;
    if (bytes + 8 > s->tmp_bytes) {
        uint8_t *t = mem_realloc(s->tmp, bytes + 8);
        if (!t)
            return -1;
        s->tmp = t;
        s->tmp_bytes = bytes + 8;
    }
    mem_copy(s->tmp, s->keys + s->count * s->sb, bytes);
    return 0;
}

enum { COMMIT_AHEAD = 24 };

void store_commit_part(Store *s, unsigned part, unsigned parts)
{
    if (!s->c_order)
        return; /* positions are ids already */
    uint64_t lo = s->c_n * part / parts, hi = s->c_n * (part + 1) / parts;
    uint32_t mask = id_mask(s->idbits);
    uint64_t key[s->sw];
    size_t kb = s->sb, last = s->sw - 1;
    for (uint64_t r = lo; r < hi; r++) {
        uint64_t id = s->count + r, from = s->c_order[r];
        /* sources and slots are scattered: fetch ahead (measured: the
         * commit takes 15% less time) */
        if (r + 2 * COMMIT_AHEAD < hi) {
            uint32_t far = s->c_order[r + 2 * COMMIT_AHEAD];
            __builtin_prefetch(&s->link[far]);
            __builtin_prefetch(s->tmp + (size_t)far * kb);
        }
        if (r + COMMIT_AHEAD < hi)
            prefetch_w(s, (const void *)&s->index[
                s->link[s->c_order[r + COMMIT_AHEAD]] - 1]);
        const uint8_t *src = s->tmp + from * kb;
        for (size_t i = 0; i < last; i++)
            key[i] = load64(src + 8 * i);
        key[last] = load_small(src + 8 * last, kb - 8 * last);
        store_key(s, id, key);
        _Atomic uint32_t *slot = &s->index[s->link[from] - 1];
        uint32_t v = atomic_load_explicit(slot, memory_order_relaxed);
        atomic_store_explicit(slot, (v & ~mask) | ((uint32_t)id + 1),
                              memory_order_relaxed);
    }
}

void store_commit_end(Store *s)
{
    for (uint64_t r = 0; r < s->c_n; r++)
        lineage_append(s->lineage, s->c_parents[r]);
    memset(s->link, 0, s->c_used * sizeof *s->link);
    s->count += s->c_n;
}

int store_commit(Store *s, const uint32_t *order, const uint32_t *parents,
                 uint64_t n, uint64_t used)
{
    if (store_commit_begin(s, order, parents, n, used) != 0)
        return -1;
    store_commit_part(s, 0, 1);
    store_commit_end(s);
    return 0;
}
