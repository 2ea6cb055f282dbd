/*
 * The frame allocator against a fake "physical memory": a 64 MiB host buffer
 * standing for physical [FAKE_BASE, FAKE_BASE + FAKE_SIZE). Only the bitmap
 * ever lives there; allocated frames are never touched.
 */
#include <errcode.h>
#include <frame.h>
#include <stdlib.h>

#include "unit.h"

#define FAKE_BASE 0x100000ull
#define FAKE_SIZE (64ull << 20)
#define MiB       (1ull << 20)
#define GiB       (1ull << 30)

static uint8_t *fake_mem;

static void *fake_phys_to_virt(void *ctx, uint64_t pa)
{
	if (pa < FAKE_BASE || pa >= FAKE_BASE + FAKE_SIZE)
		return NULL;
	return fake_mem + (pa - FAKE_BASE);
}

static void *null_phys_to_virt(void *ctx, uint64_t pa)
{
	return NULL;
}

static const struct frame_ops fake_ops = {fake_phys_to_virt, NULL};

static void fake_init(void)
{
	if (!fake_mem)
		fake_mem = malloc(FAKE_SIZE);
	memset(fake_mem, 0x5a, FAKE_SIZE);
}

/* ---- a brute-force model of "usable": one frame at a time ---------------- */

static bool touches(uint64_t lo, uint64_t hi, uint64_t pa)
{
	return lo < pa + FRAME_SIZE && pa < hi;
}

