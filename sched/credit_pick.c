/*
 * Choosing what a pCPU runs next: Xen's csched_schedule(), and
 * burn_credits(), which debits the running vCPU for the time it ran.
 */
#include "credit_priv.h"

/* Credits are nanoseconds of pCPU time, so a debit is exact (Xen: 10 per ms plus a residual). */
void csched_burn(struct sched_vcpu *v, uint64_t now)
{
	uint64_t delta = elapsed(v->burnt_to, now);

	v->credit -= (int64_t)delta;
	v->burnt_to += delta;
}

/* The first tick time strictly after now, on the tick grid. */
static uint64_t tick_after(const struct sched *s, uint64_t now)
{
	return (now / s->tick_ns + 1) * s->tick_ns;
}

/*
 * Busy pCPUs wake for their slice end, tick and the accounting. Idle ones
 * sleep, except that while a vCPU is parked they keep the accounting
 * timer, which alone can unpark it (Xen runs accounting from a timer of
 * its own on one pCPU, idle or not).
 */
static uint64_t deadline(const struct sched *s, const struct sched_pcpu *pc)
{
	if (pc->curr)
		return MIN(MIN(pc->slice_end, pc->tick_due), s->acct_due);
	return s->nparked ? s->acct_due : SCHED_NEVER;
}

/*
 * The ratelimit keeps cur if it has run less than ratelimit since it was
 * switched in, unless it yielded, blocked or was parked (Xen: "If scurr
 * is yielding, we don't let rate limiting kick in").
 */
static bool ratelimited(const struct sched *s, const struct sched_vcpu *cur, uint64_t now)
{
	return cur && s->p.ratelimit_ns && !(cur->flags & SCHED_VF_YIELD) && vcpu_runnable(cur) &&
	       elapsed(cur->run_start, now) < s->p.ratelimit_ns;
}

/*
 * The best local vCPU; a vCPU that yielded and would come first lets one
 * vCPU of the next lower priority go first (Xen queues it behind one).
 */
static struct sched_vcpu *local_best(struct sched_pcpu *pc, const struct sched_vcpu *yielder)
{
	struct sched_vcpu *v = csched_runq_first(pc), *lower;

	if (v && v == yielder) {
		lower = csched_runq_first_below(pc, v->pri);
		if (lower)
			return lower;
	}
	return v;
}

static void trace_switch(struct sched *s, unsigned int cpu, uint64_t now,
                         const struct sched_vcpu *cur, const struct sched_vcpu *next,
                         unsigned int from)
{
	if (cur && vcpu_runnable(cur))
		csched_trace(s, cpu, now,
		             (cur->flags & SCHED_VF_YIELD) ? SCHED_EV_YIELD : SCHED_EV_PREEMPT, cur,
		             0);
	if (next && from != cpu)
		csched_trace(s, cpu, now, SCHED_EV_MIGRATE, next, from);
	if (next)
		csched_trace(s, cpu, now, SCHED_EV_RUN, next, 0);
	else
		csched_trace(s, cpu, now, SCHED_EV_IDLE, NULL, 0);
}

