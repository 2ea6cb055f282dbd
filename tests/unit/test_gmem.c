/*
 * Guest RAM against a fake "physical memory": a 64 MiB host buffer standing
 * for physical [ARENA_BASE, ARENA_BASE + 64 MiB), with a state byte per
 * frame so leaks and double frees show. Tests fragment it by pinning frames.
 */
#include <errcode.h>
#include <gmem.h>
#include <stdlib.h>
#include <x86/ept.h>

#include "unit.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define ARENA_BASE   (1 * GiB)
#define ARENA_FRAMES 16384

enum {
	FREE,
	TAKEN,
	PINNED
};

static uint8_t *arena;
static uint8_t state[ARENA_FRAMES];
static struct {
	size_t live, calls, bad_frees;
	long fail_after; /* < 0: never; else fail once this many more calls succeeded */
} fk;

static uint64_t fake_alloc(void *ctx, size_t n, size_t align)
{
	fk.calls++;
	if (fk.fail_after == 0)
		return 0;
	if (align == 0 || (align & (align - 1)))
		unit_fail(__FILE__, __LINE__, "alignment %zu is not a power of two", align);
	for (size_t start = 0; start + n <= ARENA_FRAMES;) {
		size_t j = start;

		while (j < start + n && state[j] == FREE)
			j++;
		if (j == start + n) {
			memset(state + start, TAKEN, n);
			fk.live += n;
			if (fk.fail_after > 0)
				fk.fail_after--;
			return ARENA_BASE + start * 4096;
		}
		start = ALIGN_UP(j + 1, align);
	}
	return 0;
}

static void fake_free(void *ctx, uint64_t pa, size_t n)
{
	for (size_t i = (pa - ARENA_BASE) / 4096; n; i++, n--) {
		if (pa < ARENA_BASE || i >= ARENA_FRAMES || state[i] != TAKEN) {
			fk.bad_frees++;
			continue;
		}
		state[i] = FREE;
		fk.live--;
	}
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	if (pa < ARENA_BASE || pa >= ARENA_BASE + ARENA_FRAMES * 4096ull)
		return NULL;
	return arena + (pa - ARENA_BASE);
}

static const struct gmem_ops ops = {fake_alloc, fake_free, fake_virt, NULL};

/* Fresh arena full of garbage; pins every frame i with i % every == at (every 0: none). */
static void arena_reset(size_t every, size_t at)
{
	if (!arena)
		arena = aligned_alloc(2 * MiB, ARENA_FRAMES * 4096ull);
	memset(arena, 0xa5, ARENA_FRAMES * 4096ull);
	memset(state, FREE, sizeof(state));
	for (size_t i = 0; every && i < ARENA_FRAMES; i++)
		if (i % every == at)
			state[i] = PINNED;
	memset(&fk, 0, sizeof(fk));
	fk.fail_after = -1;
}

/* Regions tile [0, size) in order, own their frames, and adjacent host runs were merged. */
static void check_gmem(const struct gmem *g, uint64_t size)
{
	uint64_t gpa = 0;

	CHECK_EQ(g->size, size);
	CHECK(g->nregions >= 1 && g->nregions <= GMEM_MAX_REGIONS);
	for (unsigned int i = 0; i < g->nregions; i++) {
		const struct gmem_region *r = &g->regions[i];

		CHECK_EQ(r->gpa, gpa);
		CHECK(r->len > 0 && r->len % 4096 == 0 && r->hpa % 4096 == 0);
		for (uint64_t f = (r->hpa - ARENA_BASE) / 4096;
		     f < (r->hpa + r->len - ARENA_BASE) / 4096; f++)
			if (state[f] != TAKEN) {
				unit_fail(__FILE__, __LINE__, "region %u frame %#llx not taken", i,
				          (unsigned long long)f);
				break;
			}
		if (i)
			CHECK(g->regions[i - 1].hpa + g->regions[i - 1].len != r->hpa);
		gpa += r->len;
	}
	CHECK_EQ(gpa, size);
	CHECK_EQ(fk.live, size / 4096);
	CHECK_EQ(fk.bad_frees, 0);
}

static void destroy(struct gmem *g)
{
	gmem_destroy(g);
	CHECK_EQ(fk.live, 0);
	CHECK_EQ(fk.bad_frees, 0);
	CHECK_EQ(g->nregions, 0);
}

