/*
 * The cost of one scheduling decision as run queues grow, in host TSC
 * cycles. Three cases on a 64-pCPU scheduler:
 *  - local: pCPU 0 has N vCPUs queued behind the running one and takes
 *    the next (a slice ended: requeue, pick, no steal);
 *  - pinned peers: idle pCPU 0 looks for work at 63 busy peers with N
 *    queued each, all pinned to their pCPU (skipped by a count);
 *  - full scan: the same, but each peer's vCPUs may also run on one other
 *    peer, never on pCPU 0: every queued vCPU is examined, the worst case
 *    of load balancing (Xen's csched_runq_steal walks the same way).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "sim.h"

#define NPCPUS 64

static void nokick(void *ctx, unsigned int pcpu)
{
}

static const struct sched_ops ops = {.kick = nokick};

static uint64_t cycles(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct bed {
	struct sched s;
	struct sched_dom d;
	struct sched_vcpu *v;
	uint64_t now;
};

/*
 * pCPUs first_cpu .. 63 each run one vCPU with n more queued, pinned there,
 * or (wide) also allowed on the next pCPU of 1 .. 63.
 */
static struct bed *bed_new(unsigned int n, unsigned int first_cpu, bool wide)
{
	struct bed *b = calloc(1, sizeof(*b));
	unsigned int k = 0;

	if (!b || sched_init(&b->s, NPCPUS, NULL, &ops, NULL) ||
	    sched_dom_init(&b->s, &b->d, 0, 256, 0))
		abort();
	b->v = calloc((size_t)NPCPUS * (n + 1), sizeof(*b->v));
	if (!b->v)
		abort();
	b->now = SCHED_MS(1);
	for (unsigned int c = first_cpu; c < NPCPUS; c++) {
		uint64_t hard = UINT64_C(1) << c;

		if (wide)
			hard |= UINT64_C(1) << (c % (NPCPUS - 1) + 1);
		for (unsigned int i = 0; i <= n; i++, k++) {
			if (sched_vcpu_add(&b->s, &b->v[k], &b->d, k, hard, 0, c))
				abort();
			sched_vcpu_wake(&b->s, &b->v[k], b->now);
		}
		sched_pick(&b->s, c, b->now);
	}
	return b;
}

static void bed_free(struct bed *b)
{
	free(b->v);
	free(b);
}

/* min and median cycles of iters sched_pick() calls on pCPU 0, slice_ns apart. */
static void measure(struct bed *b, unsigned int iters, uint64_t *min, uint64_t *med)
{
	uint64_t *t = malloc(iters * sizeof(*t));

	if (!t)
		abort();
	for (unsigned int i = 0; i < iters; i++) {
		uint64_t t0;

		b->now += b->s.p.tslice_ns;
		t0 = cycles();
		sched_pick(&b->s, 0, b->now);
		t[i] = cycles() - t0;
	}
	qsort(t, iters, sizeof(*t), cmp_u64);
	*min = t[0];
	*med = t[iters / 2];
	free(t);
}

void sim_pickcost(FILE *f)
{
	static const unsigned int sizes[] = {1, 8, 64, 512};
	uint64_t overhead = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = cycles(), d = cycles() - t0;

		overhead = d < overhead ? d : overhead;
	}
	fprintf(f,
	        "== sched_pick() cost in HOST CYCLES (rdtsc on the machine running this, -O2,\n"
	        "   not the hypervisor's target), 64 pCPUs; min / median of many calls;\n"
	        "   rdtsc overhead (%llu cycles) not subtracted\n",
	        (unsigned long long)overhead);
	fprintf(f, "   idle pCPU 0 looking at 63 busy peers, nothing it may take: their vCPUs\n"
	           "   pinned (skipped by count) or allowed elsewhere (every one examined)\n");
	fprintf(f, "   queued/pCPU   local pick      steal: pinned peers   steal: full scan\n");
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int n = sizes[i];
		uint64_t lmin, lmed, pmin, pmed, smin, smed;
		struct bed *b = bed_new(n, 0, false);

		measure(b, 20001, &lmin, &lmed);
		bed_free(b);
		b = bed_new(n, 1, false);
		measure(b, 20001, &pmin, &pmed);
		bed_free(b);
		b = bed_new(n, 1, true);
		measure(b, n >= 512 ? 201 : 2001, &smin, &smed);
		bed_free(b);
		fprintf(f, "   %11u   %5llu / %-5llu   %7llu / %-7llu     %7llu / %-7llu\n", n,
		        (unsigned long long)lmin, (unsigned long long)lmed,
		        (unsigned long long)pmin, (unsigned long long)pmed,
		        (unsigned long long)smin, (unsigned long long)smed);
	}
}
