/*
 * EPT table logic (SDM Vol. 3C 29.3). Levels count as in the host tables:
 * 4 is the PML4, 1 the page table. A range operation walks the levels once
 * with [gpa, end) narrowed to each entry; whole aligned blocks become large
 * leaves, everything else descends.
 *
 * Changes that can fail (table allocation) come before changes the guest
 * could notice: unmap and protect first split the large leaves straddling
 * the range's two ends (same translations), then clear or rewrite leaves,
 * which allocates nothing; map checks that the range is free, then fills
 * it and on -ERR_NOMEM clears what it filled.
 */
#include <errcode.h>
#include <gmem.h>
#include <log.h>
#include <string.h>
#include <x86/ept.h>

#define IDX(gpa, l) (((gpa) >> (12 + 9 * ((l)-1))) & 0x1ff)

/*
 * A non-leaf entry grants everything: the rights of a walk are the AND of
 * every level (SDM Vol. 3C 29.3.3.2), so the leaves decide alone. Bits 7:3
 * of non-leaf entries are reserved (Tables 29-1, 29-3, 29-5) and stay 0.
 */
#define EPTE_TABLE EPTE_PERM_MASK

static uint64_t *table_of(const struct ept *e, uint64_t pa)
{
	return e->ops.phys_to_virt(e->ops.ctx, pa);
}

/* Bits 2:0 all 0 mean not present; the CPU ignores the rest (SDM Vol. 3C 29.3.2). */
static bool present(uint64_t v)
{
	return (v & EPTE_PERM_MASK) != 0;
}

static bool is_leaf(uint64_t v, int l)
{
	return l == 1 || (v & EPTE_LEAF);
}

static bool leaf_allowed(const struct ept *e, int l)
{
	return l == 1 || (l == 2 && e->feat.page_2m) || (l == 3 && e->feat.page_1g);
}

/* One 64-bit store: the CPU may walk the tables while we change them. */
static void set_entry(uint64_t *p, uint64_t v)
{
	WRITE_ONCE(*p, v);
}

static uint64_t table_alloc(struct ept *e)
{
	uint64_t pa = e->ops.alloc_table(e->ops.ctx);

	if (!pa)
		return 0;
	/* Bits 51:N of a table address are reserved (SDM Vol. 3C 29.3.3.1). */
	ASSERT(IS_ALIGNED(pa, EPT_PAGE_SIZE) && pa < e->pa_limit);
	e->stats.tables_allocated++;
	e->stats.tables++;
	return pa;
}

static void table_free(struct ept *e, uint64_t pa)
{
	e->ops.free_table(e->ops.ctx, pa);
	e->stats.tables_freed++;
}

/*
 * An unlinked table may still sit in a CPU's paging-structure cache until
 * INVEPT, so it is freed in ept_flush_done(). The chain runs through entry
 * 0: a page address has bits 2:0 clear, so the entry stays not present.
 */
