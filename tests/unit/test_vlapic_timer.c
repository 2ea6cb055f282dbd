/* The vLAPIC timer (SDM Vol. 3A 10.5.4): one-shot, periodic, TSC-deadline, against a fake clock. */
#include "vlapic_fixture.h"

#define VEC 0xec

/* Enabled, timer vector VEC unmasked in the given mode. */
static void timer_setup(uint32_t mode)
{
	fresh(0);
	sw_enable();
	wr(APIC_LVT_TIMER, VEC | mode);
}

static void expire_at(uint64_t tsc)
{
	fk.now = tsc;
	vlapic_timer_expired(&vl);
}

TEST(divide_encoding)
{
	/* SDM Figure 10-10: bits 3,1:0. */
	static const uint32_t div[8] = {2, 4, 8, 16, 32, 64, 128, 1};

	for (uint32_t code = 0; code < 8; code++) {
		uint32_t dcr = (code & 3) | ((code & 4) << 1);

		CHECK_EQ(apic_tdcr_divide(dcr), div[code]);
		CHECK_EQ(apic_tdcr_divide(dcr | 4), div[code]); /* bit 2 is not part of it */
	}
}

TEST(oneshot_fires_once_at_the_right_tsc)
{
	timer_setup(APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_DCR, APIC_TDCR_DIV16);
	wr(APIC_TIMER_ICR, 1000);
	/* 1000 counts * 16 bus ticks * 20 TSC ticks per bus tick. */
	CHECK_EQ(fk.armed, 1000 + 320000);
	CHECK_EQ(rd(APIC_TIMER_ICR), 1000);
	CHECK_EQ(rd(APIC_TIMER_CCR), 1000);
	fk.now = 1000 + 160000;
	CHECK_EQ(rd(APIC_TIMER_CCR), 500);
	/* Early: nothing fires, the deadline is armed again. */
	fk.armed = 0;
	expire_at(1000 + 319999);
	CHECK(!irr_has(VEC));
	CHECK_EQ(fk.armed, 1000 + 320000);
	CHECK_EQ(rd(APIC_TIMER_CCR), 1);
	expire_at(1000 + 320000);
	CHECK(irr_has(VEC));
	CHECK_EQ(fk.kicks, 1);
	CHECK_EQ(rd(APIC_TIMER_CCR), 0);
	CHECK_EQ(rd(APIC_TIMER_ICR), 1000); /* ICR keeps its value */
	/* Once: a late second call does nothing. */
	unsigned int arms = fk.arms;

	vlapic_ack(&vl, VEC);
	expire_at(1000 + 999999);
	CHECK(!irr_has(VEC));
	CHECK_EQ(fk.arms, arms);
}

TEST(ccr_counts_down)
{
	uint32_t last = 0xffffffff;

	timer_setup(APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_DCR, 0xb); /* divide by 1 */
	wr(APIC_TIMER_ICR, 100000);
	CHECK_EQ(rd(APIC_TIMER_CCR), 100000);
	for (int i = 0; i < 100; i++) {
		uint32_t ccr = rd(APIC_TIMER_CCR);

		CHECK(ccr <= last);
		last = ccr;
		fk.now += 20000 + (uint64_t)i * 7;
	}
	CHECK_EQ(last, 0);
	CHECK_EQ(rd(APIC_TIMER_CCR), 0); /* past the deadline, expiry not yet processed */
}

TEST(oneshot_stops_on_zero_and_restarts_on_write)
{
	timer_setup(APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_ICR, 50); /* default DCR 0: divide by 2 -> 2000 TSC */
	CHECK_EQ(fk.armed, 3000);
	fk.now = 2000;
	wr(APIC_TIMER_ICR, 50); /* a new write restarts the count */
	CHECK_EQ(fk.armed, 4000);
	wr(APIC_TIMER_ICR, 0);
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(rd(APIC_TIMER_CCR), 0);
	expire_at(10000);
	CHECK(!irr_has(VEC));
	/* DCR applies from the next ICR write. */
	wr(APIC_TIMER_DCR, 0xb);
	wr(APIC_TIMER_ICR, 50);
	CHECK_EQ(fk.armed, 10000 + 1000);
}

TEST(periodic_rearms_from_expiry)
{
	uint64_t p = 1000000ull * 2 * 20; /* ICR 1e6, divide 2: 40e6 TSC = 20 ms */

	timer_setup(APIC_LVT_TIMER_PERIODIC);
	wr(APIC_TIMER_ICR, 1000000);
	CHECK_EQ(fk.armed, 1000 + p);
	/* The owner is 5000 TSC late: the next expiry keeps the phase. */
	expire_at(1000 + p + 5000);
	CHECK(irr_has(VEC));
	CHECK_EQ(fk.armed, 1000 + 2 * p);
	/* CCR runs from the new period's start. */
	fk.now = 1000 + p + p / 2;
	CHECK_EQ(rd(APIC_TIMER_CCR), 500000);
	/* 2.5 periods late: the missed ones merge, one interrupt, phase kept. */
	vlapic_ack(&vl, VEC);
	expire_at(1000 + 4 * p + p / 2);
	CHECK(irr_has(VEC));
	CHECK_EQ(fk.armed, 1000 + 5 * p);
	/* Before the expiry is processed CCR wraps within the period. */
	fk.now = 1000 + 5 * p + p / 4;
	CHECK_EQ(rd(APIC_TIMER_CCR), 750000);
	/* A masked periodic timer keeps counting but raises nothing. */
	vlapic_ack(&vl, VEC);
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED);
	expire_at(1000 + 5 * p);
	CHECK(!irr_has(VEC));
	CHECK_EQ(fk.armed, 1000 + 6 * p);
}

