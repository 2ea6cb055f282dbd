/*
 * The scheduler driven by the simulator engine (tools/schedsim), at sizes
 * beyond the hand-made tests: fairness against the weights, caps, wake
 * latency under BOOST, and lock-holder preemption with and without yield.
 */
#include <stdlib.h>

#include "../../tools/schedsim/sim.h"
#include "unit.h"

static struct sim_result run(const char *name, uint64_t duration_ms)
{
	const struct sim_scenario *sc = sim_scenario_find(name);
	struct sim_scenario copy;
	struct sim_result r;

	memset(&r, 0, sizeof(r));
	if (!sc) {
		unit_fail(__FILE__, __LINE__, "no scenario %s", name);
		return r;
	}
	copy = *sc;
	if (duration_ms)
		copy.duration_ns = SCHED_MS(duration_ms);
	if (sim_run(&copy, &r, NULL) != 0)
		unit_fail(__FILE__, __LINE__, "scenario %s refused", name);
	return r;
}

static void check_near(double got, double want, double tol, int line)
{
	if (got < want * (1 - tol) || got > want * (1 + tol))
		unit_fail(__FILE__, line, "%.4f, want %.4f +-%.0f%%", got, want, tol * 100);
}

TEST(weights_1_2_4_on_4_pcpus)
{
	struct sim_result r = run("weights", 0);

	REQUIRE(r.ndoms == 3 && r.nvcpus == 12);
	check_near(r.dom[0].received, 4.0 / 7, 0.02, __LINE__);
	check_near(r.dom[1].received, 8.0 / 7, 0.02, __LINE__);
	check_near(r.dom[2].received, 16.0 / 7, 0.02, __LINE__);
	CHECK(r.max_rel_err < 0.02);
}

TEST(weights_need_migrations)
{
	struct sim_result r = run("weights-odd", 0);

	check_near(r.dom[0].received, 4.0 / 3, 0.02, __LINE__);
	check_near(r.dom[1].received, 8.0 / 3, 0.02, __LINE__);
	CHECK(r.migrations > 50);
}

TEST(weights_apply_per_active_vcpu)
{
	struct sim_result r = run("vcpus-uneven", 0);

	check_near(r.dom[0].received, 1.0, 0.02, __LINE__);
	check_near(r.dom[1].received, 3.0, 0.02, __LINE__);
}

/*
 * With 8 vCPUs per pCPU and 30 ms slices the shares follow a pattern a
 * few seconds long: a 2 s window can be 10% off, 7 s within 2%.
 */
TEST(big_64_pcpus_512_vcpus_is_fair)
{
	struct sim_result r = run("big-cpu", 8000);
	double total = 0;

	REQUIRE(r.nvcpus == 512);
	for (unsigned int d = 0; d < r.ndoms; d++)
		total += r.dom[d].received;
	check_near(total, 64, 0.001, __LINE__); /* no pCPU idles while 512 vCPUs compute */
	CHECK(r.max_rel_err < 0.05);
	CHECK(r.dom[3].received > 3.5 * r.dom[0].received); /* weights 1:4 */
}

TEST(cap_holds_in_simulation)
{
	struct sim_result r = run("cap", 0);

	check_near(r.dom[0].received, 1.0, 0.02, __LINE__);
	check_near(r.dom[1].received, 3.0, 0.02, __LINE__);
}

TEST(boost_bounds_io_wake_latency)
{
	struct sim_result r = run("io-mix", 0);

	CHECK(r.wakes > 20000);
	/* BOOST preempts the CPU hogs once their 1 ms ratelimit is over. */
	CHECK(r.lat_p50_ns < SCHED_US(100));
	CHECK(r.lat_p99_ns < SCHED_US(1100));
	CHECK(r.max_rel_err < 0.05);
	/* The I/O domain gets nearly all the CPU it asks for (0.2 of every 2.2 ms). */
	CHECK(r.dom[2].received > 0.9 * 8 * 0.2 / 2.2);
}

TEST(yield_cuts_lock_waste)
{
	struct sim_result y = run("lock", 5000), n = run("lock-noyield", 5000);

	CHECK(y.lock_acquires > 100000 && n.lock_acquires > 100000);
	CHECK(n.lock_waste > 0.02);
	CHECK(y.lock_waste < 0.7 * n.lock_waste);
}

TEST(runs_are_deterministic)
{
	struct sim_result a = run("io-mix", 2000), b = run("io-mix", 2000);

	CHECK_EQ(a.events, b.events);
	CHECK_EQ(a.lat_p99_ns, b.lat_p99_ns);
	CHECK(a.dom[0].received == b.dom[0].received);
}

TEST(trace_lines)
{
	const struct sim_scenario *sc = sim_scenario_find("weights-odd");
	struct sim_scenario copy = *sc;
	struct sim_result r;
	char *buf = NULL, line[128];
	size_t len = 0;
	unsigned int runs = 0, migrates = 0, other = 0;
	FILE *f = open_memstream(&buf, &len);

	REQUIRE(f);
	copy.duration_ns = SCHED_MS(500);
	CHECK_EQ(sim_run(&copy, &r, f), 0);
	fclose(f);
	f = fmemopen(buf, len, "r");
	REQUIRE(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned int pcpu, dom, vcpu;
		unsigned long long t;
		char ev[16];

		int n = sscanf(line, "sched-trace: %u %llu %15s %u.%u", &pcpu, &t, ev, &dom, &vcpu);

		if (n == 5 && pcpu < 4 && dom < 2 && vcpu < 3)
			runs += !strcmp(ev, "run"), migrates += !strcmp(ev, "migrate");
		else if (!(n == 3 && !strcmp(ev, "idle")))
			other++;
	}
	fclose(f);
	free(buf);
	CHECK(runs > 20);
	CHECK_EQ(migrates, r.migrations);
	CHECK_EQ(other, 0);
}
