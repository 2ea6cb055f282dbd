/*
 * EPT table logic against a fake table allocator: "physical" table pages
 * are numbered slots (pa = FAKE_BASE + slot * 4 KiB) backed by host pages,
 * so a leak, a double free or a use of a freed table is caught. Every test
 * also checks the tables entry by entry against the SDM's format rules.
 */
#include <errcode.h>
#include <stdlib.h>
#include <x86/ept.h>

#include "unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define FAKE_BASE   0x200000000ull /* 8 GiB */
#define FAKE_TABLES 16384

static struct {
	uint64_t *page[FAKE_TABLES];
	size_t live, allocs, frees;
	long fail_after; /* < 0: never fail; else fail once this many more allocations succeeded */
} ft;

static uint64_t fake_alloc(void *ctx)
{
	static size_t hint;

	if (ft.fail_after == 0)
		return 0;
	if (ft.fail_after > 0)
		ft.fail_after--;
	for (size_t n = 0; n < FAKE_TABLES; n++) {
		size_t i = (hint + n) % FAKE_TABLES;

		if (ft.page[i])
			continue;
		ft.page[i] = aligned_alloc(4096, 4096);
		memset(ft.page[i], 0, 4096);
		ft.live++;
		ft.allocs++;
		hint = i + 1;
		return FAKE_BASE + i * 4096;
	}
	unit_fail(__FILE__, __LINE__, "fake table pool exhausted");
	return 0;
}

static size_t slot(uint64_t pa)
{
	size_t i = (pa - FAKE_BASE) / 4096;

	if (pa < FAKE_BASE || pa % 4096 || i >= FAKE_TABLES || !ft.page[i]) {
		unit_fail(__FILE__, __LINE__, "table %#llx is not allocated",
		          (unsigned long long)pa);
		abort();
	}
	return i;
}

static void fake_free(void *ctx, uint64_t pa)
{
	size_t i = slot(pa);

	free(ft.page[i]);
	ft.page[i] = NULL;
	ft.live--;
	ft.frees++;
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	return ft.page[slot(pa)];
}

static const struct ept_ops fake_ops = {fake_alloc, fake_free, fake_virt, NULL};

static const struct ept_features all_sizes = {true, true, false, 0};
static const struct ept_features only_2m = {true, false, false, 0};
static const struct ept_features only_4k = {false, false, false, 0};

static void fake_reset(void)
{
	CHECK_EQ(ft.live, 0);
	ft.allocs = ft.frees = 0;
	ft.fail_after = -1;
}

static struct ept *fresh(const struct ept_features *f)
{
	static struct ept e;

	fake_reset();
	if (ept_init(&e, &fake_ops, f) != 0)
		unit_fail(__FILE__, __LINE__, "ept_init failed");
	return &e;
}

/* ---- the SDM's format rules, entry by entry ------------------------------ */

struct walk_count {
	size_t tables, leaves[3], bad;
};

static void bad_entry(struct walk_count *c, int l, unsigned int i, uint64_t v, const char *why)
{
	if (c->bad++ < 5)
		printf("  level %d entry %u = %#llx: %s\n", l, i, (unsigned long long)v, why);
}

static void walk_table(const struct ept *e, uint64_t pa, int l, struct walk_count *c)
{
	const uint64_t *t = fake_virt(NULL, pa);
	bool any = false;

	c->tables++;
	for (unsigned int i = 0; i < EPT_ENTRIES; i++) {
		uint64_t v = t[i], addr = v & EPTE_ADDR_MASK, perms = v & 7;
		bool leaf = l == 1 || (v & EPTE_LEAF);

		if (!perms) {
			if (v)
				bad_entry(c, l, i, v, "not present but not zero");
			continue;
		}
		any = true;
		if ((perms & EPT_W) && !(perms & EPT_R))
			bad_entry(c, l, i, v, "W without R (misconfiguration)");
		if (perms == EPT_X && !e->feat.exec_only)
			bad_entry(c, l, i, v, "execute-only unsupported");
		if (addr >= e->pa_limit)
			bad_entry(c, l, i, v, "address beyond MAXPHYADDR");
		if (l == 4 && (v & EPTE_LEAF))
			bad_entry(c, l, i, v, "PML4E bit 7 is reserved");
		if (!leaf) {
			if (v & 0xf8)
				bad_entry(c, l, i, v, "non-leaf bits 7:3 reserved");
			walk_table(e, addr, l - 1, c);
			continue;
		}
		unsigned int mt = (v >> 3) & 7;
		if (mt == 2 || mt == 3 || mt == 7)
			bad_entry(c, l, i, v, "reserved memory type");
		if (!(v & EPTE_IPAT))
			bad_entry(c, l, i, v, "ignore-PAT clear");
		if (addr & (EPT_LEVEL_SIZE(l) - 1))
			bad_entry(c, l, i, v, "large-page address has reserved bits set");
		if ((l == 3 && !e->feat.page_1g) || (l == 2 && !e->feat.page_2m))
			bad_entry(c, l, i, v, "page size not supported");
		c->leaves[l - 1]++;
	}
	if (l < 4 && !any)
		bad_entry(c, l, 0, 0, "empty table left linked");
}