static uint64_t end_of(const struct mem_region *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

static bool ref_usable(const struct mem_region *map, size_t n, const struct phys_range *res,
                       size_t nres, uint64_t pa)
{
	bool inside = false;

	if (pa == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (map[i].type == MEM_REGION_AVAILABLE) {
			if (map[i].base <= pa && pa + FRAME_SIZE <= end_of(&map[i]))
				inside = true;
		} else if (touches(map[i].base, end_of(&map[i]), pa)) {
			return false;
		}
	}
	for (size_t i = 0; i < nres; i++)
		if (touches(res[i].base, res[i].end, pa))
			return false;
	return inside;
}

/* Every frame below limit: free exactly when the model says usable (bitmap aside). */
static size_t check_against_model(struct frame_pool *p, const struct mem_region *map, size_t n,
                                  const struct phys_range *res, size_t nres, uint64_t limit)
{
	size_t usable = 0, mismatches = 0;

	for (uint64_t pa = 0; pa < limit; pa += FRAME_SIZE) {
		bool meta = pa >= p->meta_pa && pa < p->meta_pa + p->meta * FRAME_SIZE;
		bool want = ref_usable(map, n, res, nres, pa);

		usable += want;
		if (meta) {
			if (!want)
				mismatches++; /* the bitmap must sit in usable memory */
			if (frame_is_free(p, pa))
				mismatches++;
		} else if (frame_is_free(p, pa) != want) {
			if (mismatches++ < 5)
				printf("  frame %#llx: free=%d model=%d\n", (unsigned long long)pa,
				       frame_is_free(p, pa), want);
		}
	}
	CHECK_EQ(mismatches, 0);
	return usable;
}

/* ---- the reference PC-like map used by several tests ---------------------- */

static const struct mem_region pc_map[] = {
    {0x0, 0x9fc00, MEM_REGION_AVAILABLE},
    {0x9fc00, 0x400, 2},
    {0xf0000, 0x10000, 2},
    {0x100000, 0x3f00000, MEM_REGION_AVAILABLE}, /* 1 MiB .. 64 MiB */
    {0xfffc0000, 0x40000, 2},
};

static const struct phys_range pc_res[] = {
    {0x0, 0x100000},      /* low 1 MiB */
    {0x100000, 0x180000}, /* image: 128 frames */
    {0x180000, 0x180200}, /* Multiboot info: part of one frame */
    {0x200800, 0x300800}, /* a module, unaligned: touches 257 frames */
};

/* 0x100..0x3fff minus 128 + 1 + 257; then one bitmap frame. */
#define PC_USABLE (0x3f00 - 128 - 1 - 257)
#define PC_TOTAL  (PC_USABLE - 1)

static struct frame_pool pool;

static int init_pc(void)
{
	fake_init();
	return frame_init(&pool, pc_map, ARRAY_SIZE(pc_map), pc_res, ARRAY_SIZE(pc_res), &fake_ops);
}

static bool in_pc_available(uint64_t pa)
{
	return ref_usable(pc_map, ARRAY_SIZE(pc_map), pc_res, ARRAY_SIZE(pc_res), pa);
}

/* Allocates frames until failure; checks each one; returns how many. */
static size_t alloc_all(struct frame_pool *p, uint8_t *seen, size_t seen_frames,
                        bool (*ok)(uint64_t pa))
{
	size_t count = 0, bad = 0;
	uint64_t pa;

	while ((pa = frame_alloc(p)) != 0) {
		uint64_t pfn = pa >> FRAME_SHIFT;

		if (!IS_ALIGNED(pa, FRAME_SIZE) || pfn >= seen_frames || seen[pfn] ||
		    (ok && !ok(pa)) || (pa >= p->meta_pa && pa < p->meta_pa + p->meta * FRAME_SIZE))
			bad++;
		else
			seen[pfn] = 1;
		count++;
	}
	CHECK_EQ(bad, 0);
	return count;
}

TEST(pc_map_counts_exact)
{
	struct frame_stats s;

	REQUIRE(init_pc() == 0);
	frame_stats(&pool, &s);
	CHECK_EQ(s.total, PC_TOTAL);
	CHECK_EQ(s.free, PC_TOTAL);
	CHECK_EQ(s.allocated, 0);
	CHECK_EQ(s.meta, 1);
	CHECK_EQ(s.allocs, 0);
	CHECK_EQ(s.failures, 0);
	/* The bitmap goes into the first usable frame: just past the boot info. */
	CHECK_EQ(pool.meta_pa, 0x181000);
	CHECK_EQ(check_against_model(&pool, pc_map, ARRAY_SIZE(pc_map), pc_res, ARRAY_SIZE(pc_res),
	                             128 * MiB),
	         PC_USABLE);
	frame_print(&pool);
	CHECK(unit_log_contains("15741 frames (61 MiB) usable"));
	CHECK(unit_log_contains("bitmap 1 frames at 0x181000"));
}

TEST(allocate_everything_never_reserved)
{
	static uint8_t seen[0x4000];
	struct frame_stats s;

	memset(seen, 0, sizeof(seen));
	REQUIRE(init_pc() == 0);
	CHECK_EQ(alloc_all(&pool, seen, ARRAY_SIZE(seen), in_pc_available), PC_TOTAL);
	CHECK_EQ(seen[0x181], 0); /* the bitmap */
	for (size_t pfn = 0x100; pfn < 0x181; pfn++)
		CHECK_EQ(seen[pfn], 0); /* image and boot info */
	for (size_t pfn = 0x200; pfn <= 0x300; pfn++)
		CHECK_EQ(seen[pfn], 0); /* module */

	frame_stats(&pool, &s);
	CHECK_EQ(s.free, 0);
	CHECK_EQ(s.allocated, PC_TOTAL);
	CHECK_EQ(s.peak, PC_TOTAL);
	CHECK_EQ(s.allocs, PC_TOTAL + 1);
	CHECK_EQ(s.failures, 1);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1, 0), 0);
	frame_stats(&pool, &s);
	CHECK_EQ(s.failures, 2);
	CHECK(!frame_is_free(&pool, 0x400000));
}