TEST(one_region_2m_aligned_and_zeroed)
{
	struct gmem g;
	size_t nonzero = 0;
	const uint8_t *p;

	arena_reset(0, 0);
	state[0] = PINNED; /* the run must not start at the bottom */
	REQUIRE(gmem_create(&g, 8 * MiB + 12 * KiB, &ops) == 0);
	check_gmem(&g, 8 * MiB + 12 * KiB);
	CHECK_EQ(g.nregions, 2); /* 8 MiB, 2 MiB aligned; then the tail below it */
	CHECK_EQ(g.regions[0].hpa % (2 * MiB), 0);
	CHECK_EQ(g.regions[0].len, 8 * MiB);
	p = gmem_ptr(&g, 0, 8 * MiB);
	REQUIRE(p != NULL);
	for (uint64_t i = 0; i < 8 * MiB; i++)
		nonzero += p[i] != 0;
	p = gmem_ptr(&g, 8 * MiB, 12 * KiB);
	REQUIRE(p != NULL);
	for (uint64_t i = 0; i < 12 * KiB; i++)
		nonzero += p[i] != 0;
	CHECK_EQ(nonzero, 0);
	destroy(&g);
}

TEST(bad_arguments)
{
	struct gmem g;
	struct gmem_ops no_free = ops;

	arena_reset(0, 0);
	no_free.free_contig = NULL;
	CHECK_EQ(gmem_create(&g, 0, &ops), -ERR_INVAL);
	CHECK_EQ(gmem_create(&g, 4 * KiB + 1, &ops), -ERR_INVAL);
	CHECK_EQ(gmem_create(&g, 4 * KiB, NULL), -ERR_INVAL);
	CHECK_EQ(gmem_create(&g, 4 * KiB, &no_free), -ERR_INVAL);
	CHECK_EQ(fk.calls, 0);
	/* A cleared gmem destroys harmlessly and answers nothing. */
	gmem_destroy(&g);
	CHECK(gmem_ptr(&g, 0, 1) == NULL);
	CHECK_EQ(gmem_copy_from(&g, NULL, 0, 1), -ERR_RANGE);
}

TEST(fragmented_host_memory_gives_several_regions)
{
	struct gmem g;
	uint64_t large = 0;

	/* One pinned frame in the middle of every 2 MiB: no 2 MiB run exists. */
	arena_reset(512, 256);
	REQUIRE(gmem_create(&g, 6 * MiB, &ops) == 0);
	check_gmem(&g, 6 * MiB);
	CHECK(g.nregions > 3);

	/* Pins only in the low 8 MiB: large runs come from above, small ones fill below. */
	destroy(&g);
	arena_reset(0, 0);
	for (size_t i = 0; i < 2048; i += 512)
		state[i + 256] = PINNED;
	REQUIRE(gmem_create(&g, 4 * MiB + 8 * KiB, &ops) == 0);
	check_gmem(&g, 4 * MiB + 8 * KiB);
	REQUIRE(g.nregions == 2);
	CHECK_EQ(g.regions[0].hpa, ARENA_BASE + 8 * MiB);
	CHECK_EQ(g.regions[1].hpa, ARENA_BASE);
	destroy(&g);

	/* No large run for the first 2 MiB: it is filled small, and later runs stay aligned. */
	arena_reset(0, 0);
	for (size_t i = 0; i < ARENA_FRAMES; i += 512)
		if (i != 4096 && i != 4608)
			state[i + 256] = PINNED;
	for (size_t i = 0; i < 200; i++)
		state[3072 + 2 * i] = PINNED; /* and small runs near 12 MiB */
	REQUIRE(gmem_create(&g, 8 * MiB, &ops) == 0);
	check_gmem(&g, 8 * MiB);
	for (unsigned int i = 0; i < g.nregions; i++)
		if (g.regions[i].len >= 2 * MiB && g.regions[i].gpa % (2 * MiB) == 0 &&
		    g.regions[i].hpa % (2 * MiB) == 0)
			large += g.regions[i].len;
	CHECK_EQ(large, 4 * MiB); /* the two free 2 MiB pages at 16 MiB */
	destroy(&g);
}

TEST(too_many_regions_fails_cleanly)
{
	struct gmem g;

	/* Free runs of 15 frames: 2 MiB needs at least 35 regions, 8 MiB more than 64. */
	arena_reset(16, 0);
	REQUIRE(gmem_create(&g, 2 * MiB, &ops) == 0);
	check_gmem(&g, 2 * MiB);
	CHECK(g.nregions > 34); /* 46 with lowest fit */
	destroy(&g);
	unit_log_clear();
	CHECK_EQ(gmem_create(&g, 8 * MiB, &ops), -ERR_NOMEM);
	CHECK(unit_log_contains("gmem: no memory"));
	CHECK_EQ(fk.live, 0);
	CHECK_EQ(fk.bad_frees, 0);
	CHECK_EQ(g.nregions, 0);
	CHECK_EQ(g.size, 0);
}

