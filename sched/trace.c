/*
 * The scheduler's event trace: per-pCPU rings (sched_trace.h) and their
 * text form. Written and read under the caller's scheduler lock.
 */
#include <format.h>
#include <string.h>

#include "credit_priv.h"

#define NO_ID 0xffffu

static const char *const ev_names[SCHED_NEV] = {
    [SCHED_EV_RUN] = "run",     [SCHED_EV_PREEMPT] = "preempt", [SCHED_EV_YIELD] = "yield",
    [SCHED_EV_BLOCK] = "block", [SCHED_EV_WAKE] = "wake",       [SCHED_EV_MIGRATE] = "migrate",
    [SCHED_EV_IDLE] = "idle",   [SCHED_EV_PARK] = "park",       [SCHED_EV_UNPARK] = "unpark",
};

const char *sched_trace_ev_name(unsigned int ev)
{
	return ev < SCHED_NEV ? ev_names[ev] : "?";
}

void sched_trace_init(struct sched_trace *t, struct sched_trace_rec *buf, unsigned int per_pcpu,
                      unsigned int npcpus)
{
	memset(t, 0, sizeof(*t));
	t->npcpus = MIN(npcpus, SCHED_MAX_PCPUS);
	for (unsigned int c = 0; c < t->npcpus; c++) {
		t->ring[c].rec = buf + (size_t)c * per_pcpu;
		t->ring[c].cap = per_pcpu;
	}
}

void sched_trace_attach(struct sched *s, struct sched_trace *t)
{
	ASSERT(!t || t->npcpus >= s->npcpus);
	s->trace = t;
}

void sched_trace_put(struct sched_trace *t, const struct sched_trace_rec *r)
{
	struct sched_trace_ring *ring;

	if (r->pcpu >= t->npcpus)
		return;
	ring = &t->ring[r->pcpu];
	if (!ring->cap)
		return;
	ring->rec[ring->next] = *r;
	ring->next = ring->next + 1 == ring->cap ? 0 : ring->next + 1;
	ring->n++;
}

void csched_trace(struct sched *s, unsigned int pcpu, uint64_t t, unsigned int ev,
                  const struct sched_vcpu *v, unsigned int arg)
{
	struct sched_trace_rec r = {
	    .t = t,
	    .dom = v ? v->dom->id : NO_ID,
	    .vcpu = v ? v->id : NO_ID,
	    .ev = (uint8_t)ev,
	    .pcpu = (uint8_t)pcpu,
	    .arg = (uint16_t)arg,
	};

	if (s->trace)
		sched_trace_put(s->trace, &r);
	if (s->ops->trace)
		s->ops->trace(s->ctx, &r);
}

size_t sched_trace_line(const struct sched_trace_rec *r, char *buf, size_t size)
{
	const char *name = sched_trace_ev_name(r->ev);
	unsigned long long t = r->t;

	if (r->dom == NO_ID)
		return ksnprintf(buf, size, "sched-trace: %u %llu %s -", r->pcpu, t, name);
	if (r->ev == SCHED_EV_MIGRATE)
		return ksnprintf(buf, size, "sched-trace: %u %llu %s %u.%u %u", r->pcpu, t, name,
		                 r->dom, r->vcpu, r->arg);
	return ksnprintf(buf, size, "sched-trace: %u %llu %s %u.%u", r->pcpu, t, name, r->dom,
	                 r->vcpu);
}

/* Index of ring c's oldest record still held, and how many it holds. */
static uint32_t ring_held(const struct sched_trace_ring *ring, uint32_t *oldest)
{
	if (ring->n <= ring->cap) {
		*oldest = 0;
		return (uint32_t)ring->n;
	}
	*oldest = ring->next;
	return ring->cap;
}

unsigned int sched_trace_dump(const struct sched_trace *t,
                              void (*emit)(void *ctx, const char *line), void *ctx)
{
	uint32_t pos[SCHED_MAX_PCPUS], left[SCHED_MAX_PCPUS];
	unsigned int emitted = 0;
	char line[96];

	for (unsigned int c = 0; c < t->npcpus; c++)
		left[c] = ring_held(&t->ring[c], &pos[c]);
	/* A k-way merge by time; O(records x pCPUs), fine for a debug dump. */
	for (;;) {
		const struct sched_trace_rec *best = NULL;
		unsigned int bc = 0;

		for (unsigned int c = 0; c < t->npcpus; c++) {
			const struct sched_trace_rec *r = &t->ring[c].rec[pos[c]];

			if (left[c] && (!best || r->t < best->t)) {
				best = r;
				bc = c;
			}
		}
		if (!best)
			break;
		sched_trace_line(best, line, sizeof(line));
		emit(ctx, line);
		emitted++;
		left[bc]--;
		pos[bc] = pos[bc] + 1 == t->ring[bc].cap ? 0 : pos[bc] + 1;
	}
	for (unsigned int c = 0; c < t->npcpus; c++) {
		const struct sched_trace_ring *ring = &t->ring[c];

		if (ring->n > ring->cap) {
			ksnprintf(line, sizeof(line), "sched-trace-lost: %u %llu", c,
			          (unsigned long long)(ring->n - ring->cap));
			emit(ctx, line);
		}
	}
	return emitted;
}