TEST(free_and_realloc)
{
	static uint8_t seen[0x4000];
	struct frame_stats s;
	uint64_t a, b, c;

	REQUIRE(init_pc() == 0);
	a = frame_alloc(&pool);
	b = frame_alloc(&pool);
	REQUIRE(a && b && a != b);
	CHECK(!frame_is_free(&pool, a));
	frame_free(&pool, a, 1);
	CHECK(frame_is_free(&pool, a));
	c = frame_alloc_contig(&pool, 8, 8, 0);
	REQUIRE(c);
	frame_stats(&pool, &s);
	CHECK_EQ(s.allocated, 9);
	CHECK_EQ(s.peak, 9);
	frame_free(&pool, b, 1);
	frame_free(&pool, c, 8);
	frame_stats(&pool, &s);
	CHECK_EQ(s.allocated, 0);
	CHECK_EQ(s.free, PC_TOTAL);
	CHECK_EQ(s.peak, 9);

	/* Everything comes back: the whole pool can be taken again, and again. */
	for (int round = 0; round < 2; round++) {
		memset(seen, 0, sizeof(seen));
		CHECK_EQ(alloc_all(&pool, seen, ARRAY_SIZE(seen), in_pc_available), PC_TOTAL);
		for (size_t pfn = 0; pfn < ARRAY_SIZE(seen); pfn++)
			if (seen[pfn])
				frame_free(&pool, (uint64_t)pfn << FRAME_SHIFT, 1);
	}
	frame_stats(&pool, &s);
	CHECK_EQ(s.free, PC_TOTAL);
	CHECK_EQ(s.peak, PC_TOTAL);
	CHECK_EQ(s.failures, 2);
}

TEST(contig_alignment_and_limit)
{
	struct frame_stats s;
	uint64_t a, b, c, d;

	REQUIRE(init_pc() == 0);
	/* 16 frames on a 64 KiB boundary: 0x181 is the bitmap, so 0x190. */
	a = frame_alloc_contig(&pool, 16, 16, 0);
	CHECK_EQ(a, 0x190000);
	/* 2 MiB aligned: must skip the module at 0x200..0x300. */
	b = frame_alloc_contig(&pool, 512, 512, 0);
	CHECK_EQ(b, 0x400000);
	/* Unaligned: lowest fit, the gap below the first allocation. */
	c = frame_alloc_contig(&pool, 14, 0, 0);
	CHECK_EQ(c, 0x182000);
	/* 0x1a0..0x1ff is 96 frames; 97 cannot fit below the module. */
	d = frame_alloc_contig(&pool, 97, 1, 0);
	CHECK_EQ(d, 0x301000);
	frame_free(&pool, d, 97);
	d = frame_alloc_contig(&pool, 96, 1, 0x200000);
	CHECK_EQ(d, 0x1a0000);
	CHECK(d + 96 * FRAME_SIZE <= 0x200000);
	/* Nothing ends below 2 MiB any more; a run ending exactly at max_pa is fine. */
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1, 0x200000), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1, 0x302000), 0x301000);
	/* max_pa not frame aligned: the run must still end at or below it. */
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1, 0x302fff), 0);
	/* Too big for the pool, or more than the whole pool. */
	CHECK_EQ(frame_alloc_contig(&pool, 0x3f00, 1, 0), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1u << 30, 1, 0), 0);
	/* 8 MiB aligned runs of 2048: at 8, 16, .. 56 MiB; none crosses the end of RAM. */
	for (uint64_t i = 1; i <= 7; i++)
		CHECK_EQ(frame_alloc_contig(&pool, 2048, 2048, 0), i << 23);
	CHECK_EQ(frame_alloc_contig(&pool, 2048, 2048, 0), 0);
	frame_stats(&pool, &s);
	CHECK_EQ(s.allocated, 16 + 512 + 14 + 96 + 1 + 7 * 2048);
	CHECK_EQ(s.failures, 5);
	CHECK_EQ(s.allocs, 18);
	CHECK(IS_ALIGNED(a, 16 * FRAME_SIZE) && IS_ALIGNED(b, 2 * MiB));
}

