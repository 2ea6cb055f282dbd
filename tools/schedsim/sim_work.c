/*
 * The simulated guests. A running vCPU works through phases, each needing
 * some CPU time; when a phase's time is used up (an action event) the
 * vCPU blocks, takes or releases its lock, or yields. Preemption just
 * stops the clock of the current phase.
 *
 * Lock pairs model lock-holder preemption: two vCPUs of one domain share a
 * test-and-set spinlock. A waiter spins (burning CPU, counted as waste)
 * until the holder releases it; if the holder is descheduled, the spin
 * lasts until the holder runs again, unless the waiter yields after
 * ple_ns of spinning, like a PAUSE-loop exit.
 */
#include "sim_priv.h"

/* mean +-50%, at random (xorshift64), at least 1 us. */
uint64_t sim_jitter(struct sim *m, uint64_t mean)
{
	uint64_t x = m->rng, r;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	m->rng = x;
	r = mean / 2 + (mean ? x % (mean + 1) : 0);
	return r < 1000 ? 1000 : r;
}

static bool in_window(const struct sim *m)
{
	return m->now > m->sc->warmup_ns;
}

/* Stops the clock of v's phase at now: what it ran is used up and counted. */
void sim_charge(struct sim *m, struct svcpu *v)
{
	uint64_t from = v->seg_start > m->sc->warmup_ns ? v->seg_start : m->sc->warmup_ns;
	uint64_t ran = m->now - v->seg_start;

	if (v->need != SIM_INF)
		v->need = ran < v->need ? v->need - ran : 0;
	if (in_window(m) && m->now > from) {
		v->run_ns += m->now - from;
		if (v->phase == PH_SPIN)
			v->spin_ns += m->now - from;
	}
	v->seg_start = m->now;
}

/* Schedules v's next action for when its phase's time is used up. */
void sim_arm(struct sim *m, struct svcpu *v)
{
	v->gen++;
	if (v->need != SIM_INF && v->phase != PH_SLEEP)
		sim_push(m, m->now + v->need, EV_ACTION, (uint32_t)(v - m->v), v->gen);
}

static void set_phase(struct svcpu *v, enum sim_phase ph, uint64_t need)
{
	v->phase = ph;
	v->need = need;
}

static struct slock *lock_of(struct sim *m, struct svcpu *v)
{
	return &m->locks[v->lock];
}

/* Takes the free lock, or starts (or goes on) spinning for it. */
static void try_acquire(struct sim *m, struct svcpu *v)
{
	struct slock *l = lock_of(m, v);

	if (l->holder < 0) {
		l->holder = (int)(v - m->v);
		m->acquires++;
		set_phase(v, PH_CRIT, sim_jitter(m, v->g->block_ns));
	} else {
		set_phase(v, PH_SPIN, v->g->ple_ns ? v->g->ple_ns : SIM_INF);
	}
}

static void release(struct sim *m, struct svcpu *v)
{
	struct slock *l = lock_of(m, v);
	struct svcpu *other = &m->v[l->v[0] == (unsigned int)(v - m->v) ? l->v[1] : l->v[0]];

	l->holder = -1;
	set_phase(v, PH_OUT, sim_jitter(m, v->g->run_ns));
	/* A waiter spinning on a pCPU sees the release at once. */
	if (other->running && other->phase == PH_SPIN) {
		sim_charge(m, other);
		try_acquire(m, other);
		sim_arm(m, other);
	}
}

void sim_work_start(struct sim *m, struct svcpu *v)
{
	switch (v->g->kind) {
	case SIM_CPU:
		set_phase(v, PH_RUN, SIM_INF);
		break;
	case SIM_IO:
		set_phase(v, PH_RUN, sim_jitter(m, v->g->run_ns));
		break;
	case SIM_LOCK:
		set_phase(v, PH_OUT, sim_jitter(m, v->g->run_ns));
		break;
	}
	sched_vcpu_wake(&m->s, &v->sv, m->now);
}

/* v was just switched in (or kept): a spinning waiter looks at the lock again. */
void sim_work_on_run(struct sim *m, struct svcpu *v)
{
	if (v->phase == PH_SPIN)
		try_acquire(m, v);
}

void sim_work_action(struct sim *m, struct svcpu *v)
{
	switch (v->phase) {
	case PH_RUN: /* an I/O burst is over: wait for the device */
		set_phase(v, PH_SLEEP, 0);
		sched_vcpu_block(&m->s, &v->sv, m->now);
		sim_push(m, m->now + sim_jitter(m, v->g->block_ns), EV_WAKE, (uint32_t)(v - m->v),
		         0);
		break;
	case PH_OUT:
		try_acquire(m, v);
		break;
	case PH_CRIT:
		release(m, v);
		break;
	case PH_SPIN: /* spun ple_ns: the PAUSE-loop exit yields */
		v->need = v->g->ple_ns;
		sched_vcpu_yield(&m->s, &v->sv, m->now);
		break;
	case PH_SLEEP:
		break;
	}
	sim_arm(m, v);
}

void sim_work_wake(struct sim *m, struct svcpu *v)
{
	set_phase(v, PH_RUN, sim_jitter(m, v->g->run_ns));
	v->woke_at = m->now;
	sched_vcpu_wake(&m->s, &v->sv, m->now);
}
