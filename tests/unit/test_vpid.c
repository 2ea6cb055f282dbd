/*
 * The VPID allocator. Its state is global: every test frees what it took,
 * and the panic cases run in a child process (unit_panics).
 */
#include <errcode.h>
#include <stdlib.h>
#include <vpid.h>

#include "unit.h"

static uint8_t seen[VPID_MAX + 1];

TEST(hands_out_every_vpid_once_and_never_0)
{
	size_t bad = 0;
	int v;

	memset(seen, 0, sizeof(seen));
	CHECK_EQ(vpid_in_use(), 0);
	for (int i = 0; i < VPID_MAX; i++) {
		v = vpid_alloc();
		if (v < 1 || v > VPID_MAX || seen[v]++)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(vpid_in_use(), VPID_MAX);
	CHECK_EQ(vpid_alloc(), -ERR_NOMEM);
	CHECK_EQ(vpid_alloc(), -ERR_NOMEM);
	/* Full: a freed VPID is the only one to come back. */
	vpid_free(4242);
	CHECK_EQ(vpid_alloc(), 4242);
	vpid_free(1);
	vpid_free(VPID_MAX);
	v = vpid_alloc();
	CHECK(v == 1 || v == VPID_MAX);
	CHECK_EQ(vpid_alloc(), v == 1 ? VPID_MAX : 1);
	CHECK_EQ(vpid_alloc(), -ERR_NOMEM);
	for (int i = 1; i <= VPID_MAX; i++)
		vpid_free(i);
	CHECK_EQ(vpid_in_use(), 0);
}

TEST(freed_vpid_waits_its_turn)
{
	int a = vpid_alloc(), b, c;

	REQUIRE(a > 0);
	vpid_free(a);
	b = vpid_alloc();
	CHECK(b > 0 && b != a);
	c = vpid_alloc();
	CHECK(c > 0 && c != a && c != b);
	vpid_free(b);
	vpid_free(c);
	CHECK_EQ(vpid_in_use(), 0);
}

static void free_twice(void)
{
	int v = vpid_alloc();

	vpid_free(v);
	vpid_free(v);
}

static void free_never_allocated(void)
{
	vpid_free(77);
}

static void free_zero(void)
{
	vpid_free(0);
}

static void free_too_big(void)
{
	vpid_free(VPID_MAX + 1);
}

static void free_negative(void)
{
	vpid_free(-ERR_NOMEM);
}

TEST(bad_free_panics)
{
	CHECK(unit_panics(free_twice, "not allocated"));
	CHECK(unit_panics(free_never_allocated, "VPID 77 is not allocated"));
	CHECK(unit_panics(free_zero, "out of range"));
	CHECK(unit_panics(free_too_big, "out of range"));
	CHECK(unit_panics(free_negative, "out of range"));
	CHECK_EQ(vpid_in_use(), 0);
}