/* Unsorted, overlapping entries; a reserved entry inside an available one. */
TEST(unsorted_overlapping_map)
{
	static const struct mem_region map[] = {
	    {0x2000000, 0x2000000, MEM_REGION_AVAILABLE}, /* 32..64 MiB */
	    {0x800000, 0x1000, 3},                        /* ACPI inside RAM */
	    {0x100000, 0x1000000, MEM_REGION_AVAILABLE},  /* 1..17 MiB */
	    {0x1000000, 0x1800800, MEM_REGION_AVAILABLE}, /* overlaps both */
	    {0x3000800, 0x100, 2},                        /* touches one frame */
	    {0x10ff800, 0x2000, MEM_REGION_AVAILABLE},    /* unaligned, inside */
	    {0x3ff0000, 0x10000, 2},                      /* end of the 2nd entry */
	    {0x0, 0x1000, MEM_REGION_AVAILABLE},          /* frame 0: never */
	};
	static const struct phys_range res[] = {
	    {0x1200000, 0x1200001}, /* a single byte */
	    {0x1300000, 0x1300000}, /* empty */
	};
	struct frame_stats s;
	size_t usable;

	fake_init();
	REQUIRE(frame_init(&pool, map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), &fake_ops) == 0);
	usable = check_against_model(&pool, map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), 80 * MiB);
	/* 1..64 MiB minus: ACPI 1, 0x3000000 1, last 16 frames, the byte 1. */
	CHECK_EQ(usable, 0x3f00 - 1 - 1 - 16 - 1);
	frame_stats(&pool, &s);
	CHECK_EQ(s.total + s.meta, usable);
	CHECK_EQ(pool.meta_pa, 0x100000);
	CHECK(!frame_is_free(&pool, 0));
	CHECK(!frame_is_free(&pool, 0x800000));
	CHECK(frame_is_free(&pool, 0x801000));
	CHECK(!frame_is_free(&pool, 0x3000000));
	CHECK(!frame_is_free(&pool, 0x1200000));
	CHECK(frame_is_free(&pool, 0x1300000));
}

/* Random maps and reserved ranges against the brute-force model. */
TEST(random_maps_match_model)
{
	struct mem_region map[12];
	struct phys_range res[6];
	struct frame_stats s;
	unsigned seed = 12345;
	int inits = 0;

	fake_init();
	for (int round = 0; round < 60; round++) {
		size_t n = 1 + rand_r(&seed) % ARRAY_SIZE(map);
		size_t nres = 1 + rand_r(&seed) % ARRAY_SIZE(res);
		size_t usable;
		int err;

		for (size_t i = 0; i < n; i++) {
			map[i].base = (uint64_t)(rand_r(&seed) % (48 << 8)) << 12;
			map[i].base +=
			    rand_r(&seed) % 4 == 0 ? (uint64_t)(rand_r(&seed) % 4096) : 0;
			map[i].len = (uint64_t)(rand_r(&seed) % (16 << 8)) << 12;
			map[i].len += rand_r(&seed) % 4 == 0 ? (uint64_t)(rand_r(&seed) % 4096) : 0;
			map[i].type = rand_r(&seed) % 3 ? MEM_REGION_AVAILABLE : 2;
		}
		res[0] = (struct phys_range){0, 0x100000}; /* low 1 MiB, as at boot */
		for (size_t i = 1; i < nres; i++) {
			res[i].base = (uint64_t)(rand_r(&seed) % (64 << 20));
			res[i].end = res[i].base + rand_r(&seed) % (2 << 20);
		}
		err = frame_init(&pool, map, n, res, nres, &fake_ops);
		if (err) {
			/* Only when nothing at all is usable above FAKE_BASE. */
			CHECK_EQ(err, -ERR_NOMEM);
			continue;
		}
		inits++;
		usable = check_against_model(&pool, map, n, res, nres, 66 * MiB);
		frame_stats(&pool, &s);
		CHECK_EQ(s.total + s.meta, usable);
	}
	CHECK(inits > 40);
}

