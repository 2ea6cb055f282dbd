/*
 * Per-pCPU run queues: one FIFO per priority, so queueing and picking cost
 * the same with 1 or 512 waiting vCPUs. Xen keeps one list sorted by
 * priority (FIFO within one), which is the same order; its O(n) insert
 * walk becomes a choice of list here.
 */
#include "credit_priv.h"

void csched_runq_insert(struct sched *s, struct sched_vcpu *v)
{
	struct sched_pcpu *pc = &s->pcpu[v->pcpu];

	ASSERT(!link_on_list(&v->q) && v->pri > SCHED_PRI_IDLE && v->pri < SCHED_NPRI);
	link_add_tail(&pc->runq[v->pri], &v->q);
	pc->nqueued++;
	pc->nq_pinned += !!(v->flags & SCHED_VF_PINNED);
	pc->nq_soft += !!(v->flags & SCHED_VF_SOFT);
}

void csched_runq_remove(struct sched *s, struct sched_vcpu *v)
{
	struct sched_pcpu *pc = &s->pcpu[v->pcpu];

	ASSERT(link_on_list(&v->q) && pc->nqueued > 0);
	link_del(&v->q);
	pc->nqueued--;
	pc->nq_pinned -= !!(v->flags & SCHED_VF_PINNED);
	pc->nq_soft -= !!(v->flags & SCHED_VF_SOFT);
}

/* The first queued vCPU of a priority below pri (the best one when pri is SCHED_NPRI). */
struct sched_vcpu *csched_runq_first_below(struct sched_pcpu *pc, unsigned int pri)
{
	for (unsigned int p = pri; p-- > SCHED_PRI_OVER;)
		if (!link_empty(&pc->runq[p]))
			return vcpu_of_q(pc->runq[p].next);
	return NULL;
}

struct sched_vcpu *csched_runq_first(struct sched_pcpu *pc)
{
	return csched_runq_first_below(pc, SCHED_NPRI);
}

/*
 * After accounting changed priorities: each vCPU moves to its priority's
 * list, keeping the queue's order otherwise (a stable partition, like
 * Xen's csched_runq_sort, which also lets UNDER vCPUs overtake OVER ones
 * and nothing else).
 */
void csched_runq_sort(struct sched_pcpu *pc)
{
	struct sched_link tmp[SCHED_NPRI];

	for (unsigned int p = 0; p < SCHED_NPRI; p++)
		link_init(&tmp[p]);
	for (unsigned int p = SCHED_NPRI; p-- > SCHED_PRI_OVER;) {
		while (!link_empty(&pc->runq[p])) {
			struct sched_link *l = pc->runq[p].next;

			link_del(l);
			link_add_tail(&tmp[vcpu_of_q(l)->pri], l);
		}
	}
	for (unsigned int p = SCHED_PRI_OVER; p < SCHED_NPRI; p++) {
		while (!link_empty(&tmp[p])) {
			struct sched_link *l = tmp[p].next;

			link_del(l);
			link_add_tail(&pc->runq[p], l);
		}
	}
}
