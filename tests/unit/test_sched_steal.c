/* Credit scheduler: who runs a woken vCPU (tickle), work stealing, hard and soft affinity. */
#include "test_sched_fixture.h"

#define MS(x) SCHED_MS(x)
#define US(x) SCHED_US(x)

TEST(idle_pcpu_is_tickled_and_steals)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(2, NULL);
	a = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 3, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	CHECK(fx_kicked(0));
	CHECK(fx_pick(0).next == a);
	/* b queues on pCPU 0 (its last); the idle pCPU 1 is kicked to take it. */
	sched_vcpu_wake(&fx.s, b, 0);
	CHECK(!fx_kicked(0));
	CHECK(fx_kicked(1));
	CHECK_EQ(sched_nqueued(&fx.s, 0), 1);
	d = fx_pick(1);
	CHECK(d.next == b);
	CHECK(d.migrated);
	CHECK_EQ(b->pcpu, 1);
	CHECK_EQ(sched_nqueued(&fx.s, 0), 0);
	CHECK_EQ(fx.s.stats.migrations, 1);
	CHECK_EQ(fx_count(SCHED_EV_MIGRATE, b), 1);
}

TEST(steal_respects_hard_affinity)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(2, NULL);
	a = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 1, 0, 0); /* pinned to pCPU 0 */
	sched_vcpu_wake(&fx.s, a, 0);
	fx_pick(0);
	sched_vcpu_wake(&fx.s, b, 0);
	CHECK_EQ(fx.kicked, 0); /* no idler it may use, and it does not outrank a */
	d = fx_pick(1);
	CHECK(d.next == NULL);
	CHECK_EQ(sched_nqueued(&fx.s, 0), 1);
	/* Over many slices b never leaves pCPU 0 although pCPU 1 idles. */
	fx_run(MS(500));
	CHECK_EQ(b->pcpu, 0);
	CHECK(fx.ran[1] > MS(200));
	CHECK_EQ(fx_count(SCHED_EV_MIGRATE, b), 0);
}

TEST(steal_prefers_soft_affinity)
{
	struct sched_vcpu *x, *b, *c;

	fx_init(3, NULL);
	x = fx_add(0, 0, 7, 0, 0);
	b = fx_add(1, 1, 7, 0, 0);       /* anywhere */
	c = fx_add(2, 2, 7, 1u << 2, 0); /* anywhere, prefers pCPU 2 */
	sched_vcpu_wake(&fx.s, x, 0);
	fx_pick(0);
	/* Make pCPUs 1 and 2 busy-looking so the wakes only queue on 0. */
	fx.s.idlers = 0;
	sched_vcpu_wake(&fx.s, b, 0);
	sched_vcpu_wake(&fx.s, c, 0);
	fx.kicked = 0;
	/* Queue on 0: b then c. pCPU 2 takes c, the one that prefers it, over b ahead of it. */
	CHECK(fx_pick(2).next == c);
	CHECK(fx_pick(1).next == b);
}

TEST(tickle_prefers_soft_affinity)
{
	struct sched_vcpu *x, *c;

	fx_init(4, NULL);
	x = fx_add(0, 0, 15, 0, 0);
	c = fx_add(1, 1, 15, 1u << 3, 0);
	sched_vcpu_wake(&fx.s, x, 0);
	fx_pick(0);
	sched_vcpu_wake(&fx.s, c, 0);
	CHECK_EQ(fx.kicked, 1u << 3); /* of the idle 1, 2, 3: the preferred one */
	CHECK(fx_pick(3).next == c);
}

TEST(no_steal_of_equal_or_lower_priority)
{
	struct sched_vcpu *x, *u, *y, *b;
	struct sched_decision d;

	fx_init(2, NULL);
	x = fx_add(0, 0, 1, 0, 0);
	u = fx_add(1, 0, 1, 0, 0);
	y = fx_add(2, 1, 2, 0, 1);
	b = fx_add(3, 1, 3, 0, 1);
	sched_vcpu_wake(&fx.s, x, 0);
	sched_vcpu_wake(&fx.s, y, 0);
	fx_run(MS(15)); /* x and y run on 0 and 1, UNDER after their ticks */
	sched_vcpu_wake(&fx.s, u, fx.now);
	fx_run(MS(25)); /* u preempted x on 0 and was ticked at 20 ms: all UNDER */
	REQUIRE(sched_curr(&fx.s, 0) == u && sched_curr(&fx.s, 1) == y);
	REQUIRE(sched_vcpu_pri(x) == SCHED_PRI_UNDER);
	/* b (BOOST, may run on 0 or 1) waits on pCPU 1 behind nothing; ratelimit keeps y. */
	fx.now = MS(25);
	sched_vcpu_wake(&fx.s, b, fx.now);
	fx.kicked = 0;
	/* pCPU 0's slice ends: its best local work is UNDER, so it does not balance. */
	fx.now = MS(25) + US(10);
	d = fx_pick(0);
	CHECK(!d.migrated);
	CHECK(d.next == x);
	CHECK_EQ(sched_nqueued(&fx.s, 1), 1);
}