TEST(no_usable_memory_is_an_error)
{
	static const struct mem_region only_reserved[] = {
	    {0x0, 0x100000, 2},
	    {0x100000, 0x1000000, 3},
	};
	static const struct mem_region covered[] = {
	    {0x0, 0x9f000, MEM_REGION_AVAILABLE},
	    {0x100000, 0x100000, MEM_REGION_AVAILABLE},
	    {0x180000, 0x1000, 2},
	    {0x100000, 0x800, MEM_REGION_AVAILABLE}, /* less than a frame */
	};
	static const struct mem_region tiny[] = {
	    {0x100800, 0x1000, MEM_REGION_AVAILABLE}, /* no whole frame */
	};
	static const struct phys_range res[] = {{0, 0x100000}, {0x100000, 0x200000}};

	fake_init();
	CHECK_EQ(frame_init(&pool, only_reserved, ARRAY_SIZE(only_reserved), NULL, 0, &fake_ops),
	         -ERR_NOMEM);
	CHECK(unit_log_contains("error: lib/frame.c:"));
	CHECK(unit_log_contains("no usable memory"));
	unit_log_clear();
	CHECK_EQ(frame_init(&pool, covered, ARRAY_SIZE(covered), res, ARRAY_SIZE(res), &fake_ops),
	         -ERR_NOMEM);
	CHECK(unit_log_contains("no usable memory"));
	CHECK_EQ(frame_init(&pool, tiny, ARRAY_SIZE(tiny), NULL, 0, &fake_ops), -ERR_NOMEM);
	CHECK_EQ(frame_init(&pool, NULL, 0, NULL, 0, &fake_ops), -ERR_NOMEM);

	/* An uninitialised pool hands out nothing. */
	memset(&pool, 0, sizeof(pool));
	CHECK_EQ(frame_alloc(&pool), 0);
	CHECK_EQ(frame_alloc_contig(&pool, 1, 1, 0), 0);
	CHECK(!frame_is_free(&pool, 0x100000));
}

TEST(bad_input_is_an_error)
{
	static const struct phys_range backwards[] = {{0x200000, 0x100000}};
	static const struct frame_ops no_map = {null_phys_to_virt, NULL};
	static const struct frame_ops missing = {NULL, NULL};

	fake_init();
	CHECK_EQ(frame_init(&pool, pc_map, ARRAY_SIZE(pc_map), backwards, 1, &fake_ops),
	         -ERR_INVAL);
	CHECK(unit_log_contains("ends (0x100000) before it starts (0x200000)"));
	CHECK_EQ(frame_init(&pool, pc_map, ARRAY_SIZE(pc_map), NULL, 0, &missing), -ERR_INVAL);
	CHECK_EQ(frame_init(&pool, pc_map, ARRAY_SIZE(pc_map), NULL, 0, NULL), -ERR_INVAL);
	CHECK_EQ(frame_init(&pool, NULL, 3, NULL, 0, &fake_ops), -ERR_INVAL);
	unit_log_clear();
	CHECK_EQ(frame_init(&pool, pc_map, ARRAY_SIZE(pc_map), pc_res, ARRAY_SIZE(pc_res), &no_map),
	         -ERR_INVAL);
	CHECK(unit_log_contains("bitmap at 0x181000 is not mapped"));
}

