/*
 * kalloc over a fake page provider built on aligned_alloc: it counts live
 * pages, checks that page_free gets back exactly what page_alloc gave, and
 * can be capped to simulate running out of memory.
 */
#include <arch.h>
#include <compiler.h>
#include <errcode.h>
#include <kalloc.h>
#include <stdlib.h>

#include "unit.h"

#define PAGE KALLOC_PAGE_SIZE

static struct {
	struct {
		void *p;
		size_t n;
	} live[8192];
	size_t nlive;
	size_t pages; /* pages handed out and not returned */
	size_t limit; /* page_alloc fails beyond this many live pages */
	size_t bad_frees;
} fake;

static void *fake_page_alloc(void *ctx, size_t n)
{
	void *p;

	if (fake.pages + n > fake.limit || fake.nlive == ARRAY_SIZE(fake.live))
		return NULL;
	p = aligned_alloc(PAGE, n * PAGE);
	if (!p)
		return NULL;
	memset(p, 0xa5, n * PAGE); /* not zeroed, like real frames */
	fake.live[fake.nlive].p = p;
	fake.live[fake.nlive].n = n;
	fake.nlive++;
	fake.pages += n;
	return p;
}

static void fake_page_free(void *ctx, void *p, size_t n)
{
	for (size_t i = 0; i < fake.nlive; i++) {
		if (fake.live[i].p == p) {
			if (fake.live[i].n != n)
				fake.bad_frees++;
			fake.pages -= fake.live[i].n;
			fake.live[i] = fake.live[--fake.nlive];
			free(p);
			return;
		}
	}
	fake.bad_frees++;
}

static const struct kalloc_ops fake_ops = {fake_page_alloc, fake_page_free, NULL};

/* Resets kalloc (returning its cached pages) and caps the provider. */
static bool setup(size_t limit)
{
	fake.limit = SIZE_MAX;
	if (kalloc_init(&fake_ops) != 0)
		return false;
	fake.limit = limit;
	fake.bad_frees = 0;
	return fake.pages == 0 && fake.nlive == 0;
}

static size_t class_of(size_t size)
{
	size_t c = 0;

	while (((size_t)16 << c) < size)
		c++;
	return c;
}

static size_t want_align(size_t size)
{
	if (size > KALLOC_MAX_SMALL)
		return PAGE;
	return MIN((size_t)16 << class_of(size), (size_t)64);
}

/* Runs first (tests run in file order): nothing works before kalloc_init. */
TEST(before_init)
{
	struct kalloc_stats s;

	CHECK(kalloc(16) == NULL);
	CHECK(kzalloc(5000) == NULL);
	kfree(NULL);
	kalloc_stats(&s);
	CHECK_EQ(s.failures, 2);
	CHECK_EQ(s.cls[0].size, 16);
	CHECK_EQ(s.cls[KALLOC_NCLASSES - 1].size, 2048);
}

TEST(init_needs_ops)
{
	static const struct kalloc_ops half = {fake_page_alloc, NULL, NULL};

	CHECK_EQ(kalloc_init(NULL), -ERR_INVAL);
	CHECK_EQ(kalloc_init(&half), -ERR_INVAL);
	CHECK(unit_log_contains("error: lib/kalloc.c:"));
	CHECK(unit_log_contains("missing page provider"));
}

TEST(sizes_classes_alignment)
{
	static const size_t sizes[] = {
	    0,    1,    15,   16,   17,   31,   32,   33,   48,    63,    64,    65,   100,
	    127,  128,  129,  255,  256,  257,  500,  511,  512,   513,   1000,  1023, 1024,
	    1025, 2000, 2047, 2048, 2049, 4095, 4096, 4097, 12288, 65536, 100000};
	void *ptr[ARRAY_SIZE(sizes)];
	struct kalloc_stats before, after;

	REQUIRE(setup(SIZE_MAX));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t sz = sizes[i];

		kalloc_stats(&before);
		ptr[i] = kalloc(sz);
		kalloc_stats(&after);
		REQUIRE(ptr[i]);
		CHECK_EQ((uintptr_t)ptr[i] % want_align(sz), 0);
		CHECK_EQ((uintptr_t)ptr[i] % 16, 0);
		memset(ptr[i], (int)i, sz); /* ASan: the whole size is ours */
		if (sz <= KALLOC_MAX_SMALL) {
			size_t c = class_of(sz);

			CHECK_EQ(after.cls[c].inuse, before.cls[c].inuse + 1);
			CHECK_EQ(after.cls[c].allocs, before.cls[c].allocs + 1);
			CHECK_EQ((uintptr_t)ptr[i] % PAGE != 0, 1);
		} else {
			CHECK_EQ(after.large.inuse, before.large.inuse + 1);
			CHECK_EQ(after.large.pages - before.large.pages, (sz + PAGE - 1) / PAGE);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const unsigned char *b = ptr[i];

		for (size_t k = 0; k < sizes[i]; k++)
			if (b[k] != (unsigned char)i) {
				unit_fail(__FILE__, __LINE__, "object %zu overwritten at %zu", i,
				          k);
				break;
			}
		kfree(ptr[i]);
	}
	kalloc_stats(&after);
	for (size_t c = 0; c < KALLOC_NCLASSES; c++)
		CHECK_EQ(after.cls[c].inuse, 0);
	CHECK_EQ(after.large.inuse, 0);
	CHECK_EQ(after.large.pages, 0);
	CHECK_EQ(after.failures, 0);
	CHECK_EQ(fake.bad_frees, 0);
}

