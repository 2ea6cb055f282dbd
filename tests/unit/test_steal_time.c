/*
 * KVM steal time against fake guest RAM: gmem over a heap arena exactly the
 * guest's size, so ASan sees any write past its end. The guest's area is
 * read back the way Linux's kvm_steal_clock() reads it; guest memory starts
 * full of junk the guest might have left there, which must neither be
 * trusted (version) nor touched (flags, padding).
 */
#include <compiler.h>
#include <errcode.h>
#include <gmem.h>
#include <hw/tandem_abi.h>
#include <steal_time.h>
#include <stdlib.h>

#include "unit.h"

#define ARENA_BASE (1ull << 32) /* host-physical */
#define MEM        (1ull << 20) /* guest RAM */
#define AREA       0x2000ull    /* a good steal-time area */
#define MAXPHY     39
#define JUNK       0xa5

static uint8_t *arena;
static uint64_t next_pa;

static uint64_t fake_alloc(void *ctx, size_t n, size_t align)
{
	uint64_t pa = ALIGN_UP(next_pa, align * 4096ull);

	if (pa + n * 4096ull > ARENA_BASE + MEM)
		return 0;
	next_pa = pa + n * 4096ull;
	return pa;
}

static void fake_free(void *ctx, uint64_t pa, size_t n)
{
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	if (pa < ARENA_BASE || pa >= ARENA_BASE + MEM)
		return NULL;
	return arena + (pa - ARENA_BASE);
}

static const struct gmem_ops ops = {fake_alloc, fake_free, fake_virt, NULL};
static struct gmem gm;
static struct steal_time st;

/* Fresh guest RAM full of junk and a zeroed (just created) vCPU state. */
static bool setup(void)
{
	if (!arena)
		arena = aligned_alloc(4096, MEM); /* kept for the run: not a leak */
	gmem_destroy(&gm);
	next_pa = ARENA_BASE;
	memset(&st, 0, sizeof(st));
	if (gmem_create(&gm, MEM, &ops) != 0 || gm.nregions != 1)
		return false;
	memset(arena, JUNK, MEM);
	return true;
}

static struct kvm_steal_time *guest_area(uint64_t gpa)
{
	return gmem_ptr(&gm, gpa, sizeof(struct kvm_steal_time));
}

static int wr(uint64_t val, const char **why)
{
	return steal_time_msr_write(&st, &gm, val, MAXPHY, why);
}

/* What Linux's kvm_steal_clock() returns; the version must be even (no update open). */
static uint64_t guest_steal(const struct kvm_steal_time *a)
{
	uint32_t v = a->version;

	CHECK((v & 1) == 0);
	return a->steal;
}

/* Every byte of guest RAM is still JUNK. */
static bool ram_untouched(void)
{
	for (uint64_t i = 0; i < MEM; i++)
		if (arena[i] != JUNK)
			return false;
	return true;
}

