/*
 * Size-class allocator. A small-object page ("slab") starts with a 64-byte
 * header naming its class and holding a free bit per object, so kfree finds
 * the class from the pointer alone and catches double frees; objects follow
 * the header, so none is page aligned. Large allocations are page aligned
 * and recorded in a small hash table keyed by address, which gives kfree
 * their page count and rejects pointers it never handed out.
 *
 * A class keeps at most one empty slab cached (the one it would allocate
 * from next); any other slab that empties goes back to the provider.
 */
#include <compiler.h>
#include <errcode.h>
#include <kalloc.h>
#include <log.h>
#include <spinlock.h>
#include <stdbool.h>
#include <string.h>

#define SLAB_MAGIC    0x6b616c63u /* "kalc" */
#define SLAB_HDR      64
#define SLAB_MAP_BITS 256
#define LARGE_BUCKETS 64

/* At the start of every small-object page; lives and dies with the page. */
struct kalloc_slab {
	uint32_t magic;                       /* SLAB_MAGIC while the page belongs to a class */
	uint8_t cls;                          /* index into ka.cls */
	uint16_t nobj;                        /* objects the page holds */
	uint16_t nfree;                       /* bits set in freemap */
	struct kalloc_slab *next, *prev;      /* class partial list, iff nfree > 0 */
	uint64_t freemap[SLAB_MAP_BITS / 64]; /* bit i set: object i is free */
};

_Static_assert(sizeof(struct kalloc_slab) <= SLAB_HDR, "slab header outgrew its slot");
_Static_assert((KALLOC_PAGE_SIZE - SLAB_HDR) >> KALLOC_MIN_SHIFT <= SLAB_MAP_BITS,
               "freemap too small for the smallest class");

/* One live large allocation; itself a small object. */
struct kalloc_large {
	void *p;
	size_t npages;
	struct kalloc_large *next; /* bucket chain */
};

struct kalloc_class {
	struct kalloc_slab *partial; /* slabs with at least one free object */
	struct kalloc_class_stats st;
};

/* ka.lock protects every other field. */
static struct {
	spinlock_t lock;
	bool ready; /* kalloc_init has run */
	struct kalloc_ops ops;
	struct kalloc_class cls[KALLOC_NCLASSES];
	struct kalloc_large *large[LARGE_BUCKETS];
	struct kalloc_class_stats large_st;
	uint64_t failures;
} ka;

static unsigned int size_class(size_t size)
{
	if (size <= (1u << KALLOC_MIN_SHIFT))
		return 0;
	return (unsigned int)(64 - __builtin_clzll(size - 1)) - KALLOC_MIN_SHIFT;
}

static size_t class_size(unsigned int c)
{
	return (size_t)1 << (c + KALLOC_MIN_SHIFT);
}

/* ---- partial lists ---------------------------------------------------------- */

static void partial_push(struct kalloc_class *c, struct kalloc_slab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
}