TEST(reuse_after_free)
{
	void *a, *b, *c;

	REQUIRE(setup(SIZE_MAX));
	a = kalloc(100);
	b = kalloc(100);
	REQUIRE(a && b && a != b);
	CHECK_EQ((char *)b - (char *)a, 128);
	kfree(a);
	c = kalloc(120);
	CHECK(c == a);
	kfree(b);
	kfree(c);
	/* The emptied page stays cached, so the next object lands in it again. */
	CHECK_EQ(fake.pages, 1);
	c = kalloc(128);
	CHECK(c == a);
	kfree(c);
}

TEST(large_allocations)
{
	struct kalloc_stats s;
	void *a, *b, *c;

	REQUIRE(setup(SIZE_MAX));
	a = kalloc(2049);
	b = kalloc(4097);
	c = kalloc(1 << 20);
	REQUIRE(a && b && c);
	CHECK_EQ((uintptr_t)a % PAGE, 0);
	CHECK_EQ((uintptr_t)b % PAGE, 0);
	CHECK_EQ((uintptr_t)c % PAGE, 0);
	memset(a, 1, 2049);
	memset(b, 2, 4097);
	memset(c, 3, 1 << 20);
	kalloc_stats(&s);
	CHECK_EQ(s.large.inuse, 3);
	CHECK_EQ(s.large.pages, 1 + 2 + 256);
	CHECK_EQ(s.large.allocs, 3);
	/* Each is tracked by one 32-byte record. */
	CHECK_EQ(s.cls[1].inuse, 3);
	CHECK_EQ(s.cls[1].pages, 1);
	CHECK_EQ(fake.pages, 1 + 2 + 256 + 1);
	kfree(b);
	kfree(a);
	kfree(c);
	kalloc_stats(&s);
	CHECK_EQ(s.large.inuse, 0);
	CHECK_EQ(s.large.pages, 0);
	CHECK_EQ(s.large.frees, 3);
	CHECK_EQ(s.cls[1].inuse, 0);
	CHECK_EQ(fake.pages, 1); /* the cached record page */
	CHECK_EQ(fake.bad_frees, 0);
	/* Many live at once, several per hash bucket. */
	{
		void *v[300];

		for (int i = 0; i < 300; i++)
			REQUIRE((v[i] = kalloc(PAGE + (size_t)i)) != NULL);
		for (int i = 299; i >= 0; i -= 2)
			kfree(v[i]);
		for (int i = 0; i < 300; i += 2)
			kfree(v[i]);
	}
	kalloc_stats(&s);
	CHECK_EQ(s.large.inuse, 0);
	CHECK_EQ(s.large.pages, 0);
	CHECK_EQ(fake.bad_frees, 0);
}

TEST(kzalloc_zeroes)
{
	unsigned char *p, *q;

	REQUIRE(setup(SIZE_MAX));
	p = kalloc(64);
	REQUIRE(p);
	memset(p, 0xff, 64);
	kfree(p);
	q = kzalloc(64);
	REQUIRE(q == p);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(q[i], 0);
	kfree(q);
	q = kzalloc(3 * PAGE + 1); /* large: the provider's pages are 0xa5 */
	REQUIRE(q);
	for (size_t i = 0; i < 3 * PAGE + 1; i++)
		if (q[i]) {
			unit_fail(__FILE__, __LINE__, "byte %zu not zero", i);
			break;
		}
	kfree(q);
}

