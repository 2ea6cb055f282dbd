/*
 * What a vCPU reports: it wakes, blocks or yields; and Xen's
 * __runq_tickle(), which decides which pCPU should run a woken vCPU.
 */
#include "credit_priv.h"

/*
 * Xen's __runq_tickle(): v was just queued on its pCPU. Kick that pCPU if
 * it idles, or if v outranks what runs there and nobody idles. Otherwise
 * kick an idle pCPU of v's affinity (soft first), which will steal v, or
 * v's own pCPU if none fits and v outranks the current vCPU there. A
 * kicked idler leaves the idlers, so the next wake picks another.
 */
void csched_tickle(struct sched *s, struct sched_vcpu *v)
{
	unsigned int cpu = v->pcpu;
	const struct sched_vcpu *cur = s->pcpu[cpu].curr;
	uint64_t idle = s->idlers & s->online, mask = 0;
	bool outranks = !cur || v->pri > cur->pri;

	if (!cur || (!idle && outranks)) {
		mask = BIT(cpu);
	} else if (idle) {
		for (int step = 0; step < 2 && !mask; step++) {
			uint64_t m = (step == 0 ? v->soft & v->hard : v->hard) & idle;

			if (step == 0 && (!(v->flags & SCHED_VF_SOFT) || !m))
				continue;
			if (m) {
				s->tickle_bias = cpu_cycle(s->tickle_bias, m);
				mask = BIT(s->tickle_bias);
			} else if (outranks) {
				mask = BIT(cpu);
			}
		}
	}
	if (mask) {
		unsigned int c = (unsigned int)__builtin_ctzll(mask);

		s->idlers &= ~mask;
		csched_kick(s, c);
	}
}

void sched_vcpu_wake(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (!(v->flags & SCHED_VF_BLOCKED))
		return;
	v->flags &= (uint8_t)~SCHED_VF_BLOCKED;
	csched_trace(s, v->pcpu, now, SCHED_EV_WAKE, v, 0);
	/* Still current (woken before sched_pick() ran): it just goes on. */
	if (vcpu_running(s, v)) {
		csched_trace(s, v->pcpu, now, SCHED_EV_RUN, v, 0);
		return;
	}
	if (v->flags & SCHED_VF_PARKED)
		return;
	/*
	 * BOOST: a vCPU that wakes with credit runs before those that have
	 * been using the CPU; if it keeps running it is found at a tick
	 * and loses it, so an I/O vCPU keeps low wake-to-run latency
	 * without hurting fairness (Xen's csched_unit_wake).
	 */
	if (v->pri == SCHED_PRI_UNDER)
		v->pri = SCHED_PRI_BOOST;
	csched_runq_insert(s, v);
	csched_tickle(s, v);
}

void sched_vcpu_block(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (v->flags & SCHED_VF_BLOCKED)
		return;
	v->flags |= SCHED_VF_BLOCKED;
	if (link_on_list(&v->q)) {
		csched_runq_remove(s, v);
	} else if (vcpu_running(s, v)) {
		csched_burn(v, now);
		csched_kick(s, v->pcpu);
	}
	csched_trace(s, v->pcpu, now, SCHED_EV_BLOCK, v, 0);
}

void sched_vcpu_yield(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (!vcpu_running(s, v))
		return;
	v->flags |= SCHED_VF_YIELD;
	csched_kick(s, v->pcpu);
}