struct sched_decision sched_pick(struct sched *s, unsigned int cpu, uint64_t now)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_vcpu *cur = pc->curr, *next;
	struct sched_decision d = {0};
	unsigned int from = cpu;

	ASSERT(cpu < s->npcpus);
	s->stats.picks++;
	pc->released = false;
	if (cur) {
		csched_burn(cur, now);
		cur->last_desched = now;
	}
	if (ratelimited(s, cur, now)) {
		/* Run on until ratelimit, but never set a timer shorter than the minimum. */
		uint64_t left = s->p.ratelimit_ns - elapsed(cur->run_start, now);

		s->stats.ratelimited++;
		pc->slice_end = now + MAX(left, SCHED_MIN_TIMER_NS);
		d.next = cur;
		d.deadline = deadline(s, pc);
		return d;
	}
	if (cur && vcpu_runnable(cur))
		csched_runq_insert(s, cur);

	next = local_best(pc, (cur && (cur->flags & SCHED_VF_YIELD)) ? cur : NULL);
	/* Local work has no credit left (or there is none): look for better work elsewhere. */
	if (!next || next->pri <= SCHED_PRI_OVER) {
		struct sched_vcpu *stolen =
		    csched_steal(s, cpu, next ? next->pri : SCHED_PRI_IDLE, now);

		if (stolen) {
			from = stolen->pcpu;
			next = stolen;
		}
	}
	if (next) {
		csched_runq_remove(s, next);
		if (from != cpu) {
			next->pcpu = (uint16_t)cpu;
			d.migrated = true;
			s->stats.migrations++;
		}
	}

	if (cur != next) {
		s->stats.switches++;
		trace_switch(s, cpu, now, cur, next, from);
		if (next)
			next->run_start = now;
	}
	if (cur)
		cur->flags &= (uint8_t)~SCHED_VF_YIELD;
	pc->curr = next;
	if (next) {
		s->idlers &= ~BIT(cpu);
		next->burnt_to = now;
		pc->slice_end = now + s->p.tslice_ns;
		/* Ticks restart on the grid when the pCPU leaves idle (as Xen's ticker). */
		if (pc->tick_due == SCHED_NEVER)
			pc->tick_due = tick_after(s, now);
		if (!s->acct_due)
			s->acct_due = tick_after(s, now) + s->p.tslice_ns - s->tick_ns;
	} else {
		s->idlers |= BIT(cpu);
		pc->slice_end = SCHED_NEVER;
		pc->tick_due = SCHED_NEVER;
	}
	d.next = next;
	d.deadline = deadline(s, pc);
	return d;
}

void sched_pcpu_release(struct sched *s, unsigned int cpu, uint64_t now)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_vcpu *cur = pc->curr;
	uint64_t idle;

	ASSERT(cpu < s->npcpus);
	s->idlers &= ~BIT(cpu); /* busy, not idle: wakes must not send work here */
	pc->released = true;
	if (!cur)
		return;
	csched_burn(cur, now);
	cur->last_desched = now;
	trace_switch(s, cpu, now, cur, NULL, cpu);
	cur->flags &= (uint8_t)~SCHED_VF_YIELD;
	pc->curr = NULL;
	pc->slice_end = SCHED_NEVER;
	pc->tick_due = SCHED_NEVER;
	if (!vcpu_runnable(cur))
		return;
	csched_runq_insert(s, cur);
	/* An idle pCPU of its affinity steals it; with none, it waits for this pCPU's next pick. */
	idle = s->idlers & s->online & cur->hard;
	if (idle) {
		s->tickle_bias = cpu_cycle(s->tickle_bias, idle);
		s->idlers &= ~BIT(s->tickle_bias);
		csched_kick(s, s->tickle_bias);
	}
}

/* The ticker, Xen's csched_tick() and csched_unit_acct(). */
uint64_t sched_tick(struct sched *s, unsigned int cpu, uint64_t now)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_vcpu *cur = pc->curr;

	ASSERT(cpu < s->npcpus);
	if (cur && now >= pc->tick_due) {
		pc->tick_due = tick_after(s, now);
		/* Found running at a tick: it uses real CPU, so it is no longer boosted. */
		if (cur->pri == SCHED_PRI_BOOST)
			cur->pri = SCHED_PRI_UNDER;
		csched_burn(cur, now);
		if (!link_on_list(&cur->active_link))
			csched_acct_start(s, cur);
		if (pc->nqueued)
			csched_kick_idler_for_queue(s, cpu);
	}
	if (s->acct_due && now >= s->acct_due)
		sched_account(s, now);
	if (cur && now >= pc->slice_end)
		csched_kick(s, cpu);
	return deadline(s, pc);
}