TEST(migrate_delay_keeps_cache_hot_vcpus)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;
	struct sched_vcpu *a, *b;

	p.migrate_delay_ns = MS(5);
	fx_init(2, &p);
	a = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 3, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	sched_vcpu_wake(&fx.s, b, 0);
	fx.s.idlers = 0; /* keep both on pCPU 0 */
	fx.kicked = 0;
	fx_pick(0); /* a runs, b queued */
	fx.now = MS(2);
	fx_pick(0); /* a's ratelimit is over: b runs, a queued, descheduled at 2 ms */
	REQUIRE(sched_curr(&fx.s, 0) == b);
	fx.now = MS(4);
	CHECK(fx_pick(1).next == NULL); /* a left pCPU 0 2 ms ago: cache-hot */
	fx.now = MS(7) + 1;
	CHECK(fx_pick(1).next == a);
}

TEST(tick_sends_an_idler_for_queued_work)
{
	struct sched_vcpu *x, *b, *y;

	fx_init(2, NULL);
	x = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 1, 0, 0); /* pinned to 0 */
	y = fx_add(2, 2, 3, 0, 1);
	sched_vcpu_wake(&fx.s, x, 0);
	sched_vcpu_wake(&fx.s, y, 0);
	fx_run(MS(15));
	/* b preempts x on pCPU 0 (BOOST); then pCPU 1's y blocks: 1 idles with x queued on 0. */
	sched_vcpu_wake(&fx.s, b, fx.now);
	fx_pick(0);
	REQUIRE(sched_curr(&fx.s, 0) == b);
	fx.now = MS(16);
	sched_vcpu_block(&fx.s, y, fx.now);
	fx_pick(1); /* steals x right away: it goes idle looking for work */
	CHECK(sched_curr(&fx.s, 1) == x);
	/* Again, with x queued while pCPU 1 already idles: the tick at 20 ms kicks it. */
	fx_init(2, NULL);
	x = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, x, 0);
	fx_run(MS(15));
	REQUIRE(sched_curr(&fx.s, 0) == x && sched_curr(&fx.s, 1) == NULL);
	fx.s.idlers = 0; /* b's wake must not find pCPU 1 */
	sched_vcpu_wake(&fx.s, b, fx.now);
	fx_pick(0);
	fx.s.idlers = 2;
	fx.kicked = 0;
	fx_run(MS(19));
	CHECK(sched_curr(&fx.s, 1) == NULL);
	fx_run(MS(20));
	CHECK(sched_curr(&fx.s, 1) == x);
	(void)y;
}

TEST(many_pcpus_and_vcpus)
{
	/* 64 pCPUs, 64 vCPUs pinned one each, plus nothing else: no migration, all run. */
	fx_init(64, NULL);
	for (unsigned int i = 0; i < 64; i++)
		sched_vcpu_wake(&fx.s, fx_add(i, i % 4, UINT64_C(1) << i, 0, i), 0);
	fx_run(MS(100));
	for (unsigned int i = 0; i < 64; i++)
		CHECK_EQ(fx.ran[i], MS(100));
	CHECK_EQ(fx.migrations, 0);
	CHECK(sched_curr(&fx.s, 63) == &fx.v[63]);
}

TEST(released_pcpu_hands_its_vcpu_to_an_idler)
{
	struct sched_vcpu *a, *b;
	struct sched_decision d;

	fx_init(2, NULL);
	a = fx_add(0, 0, 3, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	CHECK(fx_pick(0).next == a);
	/* pCPU 0 is needed by the hypervisor: a goes back to the queue, idle pCPU 1 takes it. */
	sched_pcpu_release(&fx.s, 0, MS(5));
	CHECK(sched_curr(&fx.s, 0) == NULL);
	CHECK_EQ(sched_vcpu_state(&fx.s, a), SCHED_RUNNABLE);
	CHECK(fx_kicked(1));
	CHECK(!fx_kicked(0));
	CHECK_EQ(sched_vcpu_credit(a), -(int64_t)MS(5));
	d = fx_pick(1);
	CHECK(d.next == a);
	CHECK(d.migrated);
	/* A vCPU pinned to the released pCPU waits in its queue for the pause to end. */
	b = fx_add(1, 1, 1, 0, 0);
	sched_vcpu_wake(&fx.s, b, MS(6));
	CHECK_EQ(sched_nqueued(&fx.s, 0), 1);
	CHECK(sched_curr(&fx.s, 0) == NULL);
	CHECK(!(fx.s.idlers & 1));
	CHECK(fx_pick(0).next == b); /* the pause ends with the next pick */
}