/* Tables well formed, and the counters agree with them and with the fake. */
static void check_tables(const struct ept *e)
{
	struct walk_count c = {0};

	walk_table(e, e->pml4, 4, &c);
	CHECK_EQ(c.bad, 0);
	CHECK_EQ(c.tables, e->stats.tables);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(c.leaves[i], e->stats.leaves[i]);
	CHECK_EQ(ft.live, e->stats.tables + e->stats.tables_deferred);
	CHECK_EQ(ft.allocs, e->stats.tables_allocated);
	CHECK_EQ(ft.frees, e->stats.tables_freed);
}

/* The raw leaf entry for gpa (0 when unmapped). */
static uint64_t raw_leaf(const struct ept *e, uint64_t gpa)
{
	const uint64_t *t = fake_virt(NULL, e->pml4);

	for (int l = 4; l >= 1; l--) {
		uint64_t v = t[(gpa >> (12 + 9 * (l - 1))) & 511];

		if (!(v & 7))
			return 0;
		if (l == 1 || (v & EPTE_LEAF))
			return v;
		t = fake_virt(NULL, v & EPTE_ADDR_MASK);
	}
	return 0;
}

static void done(struct ept *e)
{
	check_tables(e);
	ept_destroy(e);
	CHECK_EQ(ft.live, 0);
	CHECK_EQ(ft.allocs, ft.frees);
}

/* Checks that gpa translates to hpa with perms and memtype; returns the leaf level. */
static int expect(const struct ept *e, uint64_t gpa, uint64_t hpa, unsigned int perms,
                  unsigned int mt)
{
	uint64_t h = 0;
	unsigned int p = 0, m = 0;
	int level = 0;

	if (!ept_lookup(e, gpa, &h, &p, &m, &level)) {
		unit_fail(__FILE__, __LINE__, "gpa %#llx not mapped", (unsigned long long)gpa);
		return 0;
	}
	if (h != hpa || p != perms || m != mt)
		unit_fail(__FILE__, __LINE__,
		          "gpa %#llx: hpa %#llx perms %u mt %u, want %#llx %u %u",
		          (unsigned long long)gpa, (unsigned long long)h, p, m,
		          (unsigned long long)hpa, perms, mt);
	return level;
}

/* ---- tests ---------------------------------------------------------------- */

TEST(init_and_eptp)
{
	struct ept e;
	struct ept_ops no_free = fake_ops;
	struct ept_features f = all_sizes;

	fake_reset();
	REQUIRE(ept_init(&e, &fake_ops, &all_sizes) == 0);
	CHECK_EQ(e.stats.tables, 1);
	CHECK(!e.flush_needed);
	/* WB (6), walk length 4 - 1 in bits 5:3, A/D in bit 6 (SDM Vol. 3C 25.6.11). */
	CHECK_EQ(ept_eptp(&e, false), e.pml4 | 0x1e);
	CHECK_EQ(ept_eptp(&e, true), e.pml4 | 0x5e);
	CHECK_EQ(e.pa_limit, 1ull << 52);
	CHECK(!ept_lookup(&e, 0, NULL, NULL, NULL, NULL));
	done(&e);

	no_free.free_table = NULL;
	CHECK_EQ(ept_init(&e, &no_free, &all_sizes), -ERR_INVAL);
	CHECK_EQ(ept_init(&e, NULL, &all_sizes), -ERR_INVAL);
	CHECK_EQ(ept_init(&e, &fake_ops, NULL), -ERR_INVAL);
	f.pa_bits = 31;
	CHECK_EQ(ept_init(&e, &fake_ops, &f), -ERR_INVAL);
	f.pa_bits = 53;
	CHECK_EQ(ept_init(&e, &fake_ops, &f), -ERR_INVAL);
	f.pa_bits = 39;
	fake_reset();
	REQUIRE(ept_init(&e, &fake_ops, &f) == 0);
	CHECK_EQ(e.pa_limit, 1ull << 39);
	done(&e);

	ft.fail_after = 0;
	CHECK_EQ(ept_init(&e, &fake_ops, &all_sizes), -ERR_NOMEM);
	CHECK_EQ(ft.live, 0);
	fake_reset();
}

