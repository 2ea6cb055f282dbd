/*
 * The hypervisor's object allocator. Requests up to KALLOC_MAX_SMALL bytes
 * come from power-of-two size classes (16 .. 2048) carved out of 4 KiB pages;
 * an object is aligned to min(class size, 64). Larger requests take whole
 * contiguous pages and are page aligned. kfree needs no size. Pages come from
 * an injected provider, so host tests can back them with the C library.
 * Thread-safe; callable with interrupts disabled. kalloc(0) returns a
 * 16-byte object, not NULL.
 */
#ifndef TANDEM_KALLOC_H
#define TANDEM_KALLOC_H

#include <stddef.h>
#include <stdint.h>

#define KALLOC_PAGE_SIZE 4096
#define KALLOC_MIN_SHIFT 4  /* 16 bytes */
#define KALLOC_MAX_SHIFT 11 /* 2048 bytes */
#define KALLOC_MAX_SMALL (1u << KALLOC_MAX_SHIFT)
#define KALLOC_NCLASSES  (KALLOC_MAX_SHIFT - KALLOC_MIN_SHIFT + 1)

struct kalloc_ops {
	/*
	 * npages contiguous, 4 KiB-aligned, mapped pages, or NULL. Contents
	 * need not be zeroed. Called with the allocator's lock held and
	 * interrupts off: it must not call kalloc.
	 */
	void *(*page_alloc)(void *ctx, size_t npages);
	/* Returns what page_alloc gave, with the same npages. Same context. */
	void (*page_free)(void *ctx, void *p, size_t npages);
	void *ctx;
};

struct kalloc_class_stats {
	size_t size;     /* object size; 0 for the large-allocation line */
	size_t inuse;    /* live objects (large: live allocations) */
	size_t pages;    /* pages held, including a cached empty one */
	uint64_t allocs; /* successful kalloc calls */
	uint64_t frees;
};

struct kalloc_stats {
	struct kalloc_class_stats cls[KALLOC_NCLASSES];
	struct kalloc_class_stats large;
	uint64_t failures; /* kalloc calls that returned NULL */
};

/*
 * Installs the page provider and resets the allocator. Re-initialising is
 * allowed only when nothing is allocated (it panics otherwise); cached empty
 * pages go back to the previous provider first. -ERR_INVAL when ops or a
 * callback is missing.
 */
int kalloc_init(const struct kalloc_ops *ops);

/* NULL when the provider is out of pages or before kalloc_init. */
void *kalloc(size_t size);
void *kzalloc(size_t size);

/*
 * NULL is ignored. Panics on a pointer kalloc did not return or one already
 * freed, where the page header (small) or the large table shows it.
 */
void kfree(void *p);

/*
 * Large allocations are tracked by 32-byte records that count in the
 * 32-byte class.
 */
void kalloc_stats(struct kalloc_stats *s);
void kalloc_print(void);

#endif
