/*
 * Shared by the test_sched_*.c tests: a scheduler with fake kick and trace
 * hooks, and a small driver that plays the hypervisor for always-runnable
 * (CPU-bound) vCPUs: it runs sched_pick() on kicked pCPUs and sched_tick()
 * at each pCPU's deadline, and counts what each vCPU ran.
 */
#ifndef TEST_SCHED_FIXTURE_H
#define TEST_SCHED_FIXTURE_H

#include <compiler.h>
#include <sched.h>
#include <sched_trace.h>

#include "unit.h"

#define FX_VCPUS  64
#define FX_EVENTS 512

struct fx {
	struct sched s;
	struct sched_dom d[4];
	struct sched_vcpu v[FX_VCPUS];
	uint64_t kicked; /* pCPUs kicked and not yet picked */
	unsigned int nkicks;
	struct sched_trace_rec ev[FX_EVENTS];
	unsigned int nev;
	uint64_t now;
	uint64_t deadline[SCHED_MAX_PCPUS];
	uint64_t since[SCHED_MAX_PCPUS];
	uint64_t ran[FX_VCPUS];
	unsigned int migrations;
};

static struct fx fx;

static void fx_kick(void *ctx, unsigned int pcpu)
{
	fx.kicked |= BIT(pcpu);
	fx.nkicks++;
}

static void fx_trace(void *ctx, const struct sched_trace_rec *r)
{
	if (fx.nev < FX_EVENTS)
		fx.ev[fx.nev++] = *r;
}

static const struct sched_ops fx_ops = {.kick = fx_kick, .trace = fx_trace};

/* A fresh scheduler; p NULL: defaults. Domain i has id i and weight 256 unless set again. */
static inline void fx_init(unsigned int npcpus, const struct sched_params *p)
{
	memset(&fx, 0, sizeof(fx));
	CHECK_EQ(sched_init(&fx.s, npcpus, p, &fx_ops, NULL), 0);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(sched_dom_init(&fx.s, &fx.d[i], i, SCHED_DEFAULT_WEIGHT, 0), 0);
	for (unsigned int c = 0; c < SCHED_MAX_PCPUS; c++)
		fx.deadline[c] = SCHED_NEVER;
}

/* Adds vCPU number n (its index in fx.v) to domain dom; its id is n. */
static inline struct sched_vcpu *fx_add(unsigned int n, unsigned int dom, uint64_t hard,
                                        uint64_t soft, unsigned int pcpu)
{
	CHECK_EQ(sched_vcpu_add(&fx.s, &fx.v[n], &fx.d[dom], n, hard, soft, pcpu), 0);
	return &fx.v[n];
}

/* True (and forgotten) if pcpu was kicked. */
static inline bool fx_kicked(unsigned int pcpu)
{
	bool k = fx.kicked & BIT(pcpu);

	fx.kicked &= ~BIT(pcpu);
	return k;
}

/* sched_pick() on pcpu at fx.now, charging what ran there since the last pick. */
static inline struct sched_decision fx_pick(unsigned int c)
{
	struct sched_vcpu *cur = sched_curr(&fx.s, c);
	struct sched_decision d;

	if (cur)
		fx.ran[cur - fx.v] += fx.now - fx.since[c];
	fx.kicked &= ~BIT(c);
	d = sched_pick(&fx.s, c, fx.now);
	fx.since[c] = fx.now;
	fx.deadline[c] = d.deadline;
	fx.migrations += d.migrated;
	return d;
}

/* Plays the hypervisor until `until`: every runnable vCPU computes forever. */
static inline void fx_run(uint64_t until)
{
	for (;;) {
		uint64_t t = SCHED_NEVER;
		unsigned int next = 0;

		while (fx.kicked)
			fx_pick((unsigned int)__builtin_ctzll(fx.kicked));
		for (unsigned int c = 0; c < fx.s.npcpus; c++) {
			if (fx.deadline[c] < t) {
				t = fx.deadline[c];
				next = c;
			}
		}
		if (t > until)
			break;
		fx.now = t;
		fx.deadline[next] = sched_tick(&fx.s, next, t);
	}
	fx.now = until;
	for (unsigned int c = 0; c < fx.s.npcpus; c++) {
		struct sched_vcpu *cur = sched_curr(&fx.s, c);

		if (cur)
			fx.ran[cur - fx.v] += until - fx.since[c];
		fx.since[c] = until;
	}
}

/* How many trace events of type ev were recorded (for vCPU v, or any when v is NULL). */
static inline unsigned int fx_count(unsigned int ev, const struct sched_vcpu *v)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fx.nev; i++)
		if (fx.ev[i].ev == ev &&
		    (!v || (fx.ev[i].vcpu == v->id && fx.ev[i].dom == v->dom->id)))
			n++;
	return n;
}

#endif
