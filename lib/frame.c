/*
 * Bitmap frame allocator. frame_init walks the memory map as frame-number
 * intervals without any storage of its own: a run of usable frames is a
 * stretch covered by available entries (whole frames only) and touched by
 * no "bad" interval (another-typed entry, a reserved range, frame 0). The
 * bitmaps then go into the first run that fits them.
 */
#include <errcode.h>
#include <frame.h>
#include <log.h>
#include <string.h>

struct frame_pool frames;

#define WORD_BITS 64

/* Frame numbers [lo, hi). */
struct frame_span {
	uint64_t lo, hi;
};

struct frame_scan {
	const struct mem_region *map;
	size_t n;
	const struct phys_range *res;
	size_t nres;
};

static uint64_t addr_end(uint64_t base, uint64_t len)
{
	return base + len < base ? UINT64_MAX : base + len;
}

/* Frames wholly inside bytes [base, end). */
static struct frame_span inner_frames(uint64_t base, uint64_t end)
{
	struct frame_span s;

	s.lo = (base >> FRAME_SHIFT) + ((base & (FRAME_SIZE - 1)) != 0);
	s.hi = end >> FRAME_SHIFT;
	if (end <= base || s.hi < s.lo)
		s.hi = s.lo;
	return s;
}

/* Frames touching any byte of [base, end). */
static struct frame_span outer_frames(uint64_t base, uint64_t end)
{
	struct frame_span s;

	s.lo = base >> FRAME_SHIFT;
	s.hi = (end >> FRAME_SHIFT) + ((end & (FRAME_SIZE - 1)) != 0);
	if (end <= base)
		s.hi = s.lo;
	return s;
}

/* The i-th available span (empty for other-typed entries). */
static struct frame_span good_span(const struct frame_scan *s, size_t i)
{
	const struct mem_region *r = &s->map[i];

	if (r->type != MEM_REGION_AVAILABLE)
		return (struct frame_span){0, 0};
	return inner_frames(r->base, addr_end(r->base, r->len));
}

/* Bad spans: other-typed entries, then reserved ranges, then frame 0. */
static size_t bad_count(const struct frame_scan *s)
{
	return s->n + s->nres + 1;
}

static struct frame_span bad_span(const struct frame_scan *s, size_t i)
{
	if (i < s->n) {
		const struct mem_region *r = &s->map[i];

		if (r->type == MEM_REGION_AVAILABLE)
			return (struct frame_span){0, 0};
		return outer_frames(r->base, addr_end(r->base, r->len));
	}
	i -= s->n;
	if (i < s->nres)
		return outer_frames(s->res[i].base, s->res[i].end);
	return (struct frame_span){0, 1};
}

/* The lowest run of usable frames at or above from; false when none. */
static bool scan_next_run(const struct frame_scan *s, uint64_t from, struct frame_span *run)
{
	uint64_t cur = from, end;
	bool grew;

	for (;;) {
		uint64_t best = UINT64_MAX, skip;

		for (size_t i = 0; i < s->n; i++) {
			struct frame_span g = good_span(s, i);

			if (g.lo < g.hi && g.hi > cur)
				best = MIN(best, MAX(g.lo, cur));
		}
		if (best == UINT64_MAX)
			return false;
		cur = best;
		skip = cur;
		for (size_t i = 0; i < bad_count(s); i++) {
			struct frame_span b = bad_span(s, i);

			if (b.lo <= cur && cur < b.hi)
				skip = MAX(skip, b.hi);
		}
		if (skip == cur)
			break;
		cur = skip;
	}

	end = cur + 1;
	do {
		grew = false;
		for (size_t i = 0; i < s->n; i++) {
			struct frame_span g = good_span(s, i);

			if (g.lo <= end && end < g.hi) {
				end = g.hi;
				grew = true;
			}
		}
	} while (grew);
	for (size_t i = 0; i < bad_count(s); i++) {
		struct frame_span b = bad_span(s, i);

		/* cur is in no bad span, so any overlapping one starts above it. */
		if (b.lo < end && b.hi > cur)
			end = b.lo;
	}
	run->lo = cur;
	run->hi = end;
	return true;
}

/* ---- bitmap helpers; bit i of map is frame base_pfn + i ------------------ */

static uint64_t word_mask(size_t from, size_t to, size_t w)
{
	size_t lo = MAX(from, w * WORD_BITS) - w * WORD_BITS;
	size_t hi = MIN(to, (w + 1) * WORD_BITS) - w * WORD_BITS;
	uint64_t m = hi == WORD_BITS ? ~0ull : (1ull << hi) - 1;

	return m & ~((1ull << lo) - 1);
}

static void bits_set(uint64_t *map, size_t from, size_t to)
{
	for (size_t w = from / WORD_BITS; from < to && w <= (to - 1) / WORD_BITS; w++)
		map[w] |= word_mask(from, to, w);
}

static void bits_clear(uint64_t *map, size_t from, size_t to)
{
	for (size_t w = from / WORD_BITS; from < to && w <= (to - 1) / WORD_BITS; w++)
		map[w] &= ~word_mask(from, to, w);
}