TEST(allocation_failure_midway_frees_everything)
{
	struct gmem g;
	bool succeeded = false;

	for (long k = 0; k < 200 && !succeeded; k++) {
		arena_reset(512, 256);
		fk.fail_after = k;
		if (gmem_create(&g, 3 * MiB, &ops) == 0) {
			succeeded = true;
			check_gmem(&g, 3 * MiB);
			destroy(&g);
			continue;
		}
		CHECK_EQ(fk.live, 0);
		CHECK_EQ(fk.bad_frees, 0);
	}
	CHECK(succeeded);
	/* Simply too little memory. */
	arena_reset(0, 0);
	CHECK_EQ(gmem_create(&g, ARENA_FRAMES * 4096ull + 4096, &ops), -ERR_NOMEM);
	CHECK_EQ(fk.live, 0);
}

/* Two regions: [0, 4 MiB) and [4 MiB, 4 MiB + 8 KiB), not contiguous on the host. */
static void two_regions(struct gmem *g)
{
	arena_reset(0, 0);
	state[1024] = PINNED; /* the 8 KiB tail cannot follow the first 4 MiB on the host */
	if (gmem_create(g, 4 * MiB + 8 * KiB, &ops) != 0 || g->nregions != 2)
		unit_fail(__FILE__, __LINE__, "setup: %u regions", g->nregions);
}

TEST(ptr_bounds_are_exact)
{
	struct gmem g;
	uint8_t *base0, *base1;
	uint64_t size = 4 * MiB + 8 * KiB;

	two_regions(&g);
	base0 = fake_virt(NULL, g.regions[0].hpa);
	base1 = fake_virt(NULL, g.regions[1].hpa);
	CHECK(gmem_ptr(&g, 0, 4 * MiB) == base0);
	CHECK(gmem_ptr(&g, 4 * MiB - 1, 1) == base0 + 4 * MiB - 1);
	CHECK(gmem_ptr(&g, 4 * MiB - 1, 2) == NULL); /* spans two host regions */
	CHECK(gmem_ptr(&g, 0, size) == NULL);
	CHECK(gmem_ptr(&g, 4 * MiB, 8 * KiB) == base1);
	CHECK(gmem_ptr(&g, size - 1, 1) == base1 + 8 * KiB - 1); /* last byte */
	CHECK(gmem_ptr(&g, size - 1, 2) == NULL);
	CHECK(gmem_ptr(&g, size, 1) == NULL); /* one past */
	CHECK(gmem_ptr(&g, 0, 0) == NULL);
	CHECK(gmem_ptr(&g, size, 0) == NULL);
	/* Wrap-around at 2^64. */
	CHECK(gmem_ptr(&g, UINT64_MAX, 1) == NULL);
	CHECK(gmem_ptr(&g, UINT64_MAX, 2) == NULL);
	CHECK(gmem_ptr(&g, 1, UINT64_MAX) == NULL);
	CHECK(gmem_ptr(&g, 16, -8ull) == NULL);
	CHECK(gmem_ptr(&g, -4096ull, 8192) == NULL);
	CHECK(gmem_ptr(&g, 0, UINT64_MAX) == NULL);
	destroy(&g);
}