static void partial_unlink(struct kalloc_class *c, struct kalloc_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* ---- small objects (lock held) ----------------------------------------------- */

static void *page_get(size_t npages)
{
	void *p = ka.ops.page_alloc(ka.ops.ctx, npages);

	if (p && !IS_ALIGNED((uintptr_t)p, KALLOC_PAGE_SIZE))
		panic("kalloc: page provider returned unaligned %p", p);
	return p;
}

static struct kalloc_slab *slab_new(unsigned int ci)
{
	struct kalloc_slab *s = page_get(1);
	size_t n = (KALLOC_PAGE_SIZE - SLAB_HDR) / class_size(ci);

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cls = (uint8_t)ci;
	s->nobj = (uint16_t)n;
	s->nfree = (uint16_t)n;
	for (size_t i = 0; i < n; i++)
		s->freemap[i / 64] |= 1ull << (i % 64);
	partial_push(&ka.cls[ci], s);
	ka.cls[ci].st.pages++;
	return s;
}

static void *small_alloc(unsigned int ci)
{
	struct kalloc_class *c = &ka.cls[ci];
	struct kalloc_slab *s = c->partial;
	size_t i = 0;

	if (!s && !(s = slab_new(ci)))
		return NULL;
	while (!s->freemap[i / 64])
		i += 64;
	i += (size_t)__builtin_ctzll(s->freemap[i / 64]);
	ASSERT(i < s->nobj);
	s->freemap[i / 64] &= ~(1ull << (i % 64));
	if (--s->nfree == 0)
		partial_unlink(c, s);
	c->st.inuse++;
	c->st.allocs++;
	return (char *)s + SLAB_HDR + i * class_size(ci);
}

static void small_free(void *p)
{
	struct kalloc_slab *s = (struct kalloc_slab *)ALIGN_DOWN((uintptr_t)p, KALLOC_PAGE_SIZE);
	uintptr_t off = (uintptr_t)p - (uintptr_t)s - SLAB_HDR;
	struct kalloc_class *c;
	size_t size, i;

	if (s->magic != SLAB_MAGIC || s->cls >= KALLOC_NCLASSES)
		panic("kfree: %p is not a kalloc pointer (page header %#x)", p, s->magic);
	c = &ka.cls[s->cls];
	size = class_size(s->cls);
	i = off / size;
	if ((uintptr_t)p < (uintptr_t)s + SLAB_HDR || off % size || i >= s->nobj)
		panic("kfree: %p is not the start of a %zu-byte object", p, size);
	if (s->freemap[i / 64] & (1ull << (i % 64)))
		panic("kfree: double free of %p (%zu-byte object)", p, size);

	s->freemap[i / 64] |= 1ull << (i % 64);
	if (s->nfree++ == 0)
		partial_push(c, s);
	c->st.inuse--;
	c->st.frees++;
	if (s->nfree == s->nobj && (c->partial != s || s->next)) {
		partial_unlink(c, s);
		s->magic = 0;
		c->st.pages--;
		ka.ops.page_free(ka.ops.ctx, s, 1);
	}
}

/* ---- large allocations (lock held) ---------------------------------------------- */

static struct kalloc_large **large_bucket(const void *p)
{
	uint64_t h = ((uint64_t)(uintptr_t)p >> 12) * 0x9e3779b97f4a7c15ull;

	return &ka.large[h >> (64 - 6)];
}

_Static_assert(LARGE_BUCKETS == 1 << 6, "large_bucket hashes to 6 bits");

static void *large_alloc(size_t size)
{
	size_t npages = size / KALLOC_PAGE_SIZE + (size % KALLOC_PAGE_SIZE != 0);
	struct kalloc_large *r, **b;
	void *p;

	r = small_alloc(size_class(sizeof(*r)));
	if (!r)
		return NULL;
	p = page_get(npages);
	if (!p) {
		small_free(r);
		return NULL;
	}
	b = large_bucket(p);
	r->p = p;
	r->npages = npages;
	r->next = *b;
	*b = r;
	ka.large_st.inuse++;
	ka.large_st.pages += npages;
	ka.large_st.allocs++;
	return p;
}

static void large_free(void *p)
{
	struct kalloc_large **link = large_bucket(p), *r;

	while (*link && (*link)->p != p)
		link = &(*link)->next;
	r = *link;
	if (!r)
		panic("kfree: %p is not a live kalloc pointer (foreign or already freed)", p);
	*link = r->next;
	ka.ops.page_free(ka.ops.ctx, p, r->npages);
	ka.large_st.inuse--;
	ka.large_st.pages -= r->npages;
	ka.large_st.frees++;
	small_free(r);
}

/* ---- API --------------------------------------------------------------------- */

/* Returns cached empty slabs to the provider before a reset; lock held. */
static void drain_locked(void)
{
	if (ka.large_st.inuse)
		panic("kalloc_init: %zu large allocations still live", ka.large_st.inuse);
	for (unsigned int ci = 0; ci < KALLOC_NCLASSES; ci++) {
		struct kalloc_class *c = &ka.cls[ci];

		if (c->st.inuse)
			panic("kalloc_init: %zu %zu-byte objects still allocated", c->st.inuse,
			      class_size(ci));
		while (c->partial) {
			struct kalloc_slab *s = c->partial;

			partial_unlink(c, s);
			s->magic = 0;
			ka.ops.page_free(ka.ops.ctx, s, 1);
		}
	}
}

int kalloc_init(const struct kalloc_ops *ops)
{
	unsigned long f;

	if (!ops || !ops->page_alloc || !ops->page_free) {
		log_err("kalloc: missing page provider");
		return -ERR_INVAL;
	}
	f = spin_lock_irqsave(&ka.lock);
	if (ka.ready)
		drain_locked();
	memset(ka.cls, 0, sizeof(ka.cls));
	memset(ka.large, 0, sizeof(ka.large));
	memset(&ka.large_st, 0, sizeof(ka.large_st));
	for (unsigned int ci = 0; ci < KALLOC_NCLASSES; ci++)
		ka.cls[ci].st.size = class_size(ci);
	ka.failures = 0;
	ka.ops = *ops;
	ka.ready = true;
	spin_unlock_irqrestore(&ka.lock, f);
	return 0;
}

void *kalloc(size_t size)
{
	unsigned long f = spin_lock_irqsave(&ka.lock);
	void *p = NULL;

	if (ka.ready && size <= KALLOC_MAX_SMALL)
		p = small_alloc(size_class(size));
	else if (ka.ready && size <= SIZE_MAX - KALLOC_PAGE_SIZE)
		p = large_alloc(size);
	if (!p)
		ka.failures++;
	spin_unlock_irqrestore(&ka.lock, f);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	unsigned long f;

	if (!p)
		return;
	f = spin_lock_irqsave(&ka.lock);
	if (!ka.ready)
		panic("kfree: %p before kalloc_init", p);
	if (IS_ALIGNED((uintptr_t)p, KALLOC_PAGE_SIZE))
		large_free(p);
	else
		small_free(p);
	spin_unlock_irqrestore(&ka.lock, f);
}

void kalloc_stats(struct kalloc_stats *s)
{
	unsigned long f = spin_lock_irqsave(&ka.lock);

	for (unsigned int ci = 0; ci < KALLOC_NCLASSES; ci++) {
		s->cls[ci] = ka.cls[ci].st;
		s->cls[ci].size = class_size(ci);
	}
	s->large = ka.large_st;
	s->large.size = 0;
	s->failures = ka.failures;
	spin_unlock_irqrestore(&ka.lock, f);
}

void kalloc_print(void)
{
	struct kalloc_stats s;

	kalloc_stats(&s);
	log_info("kalloc: %6s %8s %6s %10s %10s", "size", "inuse", "pages", "allocs", "frees");
	for (unsigned int ci = 0; ci < KALLOC_NCLASSES; ci++)
		log_info("kalloc: %6zu %8zu %6zu %10llu %10llu", s.cls[ci].size, s.cls[ci].inuse,
		         s.cls[ci].pages, (unsigned long long)s.cls[ci].allocs,
		         (unsigned long long)s.cls[ci].frees);
	log_info("kalloc: %6s %8zu %6zu %10llu %10llu", "large", s.large.inuse, s.large.pages,
	         (unsigned long long)s.large.allocs, (unsigned long long)s.large.frees);
	log_info("kalloc: %llu failed allocations", (unsigned long long)s.failures);
}
