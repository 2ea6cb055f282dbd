/* The simulator engine's state, shared by sim.c and sim_work.c. */
#ifndef SCHEDSIM_SIM_PRIV_H
#define SCHEDSIM_SIM_PRIV_H

#include "sim.h"

#define SIM_INF UINT64_MAX

enum sim_phase {
	PH_RUN,   /* CPU and IO: computing */
	PH_SLEEP, /* IO: blocked */
	PH_OUT,   /* LOCK: outside the critical section */
	PH_SPIN,  /* LOCK: waiting for the lock, burning CPU */
	PH_CRIT,  /* LOCK: holding it */
};

struct svcpu {
	struct sched_vcpu sv;
	const struct sim_group *g;
	unsigned int dom;
	enum sim_phase phase;
	uint64_t need;      /* CPU time left in this phase (SIM_INF: unbounded) */
	uint64_t seg_start; /* running since (while running) */
	uint64_t gen;       /* bumped to cancel its pending action event */
	uint64_t woke_at;   /* pending wake-to-run sample, or SIM_INF */
	bool running;
	int lock; /* SIM_LOCK: its lock's index, else -1 */
	uint64_t run_ns, spin_ns;
};

struct spcpu {
	struct svcpu *cur;
	uint64_t timer_gen;
	bool resched;
};

struct slock {
	int holder; /* vCPU index or -1 */
	unsigned int v[2];
};

enum ev_type {
	EV_TIMER,
	EV_RESCHED,
	EV_ACTION,
	EV_WAKE
};

struct event {
	uint64_t t, seq, gen;
	uint32_t type, idx;
};

struct sim {
	const struct sim_scenario *sc;
	struct sched s;
	struct sched_dom dom[SIM_MAX_GROUPS];
	struct svcpu *v;
	unsigned int nv;
	struct spcpu p[SCHED_MAX_PCPUS];
	struct slock *locks;
	unsigned int nlocks;
	struct event *heap;
	size_t nheap, capheap;
	uint64_t now, seq, rng, events, acquires;
	uint64_t *lat;
	size_t nlat, caplat;
	FILE *trace;
};

/* sim_queue.c */
void sim_push(struct sim *m, uint64_t t, enum ev_type type, uint32_t idx, uint64_t gen);
bool sim_pop(struct sim *m, struct event *e); /* the earliest event; false when none */

/* sim_work.c: the workloads */
uint64_t sim_jitter(struct sim *m, uint64_t mean);
void sim_charge(struct sim *m, struct svcpu *v);
void sim_arm(struct sim *m, struct svcpu *v);
void sim_work_start(struct sim *m, struct svcpu *v);
void sim_work_on_run(struct sim *m, struct svcpu *v);
void sim_work_action(struct sim *m, struct svcpu *v);
void sim_work_wake(struct sim *m, struct svcpu *v);

#endif