/* 8 GiB with a PCI hole: a 128-frame bitmap that small low runs cannot hold. */
TEST(large_sparse_map)
{
	static const struct mem_region map[] = {
	    {0x0, 0x9fc00, MEM_REGION_AVAILABLE},
	    {0x100000, 0xbff00000, MEM_REGION_AVAILABLE},     /* 1 MiB .. 3 GiB */
	    {0x100000000, 0x100000000, MEM_REGION_AVAILABLE}, /* 4 .. 8 GiB */
	    {0xfec00000, 0x1400000, 2},
	    {0x2000000000, UINT64_MAX, 2}, /* wraps: reserved to the top */
	};
	/* Chop 1..2 MiB into runs of fewer than 128 frames. */
	static const struct phys_range res[] = {
	    {0x0, 0x100000},
	    {0x150000, 0x151000},
	    {0x1a0000, 0x1a1000},
	    {0x1f0000, 0x1f1000},
	};
	struct frame_stats s;
	uint64_t pa;

	fake_init();
	REQUIRE(frame_init(&pool, map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), &fake_ops) == 0);
	frame_stats(&pool, &s);
	/* Bitmaps for frames 0x100..0x1fffff: 2 * 32764 words = 128 frames at 0x1f1000. */
	CHECK_EQ(s.meta, 128);
	CHECK_EQ(pool.meta_pa, 0x1f1000);
	CHECK_EQ(s.total, (3 * GiB - MiB) / FRAME_SIZE - 3 + (4 * GiB) / FRAME_SIZE - 128);
	/* Below 4 GiB, 2 MiB aligned: 0x200000 holds the bitmap's tail. */
	pa = frame_alloc_contig(&pool, 512, 512, 4 * GiB);
	CHECK_EQ(pa, 0x400000);
	/* More than the low bank holds: only above 4 GiB. */
	pa = frame_alloc_contig(&pool, (3 * GiB) / FRAME_SIZE, 1, 0);
	CHECK_EQ(pa, 4 * GiB);
	CHECK_EQ(frame_alloc_contig(&pool, (3 * GiB) / FRAME_SIZE, 1, 4 * GiB), 0);
	CHECK(frame_is_free(&pool, 7 * GiB));
	CHECK(!frame_is_free(&pool, 8 * GiB));
	CHECK(!frame_is_free(&pool, 0xfec00000));
	CHECK(!frame_is_free(&pool, 0x1f2000));
}

TEST(bitmap_run_too_small)
{
	static const struct mem_region map[] = {
	    {0x100000, 0x10000, MEM_REGION_AVAILABLE},   /* 16 frames */
	    {0x800000000, 0x1000, MEM_REGION_AVAILABLE}, /* one frame at 32 GiB */
	};

	fake_init();
	CHECK_EQ(frame_init(&pool, map, ARRAY_SIZE(map), NULL, 0, &fake_ops), -ERR_NOMEM);
	CHECK(unit_log_contains("no free run of 512 frames for the bitmap (17 frames usable)"));
}

/* ---- invariant violations panic (checked in a child process) -------------- */

static void free_unaligned(void)
{
	frame_free(&pool, frame_alloc(&pool) + 8, 1);
}

static void free_twice(void)
{
	uint64_t pa = frame_alloc(&pool);

	frame_free(&pool, pa, 1);
	frame_free(&pool, pa, 1);
}

static void free_never_allocated(void)
{
	frame_free(&pool, 0x3000000, 1);
}

static void free_partly_allocated(void)
{
	uint64_t pa = frame_alloc_contig(&pool, 4, 4, 0);

	frame_free(&pool, pa, 5);
}

static void free_outside(void)
{
	frame_free(&pool, 0x8000000, 1);
}

static void free_reserved(void)
{
	frame_free(&pool, 0x250000, 1); /* the module */
}

static void free_bitmap(void)
{
	frame_free(&pool, pool.meta_pa, 1);
}

static void free_zero_frames(void)
{
	frame_free(&pool, frame_alloc(&pool), 0);
}

TEST(invalid_free_panics)
{
	REQUIRE(init_pc() == 0);
	CHECK(unit_panics(free_unaligned, "unaligned"));
	CHECK(unit_panics(free_twice, "double free"));
	CHECK(unit_panics(free_never_allocated, "double free"));
	CHECK(unit_panics(free_partly_allocated, "double free"));
	CHECK(unit_panics(free_outside, "outside the pool"));
	CHECK(unit_panics(free_reserved, "never owned"));
	CHECK(unit_panics(free_bitmap, "never owned"));
	CHECK(unit_panics(free_zero_frames, "nframes > 0"));
	/* The parent's pool is untouched by the children. */
	CHECK_EQ(pool.free, PC_TOTAL);
}