static bool bit_test(const uint64_t *map, size_t i)
{
	return map[i / WORD_BITS] & (1ull << (i % WORD_BITS));
}

/* First bit in [from, to) equal to val, or to. */
static size_t bits_find(const uint64_t *map, size_t from, size_t to, bool val)
{
	while (from < to) {
		size_t w = from / WORD_BITS;
		uint64_t x = (val ? map[w] : ~map[w]) >> (from % WORD_BITS);

		if (x)
			return MIN(from + (size_t)__builtin_ctzll(x), to);
		from = (w + 1) * WORD_BITS;
	}
	return to;
}

/* ---- init --------------------------------------------------------------- */

static int check_input(struct frame_pool *p, const struct mem_region *map, size_t n,
                       const struct phys_range *reserved, size_t nres, const struct frame_ops *ops)
{
	if (!p || !ops || !ops->phys_to_virt || (n && !map) || (nres && !reserved)) {
		log_err("frame: missing pool, ops or table");
		return -ERR_INVAL;
	}
	for (size_t i = 0; i < nres; i++) {
		if (reserved[i].end < reserved[i].base) {
			log_err("frame: reserved range %zu ends (%#llx) before it starts (%#llx)",
			        i, (unsigned long long)reserved[i].end,
			        (unsigned long long)reserved[i].base);
			return -ERR_INVAL;
		}
	}
	return 0;
}

int frame_init(struct frame_pool *p, const struct mem_region *map, size_t n,
               const struct phys_range *reserved, size_t nres, const struct frame_ops *ops)
{
	struct frame_scan s = {map, n, reserved, nres};
	struct frame_span run, extent = {0, 0};
	uint64_t from, count = 0, meta_pfn = 0;
	size_t nwords, meta;
	bool found = false;
	uint64_t *bm;
	int err;

	err = check_input(p, map, n, reserved, nres, ops);
	if (err)
		return err;

	for (from = 0; scan_next_run(&s, from, &run); from = run.hi) {
		if (!count)
			extent.lo = run.lo;
		extent.hi = run.hi;
		count += run.hi - run.lo;
	}
	if (!count) {
		log_err("frame: no usable memory in a %zu-entry map with %zu reserved ranges", n,
		        nres);
		return -ERR_NOMEM;
	}

	nwords = (extent.hi - extent.lo + WORD_BITS - 1) / WORD_BITS;
	meta = (2 * nwords * sizeof(uint64_t) + FRAME_SIZE - 1) / FRAME_SIZE;
	for (from = 0; !found && scan_next_run(&s, from, &run); from = run.hi) {
		if (run.hi - run.lo >= meta) {
			meta_pfn = run.lo;
			found = true;
		}
	}
	if (!found) {
		log_err("frame: no free run of %zu frames for the bitmap (%llu frames usable)",
		        meta, (unsigned long long)count);
		return -ERR_NOMEM;
	}
	bm = ops->phys_to_virt(ops->ctx, meta_pfn << FRAME_SHIFT);
	if (!bm) {
		log_err("frame: bitmap at %#llx is not mapped",
		        (unsigned long long)(meta_pfn << FRAME_SHIFT));
		return -ERR_INVAL;
	}

	memset(p, 0, sizeof(*p));
	p->base_pfn = extent.lo;
	p->nframes = extent.hi - extent.lo;
	p->nwords = nwords;
	p->used = bm;
	p->usable = bm + nwords;
	p->meta_pa = meta_pfn << FRAME_SHIFT;
	p->meta = meta;
	memset(p->used, 0xff, nwords * sizeof(uint64_t));
	memset(p->usable, 0, nwords * sizeof(uint64_t));
	for (from = 0; scan_next_run(&s, from, &run); from = run.hi) {
		bits_set(p->usable, run.lo - p->base_pfn, run.hi - p->base_pfn);
		bits_clear(p->used, run.lo - p->base_pfn, run.hi - p->base_pfn);
	}
	bits_clear(p->usable, meta_pfn - p->base_pfn, meta_pfn - p->base_pfn + meta);
	bits_set(p->used, meta_pfn - p->base_pfn, meta_pfn - p->base_pfn + meta);
	p->total = count - meta;
	p->free = p->total;
	return 0;
}

/* ---- allocation ----------------------------------------------------------- */

/* Takes [i, i + n) off the free set; called with the lock held. */
static uint64_t take(struct frame_pool *p, size_t i, size_t n)
{
	size_t allocated;

	bits_set(p->used, i, i + n);
	p->free -= n;
	allocated = p->total - p->free;
	if (allocated > p->peak)
		p->peak = allocated;
	return (p->base_pfn + i) << FRAME_SHIFT;
}

uint64_t frame_alloc(struct frame_pool *p)
{
	unsigned long f = spin_lock_irqsave(&p->lock);
	uint64_t pa = 0;

	p->allocs++;
	for (size_t k = 0; k < p->nwords; k++) {
		size_t w = (p->hint + k) % p->nwords;

		if (p->used[w] != ~0ull) {
			/* Padding bits past nframes are always set, so i < nframes. */
			size_t i = w * WORD_BITS + (size_t)__builtin_ctzll(~p->used[w]);

			pa = take(p, i, 1);
			p->hint = w;
			break;
		}
	}
	if (!pa)
		p->failures++;
	spin_unlock_irqrestore(&p->lock, f);
	return pa;
}