TEST(stats_exact)
{
	static void *obj[300];
	struct kalloc_stats s;
	void *extra;

	REQUIRE(setup(SIZE_MAX));
	/* 252 16-byte objects fill one page: (4096 - 64) / 16. */
	for (int i = 0; i < 252; i++)
		REQUIRE((obj[i] = kalloc(16)) != NULL);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[0].inuse, 252);
	CHECK_EQ(s.cls[0].pages, 1);
	extra = kalloc(1);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[0].inuse, 253);
	CHECK_EQ(s.cls[0].pages, 2);
	CHECK_EQ(s.cls[0].allocs, 253);

	/* The second page empties but is the class's only free space: cached. */
	kfree(extra);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[0].pages, 2);
	/* The first page empties while the second has room: returned. */
	for (int i = 0; i < 252; i++)
		kfree(obj[i]);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[0].inuse, 0);
	CHECK_EQ(s.cls[0].pages, 1);
	CHECK_EQ(s.cls[0].frees, 253);
	CHECK_EQ(fake.pages, 1);

	/* Per-class objects per page: 2048 -> 1, 1024 -> 3, 512 -> 7, 64 -> 63. */
	for (int i = 0; i < 3; i++)
		REQUIRE((obj[i] = kalloc(2048)) != NULL);
	for (int i = 3; i < 10; i++)
		REQUIRE((obj[i] = kalloc(1024)) != NULL);
	for (int i = 10; i < 18; i++)
		REQUIRE((obj[i] = kalloc(512)) != NULL);
	for (int i = 18; i < 18 + 64; i++)
		REQUIRE((obj[i] = kalloc(64)) != NULL);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[7].pages, 3);
	CHECK_EQ(s.cls[6].pages, 3);
	CHECK_EQ(s.cls[5].pages, 2);
	CHECK_EQ(s.cls[2].pages, 2);
	CHECK_EQ(fake.pages, 1 + 3 + 3 + 2 + 2);
	for (int i = 0; i < 18 + 64; i++)
		kfree(obj[i]);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[7].pages, 1);
	CHECK_EQ(s.cls[6].pages, 1);
	CHECK_EQ(s.cls[5].pages, 1);
	CHECK_EQ(s.cls[2].pages, 1);
	CHECK_EQ(s.cls[7].allocs, 3);
	CHECK_EQ(s.cls[7].frees, 3);
	CHECK_EQ(s.failures, 0);

	kalloc_print();
	CHECK(unit_log_contains("kalloc:     16        0      1        253        253"));
	CHECK(unit_log_contains("kalloc:  large        0      0          0          0"));
	CHECK(unit_log_contains("kalloc: 0 failed allocations"));
}

TEST(out_of_pages_returns_null)
{
	struct kalloc_stats s;
	void *obj[253], *big;

	REQUIRE(setup(0));
	CHECK(kalloc(16) == NULL);
	CHECK(kalloc(10000) == NULL);
	kalloc_stats(&s);
	CHECK_EQ(s.failures, 2);
	CHECK_EQ(s.cls[0].pages, 0);

	/* One page: a full class, then nothing. */
	fake.limit = 1;
	for (int i = 0; i < 252; i++)
		REQUIRE((obj[i] = kalloc(16)) != NULL);
	CHECK(kalloc(16) == NULL);
	CHECK(kalloc(32) == NULL);
	/* Large: the record fails first. */
	CHECK(kalloc(8192) == NULL);
	/* Room for the record page but not the two data pages: nothing leaks. */
	fake.limit = 3;
	CHECK(kalloc(8192) == NULL);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[1].inuse, 0);
	CHECK_EQ(s.large.inuse, 0);
	CHECK_EQ(s.failures, 2 + 4);
	fake.limit = 4;
	big = kalloc(8192);
	CHECK(big != NULL);
	kfree(big);
	for (int i = 0; i < 252; i++)
		kfree(obj[i]);
	kalloc_stats(&s);
	CHECK_EQ(s.cls[0].inuse, 0);
	CHECK_EQ(s.large.pages, 0);
	CHECK_EQ(fake.bad_frees, 0);
	/* Absurd sizes fail without asking the provider. */
	fake.limit = SIZE_MAX;
	CHECK(kalloc(SIZE_MAX) == NULL);
	CHECK(kalloc(SIZE_MAX - 100) == NULL);
}