static void table_defer(struct ept *e, uint64_t pa)
{
	set_entry(&table_of(e, pa)[0], e->deferred);
	e->deferred = pa;
	e->stats.tables--;
	e->stats.tables_deferred++;
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/* W without R is a misconfiguration, X alone one without CPU support (SDM Vol. 3C 29.3.3.1). */
static bool perms_valid(const struct ept *e, unsigned int perms)
{
	if (perms == 0 || (perms & ~EPT_RWX))
		return false;
	if ((perms & EPT_W) && !(perms & EPT_R))
		return false;
	return perms != EPT_X || e->feat.exec_only;
}

/* 2, 3 and 7 are reserved (SDM Vol. 3C 29.3.7). */
static bool memtype_valid(unsigned int mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT || mt == EPT_MT_WP ||
	       mt == EPT_MT_WB;
}

/* [base, base + len) is page aligned, non-empty and below limit; never overflows. */
static bool range_valid(uint64_t base, uint64_t len, uint64_t limit)
{
	return len && IS_ALIGNED(base, EPT_PAGE_SIZE) && IS_ALIGNED(len, EPT_PAGE_SIZE) &&
	       base < limit && len <= limit - base;
}

/* True when no page of [gpa, end) is mapped below table t at level l. */
static bool range_free(const struct ept *e, const uint64_t *t, int l, uint64_t gpa, uint64_t end)
{
	while (gpa < end) {
		uint64_t next = ALIGN_DOWN(gpa, EPT_LEVEL_SIZE(l)) + EPT_LEVEL_SIZE(l);
		uint64_t v = t[IDX(gpa, l)];

		if (present(v) && (is_leaf(v, l) || !range_free(e, table_of(e, v & EPTE_ADDR_MASK),
		                                                l - 1, gpa, MIN(end, next))))
			return false;
		gpa = next;
	}
	return true;
}

/* True when every page of [gpa, end) is mapped below table t at level l. */
static bool range_full(const struct ept *e, const uint64_t *t, int l, uint64_t gpa, uint64_t end)
{
	while (gpa < end) {
		uint64_t next = ALIGN_DOWN(gpa, EPT_LEVEL_SIZE(l)) + EPT_LEVEL_SIZE(l);
		uint64_t v = t[IDX(gpa, l)];

		if (!present(v) ||
		    (!is_leaf(v, l) &&
		     !range_full(e, table_of(e, v & EPTE_ADDR_MASK), l - 1, gpa, MIN(end, next))))
			return false;
		gpa = next;
	}
	return true;
}

/* Maps [gpa, end) to gpa + delta below table t at level l; the range is free. */
static int map_range(struct ept *e, uint64_t *t, int l, uint64_t gpa, uint64_t end, uint64_t delta,
                     uint64_t attrs)
{
	while (gpa < end) {
		uint64_t size = EPT_LEVEL_SIZE(l), next = ALIGN_DOWN(gpa, size) + size;
		uint64_t *pte = &t[IDX(gpa, l)];
		int err;

		if (IS_ALIGNED(gpa, size) && next <= end && IS_ALIGNED(gpa + delta, size) &&
		    leaf_allowed(e, l) && !present(*pte)) {
			set_entry(pte, (gpa + delta) | attrs | (l > 1 ? EPTE_LEAF : 0));
			e->stats.leaves[l - 1]++;
			gpa = next;
			continue;
		}
		if (!present(*pte)) {
			uint64_t pa = table_alloc(e);

			if (!pa)
				return -ERR_NOMEM;
			set_entry(pte, pa | EPTE_TABLE);
		}
		ASSERT(!is_leaf(*pte, l));
		err = map_range(e, table_of(e, *pte & EPTE_ADDR_MASK), l - 1, gpa, MIN(end, next),
		                delta, attrs);
		if (err)
			return err;
		gpa = next;
	}
	return 0;
}

/*
 * Replaces the large leaf *pte at level l by a table of 512 leaves with the
 * same addresses and attributes (A/D included). The table is complete
 * before it is linked, so a walk sees either the old leaf or the new table.
 */
static int split_leaf(struct ept *e, uint64_t *pte, int l)
{
	uint64_t v = *pte, pa = table_alloc(e), size = EPT_LEVEL_SIZE(l - 1);
	uint64_t attrs = (v & ~EPTE_ADDR_MASK & ~EPTE_LEAF) | (l - 1 > 1 ? EPTE_LEAF : 0);
	uint64_t *c;

	if (!pa)
		return -ERR_NOMEM;
	c = table_of(e, pa);
	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		c[i] = ((v & EPTE_ADDR_MASK) + i * size) | attrs;
	set_entry(pte, pa | EPTE_TABLE);
	e->stats.leaves[l - 1]--;
	e->stats.leaves[l - 2] += EPT_ENTRIES;
	/* Bit 7 changed: INVEPT so no CPU keeps the large translation (SDM Vol. 3C 29.4.3.4). */
	e->flush_needed = true;
	return 0;
}

/* Makes addr a leaf boundary by splitting every large leaf that straddles it. */
static int split_at(struct ept *e, uint64_t addr)
{
	uint64_t *t = table_of(e, e->pml4);

	for (int l = EPT_LEVELS; l > 1; l--) {
		uint64_t *pte = &t[IDX(addr, l)];
		int err;

		if (IS_ALIGNED(addr, EPT_LEVEL_SIZE(l)) || !present(*pte))
			return 0;
		if (is_leaf(*pte, l)) {
			err = split_leaf(e, pte, l);
			if (err)
				return err;
		}
		t = table_of(e, *pte & EPTE_ADDR_MASK);
	}
	return 0;
}

/* Unmaps [gpa, end) below t; no leaf straddles its ends. Unlinks tables left empty. */
static void clear_range(struct ept *e, uint64_t *t, int l, uint64_t gpa, uint64_t end)
{
	while (gpa < end) {
		uint64_t size = EPT_LEVEL_SIZE(l), next = ALIGN_DOWN(gpa, size) + size;
		uint64_t *pte = &t[IDX(gpa, l)], v = *pte;

		if (present(v) && is_leaf(v, l)) {
			ASSERT(IS_ALIGNED(gpa, size) && next <= end);
			set_entry(pte, 0);
			e->stats.leaves[l - 1]--;
			e->flush_needed = true;
		} else if (present(v)) {
			uint64_t *c = table_of(e, v & EPTE_ADDR_MASK);

			clear_range(e, c, l - 1, gpa, MIN(end, next));
			if (table_empty(c)) {
				set_entry(pte, 0);
				table_defer(e, v & EPTE_ADDR_MASK);
				e->flush_needed = true;
			}
		}
		gpa = next;
	}
}

/* Sets the rights of every leaf in [gpa, end) below t; all mapped, none straddling. */
static void protect_range(struct ept *e, uint64_t *t, int l, uint64_t gpa, uint64_t end,
                          unsigned int perms)
{
	while (gpa < end) {
		uint64_t size = EPT_LEVEL_SIZE(l), next = ALIGN_DOWN(gpa, size) + size;
		uint64_t *pte = &t[IDX(gpa, l)], v = *pte;

		ASSERT(present(v));
		if (is_leaf(v, l)) {
			ASSERT(IS_ALIGNED(gpa, size) && next <= end);
			if ((v & EPTE_PERM_MASK) != perms) {
				set_entry(pte, (v & ~EPTE_PERM_MASK) | perms);
				e->flush_needed = true;
			}
		} else {
			protect_range(e, table_of(e, v & EPTE_ADDR_MASK), l - 1, gpa,
			              MIN(end, next), perms);
		}
		gpa = next;
	}
}

static void free_tree(struct ept *e, uint64_t pa, int l)
{
	const uint64_t *t = table_of(e, pa);

	for (unsigned int i = 0; l > 1 && i < EPT_ENTRIES; i++)
		if (present(t[i]) && !is_leaf(t[i], l))
			free_tree(e, t[i] & EPTE_ADDR_MASK, l - 1);
	table_free(e, pa);
}

int ept_init(struct ept *e, const struct ept_ops *ops, const struct ept_features *f)
{
	unsigned int pa_bits = f && f->pa_bits ? f->pa_bits : EPT_PA_BITS_MAX;

	memset(e, 0, sizeof(*e));
	if (!ops || !ops->alloc_table || !ops->free_table || !ops->phys_to_virt || !f ||
	    pa_bits < 32 || pa_bits > EPT_PA_BITS_MAX)
		return -ERR_INVAL;
	e->ops = *ops;
	e->feat = *f;
	e->feat.pa_bits = pa_bits;
	e->pa_limit = 1ull << pa_bits;
	e->pml4 = table_alloc(e);
	return e->pml4 ? 0 : -ERR_NOMEM;
}

void ept_destroy(struct ept *e)
{
	if (e->pml4)
		free_tree(e, e->pml4, EPT_LEVELS);
	e->stats.tables = 0;
	ept_flush_done(e);
	memset(e, 0, sizeof(*e));
}

uint64_t ept_eptp(const struct ept *e, bool ad)
{
	ASSERT(e->pml4);
	return e->pml4 | EPTP_MT_WB | ((uint64_t)(EPT_LEVELS - 1) << EPTP_WALK_SHIFT) |
	       (ad ? EPTP_AD : 0);
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned int perms,
            unsigned int memtype)
{
	uint64_t *pml4;
	int err;

	ASSERT(e->pml4);
	pml4 = table_of(e, e->pml4);
	if (!range_valid(gpa, len, EPT_GPA_LIMIT) || !range_valid(hpa, len, e->pa_limit) ||
	    !perms_valid(e, perms) || !memtype_valid(memtype))
		return -ERR_INVAL;
	if (!range_free(e, pml4, EPT_LEVELS, gpa, gpa + len))
		return -ERR_BUSY;
	err = map_range(e, pml4, EPT_LEVELS, gpa, gpa + len, hpa - gpa,
	                perms | (uint64_t)memtype << EPTE_MT_SHIFT | EPTE_IPAT);
	if (err)
		clear_range(e, pml4, EPT_LEVELS, gpa, gpa + len);
	return err;
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
	int err;

	ASSERT(e->pml4);
	if (!range_valid(gpa, len, EPT_GPA_LIMIT))
		return -ERR_INVAL;
	err = split_at(e, gpa);
	if (!err)
		err = split_at(e, gpa + len);
	if (!err)
		clear_range(e, table_of(e, e->pml4), EPT_LEVELS, gpa, gpa + len);
	return err;
}

int ept_protect(struct ept *e, uint64_t gpa, uint64_t len, unsigned int perms)
{
	uint64_t *pml4;
	int err;

	ASSERT(e->pml4);
	pml4 = table_of(e, e->pml4);
	if (!range_valid(gpa, len, EPT_GPA_LIMIT) || !perms_valid(e, perms))
		return -ERR_INVAL;
	if (!range_full(e, pml4, EPT_LEVELS, gpa, gpa + len))
		return -ERR_NOENT;
	err = split_at(e, gpa);
	if (!err)
		err = split_at(e, gpa + len);
	if (!err)
		protect_range(e, pml4, EPT_LEVELS, gpa, gpa + len, perms);
	return err;
}

bool ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned int *perms,
                unsigned int *memtype, int *level)
{
	const uint64_t *t;

	if (!e->pml4 || gpa >= EPT_GPA_LIMIT)
		return false;
	t = table_of(e, e->pml4);
	for (int l = EPT_LEVELS; l >= 1; l--) {
		uint64_t v = READ_ONCE(t[IDX(gpa, l)]), mask = EPT_LEVEL_SIZE(l) - 1;

		if (!present(v))
			return false;
		if (!is_leaf(v, l)) {
			t = table_of(e, v & EPTE_ADDR_MASK);
			continue;
		}
		if (hpa)
			*hpa = (v & EPTE_ADDR_MASK & ~mask) | (gpa & mask);
		if (perms)
			*perms = v & EPTE_PERM_MASK;
		if (memtype)
			*memtype = (v & EPTE_MT_MASK) >> EPTE_MT_SHIFT;
		if (level)
			*level = l;
		return true;
	}
	return false;
}

void ept_flush_done(struct ept *e)
{
	while (e->deferred) {
		uint64_t pa = e->deferred;

		e->deferred = table_of(e, pa)[0];
		table_free(e, pa);
		e->stats.tables_deferred--;
	}
	e->flush_needed = false;
}

int ept_map_gmem(struct ept *e, const struct gmem *g, unsigned int perms)
{
	for (unsigned int i = 0; i < g->nregions; i++) {
		const struct gmem_region *r = &g->regions[i];
		int err = ept_map(e, r->gpa, r->hpa, r->len, perms, EPT_MT_WB);

		if (!err)
			continue;
		/* Whole regions were mapped: unmapping them splits nothing, so cannot fail. */
		while (i--) {
			int undo = ept_unmap(e, g->regions[i].gpa, g->regions[i].len);

			ASSERT(undo == 0);
		}
		return err;
	}
	return 0;
}