TEST(aligned_gigabyte_is_one_1g_leaf)
{
	struct ept *e = fresh(&all_sizes);
	uint64_t v;

	REQUIRE(ept_map(e, 1 * GiB, 4 * GiB, 1 * GiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[2], 1);
	CHECK_EQ(e->stats.leaves[1] + e->stats.leaves[0], 0);
	CHECK_EQ(e->stats.tables, 2); /* PML4 and one PDPT */
	CHECK_EQ(expect(e, 1 * GiB + 0x12345, 4 * GiB + 0x12345, EPT_RWX, EPT_MT_WB), 3);
	CHECK_EQ(expect(e, 2 * GiB - 1, 5 * GiB - 1, EPT_RWX, EPT_MT_WB), 3);
	CHECK(!ept_lookup(e, 1 * GiB - 1, NULL, NULL, NULL, NULL));
	CHECK(!ept_lookup(e, 2 * GiB, NULL, NULL, NULL, NULL));
	/* Leaf format (SDM Vol. 3C Table 29-2): RWX, type WB in 5:3, ignore PAT, bit 7. */
	v = raw_leaf(e, 1 * GiB);
	CHECK_EQ(v, 4 * GiB | 7 | 6 << 3 | EPTE_IPAT | EPTE_LEAF);
	/* Filling empty entries leaves nothing stale to flush. */
	CHECK(!e->flush_needed);
	done(e);
}

TEST(aligned_2m_ranges_get_2m_leaves)
{
	struct ept *e = fresh(&all_sizes);

	REQUIRE(ept_map(e, 2 * MiB, 10 * MiB, 6 * MiB, EPT_R, EPT_MT_UC) == 0);
	CHECK_EQ(e->stats.leaves[1], 3);
	CHECK_EQ(e->stats.leaves[0] + e->stats.leaves[2], 0);
	CHECK_EQ(e->stats.tables, 3);
	CHECK_EQ(expect(e, 7 * MiB + 5, 15 * MiB + 5, EPT_R, EPT_MT_UC), 2);
	done(e);

	/* Without 1 GiB support a gigabyte is 512 2 MiB leaves. */
	e = fresh(&only_2m);
	REQUIRE(ept_map(e, 1 * GiB, 3 * GiB, 1 * GiB, EPT_R | EPT_W, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[2], 0);
	CHECK_EQ(e->stats.leaves[1], 512);
	CHECK_EQ(expect(e, 1 * GiB + 3 * MiB, 3 * GiB + 3 * MiB, EPT_R | EPT_W, EPT_MT_WB), 2);
	done(e);

	/* Without large pages everything is 4 KiB. */
	e = fresh(&only_4k);
	REQUIRE(ept_map(e, 0, 2 * GiB, 4 * MiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[0], 1024);
	CHECK_EQ(e->stats.leaves[1] + e->stats.leaves[2], 0);
	done(e);
}

TEST(odd_ranges_mix_page_sizes)
{
	struct ept *e = fresh(&all_sizes);
	uint64_t gpa = 1 * GiB - 2 * MiB - 8 * KiB;
	uint64_t len = 8 * KiB + 2 * MiB + 1 * GiB + 2 * MiB + 12 * KiB;
	uint64_t delta = 3 * GiB;

	REQUIRE(ept_map(e, gpa, gpa + delta, len, EPT_R | EPT_X, EPT_MT_WT) == 0);
	CHECK_EQ(e->stats.leaves[0], 5);
	CHECK_EQ(e->stats.leaves[1], 2);
	CHECK_EQ(e->stats.leaves[2], 1);
	CHECK_EQ(expect(e, gpa, gpa + delta, EPT_R | EPT_X, EPT_MT_WT), 1);
	CHECK_EQ(expect(e, 1 * GiB - 1, 4 * GiB - 1, EPT_R | EPT_X, EPT_MT_WT), 2);
	CHECK_EQ(expect(e, 1 * GiB, 4 * GiB, EPT_R | EPT_X, EPT_MT_WT), 3);
	CHECK_EQ(expect(e, 2 * GiB + 1 * MiB, 5 * GiB + 1 * MiB, EPT_R | EPT_X, EPT_MT_WT), 2);
	CHECK_EQ(expect(e, gpa + len - 1, gpa + len - 1 + delta, EPT_R | EPT_X, EPT_MT_WT), 1);
	CHECK(!ept_lookup(e, gpa + len, NULL, NULL, NULL, NULL));
	CHECK(!ept_lookup(e, gpa - 1, NULL, NULL, NULL, NULL));
	done(e);
}

TEST(host_alignment_limits_page_size)
{
	struct ept *e = fresh(&all_sizes);

	/* hpa only 4 KiB aligned: no large leaf can map it. */
	REQUIRE(ept_map(e, 0, 4 * KiB, 2 * MiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[0], 512);
	CHECK_EQ(e->stats.leaves[1], 0);
	/* hpa 2 MiB but not 1 GiB aligned. */
	REQUIRE(ept_map(e, 1 * GiB, 4 * GiB + 2 * MiB, 1 * GiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[1], 512);
	CHECK_EQ(e->stats.leaves[2], 0);
	CHECK_EQ(expect(e, 2 * GiB - 4 * KiB, 5 * GiB + 2 * MiB - 4 * KiB, EPT_RWX, EPT_MT_WB), 2);
	done(e);
}

TEST(lookup_every_page_of_random_mappings)
{
	struct ept *e = fresh(&all_sizes);

	srand(1);
	for (int round = 0; round < 40; round++) {
		uint64_t gpa = ((uint64_t)rand() % (64 * GiB / 4096)) * 4096;
		uint64_t pages = 1 + (uint64_t)rand() % 4096;
		uint64_t hpa =
		    (rand() % 2 ? gpa % (2 * MiB) : 0) + ((uint64_t)rand() % 1024) * 2 * MiB;
		unsigned int perms =
		    (unsigned int[]){EPT_R, EPT_R | EPT_W, EPT_R | EPT_X, EPT_RWX}[rand() % 4];
		unsigned int mt = (unsigned int[]){0, 1, 4, 5, 6}[rand() % 5];
		size_t bad = 0;

		if (rand() % 3 == 0)
			pages += 512 * (uint64_t)(rand() % 8);
		REQUIRE(ept_map(e, gpa, hpa, pages * 4096, perms, mt) == 0);
		for (uint64_t i = 0; i < pages; i++) {
			uint64_t off = i * 4096 + (uint64_t)rand() % 4096, h = 0;
			unsigned int p = 0, m = 0;

			if (!ept_lookup(e, gpa + off, &h, &p, &m, NULL) || h != hpa + off ||
			    p != perms || m != mt)
				bad++;
		}
		CHECK_EQ(bad, 0);
		CHECK(!ept_lookup(e, gpa + pages * 4096, NULL, NULL, NULL, NULL));
		check_tables(e);
		REQUIRE(ept_unmap(e, gpa, pages * 4096) == 0);
		CHECK(!ept_lookup(e, gpa, NULL, NULL, NULL, NULL));
		ept_flush_done(e);
		CHECK_EQ(e->stats.tables, 1);
		CHECK_EQ(ft.live, 1);
	}
	done(e);
}

TEST(unmap_inside_1g_leaf_splits_it)
{
	struct ept *e = fresh(&all_sizes);
	uint64_t hole = 512 * MiB + 4 * KiB;
	size_t bad = 0;

	REQUIRE(ept_map(e, 0, 8 * GiB, 1 * GiB, EPT_R | EPT_X, EPT_MT_WT) == 0);
	REQUIRE(ept_unmap(e, hole, 4 * KiB) == 0);
	CHECK(e->flush_needed);
	CHECK_EQ(e->stats.leaves[2], 0);
	CHECK_EQ(e->stats.leaves[1], 511);
	CHECK_EQ(e->stats.leaves[0], 511);
	CHECK_EQ(e->stats.tables, 4);
	CHECK(!ept_lookup(e, hole, NULL, NULL, NULL, NULL));
	CHECK(!ept_lookup(e, hole + 4 * KiB - 1, NULL, NULL, NULL, NULL));
	for (uint64_t gpa = 0; gpa < 1 * GiB; gpa += 4 * KiB) {
		uint64_t h = 0;
		unsigned int p = 0, m = 0;

		if (gpa == hole)
			continue;
		if (!ept_lookup(e, gpa + 0x7ff, &h, &p, &m, NULL) || h != 8 * GiB + gpa + 0x7ff ||
		    p != (EPT_R | EPT_X) || m != EPT_MT_WT)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(expect(e, hole - 4 * KiB, 8 * GiB + hole - 4 * KiB, EPT_R | EPT_X, EPT_MT_WT), 1);
	CHECK_EQ(expect(e, 0, 8 * GiB, EPT_R | EPT_X, EPT_MT_WT), 2);
	/* The split keeps ignore-PAT and the type in every new leaf. */
	CHECK_EQ(raw_leaf(e, hole + 4 * KiB), (8 * GiB + hole + 4 * KiB) | 5 | 4 << 3 | EPTE_IPAT);
	check_tables(e);

	/* Unmapping the rest of the 2 MiB block empties the page table: unlinked, freed after the flush. */
	REQUIRE(ept_unmap(e, 512 * MiB, 2 * MiB) == 0);
	CHECK_EQ(e->stats.tables, 3);
	CHECK_EQ(e->stats.tables_deferred, 1);
	check_tables(e);
	ept_flush_done(e);
	CHECK_EQ(e->stats.tables_deferred, 0);
	CHECK(!e->flush_needed);
	check_tables(e);
	done(e);
}

TEST(protect_splits_only_partly_covered_leaves)
{
	struct ept *e = fresh(&all_sizes);
	uint64_t b = 1 * GiB + 4 * MiB; /* the range straddles b, a 2 MiB boundary */
	size_t leaves2m;

	REQUIRE(ept_map(e, 1 * GiB, 1 * GiB, 1 * GiB, EPT_RWX, EPT_MT_WB) == 0);
	REQUIRE(ept_protect(e, b - 4 * KiB, 12 * KiB, EPT_R) == 0);
	CHECK(e->flush_needed);
	CHECK_EQ(e->stats.leaves[2], 0);
	CHECK_EQ(e->stats.leaves[1], 510);
	CHECK_EQ(e->stats.leaves[0], 1024);
	CHECK_EQ(expect(e, b - 8 * KiB, b - 8 * KiB, EPT_RWX, EPT_MT_WB), 1);
	CHECK_EQ(expect(e, b - 4 * KiB, b - 4 * KiB, EPT_R, EPT_MT_WB), 1);
	CHECK_EQ(expect(e, b + 4 * KiB, b + 4 * KiB, EPT_R, EPT_MT_WB), 1);
	CHECK_EQ(expect(e, b + 8 * KiB, b + 8 * KiB, EPT_RWX, EPT_MT_WB), 1);
	CHECK_EQ(expect(e, b + 2 * MiB, b + 2 * MiB, EPT_RWX, EPT_MT_WB), 2);
	check_tables(e);

	/* A whole 2 MiB leaf changes in place; the same rights change nothing. */
	leaves2m = e->stats.leaves[1];
	ept_flush_done(e);
	REQUIRE(ept_protect(e, b + 2 * MiB, 2 * MiB, EPT_RWX) == 0);
	CHECK(!e->flush_needed);
	REQUIRE(ept_protect(e, b + 2 * MiB, 2 * MiB, EPT_R | EPT_X) == 0);
	CHECK(e->flush_needed);
	CHECK_EQ(e->stats.leaves[1], leaves2m);
	CHECK_EQ(expect(e, b + 3 * MiB, b + 3 * MiB, EPT_R | EPT_X, EPT_MT_WB), 2);

	/* A range with a hole: refused, nothing changes. */
	REQUIRE(ept_unmap(e, b + 8 * MiB, 4 * KiB) == 0);
	leaves2m = e->stats.leaves[1];
	CHECK_EQ(ept_protect(e, b + 6 * MiB, 4 * MiB, EPT_R), -ERR_NOENT);
	CHECK_EQ(e->stats.leaves[1], leaves2m);
	CHECK_EQ(expect(e, b + 6 * MiB, b + 6 * MiB, EPT_RWX, EPT_MT_WB), 2);
	CHECK_EQ(ept_protect(e, 3 * GiB, 4 * KiB, EPT_R), -ERR_NOENT);
	done(e);
}

TEST(bad_arguments_are_refused)
{
	struct ept_features small = {true, true, false, 39};
	struct ept_features xo = {true, true, true, 0};
	struct ept *e = fresh(&all_sizes);
	const unsigned int bad_perms[] = {0, EPT_W, EPT_W | EPT_X, EPT_X, 8, EPT_RWX | 16};
	const unsigned int bad_mt[] = {2, 3, 7, 8, 255};

	CHECK_EQ(ept_map(e, 0x800, 0, 4 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, 0x800, 4 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, 0, 0x800, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, 0, 0, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, EPT_GPA_LIMIT, 0, 4 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, EPT_GPA_LIMIT - 4 * KiB, 0, 8 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, -4096ull, 0, 8 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, -4096ull, 8 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, 1ull << 52, 4 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, 0, -4096ull, EPT_R, EPT_MT_WB), -ERR_INVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_perms); i++)
		CHECK_EQ(ept_map(e, 0, 0, 4 * KiB, bad_perms[i], EPT_MT_WB), -ERR_INVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_mt); i++)
		CHECK_EQ(ept_map(e, 0, 0, 4 * KiB, EPT_R, bad_mt[i]), -ERR_INVAL);
	CHECK_EQ(ept_unmap(e, 0x800, 4 * KiB), -ERR_INVAL);
	CHECK_EQ(ept_unmap(e, 0, 0), -ERR_INVAL);
	CHECK_EQ(ept_unmap(e, EPT_GPA_LIMIT - 4 * KiB, 8 * KiB), -ERR_INVAL);
	CHECK_EQ(ept_protect(e, 0, 4 * KiB, EPT_W), -ERR_INVAL);
	CHECK_EQ(ept_protect(e, 0, 0, EPT_R), -ERR_INVAL);
	CHECK_EQ(e->stats.tables, 1);

	/* The top of guest-physical space is usable up to its last byte. */
	REQUIRE(ept_map(e, EPT_GPA_LIMIT - 1 * GiB, 1 * GiB, 1 * GiB, EPT_R, EPT_MT_WB) == 0);
	CHECK_EQ(e->stats.leaves[2], 1);
	CHECK_EQ(expect(e, EPT_GPA_LIMIT - 1, 2 * GiB - 1, EPT_R, EPT_MT_WB), 3);
	CHECK(!ept_lookup(e, EPT_GPA_LIMIT, NULL, NULL, NULL, NULL));
	REQUIRE(ept_unmap(e, EPT_GPA_LIMIT - 4 * KiB, 4 * KiB) == 0);
	CHECK_EQ(expect(e, EPT_GPA_LIMIT - 8 * KiB, 2 * GiB - 8 * KiB, EPT_R, EPT_MT_WB), 1);
	done(e);

	/* A 39-bit host: hpa must stay below 512 GiB. */
	e = fresh(&small);
	CHECK_EQ(ept_map(e, 0, (1ull << 39) - 4 * KiB, 8 * KiB, EPT_R, EPT_MT_WB), -ERR_INVAL);
	CHECK_EQ(ept_map(e, 0, (1ull << 39) - 4 * KiB, 4 * KiB, EPT_R, EPT_MT_WB), 0);
	done(e);

	/* Execute-only only where the CPU supports it. */
	e = fresh(&xo);
	CHECK_EQ(ept_map(e, 0, 0, 4 * KiB, EPT_X, EPT_MT_WB), 0);
	CHECK_EQ(ept_protect(e, 0, 4 * KiB, EPT_X | EPT_W), -ERR_INVAL);
	CHECK_EQ(expect(e, 0, 0, EPT_X, EPT_MT_WB), 1);
	done(e);
}

TEST(map_over_a_mapping_is_busy)
{
	struct ept *e = fresh(&all_sizes);

	REQUIRE(ept_map(e, 4 * MiB, 4 * MiB, 4 * MiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK_EQ(ept_map(e, 8 * MiB - 4 * KiB, 0, 8 * KiB, EPT_R, EPT_MT_UC), -ERR_BUSY);
	CHECK_EQ(ept_map(e, 0, 0, 1 * GiB, EPT_R, EPT_MT_UC), -ERR_BUSY);
	CHECK_EQ(ept_map(e, 5 * MiB, 0, 4 * KiB, EPT_R, EPT_MT_UC), -ERR_BUSY);
	CHECK_EQ(expect(e, 8 * MiB - 4 * KiB, 8 * MiB - 4 * KiB, EPT_RWX, EPT_MT_WB), 2);
	CHECK(!ept_lookup(e, 0, NULL, NULL, NULL, NULL));
	CHECK_EQ(e->stats.leaves[0], 0);
	CHECK_EQ(e->stats.leaves[1], 2);
	/* Neighbours are fine. */
	CHECK_EQ(ept_map(e, 8 * MiB, 0, 4 * KiB, EPT_R, EPT_MT_UC), 0);
	CHECK_EQ(ept_map(e, 4 * MiB - 4 * KiB, 0, 4 * KiB, EPT_R, EPT_MT_UC), 0);
	done(e);
}

TEST(out_of_tables_changes_nothing)
{
	uint64_t gpa = 1 * GiB - 2 * MiB - 8 * KiB, len = 1 * GiB + 4 * MiB + 20 * KiB;
	bool succeeded = false;

	/* map: all or nothing, whichever allocation fails. */
	for (long k = 0; !succeeded && k < 20; k++) {
		struct ept *e = fresh(&all_sizes);
		int err;

		ft.fail_after = k;
		err = ept_map(e, gpa, gpa, len, EPT_RWX, EPT_MT_WB);
		ft.fail_after = -1;
		if (err == 0) {
			succeeded = true;
		} else {
			CHECK_EQ(err, -ERR_NOMEM);
			CHECK(!ept_lookup(e, gpa, NULL, NULL, NULL, NULL));
			CHECK(!ept_lookup(e, 1 * GiB, NULL, NULL, NULL, NULL));
			CHECK_EQ(e->stats.leaves[0] + e->stats.leaves[1] + e->stats.leaves[2], 0);
			ept_flush_done(e);
			CHECK_EQ(e->stats.tables, 1);
			CHECK_EQ(ft.live, 1);
		}
		done(e);
	}
	CHECK(succeeded);

	/* unmap and protect: a failed split leaves every translation as it was. */
	for (long k = 0; k < 4; k++) {
		struct ept *e = fresh(&all_sizes);
		int err;

		REQUIRE(ept_map(e, 0, 2 * GiB, 1 * GiB, EPT_RWX, EPT_MT_WB) == 0);
		ft.fail_after = k / 2;
		if (k % 2)
			err = ept_protect(e, 5 * MiB, 4 * KiB, EPT_R);
		else
			err = ept_unmap(e, 5 * MiB, 4 * KiB);
		ft.fail_after = -1;
		CHECK_EQ(err, -ERR_NOMEM);
		for (uint64_t gpa2 = 0; gpa2 < 1 * GiB; gpa2 += 1 * MiB)
			expect(e, gpa2 + 4 * KiB, 2 * GiB + gpa2 + 4 * KiB, EPT_RWX, EPT_MT_WB);
		expect(e, 5 * MiB, 2 * GiB + 5 * MiB, EPT_RWX, EPT_MT_WB);
		done(e);
	}
}

TEST(flush_flag_and_deferred_frees)
{
	struct ept *e = fresh(&all_sizes);

	REQUIRE(ept_map(e, 0, 0, 16 * KiB, EPT_RWX, EPT_MT_WB) == 0);
	CHECK(!e->flush_needed);
	REQUIRE(ept_protect(e, 0, 16 * KiB, EPT_RWX) == 0);
	CHECK(!e->flush_needed);
	REQUIRE(ept_protect(e, 0, 4 * KiB, EPT_R) == 0);
	CHECK(e->flush_needed);
	ept_flush_done(e);
	CHECK(!e->flush_needed);
	/* Unmapping what is not mapped changes nothing. */
	REQUIRE(ept_unmap(e, 1 * GiB, 1 * GiB) == 0);
	CHECK(!e->flush_needed);
	REQUIRE(ept_unmap(e, 0, 16 * KiB) == 0);
	CHECK(e->flush_needed);
	/* PT, PD and PDPT are unlinked but kept until the flush. */
	CHECK_EQ(e->stats.tables, 1);
	CHECK_EQ(e->stats.tables_deferred, 3);
	CHECK_EQ(ft.live, 4);
	ept_flush_done(e);
	CHECK_EQ(ft.live, 1);
	/* Destroy frees deferred tables too. */
	REQUIRE(ept_map(e, 0, 0, 4 * KiB, EPT_R, EPT_MT_WB) == 0);
	REQUIRE(ept_unmap(e, 0, 4 * KiB) == 0);
	CHECK_EQ(e->stats.tables_deferred, 3);
	done(e);
}

TEST(destroy_frees_every_table)
{
	struct ept *e = fresh(&only_2m);

	for (uint64_t i = 0; i < 64; i++)
		REQUIRE(ept_map(e, i * 3 * GiB + i * 4 * KiB, i * 2 * MiB, 5 * MiB, EPT_RWX,
		                EPT_MT_WB) == 0);
	REQUIRE(ept_unmap(e, 3 * GiB, 1 * GiB) == 0);
	CHECK(ft.live > 64);
	done(e);
}

/* ---- differential test against a page-granular model --------------------- */

/*
 * The model covers [WIN_BASE, WIN_BASE + WIN_SIZE), which straddles a PML4
 * boundary (512 GiB). attr: 0 unmapped, else 0x80 | memtype << 3 | perms.
 */
#define WIN_BASE  (510 * GiB)
#define WIN_SIZE  (4 * GiB)
#define WIN_PAGES (WIN_SIZE / 4096)

static uint64_t *m_hpa;
static uint8_t *m_attr;

static uint64_t rnd(uint64_t n)
{
	return (((uint64_t)rand() << 31) ^ (uint64_t)rand()) % n;
}

static size_t compare_page(const struct ept *e, uint64_t i)
{
	uint64_t gpa = WIN_BASE + i * 4096, off = rnd(4096), h = 0;
	unsigned int p = 0, m = 0;
	bool mapped = ept_lookup(e, gpa + off, &h, &p, &m, NULL);

	if (!m_attr[i])
		return mapped;
	return !mapped || h != m_hpa[i] + off || p != (m_attr[i] & 7u) ||
	       m != ((m_attr[i] >> 3) & 7u);
}

static size_t compare_range(const struct ept *e, uint64_t first, uint64_t n)
{
	size_t bad = 0;

	if (n <= 2048) {
		for (uint64_t i = 0; i < n; i++)
			bad += compare_page(e, first + i);
		return bad;
	}
	bad += compare_page(e, first) + compare_page(e, first + n - 1);
	for (int k = 0; k < 2048; k++)
		bad += compare_page(e, first + rnd(n));
	return bad;
}

/* What the call should return: map needs the range free, protect needs it mapped. */
static int model_check(int op, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (op == 0 && m_attr[i])
			return -ERR_BUSY;
		if (op == 2 && !m_attr[i])
			return -ERR_NOENT;
	}
	return 0;
}

static void model_commit(int op, uint64_t first, uint64_t n, uint64_t hpa, unsigned int perms,
                         unsigned int mt)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (op == 0) {
			m_hpa[i] = hpa + (i - first) * 4096;
			m_attr[i] = (uint8_t)(0x80 | mt << 3 | perms);
		} else if (op == 1) {
			m_attr[i] = 0;
		} else {
			m_attr[i] = (uint8_t)((m_attr[i] & ~7u) | perms);
		}
	}
}

/* ops random operations; with fail_pct, that share of them runs short of tables. */
static void differential(const struct ept_features *f, unsigned int seed, int ops, int fail_pct)
{
	static const unsigned int mts[] = {0, 1, 4, 5, 6};
	static const uint64_t aligns[] = {4 * KiB, 2 * MiB, 1 * GiB};
	unsigned int perms_set[] = {EPT_R, EPT_R | EPT_W, EPT_R | EPT_X, EPT_RWX, EPT_X};
	struct ept *e = fresh(f);
	size_t bad = 0, failures = 0, counts[3][2] = {{0}};

	if (!m_hpa) {
		m_hpa = malloc(WIN_PAGES * sizeof(*m_hpa));
		m_attr = malloc(WIN_PAGES);
	}
	memset(m_attr, 0, WIN_PAGES);
	srand(seed);
	for (int n = 0; n < ops; n++) {
		int op = rand() % 100 < 45 ? 0 : rand() % 2 + 1;
		uint64_t align = aligns[rand() % 3];
		uint64_t first = rnd(WIN_SIZE / align) * align / 4096, pages;
		uint64_t hpa = rnd(1024) * 1 * GiB + (rand() % 4 ? 0 : rnd(1u << 18) * 4096);
		unsigned int perms = perms_set[rand() % (f->exec_only ? 5 : 4)];
		unsigned int mt = mts[rand() % 5];
		int want, got;

		pages = (1 + rnd(3)) * align / 4096;
		if (rand() % 3 == 0)
			pages += rnd(600);
		if (rand() % 8 == 0)
			first += rnd(600);
		if (first >= WIN_PAGES)
			first = WIN_PAGES - 1;
		pages = MIN(pages, WIN_PAGES - first);
		want = model_check(op, first, pages);
		if (fail_pct && rand() % 100 < fail_pct)
			ft.fail_after = rand() % 3;
		if (op == 0)
			got = ept_map(e, WIN_BASE + first * 4096, hpa, pages * 4096, perms, mt);
		else if (op == 1)
			got = ept_unmap(e, WIN_BASE + first * 4096, pages * 4096);
		else
			got = ept_protect(e, WIN_BASE + first * 4096, pages * 4096, perms);
		ft.fail_after = -1;
		if (got == 0 && want == 0)
			model_commit(op, first, pages, hpa, perms, mt);
		/* Out of tables, a call changes no translation: the model stays. */
		if (got == -ERR_NOMEM && want == 0 && fail_pct) {
			failures++;
		} else if (got != want) {
			if (bad++ < 5)
				printf("  op %d (%d) at page %#llx +%llu: got %d want %d\n", n, op,
				       (unsigned long long)first, (unsigned long long)pages, got,
				       want);
		}
		counts[op % 3][got == 0]++;
		bad += compare_range(e, first, pages);
		if (first)
			bad += compare_page(e, first - 1);
		if (first + pages < WIN_PAGES)
			bad += compare_page(e, first + pages);
		if (rand() % 16 == 0)
			ept_flush_done(e);
		if (n % 500 == 499) {
			bad += compare_range(e, 0, WIN_PAGES / 2);
			bad += compare_range(e, WIN_PAGES / 2, WIN_PAGES / 2);
			check_tables(e);
		}
		if (bad)
			break;
	}
	CHECK_EQ(bad, 0);
	for (uint64_t i = 0; i < WIN_PAGES; i++)
		bad += compare_page(e, i);
	CHECK_EQ(bad, 0);
	check_tables(e);
	/* Each kind of operation both succeeded and failed at least once. */
	for (int op = 0; op < 3; op++)
		CHECK(counts[op][1] > 0);
	CHECK(counts[0][0] > 0 && counts[2][0] > 0);
	if (fail_pct)
		CHECK(failures > 0);
	REQUIRE(ept_unmap(e, WIN_BASE, WIN_SIZE) == 0);
	ept_flush_done(e);
	CHECK_EQ(e->stats.tables, 1);
	done(e);
}

TEST(random_ops_match_model_all_sizes)
{
	differential(&all_sizes, 11, 4000, 0);
}

TEST(random_ops_match_model_2m_exec_only)
{
	struct ept_features f = {true, false, true, 46};

	differential(&f, 12, 3000, 0);
}

TEST(random_ops_match_model_4k)
{
	differential(&only_4k, 13, 1500, 0);
}

TEST(random_ops_match_model_short_of_tables)
{
	differential(&all_sizes, 14, 3000, 30);
}
