/*
 * schedsim: a discrete-event simulator that drives the credit scheduler
 * (sched/, the same code the hypervisor links) with a simulated clock and
 * synthetic guests. The engine (sim.c, sim_work.c, sim_report.c,
 * scenarios.c) is also linked by the host unit tests; main.c is the
 * command line and pickcost.c the decision-cost benchmark.
 */
#ifndef SCHEDSIM_SIM_H
#define SCHEDSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sched.h>

#define SIM_MAX_GROUPS 8

enum sim_kind {
	SIM_CPU,  /* always runnable */
	SIM_IO,   /* runs a burst, blocks, is woken: run_ns / block_ns, each +-50% at random */
	SIM_LOCK, /* pairs of vCPUs sharing a spinlock: run_ns outside, block_ns inside it */
};

/* One domain: vCPUs with the same workload. */
struct sim_group {
	enum sim_kind kind;
	unsigned int vcpus; /* SIM_LOCK: even */
	unsigned int weight;
	unsigned int cap;
	uint64_t run_ns;
	uint64_t block_ns;
	uint64_t
	    ple_ns; /* SIM_LOCK: a waiter spins this long, then yields (PAUSE-loop exit); 0: never */
	uint64_t hard; /* every vCPU's hard affinity; 0: all pCPUs */
	uint64_t soft;
	bool pin_each; /* vCPU i pinned to pCPU (pin_first + i) % npcpus */
	unsigned int pin_first;
};

struct sim_scenario {
	const char *name;
	const char *what;
	unsigned int npcpus;
	uint64_t duration_ns;
	uint64_t warmup_ns;         /* not counted in shares and latencies */
	struct sched_params params; /* all zero: SCHED_PARAMS_DEFAULT */
	unsigned int ngroups;
	struct sim_group g[SIM_MAX_GROUPS];
};

struct sim_dom_result {
	double entitled; /* pCPUs, from the weights, caps and demand (sim_entitle) */
	double received; /* pCPUs, measured */
	double rel_err;  /* (received - entitled) / entitled */
};

struct sim_result {
	unsigned int ndoms, nvcpus;
	struct sim_dom_result dom[SIM_MAX_GROUPS];
	double max_rel_err; /* |rel_err| over CPU and LOCK domains (always runnable) */
	uint64_t wakes;     /* wake-to-run samples */
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns;
	uint64_t migrations, switches, events;
	uint64_t lock_acquires;
	double lock_waste; /* share of the lock vCPUs' CPU time spent spinning */
};

/*
 * Runs sc, writing the trace lines (sched_trace.h format) to trace unless
 * NULL. Returns 0, or -1 for a scenario the scheduler refuses (printed).
 */
int sim_run(const struct sim_scenario *sc, struct sim_result *r, FILE *trace);

/*
 * Each domain's entitlement in pCPUs: the machine shared by weight x
 * vCPUs (credit1 gives each active vCPU its domain's weight), each domain
 * limited by its demand, cap and affinity, the rest shared again
 * (water-filling). An I/O domain's demand is its duty cycle, or what it
 * used (used[d], when used is not NULL) if less: what it leaves is for
 * the others.
 */
void sim_entitle(const struct sim_scenario *sc, const double *used, double *ent);

/* Prints r as a table under a one-line heading. */
void sim_report(FILE *f, const struct sim_scenario *sc, const struct sim_result *r);

extern const struct sim_scenario sim_scenarios[];
extern const unsigned int sim_nscenarios;
const struct sim_scenario *sim_scenario_find(const char *name);

/* pickcost.c: prints the cost of sched_pick() in host cycles. */
void sim_pickcost(FILE *f);

#endif