TEST(periodic_min_period_clamp)
{
	timer_setup(APIC_LVT_TIMER_PERIODIC);
	CHECK_EQ(vl.min_period_tsc, TSC_HZ / 20000); /* 50 us */
	wr(APIC_TIMER_DCR, 0xb);
	wr(APIC_TIMER_ICR, 1); /* 20 TSC ticks asked for */
	CHECK_EQ(fk.armed, 1000 + 100000);
	expire_at(1000 + 100000);
	CHECK_EQ(fk.armed, 1000 + 200000);
	CHECK_EQ(rd(APIC_TIMER_CCR), 1); /* never above ICR */
	/* One-shot is not clamped: it cannot storm. */
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_ICR, 1);
	CHECK_EQ(fk.armed, fk.now + 20);
}

TEST(tsc_deadline_mode)
{
	timer_setup(APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_ICR, 1000);
	CHECK(fk.armed != 0);
	/* Outside the mode the MSR reads 0 and ignores writes. */
	vlapic_set_tsc_deadline(&vl, 5000);
	CHECK_EQ(vlapic_tsc_deadline(&vl), 0);
	/* Switching modes disarms and clears ICR. */
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_TSC_DEADLINE);
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(rd(APIC_TIMER_ICR), 0);
	wr(APIC_TIMER_ICR, 1000); /* ignored in this mode */
	CHECK_EQ(rd(APIC_TIMER_ICR), 0);
	CHECK_EQ(rd(APIC_TIMER_CCR), 0);
	CHECK_EQ(fk.armed, 0);

	vlapic_set_tsc_deadline(&vl, 50000);
	CHECK_EQ(vlapic_tsc_deadline(&vl), 50000);
	CHECK_EQ(fk.armed, 50000);
	expire_at(49999); /* early */
	CHECK(!irr_has(VEC));
	CHECK_EQ(fk.armed, 50000);
	expire_at(50001);
	CHECK(irr_has(VEC));
	CHECK_EQ(vlapic_tsc_deadline(&vl), 0); /* firing clears the MSR */
	vlapic_ack(&vl, VEC);
	expire_at(60000);
	CHECK(!irr_has(VEC));

	/* Writing 0 disarms; a deadline in the past arms for "now". */
	vlapic_set_tsc_deadline(&vl, 90000);
	vlapic_set_tsc_deadline(&vl, 0);
	CHECK_EQ(fk.armed, 0);
	vlapic_set_tsc_deadline(&vl, 10);
	CHECK_EQ(fk.armed, 10);
	expire_at(60001);
	CHECK(irr_has(VEC));

	/* Back to one-shot: the deadline is gone. */
	vlapic_set_tsc_deadline(&vl, 90000);
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_ONESHOT);
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(vl.tsc_deadline, 0);
	/* Mode 3 is reserved: the write is dropped in xAPIC mode. */
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_MODE_MASK);
	CHECK_EQ(rd(APIC_LVT_TIMER), VEC | APIC_LVT_TIMER_ONESHOT);
}

TEST(same_mode_lvt_write_keeps_the_count)
{
	timer_setup(APIC_LVT_TIMER_ONESHOT);
	wr(APIC_TIMER_ICR, 1000);
	uint64_t armed = fk.armed;
	unsigned int arms = fk.arms;

	wr(APIC_LVT_TIMER, VEC | APIC_LVT_MASKED); /* masking does not stop it */
	CHECK_EQ(fk.armed, armed);
	CHECK_EQ(fk.arms, arms);
	CHECK_EQ(rd(APIC_TIMER_ICR), 1000);
	expire_at(armed);
	CHECK(!irr_has(VEC));
}

TEST(hostile_values_saturate)
{
	/* A huge count on a slow bus: the period saturates instead of wrapping. */
	fresh(0);
	vl.bus_hz = 1;
	sw_enable();
	wr(APIC_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC);
	wr(APIC_TIMER_DCR, 0xa); /* divide by 128 */
	wr(APIC_TIMER_ICR, 0xffffffff);
	CHECK_EQ(fk.armed, UINT64_MAX);
	CHECK(rd(APIC_TIMER_CCR) != 0); /* counts down to the saturated deadline */
	expire_at(UINT64_MAX);
	CHECK(irr_has(VEC));
	CHECK_EQ(fk.armed, UINT64_MAX);

	/* The clock near its end: deadlines saturate too. */
	fresh(0);
	sw_enable();
	fk.now = UINT64_MAX - 10;
	wr(APIC_LVT_TIMER, VEC);
	wr(APIC_TIMER_ICR, 1000);
	CHECK_EQ(fk.armed, UINT64_MAX);
	CHECK_EQ(rd(APIC_TIMER_CCR), 1); /* 10 TSC ticks left, rounded up */

	/* A fast bus (more bus ticks than TSC ticks): at least one TSC tick. */
	fresh(0);
	vl.bus_hz = TSC_HZ * 4;
	sw_enable();
	wr(APIC_LVT_TIMER, VEC);
	wr(APIC_TIMER_DCR, 0xb);
	wr(APIC_TIMER_ICR, 1);
	CHECK_EQ(fk.armed, fk.now + 1);
}

TEST(hardware_disable_stops_the_timer)
{
	timer_setup(APIC_LVT_TIMER_PERIODIC);
	wr(APIC_TIMER_ICR, 1000);
	CHECK(fk.armed != 0);
	REQUIRE(vlapic_set_base(&vl, APIC_DEFAULT_BASE));
	CHECK_EQ(fk.armed, 0);
	expire_at(1u << 30);
	CHECK(!irr_has(VEC));
	vlapic_set_tsc_deadline(&vl, 5);
	CHECK_EQ(fk.armed, 0);
}