TEST(copies_span_regions)
{
	struct gmem g;
	uint8_t buf[64 * KiB], back[64 * KiB];
	uint64_t at = 4 * MiB - 40 * KiB; /* 40 KiB in region 0, 8 KiB in region 1 */
	uint8_t *base0, *base1;

	two_regions(&g);
	base0 = fake_virt(NULL, g.regions[0].hpa);
	base1 = fake_virt(NULL, g.regions[1].hpa);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ(gmem_copy_to(&g, at, buf, 48 * KiB), 0);
	CHECK(memcmp(base0 + at, buf, 40 * KiB) == 0);
	CHECK(memcmp(base1, buf + 40 * KiB, 8 * KiB) == 0);
	memset(back, 0, sizeof(back));
	CHECK_EQ(gmem_copy_from(&g, back, at, 48 * KiB), 0);
	CHECK(memcmp(back, buf, 48 * KiB) == 0);
	CHECK_EQ(gmem_copy_from(&g, back, 4 * MiB + 8 * KiB - 1, 1), 0);
	CHECK_EQ(back[0], buf[48 * KiB - 1]);

	/* Outside RAM: refused and nothing copied. */
	memset(back, 0xee, sizeof(back));
	CHECK_EQ(gmem_copy_from(&g, back, at, 48 * KiB + 1), -ERR_RANGE);
	CHECK_EQ(gmem_copy_from(&g, back, 4 * MiB + 8 * KiB, 1), -ERR_RANGE);
	CHECK_EQ(gmem_copy_from(&g, back, UINT64_MAX, 2), -ERR_RANGE);
	CHECK_EQ(gmem_copy_from(&g, back, 8, UINT64_MAX - 4), -ERR_RANGE);
	CHECK_EQ(back[0], 0xee);
	CHECK_EQ(gmem_copy_to(&g, 4 * MiB + 4 * KiB, buf, 8 * KiB), -ERR_RANGE);
	CHECK_EQ(base1[4 * KiB], buf[44 * KiB]); /* unchanged */
	CHECK_EQ(gmem_copy_to(&g, -4096ull, buf, 8192), -ERR_RANGE);
	/* Nothing to copy at the very end is fine. */
	CHECK_EQ(gmem_copy_from(&g, back, 4 * MiB + 8 * KiB, 0), 0);
	CHECK_EQ(gmem_copy_from(&g, back, 4 * MiB + 8 * KiB + 1, 0), -ERR_RANGE);
	destroy(&g);
}

/* ---- EPT mapping of guest RAM --------------------------------------------- */

static size_t tables_live;
static long tables_fail_after = -1;

static uint64_t table_alloc(void *ctx)
{
	void *p;

	if (tables_fail_after == 0)
		return 0;
	if (tables_fail_after > 0)
		tables_fail_after--;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	tables_live++;
	return (uint64_t)(uintptr_t)p;
}

static void table_free(void *ctx, uint64_t pa)
{
	free((void *)(uintptr_t)pa);
	tables_live--;
}

static void *table_virt(void *ctx, uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static const struct ept_ops ept_fake = {table_alloc, table_free, table_virt, NULL};

TEST(ept_mapping_matches_regions)
{
	const struct ept_features f = {true, true, false, 0};
	struct gmem g;
	struct ept e;
	size_t bad = 0;

	arena_reset(0, 0);
	for (size_t i = 0; i < ARENA_FRAMES; i += 512)
		if (i < 4096 || i >= 6144)
			state[i + 256] = PINNED; /* one 8 MiB run of 2 MiB pages, the rest small */
	REQUIRE(gmem_create(&g, 20 * MiB + 12 * KiB, &ops) == 0);
	check_gmem(&g, 20 * MiB + 12 * KiB);
	REQUIRE(ept_init(&e, &ept_fake, &f) == 0);
	REQUIRE(ept_map_gmem(&e, &g, EPT_RWX) == 0);
	for (unsigned int i = 0; i < g.nregions; i++) {
		const struct gmem_region *r = &g.regions[i];

		for (uint64_t off = 0; off < r->len; off += 4096) {
			uint64_t h = 0;
			unsigned int p = 0, m = 0;

			if (!ept_lookup(&e, r->gpa + off + 9, &h, &p, &m, NULL) ||
			    h != r->hpa + off + 9 || p != EPT_RWX || m != EPT_MT_WB)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(!ept_lookup(&e, g.size, NULL, NULL, NULL, NULL));
	CHECK_EQ(e.stats.leaves[1], 4);
	CHECK_EQ(e.stats.leaves[0] * 4096 + e.stats.leaves[1] * 2 * MiB, g.size);

	/* Out of tables: nothing stays mapped. */
	ept_destroy(&e);
	CHECK_EQ(tables_live, 0);
	for (long k = 0; k < 8; k++) {
		REQUIRE(ept_init(&e, &ept_fake, &f) == 0);
		tables_fail_after = k;
		if (ept_map_gmem(&e, &g, EPT_R | EPT_W) == 0) {
			tables_fail_after = -1;
			ept_destroy(&e);
			break;
		}
		tables_fail_after = -1;
		CHECK_EQ(e.stats.leaves[0] + e.stats.leaves[1] + e.stats.leaves[2], 0);
		CHECK(!ept_lookup(&e, 0, NULL, NULL, NULL, NULL));
		ept_destroy(&e);
		CHECK_EQ(tables_live, 0);
	}
	destroy(&g);
}
