/* Scheduler trace: the line format, per-pCPU rings, the merged dump, and what the scheduler records. */
#include "test_sched_fixture.h"

static char dumped[64][96];
static unsigned int ndumped;

static void collect(void *ctx, const char *line)
{
	if (ndumped < 64)
		snprintf(dumped[ndumped], sizeof(dumped[0]), "%s", line);
	ndumped++;
}

TEST(line_format)
{
	struct sched_trace_rec r = {
	    .t = 123456789, .dom = 1, .vcpu = 2, .ev = SCHED_EV_RUN, .pcpu = 3};
	char buf[96];

	CHECK_EQ(sched_trace_line(&r, buf, sizeof(buf)),
	         strlen("sched-trace: 3 123456789 run 1.2"));
	CHECK_STR(buf, "sched-trace: 3 123456789 run 1.2");
	r.ev = SCHED_EV_MIGRATE;
	r.arg = 0;
	sched_trace_line(&r, buf, sizeof(buf));
	CHECK_STR(buf, "sched-trace: 3 123456789 migrate 1.2 0");
	r = (struct sched_trace_rec){.t = 5, .dom = 0xffff, .vcpu = 0xffff, .ev = SCHED_EV_IDLE};
	sched_trace_line(&r, buf, sizeof(buf));
	CHECK_STR(buf, "sched-trace: 0 5 idle -");
	/* Truncated, still terminated; the full length is returned. */
	r.ev = SCHED_EV_PREEMPT;
	r.dom = 7;
	r.vcpu = 0;
	CHECK_EQ(sched_trace_line(&r, buf, 10), strlen("sched-trace: 0 5 preempt 7.0"));
	CHECK_STR(buf, "sched-tra");
	CHECK_STR(sched_trace_ev_name(SCHED_EV_UNPARK), "unpark");
	CHECK_STR(sched_trace_ev_name(99), "?");
}

TEST(ring_keeps_newest_and_counts_lost)
{
	struct sched_trace_rec buf[2 * 4];
	struct sched_trace t;

	sched_trace_init(&t, buf, 4, 2);
	for (unsigned int i = 0; i < 6; i++) {
		struct sched_trace_rec r = {.t = 10 * i, .dom = 0, .vcpu = (uint16_t)i, .pcpu = 0};

		sched_trace_put(&t, &r);
	}
	struct sched_trace_rec r1 = {.t = 25, .dom = 1, .vcpu = 0, .ev = SCHED_EV_WAKE, .pcpu = 1};
	struct sched_trace_rec bad = {.t = 1, .pcpu = 5}; /* no such ring: dropped */

	sched_trace_put(&t, &r1);
	sched_trace_put(&t, &bad);
	ndumped = 0;
	CHECK_EQ(sched_trace_dump(&t, collect, NULL), 5);
	REQUIRE(ndumped == 6);
	/* Oldest first across rings: 20, 25 (pCPU 1), 30, 40, 50; then the loss. */
	CHECK_STR(dumped[0], "sched-trace: 0 20 run 0.2");
	CHECK_STR(dumped[1], "sched-trace: 1 25 wake 1.0");
	CHECK_STR(dumped[2], "sched-trace: 0 30 run 0.3");
	CHECK_STR(dumped[4], "sched-trace: 0 50 run 0.5");
	CHECK_STR(dumped[5], "sched-trace-lost: 0 2");
}

TEST(scheduler_records_its_events)
{
	struct sched_trace_rec buf[2 * 16];
	struct sched_trace t;
	struct sched_vcpu *a, *b;

	fx_init(2, NULL);
	sched_trace_init(&t, buf, 16, 2);
	sched_trace_attach(&fx.s, &t);
	a = fx_add(0, 0, 3, 0, 0);
	b = fx_add(1, 1, 3, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	fx_pick(0);
	sched_vcpu_wake(&fx.s, b, 0);
	fx.now = 100;
	fx_pick(1); /* steals b */
	fx.now = 200;
	sched_vcpu_block(&fx.s, a, fx.now);
	fx_pick(0);
	ndumped = 0;
	CHECK_EQ(sched_trace_dump(&t, collect, NULL), 7);
	CHECK_STR(dumped[0], "sched-trace: 0 0 wake 0.0");
	CHECK_STR(dumped[1], "sched-trace: 0 0 run 0.0");
	CHECK_STR(dumped[2], "sched-trace: 0 0 wake 1.1");
	CHECK_STR(dumped[3], "sched-trace: 1 100 migrate 1.1 0");
	CHECK_STR(dumped[4], "sched-trace: 1 100 run 1.1");
	CHECK_STR(dumped[5], "sched-trace: 0 200 block 0.0");
	CHECK_STR(dumped[6], "sched-trace: 0 200 idle -");
	/* The ops hook saw the same events. */
	CHECK_EQ(fx.nev, 7);
	sched_trace_attach(&fx.s, NULL);
	sched_vcpu_wake(&fx.s, a, 300);
	CHECK_EQ(t.ring[0].n, 5);
	CHECK_EQ(fx.nev, 8);
}

TEST(dump_of_run_queues)
{
	fx_init(2, NULL);
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	sched_vcpu_wake(&fx.s, fx_add(1, 1, 1, 0, 0), 0);
	fx_pick(0);
	unit_log_clear();
	sched_dump(&fx.s);
	CHECK(unit_log_contains("pcpu 0: running, 1 queued"));
	CHECK(unit_log_contains("run 0.0 pri B"));
	CHECK(unit_log_contains("queue 1.1 pri B"));
	CHECK(unit_log_contains("pcpu 1: idle, 0 queued"));
}
