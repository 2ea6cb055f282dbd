/*
 * A vCPU's run and steal time, as the scheduler loop sees it: run time from
 * switch-in to switch-out; steal time from the moment it could run (woken,
 * preempted, or parked by its cap) to its next switch-in, which is KVM's
 * run_delay and what the guest's steal-time area reports. Pure: times are
 * arguments (ns, any epoch after 0; 0 means "not set"), and an interval
 * that runs backwards counts as zero.
 *
 * Locking: none inside. The vCPU's pCPU switches it in and out; wakes come
 * under the scheduler lock (x86/vcpu_sched.h); reads from elsewhere may see
 * a value a moment old.
 */
#ifndef TANDEM_VCPU_TIME_H
#define TANDEM_VCPU_TIME_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu_time {
	uint64_t run_ns, steal_ns; /* up to the last switch-out / switch-in */
	uint64_t in_at;            /* switched in at; 0: on no pCPU */
	uint64_t runnable_at;      /* waits for a pCPU since; 0: does not */
	uint64_t switches;         /* switch-ins */
	uint64_t preemptions;      /* switch-outs while still runnable */
};

/* It stopped blocking. running: it resumed on the spot (still current): no wait starts. */
void vcpu_time_woken(struct vcpu_time *t, uint64_t now, bool running);

/* Switched in: a wait ends. */
void vcpu_time_in(struct vcpu_time *t, uint64_t now);

/* Switched out; still_runnable (preempted, parked): a wait starts. */
void vcpu_time_out(struct vcpu_time *t, uint64_t now, bool still_runnable);

/* It blocks for good (its VM stops): no wait continues. */
void vcpu_time_stop(struct vcpu_time *t);

/* Run and steal time up to now, the current turn or wait included. */
void vcpu_time_read(const struct vcpu_time *t, uint64_t now, uint64_t *run, uint64_t *steal);

#endif
