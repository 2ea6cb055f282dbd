/* Credit scheduler: run states, BOOST on wake, BOOST > UNDER > OVER, FIFO within a priority, yield. */
#include "test_sched_fixture.h"

#define MS(x) SCHED_MS(x)
#define US(x) SCHED_US(x)

TEST(idle_when_nothing_runnable)
{
	struct sched_decision d;
	struct sched_vcpu *a;

	fx_init(2, NULL);
	a = fx_add(0, 0, 3, 0, 1);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_BLOCKED);
	d = fx_pick(1);
	CHECK(d.next == NULL);
	CHECK_EQ(d.deadline, SCHED_NEVER);
	CHECK_EQ(fx.nkicks, 0);

	sched_vcpu_wake(&fx.s, a, 0);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNABLE);
	CHECK(fx_kicked(1)); /* queued on its pCPU, which idles */
	CHECK(!fx_kicked(0));
	d = fx_pick(1);
	CHECK(d.next == a);
	CHECK(!d.migrated);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNING);
	CHECK(d.deadline != SCHED_NEVER);

	fx.now = MS(2);
	sched_vcpu_block(&fx.s, a, fx.now);
	CHECK(fx_kicked(1));
	d = fx_pick(1);
	CHECK(d.next == NULL);
	CHECK_EQ(d.deadline, SCHED_NEVER);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_BLOCKED);
	CHECK_EQ(fx_count(SCHED_EV_IDLE, NULL), 1);
	CHECK_EQ(fx_count(SCHED_EV_BLOCK, a), 1);
	/* Idle pCPUs take no ticks. */
	CHECK_EQ(sched_tick(&fx.s, 1, MS(50)), SCHED_NEVER);
}

TEST(wake_boosts_and_tick_unboosts)
{
	struct sched_vcpu *a;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);
	sched_vcpu_wake(&fx.s, a, 0);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_BOOST);
	fx_run(MS(9));
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_BOOST);
	fx_run(MS(10)); /* found running at the tick: uses real CPU */
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);
	/* Waking again after a block boosts again; a second wake changes nothing. */
	sched_vcpu_block(&fx.s, a, fx.now);
	fx_run(MS(11));
	sched_vcpu_wake(&fx.s, a, fx.now);
	sched_vcpu_wake(&fx.s, a, fx.now);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_BOOST);
	CHECK_EQ(sched_nqueued(&fx.s, 0), 1);
}

TEST(boost_preempts_under)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	fx_run(MS(15));
	CHECK(sched_curr(&fx.s, 0) == a);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER);

	sched_vcpu_wake(&fx.s, b, fx.now);
	CHECK(fx_kicked(0)); /* BOOST outranks the running UNDER, and nobody idles */
	d = fx_pick(0);
	CHECK(d.next == b);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNABLE);
	CHECK_EQ(fx_count(SCHED_EV_PREEMPT, a), 1);

	/* An UNDER waking vCPU does not preempt a BOOST one: no kick. */
	sched_vcpu_block(&fx.s, b, fx.now);
	fx_pick(0);
	CHECK(sched_curr(&fx.s, 0) == a);
	fx.now += MS(2);
	sched_vcpu_wake(&fx.s, b, fx.now);
	CHECK(fx_kicked(0)); /* b BOOST vs a UNDER again */
}

/*
 * One pCPU, x (weight 256) and y (weight 768) computing. x is entitled to
 * a quarter of the pCPU but round-robin gives it more until it overspends:
 * run until x is OVER and y UNDER and running. Returns false if that never
 * happens within a second.
 */
static bool make_over_and_under(struct sched_vcpu **x, struct sched_vcpu **y)
{
	fx_init(1, NULL);
	CHECK_EQ(sched_dom_set(&fx.s, &fx.d[1], 768, 0), 0);
	*x = fx_add(0, 0, 1, 0, 0);
	*y = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, *x, 0);
	sched_vcpu_wake(&fx.s, *y, 0);
	while (fx.now < MS(1000)) {
		fx_run(fx.now + MS(5));
		if (sched_vcpu_pri(*x) == SCHED_PRI_OVER && sched_vcpu_pri(*y) == SCHED_PRI_UNDER &&
		    sched_curr(&fx.s, 0) == *y)
			return true;
	}
	return false;
}

