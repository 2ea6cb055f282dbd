/*
 * Guest RAM. gmem_create() fills guest-physical space from 0 upwards: at a
 * 2 MiB guest boundary it asks for the largest 2 MiB-aligned run of whole
 * 2 MiB pages it can get (halving the request on failure), so the run's
 * guest and host addresses share their 2 MiB alignment and the EPT can use
 * large leaves. When no such run exists it fills only up to the next
 * 2 MiB guest boundary with whatever smaller runs it can get, so the
 * alignment of later runs is kept. Host-adjacent runs merge into one region.
 */
#include <compiler.h>
#include <errcode.h>
#include <gmem.h>
#include <log.h>
#include <stdbool.h>
#include <string.h>

#define LARGE_SIZE (GMEM_LARGE_PAGES * GMEM_PAGE_SIZE)

/*
 * Tries *n frames aligned to align, then halves the request in multiples of
 * min until one succeeds; returns the run's address and its length in *n.
 */
static uint64_t alloc_run(const struct gmem_ops *ops, size_t *n, size_t min, size_t align)
{
	for (size_t want = *n; want >= min; want = ALIGN_DOWN(want / 2, min)) {
		uint64_t pa = ops->alloc_contig(ops->ctx, want, align);

		if (pa) {
			*n = want;
			return pa;
		}
	}
	return 0;
}

/* Appends host [pa, pa + len) at guest g->size; false when the region list is full. */
static bool add_region(struct gmem *g, uint64_t pa, uint64_t len)
{
	struct gmem_region *last = g->nregions ? &g->regions[g->nregions - 1] : NULL;

	if (last && last->hpa + last->len == pa) {
		last->len += len;
	} else {
		if (g->nregions == GMEM_MAX_REGIONS)
			return false;
		g->regions[g->nregions++] = (struct gmem_region){g->size, pa, len};
	}
	g->size += len;
	return true;
}

/* The region holding gpa, which must be below g->size (the regions cover [0, size)). */
static const struct gmem_region *find_region(const struct gmem *g, uint64_t gpa)
{
	unsigned int lo = 0, hi = g->nregions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct gmem_region *r = &g->regions[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	panic("gmem: gpa %#lx below size %#lx in no region", gpa, g->size);
}

static void *host_ptr(const struct gmem *g, const struct gmem_region *r, uint64_t gpa)
{
	return g->ops.phys_to_virt(g->ops.ctx, r->hpa + (gpa - r->gpa));
}

int gmem_create(struct gmem *g, uint64_t size, const struct gmem_ops *ops)
{
	memset(g, 0, sizeof(*g));
	if (!ops || !ops->alloc_contig || !ops->free_contig || !ops->phys_to_virt || !size ||
	    !IS_ALIGNED(size, GMEM_PAGE_SIZE))
		return -ERR_INVAL;
	g->ops = *ops;
	while (g->size < size) {
		size_t left = (size - g->size) / GMEM_PAGE_SIZE, n = 0;
		uint64_t pa = 0;
		void *p;

		if (IS_ALIGNED(g->size, LARGE_SIZE) && left >= GMEM_LARGE_PAGES) {
			n = ALIGN_DOWN(left, GMEM_LARGE_PAGES);
			pa = alloc_run(ops, &n, GMEM_LARGE_PAGES, GMEM_LARGE_PAGES);
		}
		if (!pa) {
			n = MIN(left,
			        GMEM_LARGE_PAGES - (g->size / GMEM_PAGE_SIZE) % GMEM_LARGE_PAGES);
			pa = alloc_run(ops, &n, 1, 1);
		}
		if (!pa)
			goto nomem;
		/*
		 * Security: the frames may hold another guest's data (or the
		 * hypervisor's); a guest must never see them. Scrubbing here,
		 * at the only way frames become guest RAM, covers every guest.
		 */
		p = ops->phys_to_virt(ops->ctx, pa);
		ASSERT(p);
		memset(p, 0, n * GMEM_PAGE_SIZE);
		if (!add_region(g, pa, n * GMEM_PAGE_SIZE)) {
			ops->free_contig(ops->ctx, pa, n);
			goto nomem;
		}
	}
	return 0;

nomem:
	log_err("gmem: no memory for %lu MiB of guest RAM (%lu MiB in %u regions taken)",
	        size >> 20, g->size >> 20, g->nregions);
	gmem_destroy(g);
	return -ERR_NOMEM;
}

void gmem_destroy(struct gmem *g)
{
	for (unsigned int i = 0; i < g->nregions; i++)
		g->ops.free_contig(g->ops.ctx, g->regions[i].hpa,
		                   g->regions[i].len / GMEM_PAGE_SIZE);
	memset(g, 0, sizeof(*g));
}

/* Whether [gpa, gpa + len) lies in guest RAM; never computes gpa + len, which may wrap. */
static bool in_ram(const struct gmem *g, uint64_t gpa, uint64_t len)
{
	return gpa <= g->size && len <= g->size - gpa;
}

void *gmem_ptr(const struct gmem *g, uint64_t gpa, uint64_t len)
{
	const struct gmem_region *r;

	if (len == 0 || gpa >= g->size || !in_ram(g, gpa, len))
		return NULL;
	r = find_region(g, gpa);
	if (len > r->len - (gpa - r->gpa))
		return NULL;
	return host_ptr(g, r, gpa);
}

/* The host pointer to gpa and, in *n, how much of len its region holds from there. */
static void *piece(const struct gmem *g, uint64_t gpa, uint64_t len, uint64_t *n)
{
	const struct gmem_region *r = find_region(g, gpa);

	*n = MIN(len, r->len - (gpa - r->gpa));
	return host_ptr(g, r, gpa);
}

int gmem_copy_from(const struct gmem *g, void *dst, uint64_t gpa, uint64_t len)
{
	char *d = dst;

	if (!in_ram(g, gpa, len))
		return -ERR_RANGE;
	for (uint64_t n; len; gpa += n, d += n, len -= n) {
		const void *from = piece(g, gpa, len, &n);

		memcpy(d, from, n);
	}
	return 0;
}

int gmem_copy_to(const struct gmem *g, uint64_t gpa, const void *src, uint64_t len)
{
	const char *s = src;

	if (!in_ram(g, gpa, len))
		return -ERR_RANGE;
	for (uint64_t n; len; gpa += n, s += n, len -= n) {
		void *to = piece(g, gpa, len, &n);

		memcpy(to, s, n);
	}
	return 0;
}
