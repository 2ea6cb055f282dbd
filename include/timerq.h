/*
 * A per-CPU queue of one-shot timers ordered by deadline, so that several
 * users (a vCPU's LAPIC timer, the scheduler's tick and slice end) share one
 * hardware timer. Pure: times are plain numbers (the arch uses TSC values),
 * and the owner programs the hardware for timerq_next() after each change.
 *
 * Locking: none inside. A queue belongs to one CPU; arch/x86/timer.c
 * guards each with a lock (interrupts off), because other CPUs may delete
 * entries from it. An entry is on at most one queue; its storage belongs to
 * the caller and must stay valid while queued.
 */
#ifndef TANDEM_TIMERQ_H
#define TANDEM_TIMERQ_H

#include <stdbool.h>
#include <stdint.h>

struct timerq_entry {
	uint64_t deadline;
	void (*fn)(void *arg); /* run once the deadline has passed */
	void *arg;
	struct timerq_entry *next; /* private to timerq.c */
	bool queued;
	unsigned int owner; /* the queue it is on, for its user (arch/x86/timer.c: the CPU) */
};

struct timerq {
	struct timerq_entry *head; /* earliest first; equal deadlines keep arming order */
};

/* Queues e for deadline, taking it off the queue first if it was queued. */
void timerq_add(struct timerq *q, struct timerq_entry *e, uint64_t deadline);

/* Takes e off the queue; nothing happens if it was not queued. */
void timerq_del(struct timerq *q, struct timerq_entry *e);

/* The earliest entry whose deadline is <= now, taken off the queue; NULL if none. */
struct timerq_entry *timerq_pop_expired(struct timerq *q, uint64_t now);

/* The earliest deadline queued, 0 when the queue is empty. */
uint64_t timerq_next(const struct timerq *q);

#endif