TEST(priorities_boost_under_over)
{
	struct sched_vcpu *x, *y, *z;
	struct sched_decision d;

	REQUIRE(make_over_and_under(&x, &y));

	z = fx_add(2, 2, 1, 0, 0);
	fx.now += US(1500);
	sched_vcpu_wake(&fx.s, z, fx.now); /* BOOST */
	CHECK(fx_kicked(0));
	d = fx_pick(0);
	CHECK(d.next == z);
	sched_vcpu_block(&fx.s, z, fx.now);
	d = fx_pick(0);
	CHECK(d.next == y); /* UNDER before OVER */
	sched_vcpu_block(&fx.s, y, fx.now);
	d = fx_pick(0);
	CHECK(d.next == x);
	CHECK_EQ(sched_vcpu_pri(x), SCHED_PRI_OVER);
}

TEST(fifo_within_a_priority)
{
	struct sched_vcpu *x, *v[4];
	struct sched_decision d;

	fx_init(1, NULL);
	x = fx_add(0, 0, 1, 0, 0);
	sched_vcpu_wake(&fx.s, x, 0);
	fx_run(MS(15)); /* x: UNDER after its tick */
	for (unsigned int i = 0; i < 4; i++) {
		v[i] = fx_add(1 + i, 1, 1, 0, 0);
		sched_vcpu_wake(&fx.s, v[i], fx.now);
	}
	/* All four BOOST: they run in wake order, whatever their ids. */
	for (unsigned int i = 0; i < 4; i++) {
		if (i)
			sched_vcpu_block(&fx.s, v[i - 1], fx.now);
		d = fx_pick(0);
		CHECK(d.next == v[i]);
	}
	sched_vcpu_block(&fx.s, v[3], fx.now);
	d = fx_pick(0);
	CHECK(d.next == x);
}

TEST(yield_lets_same_priority_run)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	fx_run(MS(12));
	sched_vcpu_wake(&fx.s, b, fx.now); /* BOOST: preempts */
	fx_run(MS(25));                    /* b found running at 20 ms: UNDER */
	REQUIRE(sched_curr(&fx.s, 0) == b);
	REQUIRE(sched_vcpu_pri(a) == SCHED_PRI_UNDER && sched_vcpu_pri(b) == SCHED_PRI_UNDER);

	sched_vcpu_yield(&fx.s, a, fx.now); /* not running: no effect */
	CHECK(!fx_kicked(0));
	sched_vcpu_yield(&fx.s, b, fx.now);
	CHECK(fx_kicked(0));
	d = fx_pick(0);
	CHECK(d.next == a);
	CHECK_EQ(fx_count(SCHED_EV_YIELD, b), 1);
}

TEST(lone_yielder_lets_one_lower_run)
{
	struct sched_vcpu *x, *y;
	struct sched_decision d;

	REQUIRE(make_over_and_under(&x, &y));

	/* Without a yield, UNDER y would run again before OVER x. */
	sched_vcpu_yield(&fx.s, y, fx.now);
	d = fx_pick(0);
	CHECK(d.next == x);
	/* y was queued ahead of x's successors: it runs next. */
	fx.now += MS(30);
	d = fx_pick(0);
	CHECK(d.next == y);
}

TEST(woken_before_its_pick_runs_on)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	sched_vcpu_wake(&fx.s, b, 0);
	fx_run(MS(15)); /* a runs, UNDER after its tick; b queued, BOOST */
	/* HLT, then an interrupt arrives before the pCPU got to reschedule. */
	sched_vcpu_block(&fx.s, a, fx.now);
	CHECK(fx_kicked(0));
	sched_vcpu_wake(&fx.s, a, fx.now);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNING);
	CHECK_EQ(sched_vcpu_pri(a), SCHED_PRI_UNDER); /* not boosted: it never left */
	CHECK_EQ(sched_nqueued(&fx.s, 0), 1);
	/* The trace says it runs again, so a timeline has no false gap. */
	CHECK_EQ(fx.ev[fx.nev - 1].ev, SCHED_EV_RUN);
	CHECK_EQ(fx.ev[fx.nev - 2].ev, SCHED_EV_WAKE);
	/* The pending pick is an ordinary one: b (BOOST) takes over. */
	d = fx_pick(0);
	CHECK(d.next == b);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNABLE);
}