TEST(enable_publish_reads_back)
{
	const char *why = "stale";
	struct kvm_steal_time *a;

	REQUIRE(setup());
	a = guest_area(AREA);
	CHECK_EQ(steal_time_msr_read(&st), 0);
	CHECK_EQ(wr(AREA | KVM_MSR_ENABLED, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(steal_time_msr_read(&st), AREA | KVM_MSR_ENABLED);
	CHECK(ram_untouched()); /* enabling writes nothing */

	steal_time_publish(&st, &gm, 5000); /* the base: the guest sees steal from here */
	CHECK_EQ(a->version, 2);
	CHECK_EQ(guest_steal(a), 0);
	CHECK_EQ(a->preempted, 0);
	steal_time_publish(&st, &gm, 7500);
	CHECK_EQ(a->version, 4);
	CHECK_EQ(guest_steal(a), 2500);

	/* flags and padding are the guest's: untouched. */
	CHECK_EQ(a->flags, 0xa5a5a5a5u);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(a->u8_pad[i], JUNK);
	for (int i = 0; i < 11; i++)
		CHECK_EQ(a->pad[i], 0xa5a5a5a5u);
	/* Nothing outside the area either. */
	CHECK_EQ(arena[AREA - 1], JUNK);
	CHECK_EQ(arena[AREA + 64], JUNK);
}

TEST(version_steps_by_two_and_ignores_the_guest)
{
	struct kvm_steal_time *a;

	REQUIRE(setup());
	a = guest_area(AREA);
	REQUIRE(wr(AREA | 1, NULL) == 0);
	for (uint32_t i = 1; i <= 10; i++) {
		steal_time_publish(&st, &gm, 1000 * i);
		CHECK_EQ(a->version, 2 * i);
		CHECK_EQ(guest_steal(a), 1000 * (i - 1));
	}
	/* A hostile guest scribbles over the version: the host's count goes on. */
	a->version = 7;
	steal_time_publish(&st, &gm, 20000);
	CHECK_EQ(a->version, 22);
	a->version = 0xffffffffu;
	steal_time_publish(&st, &gm, 20000);
	CHECK_EQ(a->version, 24);
	/* The counter wraps, staying even. */
	st.version = 0xfffffffeu;
	steal_time_publish(&st, &gm, 20000);
	CHECK_EQ(a->version, 0);
}

TEST(preempted_set_then_cleared_by_publish)
{
	struct kvm_steal_time *a;

	REQUIRE(setup());
	a = guest_area(AREA);
	REQUIRE(wr(AREA | 1, NULL) == 0);
	steal_time_set_preempted(&st, &gm); /* before any publish: still the area */
	CHECK_EQ(a->preempted, KVM_VCPU_PREEMPTED);
	CHECK_EQ(a->u8_pad[0], JUNK); /* a single byte */
	CHECK_EQ(a->version, 0xa5a5a5a5u);
	steal_time_publish(&st, &gm, 100);
	CHECK_EQ(a->preempted, 0);
	steal_time_set_preempted(&st, &gm);
	CHECK_EQ(a->preempted, KVM_VCPU_PREEMPTED);
	CHECK_EQ(a->version, 2); /* set_preempted does not touch the version */
	steal_time_publish(&st, &gm, 300);
	CHECK_EQ(a->preempted, 0);
	CHECK_EQ(guest_steal(a), 200);
}

TEST(reserved_bits_gp)
{
	const char *why;

	REQUIRE(setup());
	REQUIRE(wr(AREA | 1, NULL) == 0);
	for (int b = 1; b <= 5; b++) {
		why = NULL;
		CHECK_EQ(wr(0x4000 | BIT(b) | 1, &why), -ERR_INVAL);
		CHECK(why != NULL);
		CHECK_EQ(wr(0x4000 | BIT(b), &why), -ERR_INVAL); /* also when disabling */
	}
	/* Refused writes change nothing. */
	CHECK_EQ(steal_time_msr_read(&st), AREA | 1);
	steal_time_publish(&st, &gm, 1);
	CHECK_EQ(guest_area(AREA)->version, 2);
	CHECK_EQ(guest_area(0x4000)->version, 0xa5a5a5a5u);
}

TEST(address_beyond_maxphyaddr_gp)
{
	const char *why = NULL;

	REQUIRE(setup());
	CHECK_EQ(wr(BIT(MAXPHY) | 1, &why), -ERR_RANGE);
	CHECK(why != NULL);
	CHECK_EQ(wr(BIT(63) | 1, NULL), -ERR_RANGE);
	CHECK_EQ(wr(BIT(63), NULL), -ERR_RANGE);
	CHECK_EQ(steal_time_msr_read(&st), 0);
	CHECK_EQ(steal_time_msr_write(&st, &gm, BIT(51) | 1, 52, NULL), 0); /* top bit of 52 */
	CHECK_EQ(steal_time_msr_write(&st, &gm, BIT(52) | 1, 52, NULL), -ERR_RANGE);
	/* The highest address below the width: accepted, outside RAM, not written. */
	why = NULL;
	CHECK_EQ(wr((BIT(MAXPHY) - 64) | 1, &why), 0);
	CHECK(why != NULL);
	steal_time_publish(&st, &gm, 1);
	steal_time_set_preempted(&st, &gm);
	CHECK(ram_untouched());
}

TEST(area_outside_ram_accepted_not_written)
{
	static const uint64_t bad[] = {MEM, MEM + 4096, 0xfee00000ull, BIT(MAXPHY) - 64};
	const char *why;

	REQUIRE(setup());
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK_EQ(wr(bad[i] | 1, &why), 0);
		CHECK(why != NULL);
		CHECK_EQ(steal_time_msr_read(&st), bad[i] | 1);
		steal_time_set_preempted(&st, &gm);
		steal_time_publish(&st, &gm, 1000 * i);
		steal_time_set_preempted(&st, &gm);
	}
	CHECK(ram_untouched());

	/* The last 64 bytes of RAM are a good area (ASan: nothing past the end). */
	why = "stale";
	CHECK_EQ(wr((MEM - 64) | 1, &why), 0);
	CHECK(why == NULL);
	steal_time_publish(&st, &gm, 5000);
	steal_time_set_preempted(&st, &gm);
	CHECK_EQ(guest_area(MEM - 64)->version, 2);
	CHECK_EQ(guest_area(MEM - 64)->preempted, KVM_VCPU_PREEMPTED);
	CHECK_EQ(arena[MEM - 65], JUNK);
}

TEST(disable_stops_publishing)
{
	struct kvm_steal_time *a, *b;
	const char *why = "stale";

	REQUIRE(setup());
	a = guest_area(AREA);
	REQUIRE(wr(AREA | 1, NULL) == 0);
	steal_time_publish(&st, &gm, 1000);
	steal_time_publish(&st, &gm, 3000);
	CHECK_EQ(a->version, 4);
	CHECK_EQ(guest_steal(a), 2000);

	CHECK_EQ(wr(AREA, &why), 0); /* bit 0 clear: off, the address kept for reads */
	CHECK(why == NULL);
	CHECK_EQ(steal_time_msr_read(&st), AREA);
	CHECK_EQ(wr(MEM + 4096, &why), 0); /* disabling outside RAM: fine, nothing to say */
	CHECK(why == NULL);
	CHECK_EQ(wr(0, NULL), 0);
	CHECK_EQ(steal_time_msr_read(&st), 0);
	steal_time_publish(&st, &gm, 4000);
	steal_time_set_preempted(&st, &gm);
	CHECK_EQ(a->version, 4);
	CHECK_EQ(guest_steal(a), 2000);
	CHECK_EQ(a->preempted, 0);

	/* Re-enabled elsewhere: version and steal go on, never backwards. */
	b = guest_area(AREA + 64);
	REQUIRE(wr((AREA + 64) | 1, NULL) == 0);
	steal_time_publish(&st, &gm, 5000);
	CHECK_EQ(b->version, 6);
	CHECK_EQ(guest_steal(b), 4000);
	CHECK_EQ(a->version, 4);
}

TEST(reset_disables_and_keeps_counting)
{
	struct kvm_steal_time *a;

	REQUIRE(setup());
	a = guest_area(AREA);
	REQUIRE(wr(AREA | 1, NULL) == 0);
	steal_time_publish(&st, &gm, 1000);
	steal_time_reset(&st);
	CHECK_EQ(steal_time_msr_read(&st), 0);
	steal_time_publish(&st, &gm, 2000);
	steal_time_set_preempted(&st, &gm);
	CHECK_EQ(a->version, 2);
	CHECK_EQ(a->preempted, 0);
	REQUIRE(wr(AREA | 1, NULL) == 0);
	steal_time_publish(&st, &gm, 2500);
	CHECK_EQ(a->version, 4);
	CHECK_EQ(guest_steal(a), 1500);
}