/* Lowest fit in pool-relative frames [0, lim); returns lim when none. */
static size_t find_contig(struct frame_pool *p, size_t n, uint64_t align, size_t lim)
{
	uint64_t cand = ALIGN_UP(p->base_pfn, align);

	while (cand >= p->base_pfn && cand - p->base_pfn <= lim &&
	       n <= lim - (cand - p->base_pfn)) {
		size_t i = cand - p->base_pfn;
		size_t k = bits_find(p->used, i, i + n, true);

		if (k == i + n)
			return i;
		k = bits_find(p->used, k, lim, false);
		cand = ALIGN_UP(p->base_pfn + k, align);
	}
	return lim;
}

uint64_t frame_alloc_contig(struct frame_pool *p, size_t nframes, size_t align_frames,
                            uint64_t max_pa)
{
	uint64_t align = align_frames ? align_frames : 1, pa = 0;
	unsigned long f;
	size_t lim = p->nframes;

	ASSERT(nframes > 0);
	ASSERT((align & (align - 1)) == 0);
	if (max_pa) {
		uint64_t max_pfn = max_pa >> FRAME_SHIFT;

		lim =
		    max_pfn <= p->base_pfn ? 0 : (size_t)MIN(max_pfn - p->base_pfn, (uint64_t)lim);
	}

	f = spin_lock_irqsave(&p->lock);
	p->allocs++;
	if (align <= (1ull << (64 - FRAME_SHIFT)) && nframes <= lim) {
		size_t i = find_contig(p, nframes, align, lim);

		if (i < lim)
			pa = take(p, i, nframes);
	}
	if (!pa)
		p->failures++;
	spin_unlock_irqrestore(&p->lock, f);
	return pa;
}

void frame_free(struct frame_pool *p, uint64_t pa, size_t nframes)
{
	uint64_t pfn = pa >> FRAME_SHIFT;
	unsigned long f;
	size_t i;

	if (!IS_ALIGNED(pa, FRAME_SIZE))
		panic("frame_free: unaligned address %#llx", (unsigned long long)pa);
	ASSERT(nframes > 0);
	if (pfn < p->base_pfn || pfn - p->base_pfn >= p->nframes ||
	    nframes > p->nframes - (pfn - p->base_pfn))
		panic("frame_free: %#llx + %zu frames is outside the pool", (unsigned long long)pa,
		      nframes);
	i = pfn - p->base_pfn;

	f = spin_lock_irqsave(&p->lock);
	if (bits_find(p->usable, i, i + nframes, false) != i + nframes)
		panic("frame_free: %#llx + %zu frames includes a frame the pool never owned",
		      (unsigned long long)pa, nframes);
	if (bits_find(p->used, i, i + nframes, false) != i + nframes)
		panic("frame_free: %#llx + %zu frames includes a free frame (double free?)",
		      (unsigned long long)pa, nframes);
	bits_clear(p->used, i, i + nframes);
	p->free += nframes;
	spin_unlock_irqrestore(&p->lock, f);
}

bool frame_is_free(struct frame_pool *p, uint64_t pa)
{
	uint64_t pfn = pa >> FRAME_SHIFT;
	unsigned long f;
	size_t i;
	bool ret;

	if (pfn < p->base_pfn || pfn - p->base_pfn >= p->nframes)
		return false;
	i = pfn - p->base_pfn;
	f = spin_lock_irqsave(&p->lock);
	ret = bit_test(p->usable, i) && !bit_test(p->used, i);
	spin_unlock_irqrestore(&p->lock, f);
	return ret;
}

void frame_stats(const struct frame_pool *p, struct frame_stats *s)
{
	/* The lock is the one mutable part of a const pool. */
	spinlock_t *lock = (spinlock_t *)&p->lock;
	unsigned long f = spin_lock_irqsave(lock);

	s->total = p->total;
	s->free = p->free;
	s->allocated = p->total - p->free;
	s->peak = p->peak;
	s->meta = p->meta;
	s->allocs = p->allocs;
	s->failures = p->failures;
	spin_unlock_irqrestore(lock, f);
}

void frame_print(const struct frame_pool *p)
{
	struct frame_stats s;

	frame_stats(p, &s);
	log_info("frame: %zu frames (%zu MiB) usable in [%#llx, %#llx), bitmap %zu frames at %#llx",
	         s.total, s.total >> (20 - FRAME_SHIFT),
	         (unsigned long long)(p->base_pfn << FRAME_SHIFT),
	         (unsigned long long)((p->base_pfn + p->nframes) << FRAME_SHIFT), s.meta,
	         (unsigned long long)p->meta_pa);
	log_info("frame: %zu free, %zu allocated (peak %zu); %llu allocs, %llu failed", s.free,
	         s.allocated, s.peak, (unsigned long long)s.allocs, (unsigned long long)s.failures);
}
