/* Credit scheduler: debits by run time, accounting by weight (Xen's csched_acct), caps. */
#include "test_sched_fixture.h"

#define MS(x) SCHED_MS(x)
#define US(x) SCHED_US(x)

TEST(debit_is_run_time)
{
	struct sched_vcpu *a, *b;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	CHECK(fx_pick(0).next == a);
	CHECK_EQ(sched_vcpu_credit(a), 0);
	CHECK_EQ(sched_tick(&fx.s, 0, MS(10)), MS(20)); /* next: the 20 ms tick */
	CHECK_EQ(sched_vcpu_credit(a), -(int64_t)MS(10));
	/* Early timer: no tick due, no debit. */
	sched_tick(&fx.s, 0, MS(15));
	CHECK_EQ(sched_vcpu_credit(a), -(int64_t)MS(10));
	/* A pick debits to the nanosecond. */
	fx.now = MS(17) + 123;
	sched_vcpu_wake(&fx.s, b, fx.now);
	CHECK(fx_pick(0).next == b);
	CHECK_EQ(sched_vcpu_credit(a), -(int64_t)(MS(17) + 123));
	/* A block too; time running backwards (clock read before the lock) debits nothing. */
	fx.now = MS(18);
	sched_vcpu_block(&fx.s, b, fx.now);
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)(MS(18) - MS(17) - 123));
	fx.now = MS(18) - 500;
	CHECK(fx_pick(0).next == a);
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)(MS(18) - MS(17) - 123));
	CHECK_EQ(sched_vcpu_credit(a), -(int64_t)(MS(17) + 123));
}

/*
 * Every step by hand: a ran 10 ms and blocked, b computes. Each
 * accounting hands out one 30 ms slice, half each (equal weights).
 */
TEST(accounting_shares_clips_and_retires)
{
	struct sched_vcpu *a, *b;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	fx_run(MS(10)); /* tick at 10 ms: a joins accounting at -10 ms */
	sched_vcpu_block(&fx.s, a, fx.now);
	sched_vcpu_wake(&fx.s, b, fx.now);
	fx_run(MS(30)); /* b joins at its 20 ms tick; accounting at 30 ms */
	CHECK_EQ(fx.s.stats.acct_runs, 1);
	CHECK_EQ(sched_vcpu_credit(a), (int64_t)MS(5)); /* -10 + 15 */
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)MS(5)); /* -20 + 15 */
	CHECK_EQ(sched_vcpu_pri(b), SCHED_PRI_OVER);
	fx_run(MS(60));
	CHECK_EQ(sched_vcpu_credit(a), (int64_t)MS(20));
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)MS(20));
	/* a's 35 ms is over a slice: it leaves accounting with half; b's -35 is clipped to -30. */
	fx_run(MS(90));
	CHECK_EQ(sched_vcpu_credit(a), (int64_t)MS(35) / 2);
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)MS(30));
	/* The negative balance (-12.5 ms) is handed out on top; a, inactive, gets nothing. */
	fx_run(MS(120));
	CHECK_EQ(sched_vcpu_credit(a), (int64_t)MS(35) / 2);
	CHECK_EQ(sched_vcpu_credit(b), -(int64_t)MS(35) / 2); /* -30 - 30 + 42.5 */
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);
}

static void check_ratio(uint64_t x, uint64_t y, double want, double tol)
{
	double r = (double)x / (double)y;

	if (r < want * (1 - tol) || r > want * (1 + tol))
		unit_fail(__FILE__, __LINE__, "ratio %.4f, want %.4f +-%.0f%%", r, want, tol * 100);
}

TEST(weights_2_to_1_one_pcpu)
{
	struct sched_vcpu *a, *b;

	fx_init(1, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[0], 512, 0), 0);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	sched_vcpu_wake(&fx.s, b, 0);
	fx_run(MS(6000));
	check_ratio(fx.ran[0], fx.ran[1], 2.0, 0.03);
	CHECK_EQ(fx.ran[0] + fx.ran[1], MS(6000)); /* work-conserving */
	(void)a;
	(void)b;
}

