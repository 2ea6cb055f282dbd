/*
 * Credit accounting, Xen's csched_acct(): every accounting period (one
 * slice) the machine's credit, one slice per pCPU, is shared among the
 * active domains by weight and split evenly among each one's active
 * vCPUs. A vCPU is active from the first tick that finds it running until
 * it has more than a slice of unused credit (it is not using its share).
 * Credits are nanoseconds of pCPU time.
 */
#include "credit_priv.h"

/*
 * a * b / c rounded up, for b and c below 2^32 and a result that fits:
 * Xen computes these in 32 bits with credits of 100 us; nanoseconds need
 * the split to stay within 64.
 */
static uint64_t muldiv_up(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + (a % c * b + c - 1) / c;
}

void csched_acct_start(struct sched *s, struct sched_vcpu *v)
{
	struct sched_dom *d = v->dom;

	link_add_head(&d->active_vcpus, &v->active_link);
	d->nactive++;
	s->weight += d->weight;
	if (!link_on_list(&d->active_link))
		link_add_head(&s->active_doms, &d->active_link);
}

void csched_acct_stop(struct sched *s, struct sched_vcpu *v)
{
	struct sched_dom *d = v->dom;

	ASSERT(s->weight >= d->weight && d->nactive > 0);
	link_del(&v->active_link);
	d->nactive--;
	s->weight -= d->weight;
	if (link_empty(&d->active_vcpus))
		link_del(&d->active_link);
}

/* Over its cap: off the queue, or off the pCPU at the next pick. */
static void park(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	v->flags |= SCHED_VF_PARKED;
	s->nparked++;
	s->stats.parks++;
	csched_trace(s, v->pcpu, now, SCHED_EV_PARK, v, 0);
	if (link_on_list(&v->q))
		csched_runq_remove(s, v);
	else if (vcpu_running(s, v))
		csched_kick(s, v->pcpu);
}

/* Back under its cap: queued again if runnable, without BOOST (it did not block). */
void csched_unpark(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	v->flags &= (uint8_t)~SCHED_VF_PARKED;
	s->nparked--;
	s->stats.unparks++;
	csched_trace(s, v->pcpu, now, SCHED_EV_UNPARK, v, 0);
	if (vcpu_runnable(v) && !vcpu_running(s, v) && !link_on_list(&v->q)) {
		csched_runq_insert(s, v);
		csched_tickle(s, v);
	}
}

/* Gives each active vCPU of d its share; returns the sum of their credits after. */
static int64_t credit_vcpus(struct sched *s, struct sched_dom *d, uint64_t share, uint64_t vcap,
                            uint64_t now)
{
	const int64_t slice = (int64_t)s->p.tslice_ns;
	struct sched_link *l, *next;
	int64_t sum = 0;

	for (l = d->active_vcpus.next; l != &d->active_vcpus; l = next) {
		struct sched_vcpu *v = vcpu_of_active(l);

		next = l->next;
		v->credit += (int64_t)share;
		if (v->credit < 0) {
			v->pri = SCHED_PRI_OVER;
			if (d->cap && v->credit < -(int64_t)vcap && !(v->flags & SCHED_VF_PARKED))
				park(s, v, now);
			/* Lower bound: a vCPU never owes more than one slice. */
			if (v->credit < -slice)
				v->credit = -slice;
		} else {
			v->pri = SCHED_PRI_UNDER;
			if (v->flags & SCHED_VF_PARKED)
				csched_unpark(s, v, now);
			/* Upper bound: not using its share, it stops earning, with half in hand. */
			if (v->credit > slice) {
				csched_acct_stop(s, v);
				v->credit /= 2;
			}
		}
		sum += v->credit;
	}
	return sum;
}

void sched_account(struct sched *s, uint64_t now)
{
	const uint64_t slice = s->p.tslice_ns;
	uint64_t weight_total = s->weight, weight_left = weight_total;
	uint64_t credit_total = slice * s->npcpus;
	int64_t balance = 0;
	bool xtra = false;
	struct sched_link *l, *next;

	s->stats.acct_runs++;
	s->acct_due += slice;
	if (s->acct_due <= now)
		s->acct_due = now + slice;
	/* Converge the balance towards 0 when it went negative (credit was overspent). */
	if (s->credit_balance < 0)
		credit_total += (uint64_t)-s->credit_balance;
	if (!weight_total) {
		s->credit_balance = 0;
		return;
	}
	ASSERT(weight_total < BIT(32));

	for (l = s->active_doms.next; l != &s->active_doms; l = next) {
		struct sched_dom *d = dom_of_active(l);
		uint64_t dweight = (uint64_t)d->weight * d->nactive;
		/* At most, a domain may run all its active vCPUs for the whole period. */
		uint64_t peak = d->nactive * slice, fair, vcap = 0;

		next = l->next;
		weight_left -= dweight;
		if (s->credit_balance < 0)
			peak += muldiv_up((uint64_t)-s->credit_balance, dweight, weight_total);
		if (d->cap) {
			uint64_t cap = ((uint64_t)d->cap * slice + 99) / 100;

			peak = MIN(peak, cap);
			vcap = (cap + d->nactive - 1) / d->nactive; /* per vCPU, as Xen */
		}
		fair = muldiv_up(credit_total, dweight, weight_total);
		if (fair < peak) {
			xtra = true;
		} else {
			/* What this domain cannot use goes to the domains still to come. */
			if (weight_left)
				credit_total += muldiv_up(fair - peak, weight_total, weight_left);
			/* Keep domains with spare credit at the head, to offer it first next time. */
			if (xtra) {
				link_del(&d->active_link);
				link_add_head(&s->active_doms, &d->active_link);
			}
			fair = peak;
		}
		balance += credit_vcpus(s, d, (fair + d->nactive - 1) / d->nactive, vcap, now);
	}
	s->credit_balance = balance;
	for (unsigned int c = 0; c < s->npcpus; c++)
		csched_runq_sort(&s->pcpu[c]);
}
