/*
 * Load balancing: a pCPU about to run OVER work or go idle takes better
 * work from a busy pCPU's queue (Xen's csched_load_balance and
 * csched_runq_steal). Hard affinity is obeyed; soft affinity is tried
 * first: a first pass steals only vCPUs that prefer this pCPU.
 */
#include "credit_priv.h"

enum {
	STEP_SOFT,
	STEP_HARD
};

/* Xen's __csched_vcpu_is_cache_hot(): descheduled less than migrate_delay ago. */
static bool cache_hot(const struct sched *s, const struct sched_vcpu *v, uint64_t now)
{
	return s->p.migrate_delay_ns && elapsed(v->last_desched, now) < s->p.migrate_delay_ns;
}

/* The first vCPU queued on peer, of priority above pri, that may move to cpu in this step. */
static struct sched_vcpu *runq_steal(struct sched *s, unsigned int peer, unsigned int cpu,
                                     unsigned int pri, int step, uint64_t now)
{
	struct sched_pcpu *pc = &s->pcpu[peer];

	/* An idle peer (kicked, not yet picking) is about to run its own queue; a released one is not. */
	if (!pc->curr && !pc->released)
		return NULL;
	for (unsigned int p = SCHED_NPRI - 1; p > pri; p--) {
		for (struct sched_link *l = pc->runq[p].next; l != &pc->runq[p]; l = l->next) {
			struct sched_vcpu *v = vcpu_of_q(l);
			uint64_t mask = v->hard;

			if (step == STEP_SOFT) {
				if (!(v->flags & SCHED_VF_SOFT))
					continue;
				mask &= v->soft;
			}
			if ((mask & BIT(cpu)) && !cache_hot(s, v, now))
				return v;
		}
	}
	return NULL;
}

/*
 * A vCPU of priority above pri from another busy pCPU's queue that may
 * run on cpu, or NULL. Peers are visited round-robin from the one after
 * the last robbed, so no queue is always robbed first. The vCPU is left
 * on its queue; the caller moves it.
 */
struct sched_vcpu *csched_steal(struct sched *s, unsigned int cpu, unsigned int pri, uint64_t now)
{
	uint64_t workers = s->online & ~s->idlers & ~BIT(cpu);

	if (!workers)
		return NULL;
	for (int step = STEP_SOFT; step <= STEP_HARD; step++) {
		unsigned int first = cpu_cycle(s->steal_bias, workers), peer = first;

		do {
			const struct sched_pcpu *pc = &s->pcpu[peer];
			struct sched_vcpu *v = NULL;

			/* Skip queues with nothing that could move: all pinned there, or no soft affinity. */
			if (pc->nqueued > pc->nq_pinned && (step == STEP_HARD || pc->nq_soft))
				v = runq_steal(s, peer, cpu, pri, step, now);
			if (v) {
				s->steal_bias = peer;
				return v;
			}
			peer = cpu_cycle(peer, workers);
		} while (peer != first);
	}
	return NULL;
}

/*
 * Called at a tick of busy cpu with vCPUs queued: kick an idle pCPU that
 * one of them may run on (in a soft-affine one if it has one), so the
 * idler steals it. Xen instead migrates the running vCPU at its tick
 * (csched_unit_acct); this leaves the cache-hot one where it is.
 */
void csched_kick_idler_for_queue(struct sched *s, unsigned int cpu)
{
	uint64_t idle = s->idlers & s->online;
	struct sched_pcpu *pc = &s->pcpu[cpu];

	if (!idle || pc->nqueued == pc->nq_pinned)
		return;
	for (unsigned int p = SCHED_NPRI - 1; p > SCHED_PRI_IDLE; p--) {
		for (struct sched_link *l = pc->runq[p].next; l != &pc->runq[p]; l = l->next) {
			struct sched_vcpu *v = vcpu_of_q(l);
			uint64_t m = v->hard & idle;

			if (!m)
				continue;
			if ((v->flags & SCHED_VF_SOFT) && (m & v->soft))
				m &= v->soft;
			s->tickle_bias = cpu_cycle(s->tickle_bias, m);
			s->idlers &= ~BIT(s->tickle_bias);
			csched_kick(s, s->tickle_bias);
			return;
		}
	}
}
