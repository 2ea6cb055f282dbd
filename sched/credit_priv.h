/*
 * Shared by the scheduler's .c files in sched/: vCPU flags, list helpers, and the
 * functions one part of the credit scheduler calls in another. Not a
 * public header. Everything here runs under the caller's scheduler lock.
 */
#ifndef SCHED_CREDIT_PRIV_H
#define SCHED_CREDIT_PRIV_H

#include <compiler.h>
#include <log.h>
#include <sched.h>
#include <sched_trace.h>

/* sched_vcpu.flags */
#define SCHED_VF_BLOCKED 0x01
#define SCHED_VF_PARKED  0x02 /* over its domain's cap: not runnable until unparked */
#define SCHED_VF_YIELD   0x04 /* yielded; cleared by the next sched_pick() */
#define SCHED_VF_PINNED  0x08 /* hard affinity is one pCPU (Xen's CSCHED_FLAG_UNIT_PINNED) */
#define SCHED_VF_SOFT    0x10 /* has_soft(): set while added, as affinities are constant */

/* Xen's CSCHED_MIN_TIMER: never ask for a timer closer than this. */
#define SCHED_MIN_TIMER_NS SCHED_US(100)

static inline void link_init(struct sched_link *l)
{
	l->next = l->prev = l;
}

static inline bool link_empty(const struct sched_link *head)
{
	return head->next == head;
}

static inline bool link_on_list(const struct sched_link *l)
{
	return l->next != NULL;
}

static inline void link_insert(struct sched_link *l, struct sched_link *prev,
                               struct sched_link *next)
{
	l->prev = prev;
	l->next = next;
	prev->next = l;
	next->prev = l;
}

static inline void link_add_tail(struct sched_link *head, struct sched_link *l)
{
	link_insert(l, head->prev, head);
}

static inline void link_add_head(struct sched_link *head, struct sched_link *l)
{
	link_insert(l, head, head->next);
}

static inline void link_del(struct sched_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

#define vcpu_of_q(l)      container_of(l, struct sched_vcpu, q)
#define vcpu_of_active(l) container_of(l, struct sched_vcpu, active_link)
#define dom_of_active(l)  container_of(l, struct sched_dom, active_link)

static inline uint64_t elapsed(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

static inline bool vcpu_running(const struct sched *s, const struct sched_vcpu *v)
{
	return s->pcpu[v->pcpu].curr == v;
}

static inline bool vcpu_runnable(const struct sched_vcpu *v)
{
	return !(v->flags & (SCHED_VF_BLOCKED | SCHED_VF_PARKED));
}

/* The next pCPU after n in mask, wrapping (Xen's cpumask_cycle); mask != 0. */
static inline unsigned int cpu_cycle(unsigned int n, uint64_t mask)
{
	uint64_t above = n >= 63 ? 0 : mask & (~UINT64_C(0) << (n + 1));

	return (unsigned int)__builtin_ctzll(above ? above : mask);
}

/*
 * Xen's has_soft_affinity(): soft affinity matters only when it leaves
 * some allowed pCPUs out and keeps some in.
 */
static inline bool has_soft(const struct sched *s, const struct sched_vcpu *v)
{
	uint64_t hard = v->hard & s->online;

	return (v->soft & hard) != 0 && (hard & ~v->soft) != 0;
}

/* credit.c */
void csched_kick(struct sched *s, unsigned int pcpu);
void csched_tickle(struct sched *s, struct sched_vcpu *v);

/* credit_runq.c */
void csched_runq_insert(struct sched *s, struct sched_vcpu *v);
void csched_runq_remove(struct sched *s, struct sched_vcpu *v);
struct sched_vcpu *csched_runq_first(struct sched_pcpu *pc);
struct sched_vcpu *csched_runq_first_below(struct sched_pcpu *pc, unsigned int pri);
void csched_runq_sort(struct sched_pcpu *pc);

/* credit_pick.c */
void csched_burn(struct sched_vcpu *v, uint64_t now);

/* credit_acct.c */
void csched_acct_start(struct sched *s, struct sched_vcpu *v);
void csched_acct_stop(struct sched *s, struct sched_vcpu *v);
void csched_unpark(struct sched *s, struct sched_vcpu *v, uint64_t now);

/* credit_steal.c */
struct sched_vcpu *csched_steal(struct sched *s, unsigned int cpu, unsigned int pri, uint64_t now);
void csched_kick_idler_for_queue(struct sched *s, unsigned int cpu);

/* trace.c */
void csched_trace(struct sched *s, unsigned int pcpu, uint64_t t, unsigned int ev,
                  const struct sched_vcpu *v, unsigned int arg);

#endif
