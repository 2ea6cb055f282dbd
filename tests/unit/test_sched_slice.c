/* Credit scheduler: time slice, tick period and ratelimit (Xen's csched_schedule). */
#include "test_sched_fixture.h"

#define MS(x) SCHED_MS(x)
#define US(x) SCHED_US(x)

/* The times of the first n run events, into t; returns how many there were. */
static unsigned int run_times(uint64_t *t, unsigned int n)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < fx.nev && k < n; i++)
		if (fx.ev[i].ev == SCHED_EV_RUN)
			t[k++] = fx.ev[i].t;
	return k;
}

TEST(default_slice_is_30ms_with_10ms_ticks)
{
	uint64_t t[6];
	struct sched_decision d;

	fx_init(1, NULL);
	CHECK_EQ(fx.s.tick_ns, MS(10));
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	sched_vcpu_wake(&fx.s, fx_add(1, 1, 1, 0, 0), 0);
	d = fx_pick(0);
	CHECK_EQ(d.deadline, MS(10)); /* the first tick comes before the slice end */
	fx_run(MS(175));
	REQUIRE(run_times(t, 6) == 6);
	for (unsigned int i = 0; i < 6; i++)
		CHECK_EQ(t[i], i * MS(30));
	/* 175 ms: 3 slices each, but the 6th slice is 25 ms into its 30. */
	CHECK_EQ(fx.ran[0], MS(90));
	CHECK_EQ(fx.ran[1], MS(85));
}

TEST(slice_is_configurable)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;
	uint64_t t[5];

	p.tslice_ns = MS(6);
	fx_init(1, &p);
	CHECK_EQ(fx.s.tick_ns, MS(2));
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	sched_vcpu_wake(&fx.s, fx_add(1, 1, 1, 0, 0), 0);
	fx_run(MS(25));
	REQUIRE(run_times(t, 5) == 5);
	for (unsigned int i = 0; i < 5; i++)
		CHECK_EQ(t[i], i * MS(6));
	/* Under 3 ms the tick is the slice (Xen's __csched_set_tslice). */
	p.tslice_ns = MS(2);
	fx_init(1, &p);
	CHECK_EQ(fx.s.tick_ns, MS(2));
}

TEST(lone_vcpu_gets_fresh_slices)
{
	struct sched_vcpu *a;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	fx_run(MS(100));
	CHECK(sched_curr(&fx.s, 0) == a);
	CHECK_EQ(fx.ran[0], MS(100));
	CHECK_EQ(fx_count(SCHED_EV_RUN, NULL), 1); /* never switched out */
}

/* x switched in at 10 ms; b wakes (BOOST) `after` later. */
static struct sched_decision wake_after(uint64_t after, const struct sched_params *p,
                                        struct sched_vcpu **x, struct sched_vcpu **b)
{
	struct sched_vcpu *y;

	fx_init(1, p);
	y = fx_add(0, 0, 1, 0, 0);
	*x = fx_add(1, 1, 1, 0, 0);
	*b = fx_add(2, 2, 1, 0, 0);
	sched_vcpu_wake(&fx.s, y, 0);
	fx_run(MS(5));
	sched_vcpu_wake(&fx.s, *x, fx.now); /* x BOOST, y UNDER after its tick at 10 ms */
	fx_run(MS(10));
	fx.kicked = 0;
	fx.now = MS(10);
	CHECK(fx_pick(0).next == *x);
	fx.now = MS(10) + after;
	sched_vcpu_wake(&fx.s, *b, fx.now);
	sched_tick(&fx.s, 0, fx.now); /* harmless: no tick due */
	return fx_pick(0);
}

TEST(ratelimit_keeps_a_fresh_vcpu)
{
	struct sched_vcpu *x, *b;
	struct sched_decision d;

	/* x has run 0.5 ms of its 1 ms ratelimit: even a BOOST waker waits. */
	d = wake_after(US(500), NULL, &x, &b);
	CHECK(d.next == x);
	CHECK_EQ(d.deadline, MS(10) + US(1000));
	CHECK_EQ(fx.s.stats.ratelimited, 1);
	/* At the ratelimit's end the timer's tick call kicks, and b runs. */
	fx.now = d.deadline;
	fx.deadline[0] = sched_tick(&fx.s, 0, fx.now);
	CHECK(fx_kicked(0));
	d = fx_pick(0);
	CHECK(d.next == b);
	/* Past the ratelimit, BOOST preempts at once. */
	d = wake_after(US(1000), NULL, &x, &b);
	CHECK(d.next == b);
}

TEST(ratelimit_never_sets_a_timer_below_100us)
{
	struct sched_vcpu *x, *b;
	struct sched_decision d = wake_after(US(950), NULL, &x, &b);

	CHECK(d.next == x);
	CHECK_EQ(d.deadline, MS(10) + US(1050));
}

TEST(ratelimit_off)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;
	struct sched_vcpu *x, *b;

	p.ratelimit_ns = 0;
	CHECK(wake_after(US(1), &p, &x, &b).next == b);
	CHECK_EQ(fx.s.stats.ratelimited, 0);
}

TEST(ratelimit_yields_to_block_and_yield)
{
	struct sched_vcpu *x, *b, *y = &fx.v[0];
	struct sched_decision d = wake_after(US(200), NULL, &x, &b);

	REQUIRE(d.next == x);
	/* x yields within its ratelimit: it goes anyway; b (BOOST) runs. */
	fx.now += US(100);
	sched_vcpu_yield(&fx.s, x, fx.now);
	CHECK(fx_pick(0).next == b);
	/* A yield lasts one decision: when b blocks, x (still BOOST) runs before y (UNDER). */
	fx.now += US(100);
	sched_vcpu_block(&fx.s, b, fx.now);
	CHECK(fx_pick(0).next == x);
	CHECK_EQ(sched_vcpu_state(&fx.s, y), SCHED_RUNNABLE);
}