/* Random alloc/free; each object carries a pattern that must survive. */
TEST(stress_no_overlap)
{
	enum {
		SLOTS = 1500,
		ROUNDS = 60000
	};
	static struct {
		unsigned char *p;
		size_t size;
		unsigned char fill;
	} slot[SLOTS];
	struct kalloc_stats s;
	unsigned seed = 42;
	size_t corrupt = 0, misaligned = 0, live = 0;

	REQUIRE(setup(SIZE_MAX));
	memset(slot, 0, sizeof(slot));
	for (int r = 0; r < ROUNDS; r++) {
		size_t i = (size_t)rand_r(&seed) % SLOTS;

		if (slot[i].p) {
			for (size_t k = 0; k < slot[i].size; k++)
				if (slot[i].p[k] != slot[i].fill) {
					corrupt++;
					break;
				}
			kfree(slot[i].p);
			slot[i].p = NULL;
			live--;
			continue;
		}
		if (rand_r(&seed) % 16 == 0)
			slot[i].size = KALLOC_MAX_SMALL + 1 + (size_t)rand_r(&seed) % (3 * PAGE);
		else if (rand_r(&seed) % 2)
			slot[i].size = (size_t)rand_r(&seed) % 129;
		else
			slot[i].size = (size_t)rand_r(&seed) % (KALLOC_MAX_SMALL + 1);
		slot[i].fill = (unsigned char)(r * 7 + 1);
		slot[i].p = kalloc(slot[i].size);
		REQUIRE(slot[i].p);
		if ((uintptr_t)slot[i].p % want_align(slot[i].size))
			misaligned++;
		memset(slot[i].p, slot[i].fill, slot[i].size);
		live++;
	}
	kalloc_stats(&s);
	{
		size_t inuse = s.large.inuse;

		for (size_t c = 0; c < KALLOC_NCLASSES; c++)
			inuse += s.cls[c].inuse;
		/* Each large allocation also holds one record. */
		CHECK_EQ(inuse, live + s.large.inuse);
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (!slot[i].p)
			continue;
		for (size_t k = 0; k < slot[i].size; k++)
			if (slot[i].p[k] != slot[i].fill) {
				corrupt++;
				break;
			}
		kfree(slot[i].p);
	}
	CHECK_EQ(corrupt, 0);
	CHECK_EQ(misaligned, 0);
	kalloc_stats(&s);
	for (size_t c = 0; c < KALLOC_NCLASSES; c++) {
		CHECK_EQ(s.cls[c].inuse, 0);
		CHECK(s.cls[c].pages <= 1);
		CHECK_EQ(s.cls[c].allocs, s.cls[c].frees);
	}
	CHECK_EQ(s.large.pages, 0);
	CHECK_EQ(s.failures, 0);
	CHECK_EQ(fake.bad_frees, 0);
}

/* ---- detected misuse panics (checked in a child process) ---------------------- */

static void small_double_free(void)
{
	void *keep = kalloc(48), *p = kalloc(48);

	kfree(p);
	kfree(p);
	kfree(keep);
}

static void large_double_free(void)
{
	void *p = kalloc(3 * PAGE);

	kfree(p);
	kfree(p);
}

static void interior_pointer(void)
{
	char *p = kalloc(256);

	kfree(p + 16);
}

static void header_pointer(void)
{
	char *p = kalloc(32);

	kfree((void *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1)) + 8);
}

static void foreign_small(void)
{
	/* A page of our own whose header is not kalloc's. */
	char *page = aligned_alloc(PAGE, PAGE);

	memset(page, 0, PAGE);
	kfree(page + 128);
}

static void foreign_large(void)
{
	char *page = aligned_alloc(PAGE, PAGE);

	kfree(page);
}

static void reinit_while_live(void)
{
	kalloc(24);
	kalloc_init(&fake_ops);
}

static void reinit_while_large_live(void)
{
	kalloc(5 * PAGE);
	kalloc_init(&fake_ops);
}

/* A provider that hands out a pointer 64 bytes into a page. */
static void *misaligned_alloc(void *ctx, size_t n)
{
	return (char *)ALIGN_UP((uintptr_t)ctx, PAGE) + 64;
}

static void unaligned_provider_page(void)
{
	static char arena[3 * PAGE];
	struct kalloc_ops ops = {misaligned_alloc, fake_page_free, arena};

	kalloc_init(&ops);
	kalloc(16);
}

TEST(misuse_panics)
{
	REQUIRE(setup(SIZE_MAX));
	CHECK(unit_panics(small_double_free, "double free of"));
	CHECK(unit_panics(large_double_free, "not a live kalloc pointer"));
	CHECK(unit_panics(interior_pointer, "not the start of a 256-byte object"));
	CHECK(unit_panics(header_pointer, "not the start of a 32-byte object"));
	CHECK(unit_panics(foreign_small, "not a kalloc pointer"));
	CHECK(unit_panics(foreign_large, "not a live kalloc pointer"));
	CHECK(unit_panics(reinit_while_live, "32-byte objects still allocated"));
	CHECK(unit_panics(reinit_while_large_live, "large allocations still live"));
	CHECK(unit_panics(unaligned_provider_page, "unaligned"));
	/* The parent is untouched. */
	CHECK_EQ(fake.pages, 0);
}