TEST(weights_2_to_1_across_pcpus)
{
	fx_init(2, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[0], 512, 0), 0);
	/* Three vCPUs each on two pCPUs: the shares need migrations. */
	for (unsigned int i = 0; i < 6; i++)
		sched_vcpu_wake(&fx.s, fx_add(i, i % 2, 3, 0, i % 2), 0);
	fx_run(MS(6000));
	check_ratio(fx.ran[0] + fx.ran[2] + fx.ran[4], fx.ran[1] + fx.ran[3] + fx.ran[5], 2.0,
	            0.03);
	CHECK(fx.migrations > 0);
}

TEST(weight_change_takes_effect)
{
	fx_init(1, NULL);
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	sched_vcpu_wake(&fx.s, fx_add(1, 1, 1, 0, 0), 0);
	fx_run(MS(3000));
	check_ratio(fx.ran[0], fx.ran[1], 1.0, 0.03);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[1], 768, 0), 0);
	CHECK(sched_dom_set(&fx.s, &fx.d[1], 0, 0) < 0); /* refused, nothing changes */
	CHECK_EQ(fx.d[1].weight, 768);
	fx.ran[0] = fx.ran[1] = 0;
	fx_run(MS(9000));
	check_ratio(fx.ran[1], fx.ran[0], 3.0, 0.04);
}

TEST(cap_limits_a_lone_domain)
{
	struct sched_vcpu *a;

	fx_init(2, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[0], 256, 50), 0);
	a = fx_add(0, 0, 3, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	/* Half of one pCPU although a whole idle pCPU waits. */
	fx_run(MS(6000));
	check_ratio(fx.ran[0], MS(6000), 0.5, 0.03);
	CHECK(fx.s.stats.parks > 10);
	CHECK(fx.s.stats.unparks >= fx.s.stats.parks - 1);
	CHECK_EQ(fx_count(SCHED_EV_PARK, a), fx.s.stats.parks);
	/* It is parked at some point: not runnable, not queued. */
	for (unsigned int i = 0; i < 100 && sched_vcpu_state(&fx.s, a) != SCHED_PARKED; i++)
		fx_run(fx.now + MS(10));
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_PARKED);
	CHECK_EQ(sched_nqueued(&fx.s, 0) + sched_nqueued(&fx.s, 1), 0);
	/* A parked vCPU that blocks and wakes stays parked until accounting unparks it. */
	sched_vcpu_block(&fx.s, a, fx.now);
	sched_vcpu_wake(&fx.s, a, fx.now);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_PARKED);
	/* Accounting unparks it, on an idle machine too, without BOOST (it is not waking). */
	for (unsigned int i = 0; i < 40 && sched_vcpu_state(&fx.s, a) == SCHED_PARKED; i++)
		fx_run(fx.now + MS(5));
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNING);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);
}

TEST(cap_spans_the_domains_vcpus)
{
	fx_init(4, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[0], 256, 100), 0);
	for (unsigned int i = 0; i < 2; i++)
		sched_vcpu_wake(&fx.s, fx_add(i, 0, 15, 0, i), 0);
	/* Uncapped control domain with the same shape. */
	for (unsigned int i = 2; i < 4; i++)
		sched_vcpu_wake(&fx.s, fx_add(i, 1, 15, 0, i), 0);
	fx_run(MS(6000));
	check_ratio(fx.ran[0] + fx.ran[1], MS(6000), 1.0, 0.04);
	check_ratio(fx.ran[2] + fx.ran[3], MS(6000), 2.0, 0.01);
}

TEST(cap_against_competition)
{
	/* 25% cap for a domain that would get 50% by weight on one pCPU. */
	fx_init(1, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[0], 256, 25), 0);
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	sched_vcpu_wake(&fx.s, fx_add(1, 1, 1, 0, 0), 0);
	fx_run(MS(6000));
	check_ratio(fx.ran[0], MS(6000), 0.25, 0.05);
	CHECK_EQ(fx.ran[0] + fx.ran[1], MS(6000));
}
