/*
 * Scheduler event trace: one ring buffer per pCPU, in storage the caller
 * gives, filled by the scheduler under the caller's scheduler lock (see
 * sched.h) and dumped as text lines, one per event:
 *
 *   sched-trace: <pcpu> <t_ns> <event> <dom>.<vcpu> [<from_pcpu>]
 *
 * <event> is one of run preempt yield block wake migrate idle park unpark;
 * idle has "-" for <dom>.<vcpu>; migrate alone carries <from_pcpu>, the
 * pCPU the vCPU was stolen from (the line's <pcpu> is where it goes). A
 * ring that overflowed keeps its newest events, and the dump says so with
 *
 *   sched-trace-lost: <pcpu> <count>
 *
 * tools/sched-timeline.py renders a dump (or the simulator's --trace
 * output, the same format) as a vCPU timeline.
 */
#ifndef TANDEM_SCHED_TRACE_H
#define TANDEM_SCHED_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sched.h>

enum sched_ev {
	SCHED_EV_RUN,     /* vCPU starts running on pcpu */
	SCHED_EV_PREEMPT, /* runnable vCPU switched out */
	SCHED_EV_YIELD,   /* vCPU switched out after sched_vcpu_yield() */
	SCHED_EV_BLOCK,   /* vCPU blocked (running or queued) */
	SCHED_EV_WAKE,    /* vCPU woken, queued on pcpu */
	SCHED_EV_MIGRATE, /* vCPU stolen by pcpu from arg */
	SCHED_EV_IDLE,    /* pcpu has nothing to run */
	SCHED_EV_PARK,    /* vCPU's domain over its cap */
	SCHED_EV_UNPARK,
	SCHED_NEV,
};

struct sched_trace_rec {
	uint64_t t;
	uint16_t dom, vcpu; /* 0xffff for idle */
	uint8_t ev;         /* enum sched_ev */
	uint8_t pcpu;
	uint16_t arg; /* migrate: source pCPU */
};

struct sched_trace_ring {
	struct sched_trace_rec *rec;
	uint32_t cap;
	uint32_t next; /* slot of the next record */
	uint64_t n;    /* records ever put */
};

struct sched_trace {
	unsigned int npcpus;
	struct sched_trace_ring ring[SCHED_MAX_PCPUS];
};

/*
 * Sets t up over buf, which holds per_pcpu records for each of npcpus
 * (at most SCHED_MAX_PCPUS) rings, all empty.
 */
void sched_trace_init(struct sched_trace *t, struct sched_trace_rec *buf, unsigned int per_pcpu,
                      unsigned int npcpus);

/* Records into s's rings from now on (t NULL: stop). t must cover s's pCPUs. */
void sched_trace_attach(struct sched *s, struct sched_trace *t);

/* Appends r to ring r->pcpu, overwriting the oldest record when full. */
void sched_trace_put(struct sched_trace *t, const struct sched_trace_rec *r);

/* The event's name in the line format, or "?" */
const char *sched_trace_ev_name(unsigned int ev);

/*
 * Formats r as one line (no newline) into buf[size], always terminated.
 * Returns the length the whole line has (as snprintf).
 */
size_t sched_trace_line(const struct sched_trace_rec *r, char *buf, size_t size);

/*
 * Emits every record of every ring, merged oldest first, one line each,
 * then a lost line per ring that overflowed. Returns the records emitted.
 */
unsigned int sched_trace_dump(const struct sched_trace *t,
                              void (*emit)(void *ctx, const char *line), void *ctx);

#endif
