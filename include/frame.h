/*
 * Physical frame allocator: 4 KiB frames, tracked in a bitmap that the
 * allocator places in free memory itself. Built from a firmware memory map
 * plus ranges that must never be handed out (the hypervisor image, the boot
 * info, modules, the low 1 MiB). Physical frame 0 is never handed out, so a
 * returned address of 0 means failure.
 *
 * Frames are not zeroed: clearing them is the caller's business.
 */
#ifndef TANDEM_FRAME_H
#define TANDEM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <spinlock.h>

#define FRAME_SHIFT 12
#define FRAME_SIZE  (1ull << FRAME_SHIFT)

/* A memory map entry; the same type values as Multiboot / E820. */
#define MEM_REGION_AVAILABLE 1

struct mem_region {
	uint64_t base, len;
	uint32_t type; /* MEM_REGION_AVAILABLE or anything else (not usable) */
};

/* Physical bytes [base, end): end is exclusive. */
struct phys_range {
	uint64_t base, end;
};

/* Hardware effects, injected so host tests can pass a fake "physical memory". */
struct frame_ops {
	/*
	 * Returns a writable pointer to physical [pa, ...): it must cover every
	 * byte of the run the bitmap occupies (contiguous). NULL if unmapped.
	 */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

struct frame_stats {
	size_t total;      /* usable frames (excludes the bitmap's own frames) */
	size_t free;       /* frames free now */
	size_t allocated;  /* total - free */
	size_t peak;       /* highest allocated ever seen */
	size_t meta;       /* frames holding the bitmap */
	uint64_t allocs;   /* frame_alloc + frame_alloc_contig calls */
	uint64_t failures; /* of those, how many returned 0 */
};

struct frame_pool {
	/* Set by frame_init, read-only afterwards (no lock needed). */
	uint64_t base_pfn; /* frame number of bitmap bit 0 */
	size_t nframes;    /* frames the bitmaps describe */
	size_t nwords;     /* 64-bit words per bitmap */
	uint64_t *usable;  /* bit set: frame belongs to the pool (never changes) */
	uint64_t meta_pa;  /* where the bitmaps live */
	size_t meta;       /* frames the bitmaps occupy */
	size_t total;      /* usable frames */

	spinlock_t lock; /* protects every field below and the bits of used[] */
	uint64_t *used;  /* bit set: allocated or not usable (padding bits too) */
	size_t hint;     /* word index where frame_alloc's next-fit search starts */
	size_t free;
	size_t peak;
	uint64_t allocs;
	uint64_t failures;
};

/* The hypervisor's pool, set up at boot from the Multiboot map. */
extern struct frame_pool frames;

/*
 * Builds the pool. A frame is usable only when it lies wholly inside one
 * available map entry and overlaps no other-typed entry and no reserved
 * range (the map may be unsorted and overlapping; any conflict makes the
 * frame unusable). Returns 0, -ERR_INVAL for malformed input or an
 * unmapped bitmap, -ERR_NOMEM when nothing is usable or the bitmap fits
 * nowhere.
 */
int frame_init(struct frame_pool *p, const struct mem_region *map, size_t n,
               const struct phys_range *reserved, size_t nres, const struct frame_ops *ops);

/* One frame; returns its physical address or 0 when none is free. */
uint64_t frame_alloc(struct frame_pool *p);

/*
 * nframes contiguous frames whose first address is a multiple of
 * align_frames * FRAME_SIZE (0 or 1: no alignment; else a power of two) and
 * whose end is <= max_pa (0: no limit). Lowest fit first. 0 when none.
 */
uint64_t frame_alloc_contig(struct frame_pool *p, size_t nframes, size_t align_frames,
                            uint64_t max_pa);

/*
 * Returns nframes frames starting at pa. Panics when pa is unaligned, or a
 * frame is outside the pool or not allocated.
 */
void frame_free(struct frame_pool *p, uint64_t pa, size_t nframes);

/* True when the frame holding pa belongs to the pool and is free now. */
bool frame_is_free(struct frame_pool *p, uint64_t pa);

void frame_stats(const struct frame_pool *p, struct frame_stats *s);
void frame_print(const struct frame_pool *p);

#endif
