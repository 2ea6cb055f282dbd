/*
 * The credit scheduler's set-up: the scheduler, domains, adding and
 * removing vCPUs, and the read-only queries. What vCPUs report is in
 * credit_wake.c, picking in credit_pick.c, credit in credit_acct.c.
 */
#include <errcode.h>
#include <log.h>
#include <string.h>

#include "credit_priv.h"

/* Caps above this would overflow the credit arithmetic; also far above any machine. */
#define CAP_MAX (100u * 65535u)

void csched_kick(struct sched *s, unsigned int pcpu)
{
	s->stats.kicks++;
	s->ops->kick(s->ctx, pcpu);
}

int sched_init(struct sched *s, unsigned int npcpus, const struct sched_params *p,
               const struct sched_ops *ops, void *ctx)
{
	static const struct sched_params defaults = SCHED_PARAMS_DEFAULT;
	const char *why;
	int err;

	if (!p)
		p = &defaults;
	if (npcpus == 0 || npcpus > SCHED_MAX_PCPUS) {
		log_err("sched: %u pCPUs, the scheduler handles 1 .. %u", npcpus, SCHED_MAX_PCPUS);
		return -ERR_RANGE;
	}
	err = sched_params_check(p, &why);
	if (err) {
		log_err("sched: %s", why);
		return err;
	}
	ASSERT(ops && ops->kick);
	memset(s, 0, sizeof(*s));
	s->p = *p;
	/* Xen's __csched_set_tslice(): three ticks per slice, one under 3 ms. */
	s->tick_ns = p->tslice_ns < SCHED_MS(3) ? p->tslice_ns : p->tslice_ns / 3;
	s->ops = ops;
	s->ctx = ctx;
	s->npcpus = npcpus;
	s->online = npcpus == 64 ? ~UINT64_C(0) : (UINT64_C(1) << npcpus) - 1;
	s->idlers = s->online;
	link_init(&s->active_doms);
	for (unsigned int c = 0; c < npcpus; c++) {
		struct sched_pcpu *pc = &s->pcpu[c];

		for (unsigned int pri = 0; pri < SCHED_NPRI; pri++)
			link_init(&pc->runq[pri]);
		pc->slice_end = SCHED_NEVER;
		pc->tick_due = SCHED_NEVER;
	}
	return 0;
}

static bool dom_params_ok(unsigned int weight, unsigned int cap)
{
	return weight >= 1 && weight <= SCHED_WEIGHT_MAX && cap <= CAP_MAX;
}

int sched_dom_init(struct sched *s, struct sched_dom *d, unsigned int id, unsigned int weight,
                   unsigned int cap)
{
	if (!dom_params_ok(weight, cap))
		return -ERR_INVAL;
	memset(d, 0, sizeof(*d));
	d->id = (uint16_t)id;
	d->weight = (uint16_t)weight;
	d->cap = cap;
	link_init(&d->active_vcpus);
	return 0;
}

int sched_dom_set(struct sched *s, struct sched_dom *d, unsigned int weight, unsigned int cap)
{
	if (!dom_params_ok(weight, cap))
		return -ERR_INVAL;
	/* The total weight counts the domain once per active vCPU (Xen's csched_dom_cntl). */
	s->weight -= (uint64_t)d->weight * d->nactive;
	s->weight += (uint64_t)weight * d->nactive;
	d->weight = (uint16_t)weight;
	d->cap = cap;
	return 0;
}

int sched_vcpu_add(struct sched *s, struct sched_vcpu *v, struct sched_dom *d, unsigned int id,
                   uint64_t hard, uint64_t soft, unsigned int pcpu)
{
	if (pcpu >= s->npcpus || !(hard & BIT(pcpu)) || (hard & ~s->online) || (soft & ~s->online))
		return -ERR_RANGE;
	memset(v, 0, sizeof(*v));
	v->dom = d;
	v->id = (uint16_t)id;
	v->hard = hard;
	v->soft = soft;
	v->pcpu = (uint16_t)pcpu;
	v->pri = SCHED_PRI_UNDER;
	v->flags = SCHED_VF_BLOCKED;
	if (!(hard & (hard - 1)))
		v->flags |= SCHED_VF_PINNED;
	if (has_soft(s, v))
		v->flags |= SCHED_VF_SOFT;
	d->nvcpus++;
	return 0;
}

void sched_vcpu_remove(struct sched *s, struct sched_vcpu *v)
{
	ASSERT(!vcpu_running(s, v));
	if (link_on_list(&v->q))
		csched_runq_remove(s, v);
	if (link_on_list(&v->active_link))
		csched_acct_stop(s, v);
	if (v->flags & SCHED_VF_PARKED)
		s->nparked--;
	v->dom->nvcpus--;
	v->dom = NULL;
	v->flags = SCHED_VF_BLOCKED;
	v->hard = v->soft = 0;
}

enum sched_vstate sched_vcpu_state(const struct sched *s, const struct sched_vcpu *v)
{
	if (vcpu_running(s, v))
		return SCHED_RUNNING;
	if (v->flags & SCHED_VF_BLOCKED)
		return SCHED_BLOCKED;
	if (v->flags & SCHED_VF_PARKED)
		return SCHED_PARKED;
	return SCHED_RUNNABLE;
}

enum sched_pri sched_vcpu_pri(const struct sched_vcpu *v)
{
	return (enum sched_pri)v->pri;
}

int64_t sched_vcpu_credit(const struct sched_vcpu *v)
{
	return v->credit;
}

struct sched_vcpu *sched_curr(const struct sched *s, unsigned int pcpu)
{
	return pcpu < s->npcpus ? s->pcpu[pcpu].curr : NULL;
}

unsigned int sched_nqueued(const struct sched *s, unsigned int pcpu)
{
	return pcpu < s->npcpus ? s->pcpu[pcpu].nqueued : 0;
}
